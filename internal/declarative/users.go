package declarative

import (
	"context"
	"errors"
	"fmt"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

func (ap *applier) users(ctx context.Context, d Document) error {
	st := ap.svc.Reader()
	for i, u := range d.Users {
		where := fmt.Sprintf("users[%d] %q", i, u.Login)
		ctxs := make([]string, len(u.Contexts))
		for j, c := range u.Contexts {
			id, err := ap.ctxID(c, fmt.Sprintf("users[%d].contexts", i))
			if err != nil {
				return err
			}
			ctxs[j] = id
		}
		if len(ctxs) == 0 {
			return model.Invalid(fmt.Sprintf("users[%d].contexts", i), "assign the user to at least one context")
		}
		if u.Status == "" {
			u.Status = model.StatusActive
		}
		first, err := st.GetContext(ctx, ctxs[0])
		if err != nil {
			return err
		}
		old, err := st.GetUserByLogin(ctx, first.TenantID, u.Login)
		var id string
		switch {
		case errors.Is(err, model.ErrNotFound):
			status := u.Status
			if status != model.StatusDraft {
				status = model.StatusActive
			}
			nu, err := ap.svc.CreateUser(ctx, ap.a, directory.NewUser{LoginName: u.Login, Domain: u.Domain, Contexts: ctxs,
				Person: u.Person, TwoFactor: u.TwoFactor, Status: status, Password: u.Password, PasswordHash: u.PasswordHash, Kind: u.Kind})
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			id = nu.ID
			if u.Status != status {
				if _, err := ap.svc.Transition(ctx, ap.a, id, u.Status); err != nil {
					return fmt.Errorf("%s: %w", where, err)
				}
			}
			ap.sum.Created++
		case err != nil:
			return err
		default:
			id = old.ID
			changed, err := ap.updateUser(ctx, old, u, ctxs)
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			if changed {
				ap.sum.Updated++
			} else {
				ap.sum.Unchanged++
			}
		}
		if err := ap.memberships(ctx, id, i, u.Groups); err != nil {
			return err
		}
		if u.Roles != nil || old.Kind == model.KindDelegated {
			roles := make([]model.RoleAssignment, len(u.Roles))
			for j, r := range u.Roles {
				roles[j] = model.RoleAssignment{Role: r.Role}
				if r.Context != "" {
					if roles[j].ContextID, err = ap.ctxID(r.Context, fmt.Sprintf("users[%d].roles", i)); err != nil {
						return err
					}
				}
			}
			if err := ap.svc.SetUserRoles(ctx, ap.a, id, roles); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
		}
	}
	return nil
}

func (ap *applier) updateUser(ctx context.Context, old model.User, u User, ctxs []string) (bool, error) {
	changed := false
	if old.Person != u.Person || old.TwoFactor != u.TwoFactor {
		p, tf := u.Person, u.TwoFactor
		if _, err := ap.svc.UpdateUser(ctx, ap.a, old.ID, directory.UserPatch{Person: &p, TwoFactor: &tf}); err != nil {
			return false, err
		}
		changed = true
	}
	if !sameStrings(old.Contexts, ctxs) {
		if _, err := ap.svc.SetUserContexts(ctx, ap.a, old.ID, ctxs); err != nil {
			return false, err
		}
		changed = true
	}
	if old.Status != u.Status {
		if _, err := ap.svc.Transition(ctx, ap.a, old.ID, u.Status); err != nil {
			return false, err
		}
		changed = true
	}
	if u.Password != "" && !ap.svc.PasswordMatches(ctx, old.PasswordHash, u.Password) {
		if err := ap.svc.SetPassword(ctx, ap.a, old.ID, u.Password); err != nil {
			return false, err
		}
		changed = true
	}
	if u.PasswordHash != "" && u.PasswordHash != old.PasswordHash {
		if err := ap.svc.ImportPasswordHash(ctx, ap.a, old.ID, u.PasswordHash); err != nil {
			return false, err
		}
		changed = true
	}
	return changed, nil
}

// memberships makes the user's memberships exactly the listed ones.
func (ap *applier) memberships(ctx context.Context, userID string, i int, want []Membership) error {
	st := ap.svc.Reader()
	desired := map[model.Membership]bool{}
	for j, m := range want {
		where := fmt.Sprintf("users[%d].groups[%d]", i, j)
		cid, err := ap.ctxID(m.Context, where+".context")
		if err != nil {
			return err
		}
		gctx := cid
		if m.GroupContext != "" {
			if gctx, err = ap.ctxID(m.GroupContext, where+".groupContext"); err != nil {
				return err
			}
		}
		g, found, err := ap.findGroup(ctx, gctx, m.Group)
		if err != nil {
			return err
		}
		if !found && m.GroupContext == "" {
			g, found, err = ap.findGroup(ctx, ap.root.ID, m.Group) // a global group
			if err != nil {
				return err
			}
		}
		if !found {
			return model.Invalid(where+".group", "group %q does not exist in that context or globally", m.Group)
		}
		desired[model.Membership{GroupID: g.ID, UserID: userID, ContextID: cid}] = true
	}
	have, err := st.UserMemberships(ctx, userID)
	if err != nil {
		return err
	}
	for _, m := range have {
		if desired[m] {
			delete(desired, m)
			continue
		}
		if err := ap.svc.RemoveMember(ctx, ap.a, m); err != nil {
			return fmt.Errorf("users[%d]: %w", i, err)
		}
	}
	for m := range desired {
		if err := ap.svc.AddMember(ctx, ap.a, m); err != nil {
			return fmt.Errorf("users[%d]: %w", i, err)
		}
	}
	return nil
}
