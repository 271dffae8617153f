package directory

import (
	"context"
	"slices"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// CreateContext adds a context below its parent ("Contexts - Manage" in the
// parent).
func (s *Service) CreateContext(ctx context.Context, a Actor, c model.Context) (model.Context, error) {
	var out model.Context
	err := s.tx(ctx, func(st storage.Storage) error {
		if c.ParentID == "" {
			return model.Invalid("parentId", "is required")
		}
		if c.Type == model.ContextRoot {
			return model.Invalid("type", "there is exactly one root context")
		}
		if err := s.authorize(ctx, st, a, rightContextsManage, c.ParentID); err != nil {
			if model.ErrorCode(err) == model.ENOTFOUND {
				return model.Invalid("parentId", "context %q does not exist", c.ParentID)
			}
			return err
		}
		var err error
		if out, err = st.CreateContext(ctx, c); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "context.create", "context", out.ID, out.ID, map[string]any{"name": out.Name, "type": out.Type})
	})
	return out, err
}

// GetContext reads one context ("Contexts - Read").
func (s *Service) GetContext(ctx context.Context, a Actor, id string) (model.Context, error) {
	if err := s.authorize(ctx, s.store, a, rightContextsRead, id); err != nil {
		return model.Context{}, err
	}
	return s.store.GetContext(ctx, id)
}

// Ancestors returns a context's path to root (needs read on the context).
func (s *Service) Ancestors(ctx context.Context, a Actor, id string) ([]model.Context, error) {
	if err := s.authorize(ctx, s.store, a, rightContextsRead, id); err != nil {
		return nil, err
	}
	return s.store.Ancestors(ctx, id)
}

// UpdateContext renames, renumbers or moves a context ("Contexts - Manage"
// in the context and, for a move, in the new parent).
func (s *Service) UpdateContext(ctx context.Context, a Actor, id string, fn func(model.Context) (model.Context, error)) (model.Context, error) {
	var out model.Context
	err := s.tx(ctx, func(st storage.Storage) error {
		if err := s.authorize(ctx, st, a, rightContextsManage, id); err != nil {
			return err
		}
		var err error
		out, err = st.UpdateContext(ctx, id, func(old model.Context) (model.Context, error) {
			nc, err := fn(old)
			if err != nil {
				return nc, err
			}
			if nc.ParentID != old.ParentID && nc.ParentID != "" {
				if err := s.authorize(ctx, st, a, rightContextsManage, nc.ParentID); err != nil {
					if model.ErrorCode(err) == model.ENOTFOUND {
						return nc, model.Invalid("parentId", "context %q does not exist", nc.ParentID)
					}
					return nc, err
				}
			}
			return nc, nil
		})
		if err != nil {
			return err
		}
		return s.audit(ctx, st, a, "context.update", "context", id, id, map[string]any{"name": out.Name, "parentId": out.ParentID})
	})
	return out, err
}

// DeleteContext removes an empty leaf context.
func (s *Service) DeleteContext(ctx context.Context, a Actor, id string) error {
	return s.tx(ctx, func(st storage.Storage) error {
		c, err := st.GetContext(ctx, id)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, st, a, rightContextsManage, id); err != nil {
			return err
		}
		if err := st.DeleteContext(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "context.delete", "context", id, c.ParentID, map[string]any{"name": c.Name})
	})
}

// SearchContexts searches the contexts the actor may read (R-CTX-1).
func (s *Service) SearchContexts(ctx context.Context, a Actor, f model.ContextFilter) ([]model.Context, bool, error) {
	within, err := s.reach(ctx, s.store, a, rightContextsRead)
	if err != nil {
		return nil, false, err
	}
	if within != nil && f.Within == nil {
		// An admin who reaches root reads every context: no subtree
		// condition (it would only slow the indexed search down).
		root, err := s.store.RootContext(ctx)
		if err != nil {
			return nil, false, err
		}
		if slices.Contains(within, root.ID) {
			within = nil
		}
	}
	if within != nil {
		if f.Within != nil {
			// Keep only requested subtrees the actor can read.
			var keep []string
			for _, w := range f.Within {
				if ok, err := s.can(ctx, s.store, a, rightContextsRead, w); err != nil {
					return nil, false, err
				} else if ok {
					keep = append(keep, w)
				}
			}
			within = keep
			if within == nil {
				within = []string{}
			}
		}
		f.Within = within
	}
	if f.ParentID != "" {
		if ok, err := s.can(ctx, s.store, a, rightContextsRead, f.ParentID); err != nil {
			return nil, false, err
		} else if !ok {
			return nil, false, nil
		}
	}
	return s.store.SearchContexts(ctx, f)
}

// GetPolicy reads a context's access policy.
func (s *Service) GetPolicy(ctx context.Context, a Actor, contextID string) ([]model.ACLValue, bool, error) {
	if err := s.authorize(ctx, s.store, a, rightContextsRead, contextID); err != nil {
		return nil, false, err
	}
	return s.store.GetPolicy(ctx, contextID)
}

// SetPolicy sets (values != nil) or removes (nil) a context's access policy
// ("Access policies - Manage"). Values are validated against the catalog.
func (s *Service) SetPolicy(ctx context.Context, a Actor, contextID string, values []model.ACLValue) error {
	return s.tx(ctx, func(st storage.Storage) error {
		if err := s.authorize(ctx, st, a, rightPolicyManage, contextID); err != nil {
			return err
		}
		if values != nil {
			if err := validateValues(ctx, st, values); err != nil {
				return err
			}
		}
		if err := s.checkPolicyGrant(ctx, st, a, contextID, values); err != nil {
			return err
		}
		if err := st.SetPolicy(ctx, contextID, values); err != nil {
			return err
		}
		action := "policy.set"
		if values == nil {
			action = "policy.remove"
		}
		return s.audit(ctx, st, a, action, "context", contextID, contextID, map[string]any{"values": len(values)})
	})
}

// ApplyTemplateToPolicy copies a template's values into a context's policy
// (copy semantics: later template edits change nothing here).
func (s *Service) ApplyTemplateToPolicy(ctx context.Context, a Actor, contextID, templateID string) error {
	if _, err := s.GetContext(ctx, a, contextID); err != nil {
		return err
	}
	vals, err := templateValuesFor(ctx, s.store, templateID, contextID)
	if err != nil {
		return err
	}
	return s.SetPolicy(ctx, a, contextID, vals)
}
