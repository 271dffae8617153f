// Package declarative reads and writes Sesame's declarative data format —
// user domains, modules, contexts, ACL templates, user groups, access
// policies, users, and OIDC clients and CAS services — so demos, tests and
// a UAT → production promotion need no clicking (R-OPS-3). Apply is
// idempotent and atomic: the whole file is applied in one transaction, or
// nothing is.
package declarative
