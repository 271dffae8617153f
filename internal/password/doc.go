// Package password hashes and verifies local users' passwords with argon2id
// (RFC 9106), stored as PHC strings (R-PWD-3); bcrypt hashes imported from
// other systems verify too. Hashing is memory-hard, so the Hasher bounds
// how many run at once, queues the rest fairly per source with a deadline
// and a bounded length (ErrBusy → 503), and accepts stored hashes only
// within a narrow band of parameters around its own (band.go), so an
// imported hash cannot turn each login attempt into minutes of work.
// policy.go is the password policy (issue 9 §2.1: length, login name and
// email, the shipped common list in commonlist); rehash.go says when a
// stored hash should be replaced by one at the current parameters.
package password
