package directory

import (
	"context"
	"errors"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// CreateGroup creates a user group in its context ("CAS user groups -
// Manage" there; a group at root is global, so only root admins make them).
// With templateID the group starts with a copy of the template's values.
func (s *Service) CreateGroup(ctx context.Context, a Actor, g model.Group, templateID string) (model.Group, error) {
	var out model.Group
	err := s.tx(ctx, func(st storage.Storage) error {
		if g.ContextID == "" {
			return model.Invalid("contextId", "is required")
		}
		if err := s.authorize(ctx, st, a, rightGroupsManage, g.ContextID); err != nil {
			if model.ErrorCode(err) == model.ENOTFOUND {
				return model.Invalid("contextId", "context %q does not exist", g.ContextID)
			}
			return err
		}
		if templateID != "" {
			if g.Values != nil {
				return model.Invalid("templateId", "give values or a templateId, not both")
			}
			vals, err := templateValuesFor(ctx, st, templateID, g.ContextID)
			if err != nil {
				return err
			}
			g.Values = vals
		}
		if err := validateValues(ctx, st, g.Values); err != nil {
			return err
		}
		if err := s.checkGrant(ctx, st, a, g.ContextID, g.Values); err != nil {
			return err
		}
		var err error
		if out, err = st.CreateGroup(ctx, g); err != nil {
			if errors.Is(err, model.ErrAlreadyExists) {
				return model.Errorf(model.ECONFLICT, "name", "a group named %q already exists in this context", g.Name)
			}
			return err
		}
		return s.audit(ctx, st, a, "group.create", "group", out.ID, out.ContextID, map[string]any{"name": out.Name})
	})
	return out, err
}

// GetGroup reads a group ("CAS user groups - Read" in its context; global
// groups are readable by anyone who may read groups somewhere).
func (s *Service) GetGroup(ctx context.Context, a Actor, id string) (model.Group, error) {
	g, err := s.store.GetGroup(ctx, id)
	if err != nil {
		return g, err
	}
	if err := s.authorizeGroupRead(ctx, a, g); err != nil {
		return model.Group{}, err
	}
	return g, nil
}

func (s *Service) authorizeGroupRead(ctx context.Context, a Actor, g model.Group) error {
	err := s.authorize(ctx, s.store, a, rightGroupsRead, g.ContextID)
	if err == nil || model.ErrorCode(err) != model.ENOTFOUND {
		return err
	}
	root, rerr := s.store.RootContext(ctx)
	if rerr != nil {
		return rerr
	}
	if g.ContextID == root.ID {
		within, rerr := s.reach(ctx, s.store, a, rightGroupsRead)
		if rerr != nil {
			return rerr
		}
		if len(within) > 0 {
			return nil
		}
	}
	return errHidden("group")
}

// ListGroups lists the groups of a context, and the global groups available
// in it when includeGlobal.
func (s *Service) ListGroups(ctx context.Context, a Actor, contextID string, includeGlobal bool) ([]model.Group, error) {
	if err := s.authorize(ctx, s.store, a, rightGroupsRead, contextID); err != nil {
		return nil, err
	}
	ids := []string{contextID}
	if includeGlobal {
		root, err := s.store.RootContext(ctx)
		if err != nil {
			return nil, err
		}
		if root.ID != contextID {
			ids = append(ids, root.ID)
		}
	}
	return s.store.ListGroups(ctx, ids)
}

// UpdateGroup changes a group's name, description, role names or values.
func (s *Service) UpdateGroup(ctx context.Context, a Actor, id string, fn func(model.Group) (model.Group, error)) (model.Group, error) {
	var out model.Group
	err := s.tx(ctx, func(st storage.Storage) error {
		g, err := st.GetGroup(ctx, id)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, st, a, rightGroupsManage, g.ContextID); err != nil {
			return err
		}
		var lift *liftGuard
		out, err = st.UpdateGroup(ctx, id, func(old model.Group) (model.Group, error) {
			ng, err := fn(old)
			if err != nil {
				return ng, err
			}
			if err := validateValues(ctx, st, ng.Values); err != nil {
				return ng, err
			}
			// Only what this change grants: changed values, or every value
			// when new role names carry the group to more users.
			granted := changedValues(old.Values, ng.Values)
			if addsRoleNames(old.RoleNames, ng.RoleNames) {
				granted = ng.Values
			}
			if err := s.checkGrant(ctx, st, a, old.ContextID, granted); err != nil {
				return ng, err
			}
			lift, err = s.guardGroupLift(ctx, st, a, len(released(old.Values, ng.Values)) > 0, id)
			return ng, err
		})
		if errors.Is(err, model.ErrAlreadyExists) {
			return model.Errorf(model.ECONFLICT, "name", "a group with that name already exists in this context")
		}
		if err != nil {
			return err
		}
		if err := lift.check(ctx, st); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "group.update", "group", id, g.ContextID, map[string]any{"name": out.Name, "values": len(out.Values)})
	})
	return out, err
}

// ApplyTemplate copies a template's values into a group, replacing the
// group's values; later template edits change nothing here.
func (s *Service) ApplyTemplate(ctx context.Context, a Actor, groupID, templateID string) (model.Group, error) {
	var out model.Group
	err := s.tx(ctx, func(st storage.Storage) error {
		g, err := st.GetGroup(ctx, groupID)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, st, a, rightGroupsManage, g.ContextID); err != nil {
			return err
		}
		vals, err := templateValuesFor(ctx, st, templateID, g.ContextID)
		if err != nil {
			return err
		}
		var lift *liftGuard
		out, err = st.UpdateGroup(ctx, groupID, func(old model.Group) (model.Group, error) {
			if err := s.checkGrant(ctx, st, a, old.ContextID, changedValues(old.Values, vals)); err != nil {
				return old, err
			}
			if lift, err = s.guardGroupLift(ctx, st, a, len(released(old.Values, vals)) > 0, groupID); err != nil {
				return old, err
			}
			old.Values = vals
			return old, nil
		})
		if err != nil {
			return err
		}
		if err := lift.check(ctx, st); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "group.apply_template", "group", groupID, g.ContextID, map[string]any{"templateId": templateID, "values": len(vals)})
	})
	return out, err
}

// DeleteGroup deletes a group and its memberships.
func (s *Service) DeleteGroup(ctx context.Context, a Actor, id string) error {
	return s.tx(ctx, func(st storage.Storage) error {
		g, err := st.GetGroup(ctx, id)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, st, a, rightGroupsManage, g.ContextID); err != nil {
			return err
		}
		lift, err := s.guardGroupLift(ctx, st, a, holdsBack(g.Values), id)
		if err != nil {
			return err
		}
		if err := st.DeleteGroup(ctx, id); err != nil {
			return err
		}
		if err := lift.check(ctx, st); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "group.delete", "group", id, g.ContextID, map[string]any{"name": g.Name})
	})
}

// ListMembers lists a group's memberships.
func (s *Service) ListMembers(ctx context.Context, a Actor, groupID string) ([]model.Membership, error) {
	g, err := s.GetGroup(ctx, a, groupID)
	if err != nil {
		return nil, err
	}
	ms, err := s.store.ListMembers(ctx, g.ID)
	if err != nil {
		return nil, err
	}
	// Only memberships in contexts the actor may read.
	return s.readableMemberships(ctx, a, ms)
}

// AddMember assigns a user to a group in a context. For a context group the
// context is the group's; a global group is assigned in a context the user
// is assigned to (R-GRP-1).
func (s *Service) AddMember(ctx context.Context, a Actor, m model.Membership) error {
	return s.changeMember(ctx, a, m, true)
}

// RemoveMember removes a membership.
func (s *Service) RemoveMember(ctx context.Context, a Actor, m model.Membership) error {
	return s.changeMember(ctx, a, m, false)
}

func (s *Service) changeMember(ctx context.Context, a Actor, m model.Membership, add bool) error {
	return s.tx(ctx, func(st storage.Storage) error {
		g, err := st.GetGroup(ctx, m.GroupID)
		if err != nil {
			return err
		}
		root, err := st.RootContext(ctx)
		if err != nil {
			return err
		}
		if m.ContextID == "" {
			m.ContextID = g.ContextID
		}
		if g.ContextID != root.ID && m.ContextID != g.ContextID {
			return model.Invalid("contextId", "a group of a context is assigned in that context only")
		}
		if err := s.authorize(ctx, st, a, rightGroupsManage, m.ContextID); err != nil {
			return err
		}
		if g.ContextID == root.ID && !a.System {
			// Global groups reach every context: only root administrators
			// assign them (issue 8 item 6).
			if err := s.authorize(ctx, st, a, rightGroupsManage, root.ID); err != nil {
				return model.Errorf(model.EFORBIDDEN, "groupId", "only root administrators assign global groups")
			}
		}
		u, err := s.visibleUser(ctx, st, a, m.UserID)
		if err != nil {
			if model.ErrorCode(err) == model.ENOTFOUND {
				return model.Invalid("userId", "user %q does not exist", m.UserID)
			}
			return err
		}
		action := "group.member_remove"
		if add {
			action = "group.member_add"
			if u.Status == model.StatusDeleted {
				return model.Invalid("userId", "the user is deleted")
			}
			assigned := false
			for _, c := range u.Contexts {
				assigned = assigned || c == m.ContextID
			}
			if !assigned {
				return model.Invalid("contextId", "the user is not assigned to context %q; assign the context first", m.ContextID)
			}
			// A membership grants every value of the group.
			if err := s.checkGrant(ctx, st, a, m.ContextID, g.Values); err != nil {
				return err
			}
			err = st.AddMember(ctx, m)
		} else {
			lift, lerr := s.guardLift(ctx, st, a, holdsBack(g.Values), []model.Membership{m})
			if lerr != nil {
				return lerr
			}
			if err = st.RemoveMember(ctx, m); err == nil {
				err = lift.check(ctx, st)
			}
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, st, a, action, "user", m.UserID, m.ContextID, map[string]any{"group": g.Name, "groupId": g.ID})
	})
}

// templateValuesFor copies a template's values for use in a context,
// checking that the template may be used with the context's type.
func templateValuesFor(ctx context.Context, st storage.Storage, templateID, contextID string) ([]model.ACLValue, error) {
	t, err := st.GetTemplate(ctx, templateID)
	if errors.Is(err, model.ErrNotFound) {
		return nil, model.Invalid("templateId", "template %q does not exist", templateID)
	}
	if err != nil {
		return nil, err
	}
	c, err := st.GetContext(ctx, contextID)
	if err != nil {
		return nil, err
	}
	if !t.AllowsContextType(c.Type) {
		return nil, model.Invalid("templateId", "template %q may not be used with %s contexts", t.Name, c.Type)
	}
	return append([]model.ACLValue{}, t.Values...), nil
}
