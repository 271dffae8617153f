package oidcop

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// verifyCache remembers tokens already verified, so a resource server that
// introspects the same token again costs neither a signature check nor a
// query. What never changes (the signature, the claims) is kept until the
// token expires; the live state (revocation, user status, client) is
// re-read when the entry is older than liveTTL or when this node saw a
// revocation, a logout or a user status change since (gen). Another node's
// revocation therefore reaches this node's cache within liveTTL.
//
// Refused tokens (malformed, expired, bad signature, not Sesame's) are
// remembered for refuseTTL in a map of their own, so a replay costs no
// signature check and a flood of junk cannot evict the verified tokens.
type verifyCache struct {
	liveTTL time.Duration
	gen     atomic.Uint64
	mu      sync.RWMutex
	m       map[[32]byte]*verifyEntry
	nmu     sync.Mutex
	neg     map[[32]byte]time.Time // refused until
}

// refuseTTL is how long a refused token is answered from memory. A
// refusal cannot turn into acceptance but for a key this node has not
// loaded yet, and an unknown kid reloads the keys at once (keys.go).
const (
	refuseTTL = 5 * time.Second
	refuseMax = 20_000
)

var errRefused = errors.New("token refused recently")

// refused reports whether k was refused less than refuseTTL ago.
func (c *verifyCache) refused(k [32]byte, now time.Time) bool {
	c.nmu.Lock()
	until, ok := c.neg[k]
	c.nmu.Unlock()
	return ok && now.Before(until)
}

// refuse remembers that k was refused.
func (c *verifyCache) refuse(k [32]byte, now time.Time) {
	c.nmu.Lock()
	if c.neg == nil || len(c.neg) >= refuseMax {
		c.neg = map[[32]byte]time.Time{}
	}
	c.neg[k] = now.Add(refuseTTL)
	c.nmu.Unlock()
}

type verifyEntry struct {
	t       Token
	exp     time.Time
	checked time.Time
	gen     uint64
	live    bool
	// resp is the encoded introspection answer (without rights), built
	// once per live check.
	resp atomic.Pointer[[]byte]
}

const verifyCacheMax = 100_000

func newVerifyCache(liveTTL time.Duration) *verifyCache {
	return &verifyCache{liveTTL: liveTTL, m: map[[32]byte]*verifyEntry{}}
}

func (c *verifyCache) key(raw string) [32]byte { return sha256.Sum256([]byte(raw)) }

// get returns the entry for raw when its signature was verified and it has
// not expired; fresh reports whether its live state may be used as is.
func (c *verifyCache) get(k [32]byte, now time.Time) (e *verifyEntry, fresh bool) {
	c.mu.RLock()
	p := c.m[k]
	c.mu.RUnlock()
	if p == nil || !p.exp.After(now) {
		return nil, false
	}
	return p, p.gen == c.gen.Load() && now.Sub(p.checked) < c.liveTTL
}

// put stores a new entry (entries are never changed once stored, but for
// their lazily built resp).
func (c *verifyCache) put(k [32]byte, e *verifyEntry) {
	c.mu.Lock()
	if len(c.m) >= verifyCacheMax {
		// Drop everything rather than track recency: a refill costs one
		// verification per live token.
		c.m = map[[32]byte]*verifyEntry{}
	}
	c.m[k] = e
	c.mu.Unlock()
}

// invalidate makes every cached live state stale (this node revoked
// something or a user's status changed).
func (c *verifyCache) invalidate() { c.gen.Add(1) }

// revokeGrant revokes a token family and drops this node's cached state.
func (p *Provider) revokeGrant(ctx context.Context, grant string) error {
	err := p.store.RevokeGrant(ctx, grant, p.now().Add(p.maxTokenTTL()))
	p.cache.invalidate()
	return err
}

// revokeTokenID revokes one access token by jti (RFC 7009).
func (p *Provider) revokeTokenID(ctx context.Context, jti string) error {
	err := p.store.RevokeTokenID(ctx, jti, p.now().Add(p.maxTokenTTL()))
	p.cache.invalidate()
	return err
}
