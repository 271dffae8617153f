// Package model holds Sesame's domain types — contexts, modules and ACLs, user
// groups, ACL templates, users, user domains and audit events — and the
// application error type shared by every adapter (SPEC.md §2–3).
//
// It depends on nothing else in the project: storage, the access engine and
// the HTTP layers all speak in these types.
package model
