package directory

import (
	"context"
	"errors"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Templates are instance-wide: reading needs "ACL templates - Read"
// somewhere, managing needs "ACL templates - Manage" at root.

func (s *Service) canReadTemplates(ctx context.Context, a Actor) error {
	within, err := s.reach(ctx, s.store, a, rightTemplatesRead)
	if err != nil {
		return err
	}
	if within != nil && len(within) == 0 {
		return model.Errorf(model.EFORBIDDEN, "", "you need the right %q (module cas)", rightTemplatesRead)
	}
	return nil
}

// ListTemplates lists every template.
func (s *Service) ListTemplates(ctx context.Context, a Actor) ([]model.Template, error) {
	if err := s.canReadTemplates(ctx, a); err != nil {
		return nil, err
	}
	return s.store.ListTemplates(ctx)
}

// GetTemplate reads one template.
func (s *Service) GetTemplate(ctx context.Context, a Actor, id string) (model.Template, error) {
	if err := s.canReadTemplates(ctx, a); err != nil {
		return model.Template{}, err
	}
	return s.store.GetTemplate(ctx, id)
}

// CreateTemplate creates a template.
func (s *Service) CreateTemplate(ctx context.Context, a Actor, t model.Template) (model.Template, error) {
	var out model.Template
	err := s.tx(ctx, func(st storage.Storage) error {
		if err := s.atRoot(ctx, st, a, rightTemplatesManage); err != nil {
			return err
		}
		if err := validateValues(ctx, st, t.Values); err != nil {
			return err
		}
		var err error
		if out, err = st.CreateTemplate(ctx, t); err != nil {
			if errors.Is(err, model.ErrAlreadyExists) {
				return model.Errorf(model.ECONFLICT, "name", "a template named %q already exists", t.Name)
			}
			return err
		}
		return s.audit(ctx, st, a, "template.create", "template", out.ID, "", map[string]any{"name": out.Name})
	})
	return out, err
}

// UpdateTemplate changes a template. Groups and policies it was applied to
// keep their copied values.
func (s *Service) UpdateTemplate(ctx context.Context, a Actor, id string, fn func(model.Template) (model.Template, error)) (model.Template, error) {
	var out model.Template
	err := s.tx(ctx, func(st storage.Storage) error {
		if err := s.atRoot(ctx, st, a, rightTemplatesManage); err != nil {
			return err
		}
		var err error
		out, err = st.UpdateTemplate(ctx, id, func(old model.Template) (model.Template, error) {
			nt, err := fn(old)
			if err != nil {
				return nt, err
			}
			return nt, validateValues(ctx, st, nt.Values)
		})
		if errors.Is(err, model.ErrAlreadyExists) {
			return model.Errorf(model.ECONFLICT, "name", "a template with that name already exists")
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, st, a, "template.update", "template", id, "", map[string]any{"name": out.Name, "values": len(out.Values)})
	})
	return out, err
}

// DeleteTemplate deletes a template (applied copies stay).
func (s *Service) DeleteTemplate(ctx context.Context, a Actor, id string) error {
	return s.tx(ctx, func(st storage.Storage) error {
		if err := s.atRoot(ctx, st, a, rightTemplatesManage); err != nil {
			return err
		}
		t, err := st.GetTemplate(ctx, id)
		if err != nil {
			return err
		}
		if err := st.DeleteTemplate(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "template.delete", "template", id, "", map[string]any{"name": t.Name})
	})
}
