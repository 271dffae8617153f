package password

// NeedsRehash reports whether a stored hash that just verified should be
// replaced by a hash at the hasher's own parameters (issue 9 §2.4): a
// bcrypt hash imported by `sesame apply`, or an argon2id hash with other
// parameters (older defaults) or another salt or key length. An empty or
// malformed hash is not rehashed (it never verifies).
func (h *Hasher) NeedsRehash(phc string) bool {
	if isBcrypt(phc) {
		return true
	}
	p, salt, key, err := Parse(phc)
	if err != nil {
		return false
	}
	return p.Memory != h.p.Memory || p.Time != h.p.Time || p.Threads != h.p.Threads ||
		len(salt) != h.p.SaltLen || uint32(len(key)) != h.p.KeyLen
}
