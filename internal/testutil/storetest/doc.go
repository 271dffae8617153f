// Package storetest runs a test against a real store on SQLite and on
// PostgreSQL (a fresh schema per test, internal/testutil/pgtest), for
// packages that work on storage directly (otp, totp), and gives them an
// injectable clock, a user to act on and a race helper (Race: n concurrent
// calls, how many won).
package storetest
