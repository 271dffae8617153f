package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// DefaultKeyRefetchInterval is the least time between two fetches of an
// IdP's JWKS caused by unknown key ids.
const DefaultKeyRefetchInterval = 30 * time.Second

// keySet is an oidc.KeySet over the IdP's jwks_uri. Unlike go-oidc's
// RemoteKeySet (which re-fetches on every unknown kid, deduplicating only
// concurrent fetches), it re-fetches at most once per interval: a stream of
// tokens with made-up kids costs the IdP one request per interval
// (OIDC Core §10.1.1 rotation still works: the first token with the new
// kid after the interval triggers the fetch).
type keySet struct {
	url      string
	client   *http.Client
	now      func() time.Time
	interval time.Duration
	algs     []jose.SignatureAlgorithm

	mu       sync.Mutex
	keys     []jose.JSONWebKey
	fetched  time.Time // last fetch attempt; zero = never
	lastErr  error
	inflight chan struct{}
}

// sigResult lets the connector learn what the key set decided inside
// go-oidc's Verify (whose errors are plain strings) so a failure gets the
// right Reason; it is attached to the context of one Verify call.
type sigResult struct {
	called bool
	err    error
}

type sigResultKey struct{}

var errRateLimited = errors.New("key set refetch rate-limited")

// VerifySignature implements oidc.KeySet. go-oidc has already checked the
// alg against the allow-list; this parses with the same list again.
func (k *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	payload, err := k.verify(ctx, jwt)
	if res, ok := ctx.Value(sigResultKey{}).(*sigResult); ok {
		res.called, res.err = true, err
	}
	return payload, err
}

func (k *keySet) verify(ctx context.Context, jwt string) ([]byte, error) {
	jws, err := jose.ParseSignedCompact(jwt, k.algs)
	if err != nil {
		return nil, fmt.Errorf("malformed jws: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("want exactly one signature")
	}
	h := jws.Signatures[0].Header
	k.mu.Lock()
	keys, never := k.keys, k.fetched.IsZero()
	k.mu.Unlock()
	if never {
		if keys, err = k.refresh(ctx); err != nil {
			return nil, err
		}
	}
	payload, found, err := verifyWith(jws, h, keys)
	if found {
		// A known key that does not verify: re-fetching cannot help.
		return payload, err
	}
	keys, err = k.refresh(ctx)
	if err != nil {
		if errors.Is(err, errRateLimited) {
			return nil, fmt.Errorf("unknown key id %q: %w", h.KeyID, err)
		}
		return nil, err
	}
	payload, found, err = verifyWith(jws, h, keys)
	if !found {
		if h.KeyID == "" {
			return nil, fmt.Errorf("signature does not verify with any key: %w", err)
		}
		return nil, fmt.Errorf("unknown key id %q", h.KeyID)
	}
	return payload, err
}

// verifyWith tries the keys that match the header's kid (all signing keys
// when the token names none) and whose alg, if stated, is the token's.
func verifyWith(jws *jose.JSONWebSignature, h jose.Header, keys []jose.JSONWebKey) (payload []byte, found bool, err error) {
	err = errors.New("no key")
	for i := range keys {
		key := &keys[i]
		if (h.KeyID != "" && key.KeyID != h.KeyID) || (key.Use != "" && key.Use != "sig") ||
			(key.Algorithm != "" && key.Algorithm != h.Algorithm) || !key.IsPublic() {
			continue
		}
		found = true
		if payload, err = jws.Verify(key); err == nil {
			return payload, true, nil
		}
	}
	if h.KeyID == "" && found {
		// No kid: every key was tried; a refetch may bring the right one.
		return nil, false, err
	}
	if found {
		return nil, true, fmt.Errorf("signature does not verify: %w", err)
	}
	return nil, false, err
}

// refresh fetches the key set unless one fetch is under way (then it waits
// for that one) or the last was less than interval ago (errRateLimited).
func (k *keySet) refresh(ctx context.Context) ([]jose.JSONWebKey, error) {
	k.mu.Lock()
	if ch := k.inflight; ch != nil {
		k.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		k.mu.Lock()
		defer k.mu.Unlock()
		return k.keys, k.lastErr
	}
	if !k.fetched.IsZero() && k.now().Sub(k.fetched) < k.interval {
		keys := k.keys
		k.mu.Unlock()
		return keys, errRateLimited
	}
	k.fetched = k.now()
	ch := make(chan struct{})
	k.inflight = ch
	k.mu.Unlock()

	keys, err := k.fetch(ctx)

	k.mu.Lock()
	if err == nil {
		k.keys = keys
	}
	k.lastErr = err
	k.inflight = nil
	close(ch)
	k.mu.Unlock()
	return keys, err
}

func (k *keySet) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := getJSON(ctx, k.client, k.url, "", &raw); err != nil {
		return nil, &fetchError{err}
	}
	var keys []jose.JSONWebKey
	for _, r := range raw.Keys {
		var key jose.JSONWebKey
		// RFC 7517 §5: ignore keys of types or algorithms not understood.
		if err := json.Unmarshal(r, &key); err != nil {
			continue
		}
		if key.Algorithm != "" && !slices.Contains(k.algs, jose.SignatureAlgorithm(key.Algorithm)) {
			continue
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil, &fetchError{errors.New("no usable key")}
	}
	return keys, nil
}

// fetchError: the key set could not be fetched (as opposed to a token that
// does not verify with the keys).
type fetchError struct{ err error }

func (e *fetchError) Error() string { return "jwks: " + e.err.Error() }
func (e *fetchError) Unwrap() error { return e.err }
