package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/sesame-sso/sesame/internal/model"
)

// Contexts keep a materialized path "/rootID/…/ID/" so subtree queries are
// one index range scan: path >= P AND path < P||'~' ('~' sorts after every
// character of a UUID and '/').

const contextCols = `id, type, name, number, COALESCE(slug, ''), COALESCE(parent_id, ''), tenant_id, path, has_policy, created_at`

func scanContext(sc interface{ Scan(...any) error }) (model.Context, string, error) {
	var (
		c       model.Context
		path    string
		created int64
	)
	err := sc.Scan(&c.ID, &c.Type, &c.Name, &c.Number, &c.Slug, &c.ParentID, &c.TenantID, &path, &c.Policy, &created)
	c.CreatedAt = fromMicros(created)
	return c, path, err
}

func (s *Store) getContext(ctx context.Context, id string, forUpdate bool) (model.Context, string, error) {
	q := `SELECT ` + contextCols + ` FROM contexts WHERE id = $1`
	if forUpdate {
		q += " FOR UPDATE"
	}
	c, path, err := scanContext(s.queryRow(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, "", notFound("context", id)
	}
	if err != nil {
		return c, "", fmt.Errorf("get context %q: %w", id, err)
	}
	return c, path, nil
}

func validateContextFields(c model.Context) error {
	if !c.Type.Valid() {
		return model.Invalid("type", "must be one of root, tenant, account, customer")
	}
	if strings.TrimSpace(c.Name) == "" {
		return model.Invalid("name", "is required")
	}
	if len(c.Name) > 200 {
		return model.Invalid("name", "is longer than 200 characters")
	}
	if len(c.Number) > 100 {
		return model.Invalid("number", "is longer than 100 characters")
	}
	return nil
}

// CreateContext implements storage.Storage.
func (s *Store) CreateContext(ctx context.Context, c model.Context) (model.Context, error) {
	if err := validateContextFields(c); err != nil {
		return c, err
	}
	if c.ID == "" {
		c.ID = uuid.NewString()
	} else if _, err := uuid.Parse(c.ID); err != nil {
		return c, model.Invalid("id", "must be a UUID")
	}
	c.CreatedAt = s.now().UTC()
	c.Policy = false
	err := s.inTx(ctx, func(tx *Store) error {
		var path string
		if c.Type == model.ContextRoot {
			if c.ParentID != "" {
				return model.Invalid("parentId", "the root context has no parent")
			}
			c.TenantID = c.ID
			path = "/" + c.ID + "/"
		} else {
			if c.ParentID == "" {
				return model.Invalid("parentId", "is required for a %s context", c.Type)
			}
			parent, ppath, err := tx.getContext(ctx, c.ParentID, false)
			if errors.Is(err, model.ErrNotFound) {
				return model.Invalid("parentId", "context %q does not exist", c.ParentID)
			}
			if err != nil {
				return err
			}
			if !c.Type.AllowedParent(parent.Type) {
				return model.Invalid("parentId", "a %s context cannot be placed below a %s context", c.Type, parent.Type)
			}
			if c.Type == model.ContextTenant {
				c.TenantID = c.ID
			} else {
				c.TenantID = parent.TenantID
			}
			path = ppath + c.ID + "/"
		}
		var err error
		if c.Slug, err = tx.newSlug(ctx, c); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO contexts (id, type, name, name_lc, number, number_lc, parent_id, tenant_id, path, has_policy, created_at, slug)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			c.ID, string(c.Type), c.Name, strings.ToLower(c.Name), c.Number, strings.ToLower(c.Number),
			nullString(c.ParentID), c.TenantID, path, false, micros(c.CreatedAt), nullString(c.Slug))
		if errors.Is(err, model.ErrAlreadyExists) && c.Slug != "" {
			return model.Errorf(model.ECONFLICT, "slug", "the slug %q is taken", c.Slug)
		}
		if err != nil {
			return fmt.Errorf("create context: %w", err)
		}
		return nil
	})
	return c, err
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// GetContext implements storage.Storage.
func (s *Store) GetContext(ctx context.Context, id string) (model.Context, error) {
	c, _, err := s.getContext(ctx, id, false)
	return c, err
}

// RootContext implements storage.Storage.
func (s *Store) RootContext(ctx context.Context) (model.Context, error) {
	c, _, err := scanContext(s.queryRow(ctx, `SELECT `+contextCols+` FROM contexts WHERE type = 'root'`))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("root context: %w", model.ErrNotFound)
	}
	return c, err
}

// UpdateContext implements storage.Storage. Name, number and parent may
// change; type and tenant may not. A move keeps the context in its tenant and
// may not create a cycle.
func (s *Store) UpdateContext(ctx context.Context, id string, fn func(model.Context) (model.Context, error)) (model.Context, error) {
	var out model.Context
	err := s.inTx(ctx, func(tx *Store) error {
		old, oldPath, err := tx.getContext(ctx, id, true)
		if err != nil {
			return err
		}
		nc, err := fn(old)
		if err != nil {
			return err
		}
		nc.ID, nc.TenantID, nc.CreatedAt, nc.Policy = old.ID, old.TenantID, old.CreatedAt, old.Policy
		if nc.Type != old.Type {
			return model.Invalid("type", "cannot be changed")
		}
		if nc.Slug != old.Slug {
			// Logins and CAS principals name the tenant by it (issue 8).
			return model.Invalid("slug", "is fixed when the tenant is created")
		}
		if err := validateContextFields(nc); err != nil {
			return err
		}
		newPath := oldPath
		if nc.ParentID != old.ParentID {
			if old.Type == model.ContextRoot || nc.ParentID == "" {
				return model.Invalid("parentId", "the root context cannot be moved and other contexts need a parent")
			}
			parent, ppath, err := tx.getContext(ctx, nc.ParentID, false)
			if errors.Is(err, model.ErrNotFound) {
				return model.Invalid("parentId", "context %q does not exist", nc.ParentID)
			}
			if err != nil {
				return err
			}
			if strings.HasPrefix(ppath, oldPath) {
				return model.Invalid("parentId", "a context cannot be moved below itself or its descendants")
			}
			if !nc.Type.AllowedParent(parent.Type) {
				return model.Invalid("parentId", "a %s context cannot be placed below a %s context", nc.Type, parent.Type)
			}
			tenant := parent.TenantID
			if nc.Type == model.ContextTenant {
				tenant = old.TenantID
			}
			if tenant != old.TenantID {
				return model.Invalid("parentId", "a context cannot be moved to another tenant (its users belong to their tenant)")
			}
			newPath = ppath + id + "/"
			if _, err := tx.exec(ctx, `UPDATE contexts SET path = $1 || substr(path, $2) WHERE path >= $3 AND path < $4`,
				newPath, len(oldPath)+1, oldPath, oldPath+"~"); err != nil {
				return fmt.Errorf("move context subtree: %w", err)
			}
		}
		if _, err := tx.exec(ctx, `UPDATE contexts SET name = $1, name_lc = $2, number = $3, number_lc = $4, parent_id = $5 WHERE id = $6`,
			nc.Name, strings.ToLower(nc.Name), nc.Number, strings.ToLower(nc.Number), nullString(nc.ParentID), id); err != nil {
			return fmt.Errorf("update context: %w", err)
		}
		out = nc
		return nil
	})
	return out, err
}

// DeleteContext implements storage.Storage.
func (s *Store) DeleteContext(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *Store) error {
		c, _, err := tx.getContext(ctx, id, true)
		if err != nil {
			return err
		}
		if c.Type == model.ContextRoot {
			return model.Errorf(model.ECONFLICT, "id", "the root context cannot be deleted")
		}
		checks := []struct{ q, what string }{
			{`SELECT COUNT(*) FROM contexts WHERE parent_id = $1`, "child contexts"},
			{`SELECT COUNT(*) FROM user_contexts WHERE context_id = $1`, "assigned users"},
			{`SELECT COUNT(*) FROM users WHERE tenant_id = $1`, "users of this tenant"},
			{`SELECT COUNT(*) FROM user_groups WHERE context_id = $1`, "user groups"},
			{`SELECT COUNT(*) FROM memberships WHERE context_id = $1`, "group memberships"},
		}
		for _, ch := range checks {
			var n int
			if err := tx.queryRow(ctx, ch.q, id).Scan(&n); err != nil {
				return fmt.Errorf("delete context: %w", err)
			}
			if n > 0 {
				return model.Errorf(model.ECONFLICT, "id", "context still has %d %s", n, ch.what)
			}
		}
		if _, err := tx.exec(ctx, `DELETE FROM contexts WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete context: %w", err)
		}
		return nil
	})
}

// Ancestors implements storage.Storage.
func (s *Store) Ancestors(ctx context.Context, id string) ([]model.Context, error) {
	_, path, err := s.getContext(ctx, id, false)
	if err != nil {
		return nil, err
	}
	ids := strings.Split(strings.Trim(path, "/"), "/")
	args := make([]any, len(ids))
	for i, v := range ids {
		args[i] = v
	}
	rows, err := s.query(ctx, `SELECT `+contextCols+` FROM contexts WHERE id IN (`+placeholders(1, len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("ancestors of %q: %w", id, err)
	}
	defer rows.Close()
	byID := map[string]model.Context{}
	for rows.Next() {
		c, _, err := scanContext(rows)
		if err != nil {
			return nil, fmt.Errorf("ancestors of %q: %w", id, err)
		}
		byID[c.ID] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ancestors of %q: %w", id, err)
	}
	out := make([]model.Context, 0, len(ids))
	for i := len(ids) - 1; i >= 0; i-- {
		out = append(out, byID[ids[i]])
	}
	return out, nil
}

// IsDescendant implements storage.Storage.
func (s *Store) IsDescendant(ctx context.Context, id, ancestorID string) (bool, error) {
	_, path, err := s.getContext(ctx, id, false)
	if err != nil {
		return false, err
	}
	return strings.Contains(path, "/"+ancestorID+"/"), nil
}

// SearchContexts implements storage.Storage (R-CTX-1).
func (s *Store) SearchContexts(ctx context.Context, cf model.ContextFilter) ([]model.Context, bool, error) {
	cf.Page = cf.Page.Normalize()
	var f filter
	from := "contexts"
	if q := strings.ToLower(strings.TrimSpace(cf.Query)); q != "" {
		f.contains(q, "name_lc", "number_lc")
		var err error
		if from, err = s.ftsFrom(ctx, &f, q, "contexts", "contexts_search"); err != nil {
			return nil, false, fmt.Errorf("search contexts: %w", err)
		}
	}
	if cf.Type != "" {
		f.add(`type = ` + f.arg(string(cf.Type)))
	}
	if cf.ParentID != "" {
		f.add(`parent_id = ` + f.arg(cf.ParentID))
	}
	if cf.Within != nil {
		cond, ok, err := s.subtree(ctx, &f, "path", cf.Within)
		if err != nil || !ok {
			return nil, false, err
		}
		f.add(cond)
	}
	rows, err := s.query(ctx, f.sql(`SELECT `+contextCols+` FROM `+from, "name_lc, id", cf.Page), f.args...)
	if err != nil {
		return nil, false, fmt.Errorf("search contexts: %w", err)
	}
	defer rows.Close()
	var out []model.Context
	for rows.Next() {
		c, _, err := scanContext(rows)
		if err != nil {
			return nil, false, fmt.Errorf("search contexts: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("search contexts: %w", err)
	}
	out, more := page(out, cf.Page)
	return out, more, nil
}

// ftsFrom is the FROM clause of a substring search for q on table (SQLite:
// table_fts is its FTS5 trigram index, ordered an index on the list order).
// A rare term is answered from the trigram index's candidates; a common one
// (many candidates) by walking the ordered index until a page is full,
// which stops early because matches are dense. PostgreSQL's pg_trgm indexes
// serve the LIKE itself.
func (s *Store) ftsFrom(ctx context.Context, f *filter, q, table, ordered string) (string, error) {
	if s.rb.d != dialectSQLite || utf8.RuneCountInString(q) < 3 {
		return table, nil
	}
	tq := trigramQuery(q)
	var n int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+table+`_fts WHERE `+table+`_fts MATCH $1 LIMIT $2)`,
		tq, ftsDenseThreshold).Scan(&n); err != nil {
		return "", err
	}
	if n < ftsDenseThreshold {
		// CROSS JOIN keeps the candidates as the outer loop.
		return `(SELECT id AS fts_id FROM ` + table + `_fts WHERE ` + table + `_fts MATCH ` + f.arg(tq) + `) AS cand CROSS JOIN ` + table + ` ON ` + table + `.id = cand.fts_id`, nil
	}
	return table + " INDEXED BY " + ordered, nil
}

// ftsDenseThreshold: from this many trigram candidates on, walking the
// name index is cheaper than checking every candidate.
const ftsDenseThreshold = 2000

// trigramQuery turns q into an FTS5 query that ANDs q's trigrams: with
// detail=none the index answers it by set intersection, a superset of the
// rows containing q, which the LIKE condition then narrows exactly.
func trigramQuery(q string) string {
	r := []rune(q)
	seen := map[string]bool{}
	var parts []string
	for i := 0; i+3 <= len(r); i++ {
		g := string(r[i : i+3])
		if seen[g] {
			continue
		}
		seen[g] = true
		parts = append(parts, `"`+strings.ReplaceAll(g, `"`, `""`)+`"`)
	}
	return strings.Join(parts, " AND ")
}
