// Package identity holds the rules that make a login unambiguous: login
// names normalised with the PRECIS UsernameCaseMapped profile (RFC 8265
// §3.3), their confusable skeleton (UTS #39 §4) that keeps look-alike names
// apart inside a tenant, and tenant slugs (the unique, immutable tenant part
// of "slug/name" logins and of CAS tenantLogin principals).
//
// It depends on nothing in Sesame, so the store and the directory share it.
package identity
