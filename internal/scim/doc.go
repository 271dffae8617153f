// Package scim is Sesame's SCIM 2.0 service provider under /scim/v2
// (issue 12): customers' directories (Entra ID, Okta, OneLogin, JumpCloud)
// create, update, deactivate and delete the users and groups of their
// tenant (SPEC.md §6, "Provisioning").
//
// Specifications: RFC 7643 (core schema: User, Group, the enterprise User
// extension, ServiceProviderConfig, ResourceType, Schema) and RFC 7644
// (protocol: §3.3 create, §3.4.1 retrieve, §3.4.2 query with filter,
// paging, sorting and attribute selection, §3.5.1 PUT, §3.5.2 PATCH,
// §3.6 DELETE, §3.12 errors, §3.14 versioning with ETags).
//
// Authentication: a tenant's SCIM credential (authn.AuthenticateSCIM, a
// bearer token stored hashed) opens this endpoint for its tenant only;
// every read and write is scoped to the credential's tenant (its users)
// and target context (its groups). Anything of another tenant is 404.
//
// Files by flow:
//   - handler.go: routes, authentication, body limits, JSON in and out;
//     write.go: the PUT and PATCH bodies every resource shares;
//     document.go: canonical, validated resource documents
//   - errors.go: the SCIM error type (scimType, status) and the one mapping
//     from directory errors (RFC 7644 §3.12)
//   - schema.go: the attribute definitions (RFC 7643 §4, §8.7) used to
//     canonicalise input, resolve PATCH paths and filters, and serve
//     /Schemas; discovery.go: ServiceProviderConfig, ResourceTypes, Schemas
//   - filter.go: the filter parser (RFC 7644 §3.4.2.2, errors name the
//     position) and its in-memory evaluation on one resource's
//     multi-valued attribute (PATCH value paths only)
//   - query.go: list parameters and the mapping of a filter onto the
//     store's fields: every filter becomes parameterised, indexed SQL in
//     internal/storage/sqlstore/scim.go — never evaluated over loaded users
//   - patch.go: PATCH operations on a resource document, with the forms
//     Entra ID and Okta send ("Replace", "False", no path with a value
//     object, emails[type eq "work"].value, enterprise URN paths)
//   - users.go, groups.go: the resources, mapped onto the directory
//
// Writes go through internal/directory (its SCIM* methods, with
// directory.SCIMActor): authorized, capped to the tenant, audited with the
// credential as actor ("scim:<id>") in the change's transaction. This
// package must not import sqlstore, adminapi or the other protocol
// packages.
//
// The library github.com/elimity-com/scim was considered and not used:
// its list handler receives no sortBy/sortOrder, its filter errors carry
// no position, and its generic attribute handling would have had us
// re-validate everything behind it anyway; the protocol layer here is
// plain net/http with our own filter parser, and no new dependency.
package scim
