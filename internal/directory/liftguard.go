package directory

import (
	"context"

	"github.com/sesame-sso/sesame/internal/access"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Groups also hold rights back: a member group later in evaluation order
// overwrites an earlier one (R-EFF-2), so its "false" or text value can
// cancel another group's "true". Dropping such a value, deleting the group
// or ending the membership lifts that restriction — a grant like any other
// (issue 8 item 6). liftGuard snapshots the members concerned before such a
// change and, after it (same transaction), refuses when a member's right
// rose beyond what the actor may grant.

// memberSnap is one member's rights before the change.
type memberSnap struct {
	u         model.User
	contextID string
	before    access.Result
	// ceil is the actor's ceiling there, also taken before the change:
	// the change may lift the actor's own restriction.
	ceil ceiling
}

type liftGuard struct {
	s     *Service
	a     Actor
	snaps []memberSnap
}

// holdsBack reports whether vals has a value that can cancel another
// group's (anything but a boolean true).
func holdsBack(vals []model.ACLValue) bool {
	for _, v := range vals {
		if v.Value != "true" {
			return true
		}
	}
	return false
}

// released returns the values of old that next does not hold any more (or
// holds differently) and that can hold a right back.
func released(old, next []model.ACLValue) []model.ACLValue {
	var out []model.ACLValue
	for _, v := range changedValues(next, old) {
		if v.Value != "true" {
			out = append(out, v)
		}
	}
	return out
}

// guardLift snapshots the memberships ms (nothing when the change releases
// nothing or the actor is the system).
func (s *Service) guardLift(ctx context.Context, st storage.Storage, a Actor, releases bool, ms []model.Membership) (*liftGuard, error) {
	g := &liftGuard{s: s, a: a}
	if a.System || !releases {
		return g, nil
	}
	for _, m := range ms {
		u, err := st.GetUser(ctx, m.UserID)
		if err != nil {
			return nil, err
		}
		r, err := s.rights.Evaluate(ctx, st, u, m.ContextID, "")
		if err != nil {
			return nil, err
		}
		ceil, err := s.ceilingFor(ctx, st, a, m.ContextID)
		if err != nil {
			return nil, err
		}
		g.snaps = append(g.snaps, memberSnap{u: u, contextID: m.ContextID, before: r, ceil: ceil})
	}
	return g, nil
}

// guardGroupLift snapshots every member of group groupID.
func (s *Service) guardGroupLift(ctx context.Context, st storage.Storage, a Actor, releases bool, groupID string) (*liftGuard, error) {
	if a.System || !releases {
		return &liftGuard{s: s, a: a}, nil
	}
	ms, err := st.ListMembers(ctx, groupID)
	if err != nil {
		return nil, err
	}
	return s.guardLift(ctx, st, a, releases, ms)
}

// check re-evaluates the snapshotted members after the change and refuses
// any right that rose beyond the actor's ceiling in that context.
func (g *liftGuard) check(ctx context.Context, st storage.Storage) error {
	for _, sn := range g.snaps {
		after, err := g.s.rights.Evaluate(ctx, st, sn.u, sn.contextID, "")
		if err != nil {
			return err
		}
		before := make(map[model.ACLRef]access.Right, len(sn.before.Rights))
		for _, r := range sn.before.Rights {
			before[model.ACLRef{Module: r.Module, Name: r.Name}] = r
		}
		if over := sn.ceil.exceeding(after, before); len(over) > 0 {
			return model.Errorf(model.EFORBIDDEN, "", "this change would lift a restriction and give a member rights you do not hold (%s)", listed(over))
		}
	}
	return nil
}
