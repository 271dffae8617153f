package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sesame-sso/sesame/internal/identity"
	"github.com/sesame-sso/sesame/internal/model"
)

// TenantBySlug implements storage.Identity (one unique-index lookup).
func (s *Store) TenantBySlug(ctx context.Context, slug string) (model.Context, error) {
	if !identity.ValidSlug(slug) {
		return model.Context{}, notFound("tenant", slug)
	}
	c, _, err := scanContext(s.queryRow(ctx, `SELECT `+contextCols+` FROM contexts WHERE slug = $1`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound("tenant", slug)
	}
	if err != nil {
		return c, fmt.Errorf("tenant by slug %q: %w", slug, err)
	}
	return c, nil
}

// UserBySlugLogin implements storage.Identity: the tenant through the
// contexts_slug index, the user through UNIQUE (tenant_id, login_lc).
func (s *Store) UserBySlugLogin(ctx context.Context, slug, loginName string) (model.User, error) {
	if !identity.ValidSlug(slug) {
		return model.User{}, notFound("tenant", slug)
	}
	return s.getUser(ctx, `tenant_id = (SELECT id FROM contexts WHERE slug = $1) AND login_lc = $2`, slug, identity.LoginKeyOrLower(loginName))
}

// newSlug is the slug a new context gets: root's is fixed, a tenant's is
// the one asked for (validated) or one derived from its name and made
// unique with a number; other contexts have none.
func (s *Store) newSlug(ctx context.Context, c model.Context) (string, error) {
	switch c.Type {
	case model.ContextRoot:
		if c.Slug != "" && c.Slug != identity.RootSlug {
			return "", model.Invalid("slug", "the root context's slug is %q", identity.RootSlug)
		}
		return identity.RootSlug, nil
	case model.ContextTenant:
	default:
		if c.Slug != "" {
			return "", model.Invalid("slug", "only tenants have a slug")
		}
		return "", nil
	}
	if c.Slug != "" {
		if !identity.ValidSlug(c.Slug) {
			return "", model.Invalid("slug", "must be 1 to %d of a-z, 0-9 and -, starting and ending with a letter or digit", identity.MaxSlug)
		}
		return c.Slug, nil
	}
	base := identity.SlugFromName(c.Name)
	for i := 1; i < 1000; i++ {
		slug := base
		if i > 1 {
			slug = fmt.Sprintf("%s-%d", base, i)
		}
		var n int
		if err := s.queryRow(ctx, `SELECT COUNT(*) FROM contexts WHERE slug = $1`, slug).Scan(&n); err != nil {
			return "", fmt.Errorf("derive slug: %w", err)
		}
		if n == 0 {
			return slug, nil
		}
	}
	return "", model.Errorf(model.ECONFLICT, "slug", "no free slug derived from %q: give one", c.Name)
}

// backfillLogins fills login_lc (PRECIS key) and login_skeleton for users
// stored before migration 00009, which SQL alone cannot compute. A row whose
// key or skeleton clashes with another user's keeps no skeleton (logged):
// the two names were accepted before look-alikes were refused.
func (s *Store) backfillLogins(ctx context.Context) error {
	type row struct{ id, tenant, login string }
	var todo []row
	rows, err := s.query(ctx, `SELECT id, tenant_id, login_name FROM users WHERE login_skeleton IS NULL`)
	if err != nil {
		return fmt.Errorf("backfill login names: %w", err)
	}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.tenant, &r.login); err != nil {
			rows.Close()
			return fmt.Errorf("backfill login names: %w", err)
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("backfill login names: %w", err)
	}
	for _, r := range todo {
		_, err := s.exec(ctx, `UPDATE users SET login_lc = $1, login_skeleton = $2 WHERE id = $3`,
			identity.LoginKeyOrLower(r.login), identity.Skeleton(r.login), r.id)
		if errors.Is(err, model.ErrAlreadyExists) {
			s.log.Warn("login name looks like another of its tenant; left without a skeleton", "user", r.id, "tenant", r.tenant)
			continue
		}
		if err != nil {
			return fmt.Errorf("backfill login names: %w", err)
		}
	}
	return nil
}

// RecordLogin implements storage.Identity: one UPDATE of the two login
// times. Unlike UpdateUser it rewrites neither the whole row (on SQLite
// the users_fts trigger fires for every update naming the searched
// columns) nor the user's contexts; on PostgreSQL no indexed column
// changes, so the update can stay on its page (HOT).
func (s *Store) RecordLogin(ctx context.Context, userID string, at time.Time) error {
	res, err := s.exec(ctx, `UPDATE users SET first_login_at = COALESCE(first_login_at, $1), last_login_at = $1 WHERE id = $2`,
		micros(at), userID)
	if err != nil {
		return fmt.Errorf("record login of %q: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("user", userID)
	}
	return nil
}
