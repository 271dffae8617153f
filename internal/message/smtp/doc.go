// Package smtp sends outbox emails (R-MSG-2) over SMTP with
// github.com/wneessen/go-mail: STARTTLS (required, never downgraded),
// implicit TLS (SMTPS), or none for loopback test servers; optional
// authentication; the configured From address. Header values come from
// the outbox row; a recipient, name or subject with a line break is
// refused, never written into a header (header injection).
package smtp
