package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// Prefix marks a value stored encrypted with the master key.
const Prefix = "sesame-sealed:v1:"

// Sealer seals values under the master key. A nil *Sealer (no master key)
// stores values in plain text and opens plain values only.
type Sealer struct{ aead cipher.AEAD }

// New returns the sealer for a 32-byte master key, or nil (plain text)
// when master is empty.
func New(master []byte) (*Sealer, error) {
	if len(master) == 0 {
		return nil, nil
	}
	if len(master) != 32 {
		return nil, fmt.Errorf("the master key must be 32 bytes, not %d", len(master))
	}
	block, err := aes.NewCipher(master)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plain bound to id; without a master key it returns plain.
func (s *Sealer) Seal(id string, plain []byte) ([]byte, error) {
	if s == nil {
		return plain, nil
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	ct := s.aead.Seal(nonce, nonce, plain, []byte(id))
	return []byte(Prefix + base64.StdEncoding.EncodeToString(ct)), nil
}

// Open decrypts a value sealed for id; a value without the prefix was
// stored before a master key was set and is returned as it is. what names
// the kind of value in the errors ("signing key").
func (s *Sealer) Open(id string, stored []byte, what string) ([]byte, error) {
	if !bytes.HasPrefix(stored, []byte(Prefix)) {
		return stored, nil
	}
	if s == nil {
		return nil, fmt.Errorf("the %ss are encrypted: set SESAME_MASTER_KEY", what)
	}
	ct, err := base64.StdEncoding.DecodeString(string(stored[len(Prefix):]))
	if err != nil || len(ct) < s.aead.NonceSize() {
		return nil, errors.New("sealed " + what + " is malformed")
	}
	pt, err := s.aead.Open(nil, ct[:s.aead.NonceSize()], ct[s.aead.NonceSize():], []byte(id))
	if err != nil {
		return nil, errors.New("sealed " + what + " does not open with this master key")
	}
	return pt, nil
}
