// Package cas serves the Apereo CAS protocol under /cas (CAS 3.0
// specification, R-SSO-2): /login with service, renew and gateway (§2.1),
// /logout (§2.3) with single logout POSTs to the services of the session
// (Appendix C), /validate (v1, §2.4), /serviceValidate and
// /p3/serviceValidate (XML or JSON, with attributes, §2.5, §2.8),
// /proxyValidate (§2.6) and proxy authentication: pgtUrl callbacks (§2.5.4)
// and /proxy (§2.7).
//
// Service and proxy tickets are random 256-bit values ("ST-…", "PT-…"),
// stored hashed, valid for seconds, consumed on first validation whatever
// its outcome, and bound to the exact service URL they were issued for.
// Proxy-granting tickets ("PGT-…") are reusable and live as long as the
// SSO session they descend from; they are only delivered to an https
// callback URL registered for the application that validated the ticket.
// Services are matched against the registered patterns of CAS clients
// (package clients): an unregistered service gets an error page, never a
// redirect.
//
// Files follow the flows: cas.go (/login), renew.go (renew=true),
// validate.go (ticket validation and answers), proxy.go (proxy
// authentication), logout.go (/logout and single logout), store.go (the
// narrow store the handler uses: cas.Store = storage.CAS + storage.Sessions
// + the tenant and client reads). Logouts are audited through
// internal/authn; cas must not import sqlstore or write the directory.
package cas
