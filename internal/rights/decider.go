package rights

import (
	"time"

	"github.com/sesame-sso/sesame/internal/access"
	"github.com/sesame-sso/sesame/internal/cache"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// rightsTTL is how long a node reuses an evaluation of effective rights on
// the protocol paths (every login checks module access, R-MOD-2; API
// decisions and rights requests evaluate too). Any change made through this
// node's directory drops every evaluation at once (Service.tx); changes
// made on another node show within rightsTTL.
const rightsTTL = time.Second

// Decider decides what a user may do where: effective rights (R-EFF-*,
// cached for rightsTTL), module access (R-MOD-*), the contexts a user may
// act in (R-SSO-5, R-PRT-1) and the login's default context. Its caches
// are dropped by Forget, which the directory calls after every
// transaction (directory/changes.go: the one invalidation path).
type Decider struct {
	store storage.Storage
	now   func() time.Time
	cache *cache.Gen[access.Result]
	acls  *cache.Gen[[]model.ACL]
	fixed *immutables
}

// New returns a Decider reading st (the root store: only its evaluations
// are cached).
func New(st storage.Storage) *Decider {
	return &Decider{store: st, now: time.Now,
		cache: cache.New[access.Result](rightsTTL, 50_000),
		acls:  cache.New[[]model.ACL](catalogTTL, 1_000),
		fixed: &immutables{}}
}

// SetClock replaces the clock the caches read (tests).
func (d *Decider) SetClock(now func() time.Time) { d.now = now }

// Forget drops every cached evaluation and ACL catalog at once.
func (d *Decider) Forget() {
	d.cache.Forget()
	d.acls.Forget()
}
