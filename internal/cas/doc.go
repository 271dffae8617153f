// Package cas serves the Apereo CAS protocol under /cas (CAS 3.0
// specification, R-SSO-2): /login with service, renew and gateway (§2.1),
// /logout (§2.3) with single logout POSTs to the services of the session
// (Appendix C), /validate (v1, §2.4), /serviceValidate and
// /p3/serviceValidate (XML or JSON, with attributes, §2.5, §2.8), and
// /proxyValidate for service tickets (§2.6).
//
// Service tickets are random 256-bit values ("ST-…"), stored hashed, valid
// for seconds, consumed on first validation whatever its outcome, and bound
// to the exact service URL they were issued for. Services are matched
// against the registered patterns of CAS clients (package clients): an
// unregistered service gets an error page, never a redirect.
package cas
