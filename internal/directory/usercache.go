package directory

import (
	"context"
	"time"

	"github.com/sesame-sso/sesame/internal/cache"
	"github.com/sesame-sso/sesame/internal/model"
)

// userTTL is how long a node answers the protocol paths (session checks,
// ticket validation, token checks) from its copy of a user. This node's own
// changes drop every copy at once (runTx); another node's show within
// userTTL.
const userTTL = time.Second

// userCache is the user cache; forget is kept for the call sites that
// predate runTx, which forgets after every transaction anyway.
type userCache struct{ *cache.Gen[model.User] }

func (c userCache) forget() { c.Forget() }

// User returns a user for the protocol paths, from a copy at most userTTL
// old (see userTTL). Administration always reads the store.
func (s *Service) User(ctx context.Context, id string) (model.User, error) {
	return s.users.Get(ctx, id, s.now(), func(ctx context.Context) (model.User, error) {
		return s.store.GetUser(ctx, id)
	})
}
