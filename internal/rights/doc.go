// Package rights answers "may user U do X in context C?" for the protocol
// paths (DESIGN note 3, split out of internal/directory): effective rights
// (R-EFF-1..5, access.Evaluate over the stored groups, roles, templates and
// policy) with their cache, module access at login (R-MOD-1..3), the
// contexts a user may act in (R-SSO-5, R-PRT-1: CanActIn, ActingContexts)
// and the context a login acts in (DefaultContext).
//
// Files by flow: decider.go (Decider, its caches, Forget), rights.go
// (loadInput, Evaluate, UserRights, ModuleExists), catalogcache.go (the
// ACL catalog cache and the immutable facts: root context, context types),
// switch.go (CanActIn, ActingContexts), logins.go (DefaultContext,
// ModuleAccess).
//
// Caching: only evaluations on the root store are cached (rightsTTL), ACL
// catalogs for catalogTTL. internal/directory builds the Decider on its
// store (directory.Service.Rights) and calls Forget after every
// transaction (directory/changes.go runTx), the one invalidation path:
// every directory change drops every cached decision of this node. The
// directory's own authorization (authz.go, ceiling.go, liftguard.go)
// evaluates through the same Decider, inside its transaction (uncached).
//
// Still in internal/directory: DecideAPI, PolicyCaller, OwnRights and
// EffectiveRights (apiauth.go, rights.go), which take directory.Actor.
//
// rights imports access, cache, model and storage; it must not import
// directory, authn, the protocol packages (cas, oidcop, login), adminapi
// or sqlstore, and it never writes.
package rights
