package password

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// The accepted band of stored-hash parameters (issue 8 item 3): a hash
// whose parameters cost far more than the hasher's own would let whoever
// wrote it (an import) tie up the hashing slots with each login attempt;
// far less would be a weak hash. Verify refuses hashes outside the band,
// `sesame apply` rejects them with the reason.
const (
	// bandFactor: an argon2id hash may cost (m·t) between 1/bandFactor and
	// bandFactor times the hasher's own.
	bandFactor = 2
	// maxThreads bounds argon2id's parallelism (lanes run as goroutines).
	maxThreads = 4
	// maxTime bounds argon2id passes.
	maxTime = 10
	// bcrypt costs (for hashes imported from other systems).
	minBcryptCost, maxBcryptCost = 10, 12
)

// Check reports why a stored hash (argon2id PHC or bcrypt) would not be
// accepted: malformed, or parameters outside the band around the hasher's
// own (argon2id: m·t within ×/÷ 2, m at most 4× its own, t ≤ 10, p ≤ 4;
// bcrypt: cost 10 to 12).
func (h *Hasher) Check(phc string) error {
	if isBcrypt(phc) {
		_, err := h.checkBcrypt(phc)
		return err
	}
	p, _, _, err := Parse(phc)
	if err != nil {
		return err
	}
	return h.checkArgon(p)
}

func (h *Hasher) checkArgon(p Params) error {
	own := int64(h.p.Memory) * int64(h.p.Time)
	cost := int64(p.Memory) * int64(p.Time)
	if cost*bandFactor < own || cost > own*bandFactor || p.Memory > 4*h.p.Memory || p.Time > maxTime || p.Threads > maxThreads {
		return fmt.Errorf("argon2id parameters m=%d,t=%d,p=%d are outside the accepted band (m·t between %d and %d KiB, m at most %d KiB, t at most %d, p at most %d)",
			p.Memory, p.Time, p.Threads, (own+bandFactor-1)/bandFactor, own*bandFactor, 4*h.p.Memory, maxTime, maxThreads)
	}
	return nil
}

func isBcrypt(phc string) bool {
	return strings.HasPrefix(phc, "$2a$") || strings.HasPrefix(phc, "$2b$") || strings.HasPrefix(phc, "$2y$")
}

func (h *Hasher) checkBcrypt(phc string) (int, error) {
	cost, err := bcrypt.Cost([]byte(phc))
	if err != nil || len(phc) != 60 {
		return 0, errors.New("not a bcrypt hash")
	}
	if cost < minBcryptCost || cost > maxBcryptCost {
		return 0, fmt.Errorf("bcrypt cost %d is outside the accepted band (%d to %d)", cost, minBcryptCost, maxBcryptCost)
	}
	return cost, nil
}
