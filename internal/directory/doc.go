// Package directory is Sesame's domain service: contexts, user groups, ACL
// templates, access policies, users and their lifecycle, and effective
// rights, with the rules of SPEC.md §2–3 enforced in one place. The admin
// API and `sesame apply` both call it.
//
// Every mutating method runs in one storage transaction together with its
// audit event (R-OPS-4), so a failure leaves nothing half-written, and is
// authorized with the caller's own effective rights in module cas for the
// target context (R-USR-4, see authz.go). Transactions go through runTx
// (changes.go), which then drops this node's protocol caches (users,
// rights, clients, ACL catalogs: all internal/cache.Gen) and tells the
// OnChange subscribers: the one invalidation path.
package directory
