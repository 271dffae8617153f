package directory

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/sesame-sso/sesame/internal/access"
)

// rightsTTL is how long a node reuses an evaluation of effective rights on
// the protocol paths (every login checks module access, R-MOD-2; API
// decisions and rights requests evaluate too). Any change made through this
// node's directory drops every evaluation at once (Service.tx); changes
// made on another node show within rightsTTL.
const rightsTTL = time.Second

type rightsCache struct {
	gen atomic.Uint64
	mu  sync.Mutex
	m   map[string]cachedRights
}

type cachedRights struct {
	r   access.Result
	at  time.Time
	gen uint64
}

func (c *rightsCache) forget() { c.gen.Add(1) }

func (c *rightsCache) get(key string, now time.Time) (access.Result, bool) {
	gen := c.gen.Load()
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok && e.gen == gen && now.Sub(e.at) < rightsTTL {
		return e.r, true
	}
	return access.Result{}, false
}

// put stores an evaluation made when the generation was gen.
func (c *rightsCache) put(key string, r access.Result, now time.Time, gen uint64) {
	c.mu.Lock()
	if c.m == nil || len(c.m) > 50_000 {
		c.m = map[string]cachedRights{}
	}
	c.m[key] = cachedRights{r: r, at: now, gen: gen}
	c.mu.Unlock()
}
