package oidcop

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// sealedPrefix marks a signing key stored encrypted with the master key.
const sealedPrefix = "sesame-sealed:v1:"

// keySealer encrypts signing keys at rest with AES-256-GCM under the
// operator's master key (SESAME_MASTER_KEY); the key id is the additional
// data, so a sealed key cannot be moved to another row. Without a master
// key, keys are stored as PEM (zero configuration).
type keySealer struct{ aead cipher.AEAD }

func newKeySealer(master []byte) (*keySealer, error) {
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
	return &keySealer{aead: aead}, nil
}

func (s *keySealer) seal(id string, pemBytes []byte) ([]byte, error) {
	if s == nil {
		return pemBytes, nil
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	ct := s.aead.Seal(nonce, nonce, pemBytes, []byte(id))
	return []byte(sealedPrefix + base64.StdEncoding.EncodeToString(ct)), nil
}

func (s *keySealer) open(id string, stored []byte) ([]byte, error) {
	if !bytes.HasPrefix(stored, []byte(sealedPrefix)) {
		return stored, nil // a PEM stored before a master key was set
	}
	if s == nil {
		return nil, errors.New("the signing keys are encrypted: set SESAME_MASTER_KEY")
	}
	ct, err := base64.StdEncoding.DecodeString(string(stored[len(sealedPrefix):]))
	if err != nil || len(ct) < s.aead.NonceSize() {
		return nil, errors.New("sealed signing key is malformed")
	}
	pt, err := s.aead.Open(nil, ct[:s.aead.NonceSize()], ct[s.aead.NonceSize():], []byte(id))
	if err != nil {
		return nil, errors.New("sealed signing key does not open with this master key")
	}
	return pt, nil
}
