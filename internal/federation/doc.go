// Package federation is the protocol-independent half of delegated login
// (SPEC.md §6, DESIGN note 2): what an external IdP asserted becomes a
// Sesame user. Connectors (internal/connector/…) speak the protocol and
// return raw claims; this package maps them once for every protocol and
// provisions the user.
//
//   - Map (mapping.go) turns an Identity into a Profile with the
//     connection's claim mapping (R-FED-3): subject, email,
//     email_verified, names, phone, roles (a list, or a dotted path such as
//     realm_access.roles), the role-per-context list ("Admin for account X,
//     User for account Y") and the account keys the user belongs to.
//     Pure; a *MappingError names the claim. Presets for Entra ID,
//     Keycloak, Okta and Google (presets.go), each table-tested against a
//     token of its real shape in testdata/claims.
//   - Provisioner.Provision (provision.go) creates, links or updates the
//     user just in time (R-FED-4) in one directory transaction, keyed on
//     (connection, subject) — never the email; linking by email only when
//     the connection allows it and the IdP says the email is verified;
//     several users with that email → a *LinkError for the administrator.
//     A lost race for the link (or the login name) retries once and takes
//     the update path, so concurrent first logins create one user.
//   - Organisations (organisations.go, R-SAML-7, seed 002): the
//     mapping's organisation claims (group uid, name, role; lists paired
//     by index) find or create an account context under the tenant bound
//     to (connection, uid) — unique per connection only — rename it when
//     the name changes, and assign the user with the role; memberships
//     add up across logins. A marketplace connection's emails are virtual
//     addresses: stored, marked undeliverable (the outbox never mails
//     them), never verified, never linked.
//   - The roles it stores (directory SetUserRoles, model.RoleAssignment)
//     are what e1 of the effective rights reads (R-EFF-1, internal/rights).
//
// Policy lives here; the directory keeps the invariants (validation,
// tenancy, audit): every write goes through a directory method with
// directory.ConnectionActor, so the audit names "connection:<id>".
package federation
