// Package metrics holds Sesame's Prometheus metrics (R-OPS-1): HTTP
// requests by route and status, sign-ins by method and outcome, tokens by
// grant, CAS tickets, the password-hashing queue, throttled requests, the
// database pools, the outbox and the build. There is no global registry:
// New takes the *prometheus.Registry the management listener serves
// (app/management.go), and tests make their own.
//
// Every method of *Metrics does nothing on a nil receiver, so packages
// hold a *Metrics that is nil in tests that do not care.
package metrics
