package cas

import (
	"crypto/rand"
	"encoding/hex"
)

// newTicket returns a ticket of the given kind ("ST", "PT", "PGT",
// "PGTIOU"): the prefix, a hyphen and 256 random bits in hex. CAS 3.0 §3.7
// allows only A–Z, a–z, 0–9 and "-" in tickets (Apache mod_auth_cas
// ignores others), so base64url's "_" is out; hex is inside the alphabet
// and 67–71 characters stay under the 256 §3.7 recommends services accept.
func newTicket(kind string) string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return kind + "-" + hex.EncodeToString(b[:])
}
