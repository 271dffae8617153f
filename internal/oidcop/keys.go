package oidcop

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/seal"
	"github.com/sesame-sso/sesame/internal/storage"
)

// keyLead is how long before it signs a new key is published in the JWKS,
// so every node and every relying party's cache has it in time. Nodes
// reload keys every keyReload.
const (
	keyLead   = 10 * time.Minute
	keyReload = 30 * time.Second
)

// signingKey is a parsed key, usable both as op.SigningKey and op.Key.
type signingKey struct {
	id   string
	alg  jose.SignatureAlgorithm
	priv crypto.Signer
	m    model.SigningKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return k.alg }
func (k *signingKey) Algorithm() jose.SignatureAlgorithm          { return k.alg }
func (k *signingKey) Key() any                                    { return k.priv }
func (k *signingKey) ID() string                                  { return k.id }
func (k *signingKey) Use() string                                 { return "sig" }

type publicKey struct{ *signingKey }

func (k publicKey) Key() any { return k.priv.Public() }

// keyManager keeps the signing keys: it creates and rotates them in the
// store (one key signs at a time; it is published keyLead before it signs
// and stays in the JWKS until every token it signed has expired) and holds
// the parsed keys in memory for the token path.
type keyManager struct {
	store  storage.OAuth
	log    *slog.Logger
	alg    jose.SignatureAlgorithm
	rotate time.Duration
	// retain is how long a key stays published after it stops signing:
	// the longest token lifetime it may have signed.
	retain time.Duration
	now    func() time.Time
	sealer *seal.Sealer // nil: no master key, stored plain (internal/seal)

	mu      sync.RWMutex
	keys    []*signingKey
	signer  *signingKey
	signers map[string]jose.Signer
	loaded  time.Time
}

func generate(alg jose.SignatureAlgorithm) (crypto.Signer, error) {
	switch alg {
	case jose.RS256:
		return rsa.GenerateKey(rand.Reader, 2048)
	case jose.ES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	return nil, fmt.Errorf("unsupported signing algorithm %q", alg)
}

func (km *keyManager) newModelKey(from, until time.Time) (model.SigningKey, error) {
	priv, err := generate(km.alg)
	if err != nil {
		return model.SigningKey{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return model.SigningKey{}, fmt.Errorf("encode signing key: %w", err)
	}
	id := uuid.NewString()
	stored, err := km.sealer.Seal(id, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		return model.SigningKey{}, fmt.Errorf("seal signing key: %w", err)
	}
	return model.SigningKey{ID: id, Algorithm: string(km.alg), PrivatePEM: stored,
		SignFrom: from, SignUntil: until, ExpiresAt: until.Add(km.retain)}, nil
}

func (km *keyManager) parseKey(m model.SigningKey) (*signingKey, error) {
	plain, err := km.sealer.Open(m.ID, m.PrivatePEM, "signing key")
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", m.ID, err)
	}
	b, _ := pem.Decode(plain)
	if b == nil {
		return nil, fmt.Errorf("signing key %s: no PEM block", m.ID)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", m.ID, err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("signing key %s: not a signing key", m.ID)
	}
	return &signingKey{id: m.ID, alg: jose.SignatureAlgorithm(m.Algorithm), priv: signer, m: m}, nil
}

// ensure creates the current key (when none signs now) and the next one
// (when the current one ends within keyLead), under the store's lock.
func (km *keyManager) ensure(ctx context.Context) error {
	now := km.now()
	return km.store.RotateSigningKeys(ctx, func(keys []model.SigningKey) ([]model.SigningKey, error) {
		var current *model.SigningKey
		latestUntil := time.Time{}
		for i, k := range keys {
			if k.Algorithm != string(km.alg) {
				continue
			}
			if !k.SignFrom.After(now) && k.SignUntil.After(now) {
				current = &keys[i]
			}
			if k.SignUntil.After(latestUntil) {
				latestUntil = k.SignUntil
			}
		}
		var add []model.SigningKey
		if current == nil {
			k, err := km.newModelKey(now, now.Add(km.rotate))
			if err != nil {
				return nil, err
			}
			add = append(add, k)
			latestUntil = k.SignUntil
		}
		if latestUntil.Sub(now) < keyLead {
			k, err := km.newModelKey(latestUntil, latestUntil.Add(km.rotate))
			if err != nil {
				return nil, err
			}
			add = append(add, k)
		}
		return add, nil
	})
}

// load reads the keys from the store into memory.
func (km *keyManager) load(ctx context.Context) error {
	if err := km.ensure(ctx); err != nil {
		return fmt.Errorf("rotate signing keys: %w", err)
	}
	ms, err := km.store.ListSigningKeys(ctx)
	if err != nil {
		return err
	}
	now := km.now()
	var keys []*signingKey
	var signer *signingKey
	for _, m := range ms {
		if !m.ExpiresAt.After(now) {
			continue
		}
		k, err := km.parseKey(m)
		if err != nil {
			return err
		}
		keys = append(keys, k)
		if k.alg == km.alg && !m.SignFrom.After(now) && m.SignUntil.After(now) {
			if signer == nil || m.SignFrom.After(signer.m.SignFrom) {
				signer = k
			}
		}
	}
	if signer == nil {
		return errors.New("no signing key is current")
	}
	km.mu.Lock()
	km.keys, km.signer, km.loaded = keys, signer, now
	if km.signers == nil {
		km.signers = map[string]jose.Signer{}
	}
	km.mu.Unlock()
	return nil
}

// run reloads keys periodically until ctx ends.
func (km *keyManager) run(ctx context.Context) {
	t := time.NewTicker(keyReload)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := km.load(ctx); err != nil && ctx.Err() == nil {
				km.log.ErrorContext(ctx, "reload signing keys", "err", err)
			}
		}
	}
}

// current returns the key that signs now (reloading when the cached one
// has stopped signing, e.g. right after a rotation).
func (km *keyManager) current(ctx context.Context) (*signingKey, error) {
	km.mu.RLock()
	k := km.signer
	km.mu.RUnlock()
	if k != nil && k.m.SignUntil.After(km.now()) {
		return k, nil
	}
	if err := km.load(ctx); err != nil {
		return nil, err
	}
	km.mu.RLock()
	defer km.mu.RUnlock()
	return km.signer, nil
}

// joseSigner returns a cached go-jose signer for the current key; typ
// names the token type (RFC 9068 §2.1: "at+jwt" for access tokens).
func (km *keyManager) joseSigner(ctx context.Context, typ string) (jose.Signer, error) {
	k, err := km.current(ctx)
	if err != nil {
		return nil, err
	}
	cacheKey := k.id + "|" + typ
	km.mu.RLock()
	s := km.signers[cacheKey]
	km.mu.RUnlock()
	if s != nil {
		return s, nil
	}
	s, err = jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.id}},
		(&jose.SignerOptions{}).WithType(jose.ContentType(typ)))
	if err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	km.mu.Lock()
	km.signers[cacheKey] = s
	km.mu.Unlock()
	return s, nil
}

// published returns every key in the JWKS.
func (km *keyManager) published() []op.Key {
	km.mu.RLock()
	defer km.mu.RUnlock()
	out := make([]op.Key, 0, len(km.keys))
	for _, k := range km.keys {
		out = append(out, publicKey{k})
	}
	return out
}

// VerifySignature implements oidc.KeySet from memory: the key is found by
// its kid among the published keys; an unknown kid triggers one reload
// (another node may have rotated).
func (km *keyManager) VerifySignature(ctx context.Context, jws *jose.JSONWebSignature) ([]byte, error) {
	if len(jws.Signatures) != 1 {
		return nil, errors.New("exactly one signature expected")
	}
	kid := jws.Signatures[0].Header.KeyID
	alg := jws.Signatures[0].Header.Algorithm
	find := func() *signingKey {
		km.mu.RLock()
		defer km.mu.RUnlock()
		for _, k := range km.keys {
			if k.id == kid {
				return k
			}
		}
		return nil
	}
	k := find()
	if k == nil {
		km.mu.RLock()
		stale := km.now().Sub(km.loaded) > time.Second
		km.mu.RUnlock()
		if stale {
			if err := km.load(ctx); err != nil {
				return nil, err
			}
			k = find()
		}
	}
	if k == nil {
		return nil, fmt.Errorf("unknown signing key %q", kid)
	}
	if string(k.alg) != alg {
		return nil, fmt.Errorf("key %q is not a %s key", kid, alg)
	}
	return jws.Verify(k.priv.Public())
}
