package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/sesame-sso/sesame/internal/model"
)

const templateCols = `id, name, description, created_at, updated_at`

func scanTemplate(sc interface{ Scan(...any) error }) (model.Template, error) {
	var (
		t       model.Template
		cr, upd int64
	)
	err := sc.Scan(&t.ID, &t.Name, &t.Description, &cr, &upd)
	t.CreatedAt, t.UpdatedAt = fromMicros(cr), fromMicros(upd)
	return t, err
}

func validateTemplate(t model.Template) error {
	if strings.TrimSpace(t.Name) == "" {
		return model.Invalid("name", "is required")
	}
	if len(t.Name) > 200 {
		return model.Invalid("name", "is longer than 200 characters")
	}
	if len(t.ContextTypes) == 0 {
		return model.Invalid("contextTypes", "name at least one context type the template may be used with")
	}
	for _, ct := range t.ContextTypes {
		if !ct.Valid() {
			return model.Invalid("contextTypes", "%q is not a context type", ct)
		}
	}
	return nil
}

// CreateTemplate implements storage.Storage.
func (s *Store) CreateTemplate(ctx context.Context, t model.Template) (model.Template, error) {
	if err := validateTemplate(t); err != nil {
		return t, err
	}
	if t.ID == "" {
		t.ID = uuid.NewString()
	}
	t.CreatedAt = s.now().UTC()
	t.UpdatedAt = t.CreatedAt
	err := s.inTx(ctx, func(tx *Store) error {
		if _, err := tx.exec(ctx, `INSERT INTO templates (`+templateCols+`, name_lc) VALUES ($1, $2, $3, $4, $5, $6)`,
			t.ID, t.Name, t.Description, micros(t.CreatedAt), micros(t.UpdatedAt), strings.ToLower(t.Name)); err != nil {
			return fmt.Errorf("create template %q: %w", t.Name, err)
		}
		return tx.writeTemplateChildren(ctx, t)
	})
	return t, err
}

func (s *Store) writeTemplateChildren(ctx context.Context, t model.Template) error {
	if _, err := s.exec(ctx, `DELETE FROM template_context_types WHERE template_id = $1`, t.ID); err != nil {
		return fmt.Errorf("write template context types: %w", err)
	}
	seen := map[model.ContextType]bool{}
	for _, ct := range t.ContextTypes {
		if seen[ct] {
			continue
		}
		seen[ct] = true
		if _, err := s.exec(ctx, `INSERT INTO template_context_types (template_id, type) VALUES ($1, $2)`, t.ID, string(ct)); err != nil {
			return fmt.Errorf("write template context types: %w", err)
		}
	}
	return s.replaceValues(ctx, "template_values", "template_id", t.ID, t.Values)
}

func (s *Store) fillTemplates(ctx context.Context, ts []model.Template) error {
	if len(ts) == 0 {
		return nil
	}
	ids := make([]string, len(ts))
	args := make([]any, len(ts))
	for i, t := range ts {
		ids[i], args[i] = t.ID, t.ID
	}
	vals, err := s.loadValues(ctx, "template_values", "template_id", ids)
	if err != nil {
		return err
	}
	rows, err := s.query(ctx, `SELECT template_id, type FROM template_context_types WHERE template_id IN (`+placeholders(1, len(ids))+`) ORDER BY type`, args...)
	if err != nil {
		return fmt.Errorf("load template context types: %w", err)
	}
	defer rows.Close()
	types := map[string][]model.ContextType{}
	for rows.Next() {
		var id, ct string
		if err := rows.Scan(&id, &ct); err != nil {
			return fmt.Errorf("load template context types: %w", err)
		}
		types[id] = append(types[id], model.ContextType(ct))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range ts {
		ts[i].Values = vals[ts[i].ID]
		if ts[i].Values == nil {
			ts[i].Values = []model.ACLValue{}
		}
		ts[i].ContextTypes = types[ts[i].ID]
	}
	return nil
}

func (s *Store) getTemplate(ctx context.Context, where, arg string, forUpdate bool) (model.Template, error) {
	q := `SELECT ` + templateCols + ` FROM templates WHERE ` + where + ` = $1`
	if forUpdate {
		q += " FOR UPDATE"
	}
	t, err := scanTemplate(s.queryRow(ctx, q, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return t, notFound("template", arg)
	}
	if err != nil {
		return t, fmt.Errorf("get template %q: %w", arg, err)
	}
	ts := []model.Template{t}
	if err := s.fillTemplates(ctx, ts); err != nil {
		return t, err
	}
	return ts[0], nil
}

// GetTemplate implements storage.Storage.
func (s *Store) GetTemplate(ctx context.Context, id string) (model.Template, error) {
	return s.getTemplate(ctx, "id", id, false)
}

// GetTemplateByName implements storage.Storage (case-insensitive).
func (s *Store) GetTemplateByName(ctx context.Context, name string) (model.Template, error) {
	return s.getTemplate(ctx, "name_lc", strings.ToLower(name), false)
}

// UpdateTemplate implements storage.Storage.
func (s *Store) UpdateTemplate(ctx context.Context, id string, fn func(model.Template) (model.Template, error)) (model.Template, error) {
	var out model.Template
	err := s.inTx(ctx, func(tx *Store) error {
		old, err := tx.getTemplate(ctx, "id", id, true)
		if err != nil {
			return err
		}
		t, err := fn(old)
		if err != nil {
			return err
		}
		t.ID, t.CreatedAt = old.ID, old.CreatedAt
		t.UpdatedAt = tx.now().UTC()
		if err := validateTemplate(t); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE templates SET name = $1, name_lc = $2, description = $3, updated_at = $4 WHERE id = $5`,
			t.Name, strings.ToLower(t.Name), t.Description, micros(t.UpdatedAt), id); err != nil {
			return fmt.Errorf("update template %q: %w", id, err)
		}
		if err := tx.writeTemplateChildren(ctx, t); err != nil {
			return err
		}
		out = t
		return nil
	})
	return out, err
}

// DeleteTemplate implements storage.Storage.
func (s *Store) DeleteTemplate(ctx context.Context, id string) error {
	res, err := s.exec(ctx, `DELETE FROM templates WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete template %q: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("template", id)
	}
	return nil
}

// ListTemplates implements storage.Storage.
func (s *Store) ListTemplates(ctx context.Context) ([]model.Template, error) {
	rows, err := s.query(ctx, `SELECT `+templateCols+` FROM templates ORDER BY name_lc, name`)
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	var out []model.Template
	for rows.Next() {
		t, err := scanTemplate(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list templates: %w", err)
		}
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	return out, s.fillTemplates(ctx, out)
}

// SetPolicy implements storage.Storage.
func (s *Store) SetPolicy(ctx context.Context, contextID string, values []model.ACLValue) error {
	return s.inTx(ctx, func(tx *Store) error {
		if _, _, err := tx.getContext(ctx, contextID, true); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE contexts SET has_policy = $1 WHERE id = $2`, values != nil, contextID); err != nil {
			return fmt.Errorf("set policy: %w", err)
		}
		return tx.replaceValues(ctx, "policy_values", "context_id", contextID, values)
	})
}

// GetPolicy implements storage.Storage.
func (s *Store) GetPolicy(ctx context.Context, contextID string) ([]model.ACLValue, bool, error) {
	c, _, err := s.getContext(ctx, contextID, false)
	if err != nil {
		return nil, false, err
	}
	if !c.Policy {
		return nil, false, nil
	}
	vals, err := s.loadValues(ctx, "policy_values", "context_id", []string{contextID})
	if err != nil {
		return nil, false, err
	}
	v := vals[contextID]
	if v == nil {
		v = []model.ACLValue{}
	}
	return v, true, nil
}
