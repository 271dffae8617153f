// Package directory is Sesame's domain service for admin writes: contexts,
// user groups, ACL templates, access policies, the ACL catalog, users and
// their lifecycle, clients and API keys, with the rules of SPEC.md §2–3
// enforced in one place (R-CTX-*, R-GRP-*, R-USR-*, R-EFF-*, R-SSO-3,
// R-SSO-6). The admin API and `sesame apply` (internal/declarative) both
// call it; the protocol packages read users and clients through it (cached
// lookups) and ask it for effective rights and module access.
//
// Every mutating method runs in one storage transaction together with its
// audit event (R-OPS-4), so a failure leaves nothing half-written, and is
// authorized with the caller's own effective rights in module cas for the
// target context (R-USR-4, see authz.go). Transactions go through runTx
// (changes.go), which then drops this node's protocol caches (users,
// rights, clients, ACL catalogs: all internal/cache.Gen) and tells the
// OnChange subscribers: the one invalidation path.
//
// The store is never handed out: `sesame apply` reads through Reader (the
// read half, storage.DirectoryReader) and writes through Service methods
// (ImportPasswordHash, SetClientSecretHash, SetUserRoles in imports.go);
// the protocol packages get their narrow store from the server wiring.
// Credential checks live in internal/authn (Service.Authn builds it on the
// same store, hasher, limiter and clock), the rights decisions of the
// protocol paths in internal/rights (Service.Rights).
//
// Files by flow: service.go (Service, Actor, tx, audit), changes.go (the
// invalidation path: it also forgets internal/rights' caches), authz.go,
// ceiling.go, liftguard.go (who may do what to whom, evaluated through
// internal/rights); contexts.go, groups.go, templates.go, csv.go,
// catalog.go, values.go, users.go, loginnames.go, clients.go,
// clienttokens.go, apikeys.go, grants.go, imports.go, bootstrap.go (the
// admin writes); rights.go (EffectiveRights for admins), apiauth.go
// (OwnRights, ValidateAPIQuery, DecideAPI, PolicyCaller: they take Actor,
// which has to move to model before they can join internal/rights);
// usercache.go, clientcache.go (the cached User/Client/FindCASService
// lookups); throttle.go (SetLimiter, UnlockUser, CheckImportedHash);
// auditqueue.go, protoaudit.go (the protocol audit queue);
// passwordpolicy.go (the policy every password-setting path applies),
// rehash.go (hash upgrade at login), passwords.go (the forced change at
// login, the admin's account reset, forgot-password reset links, password
// expiry), self.go (the account page's self-service writes: no right
// check, the signed-in user acts on their own account), twofactor.go (a
// user's own second-factor setting), rootright.go (AuthorizeAtRoot).
//
// directory may import authn, rights, access, catalog, cache, clients, identity,
// password, throttle, storage, model (and session for session.Token, the
// random secret of a new client); it must not import sqlstore, the
// protocol packages (cas, oidcop, login) or adminapi.
package directory
