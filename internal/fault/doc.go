// Package fault tells a failure of the store (a database outage, a lost
// connection) apart from a domain answer (not found, invalid, conflict…)
// and from a request its client cancelled, so the protocol handlers answer
// an outage with 503 / server_error / a "try again" page instead of
// blaming the user or the client (issue 8 item 23), and log a cancelled
// request below ERROR.
package fault
