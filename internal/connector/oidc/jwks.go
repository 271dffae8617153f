package oidc

import (
	"encoding/json"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// EncryptionJWKS returns the JWK Set (RFC 7517 §5) of the public halves of
// Sesame's ID token decryption keys, each with use "enc" (§4.2) and its kid
// (and alg when the key has one), for the IdP to encrypt ID tokens to
// (OIDC Core §10.2, Dynamic Registration jwks_uri). Keys must be RSA of at
// least 2048 bits; private parts never appear.
func EncryptionJWKS(keys []DecryptionKey) ([]byte, error) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for i, k := range keys {
		if err := k.check(); err != nil {
			return nil, fmt.Errorf("oidc: encryption key %d: %w", i, err)
		}
		if k.ID == "" {
			return nil, fmt.Errorf("oidc: encryption key %d: a kid is required", i)
		}
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.Key.PublicKey, KeyID: k.ID, Use: "enc", Algorithm: k.Algorithm})
	}
	b, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("oidc: encoding JWKS: %w", err)
	}
	return b, nil
}
