package sqlstore

import (
	"context"
	"fmt"

	"github.com/sesame-sso/sesame/internal/model"
)

// UpsertModule implements storage.Storage.
func (s *Store) UpsertModule(ctx context.Context, m model.Module) error {
	if m.Name == "" {
		return model.Invalid("name", "is required")
	}
	_, err := s.exec(ctx, `INSERT INTO modules (name, description) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET description = excluded.description`, m.Name, m.Description)
	if err != nil {
		return fmt.Errorf("upsert module %q: %w", m.Name, err)
	}
	return nil
}

// ListModules implements storage.Storage.
func (s *Store) ListModules(ctx context.Context) ([]model.Module, error) {
	rows, err := s.query(ctx, `SELECT name, description FROM modules ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list modules: %w", err)
	}
	defer rows.Close()
	var out []model.Module
	for rows.Next() {
		var m model.Module
		if err := rows.Scan(&m.Name, &m.Description); err != nil {
			return nil, fmt.Errorf("list modules: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// UpsertACLs implements storage.Storage.
func (s *Store) UpsertACLs(ctx context.Context, acls []model.ACL) error {
	return s.inTx(ctx, func(tx *Store) error {
		for _, a := range acls {
			if a.Module == "" || a.Name == "" || a.Category == "" {
				return model.Invalid("acl", "module, category and name are required")
			}
			if a.Type != model.ACLBoolean && a.Type != model.ACLText {
				return model.Invalid("type", "ACL %q: type must be boolean or text", a.Name)
			}
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM modules WHERE name = $1`, a.Module).Scan(&n); err != nil {
				return fmt.Errorf("upsert ACL: %w", err)
			}
			if n == 0 {
				return model.Invalid("module", "module %q does not exist", a.Module)
			}
			if _, err := tx.exec(ctx, `INSERT INTO acls (module, name, category, type, description) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (module, name) DO UPDATE SET category = excluded.category, type = excluded.type, description = excluded.description`,
				a.Module, a.Name, a.Category, string(a.Type), a.Description); err != nil {
				return fmt.Errorf("upsert ACL %s/%s: %w", a.Module, a.Name, err)
			}
		}
		return nil
	})
}

// ListACLs implements storage.Storage.
func (s *Store) ListACLs(ctx context.Context, module string) ([]model.ACL, error) {
	q := `SELECT module, name, category, type, description FROM acls`
	var args []any
	if module != "" {
		q += ` WHERE module = $1`
		args = append(args, module)
	}
	q += ` ORDER BY module, category, name`
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list ACLs: %w", err)
	}
	defer rows.Close()
	var out []model.ACL
	for rows.Next() {
		var a model.ACL
		if err := rows.Scan(&a.Module, &a.Name, &a.Category, &a.Type, &a.Description); err != nil {
			return nil, fmt.Errorf("list ACLs: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// loadValues reads (owner_id, module, acl_name, value) rows of a value table
// for the given owners.
func (s *Store) loadValues(ctx context.Context, table, ownerCol string, ids []string) (map[string][]model.ACLValue, error) {
	out := map[string][]model.ACLValue{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.query(ctx, `SELECT `+ownerCol+`, module, acl_name, value FROM `+table+
		` WHERE `+ownerCol+` IN (`+placeholders(1, len(ids))+`) ORDER BY module, acl_name`, args...)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			owner string
			v     model.ACLValue
		)
		if err := rows.Scan(&owner, &v.Module, &v.Name, &v.Value); err != nil {
			return nil, fmt.Errorf("load %s: %w", table, err)
		}
		out[owner] = append(out[owner], v)
	}
	return out, rows.Err()
}

// replaceValues rewrites the values of one owner in a value table.
func (s *Store) replaceValues(ctx context.Context, table, ownerCol, id string, values []model.ACLValue) error {
	if _, err := s.exec(ctx, `DELETE FROM `+table+` WHERE `+ownerCol+` = $1`, id); err != nil {
		return fmt.Errorf("replace %s: %w", table, err)
	}
	seen := map[model.ACLRef]bool{}
	for _, v := range values {
		if seen[v.Ref()] {
			return model.Invalid("values", "ACL %s is set twice", v.Ref())
		}
		seen[v.Ref()] = true
		if _, err := s.exec(ctx, `INSERT INTO `+table+` (`+ownerCol+`, module, acl_name, value) VALUES ($1, $2, $3, $4)`,
			id, v.Module, v.Name, v.Value); err != nil {
			if model.ErrorCode(err) == model.EINVALID {
				return model.Invalid("values", "unknown ACL %s", v.Ref())
			}
			return fmt.Errorf("replace %s: %w", table, err)
		}
	}
	return nil
}
