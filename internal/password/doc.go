// Package password hashes and verifies local users' passwords with argon2id
// (RFC 9106), stored as PHC strings (R-PWD-3). Hashing is memory-hard, so a
// semaphore bounds how many run at once: a login storm cannot exhaust memory.
package password
