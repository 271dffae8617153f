// Package sesametest starts a real Sesame — store, directory service and
// HTTP server on a loopback port — for tests, on SQLite or PostgreSQL.
package sesametest
