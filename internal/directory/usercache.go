package directory

import (
	"context"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// userTTL is how long a node answers the protocol paths (session checks,
// ticket validation, token checks) from its copy of a user. This node's own
// changes to users drop every copy at once; another node's show within
// userTTL.
const userTTL = time.Second

// User returns a user for the protocol paths, from a copy at most userTTL
// old (see userTTL). Administration always reads the store.
func (s *Service) User(ctx context.Context, id string) (model.User, error) {
	now := s.now()
	u, ok, gen := s.users.get(id, now)
	if ok {
		return u, nil
	}
	u, err := s.store.GetUser(ctx, id)
	if err != nil {
		return u, err
	}
	s.users.put(id, u, now, gen)
	return u, nil
}
