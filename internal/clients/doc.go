// Package clients holds the rules for registered applications (R-SSO-3):
// what a valid redirect URI or CAS service pattern is, and how a requested
// service URL is matched — exactly, or by an anchored path prefix under the
// very same scheme, host and port. Never an open redirect.
package clients
