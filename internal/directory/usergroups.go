package directory

import (
	"context"

	"github.com/sesame-sso/sesame/internal/model"
)

// UserMemberships lists a user's group memberships that the actor may see:
// the user must be visible ("CAS users - Read") and each membership's
// context readable with "CAS user groups - Read" (the console's user page).
func (s *Service) UserMemberships(ctx context.Context, a Actor, userID string) ([]model.Membership, error) {
	u, err := s.visibleUser(ctx, s.store, a, userID)
	if err != nil {
		return nil, err
	}
	ms, err := s.store.UserMemberships(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	return s.readableMemberships(ctx, a, ms)
}

// readableMemberships keeps the memberships in contexts where the actor
// holds "CAS user groups - Read".
func (s *Service) readableMemberships(ctx context.Context, a Actor, ms []model.Membership) ([]model.Membership, error) {
	out := []model.Membership{}
	for _, m := range ms {
		if ok, err := s.can(ctx, s.store, a, rightGroupsRead, m.ContextID); err != nil {
			return nil, err
		} else if ok {
			out = append(out, m)
		}
	}
	return out, nil
}
