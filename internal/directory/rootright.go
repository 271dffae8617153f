package directory

import (
	"context"
	"fmt"
)

// AuthorizeAtRoot checks that the actor holds right (module cas) at the
// root context: for instance-wide settings that belong to no tenant, such
// as the message templates (R-MSG-1). A system actor always may.
func (s *Service) AuthorizeAtRoot(ctx context.Context, a Actor, right string) error {
	root, err := s.store.RootContext(ctx)
	if err != nil {
		return fmt.Errorf("root context: %w", err)
	}
	return s.authorize(ctx, s.store, a, right, root.ID)
}
