package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/sesame-sso/sesame/internal/identity"
	"github.com/sesame-sso/sesame/internal/model"
)

// UpsertDomain implements storage.Storage.
func (s *Store) UpsertDomain(ctx context.Context, d model.UserDomain) error {
	if strings.TrimSpace(d.Name) == "" {
		return model.Invalid("name", "is required")
	}
	if d.Kind != model.KindLocal && d.Kind != model.KindDelegated {
		return model.Invalid("kind", "must be local or delegated")
	}
	if d.Placement != model.PlacementRoot && d.Placement != model.PlacementEnterprise {
		return model.Invalid("placement", "must be root or enterprise")
	}
	_, err := s.exec(ctx, `INSERT INTO user_domains (name, kind, placement, description) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, placement = excluded.placement, description = excluded.description`,
		d.Name, string(d.Kind), string(d.Placement), d.Description)
	if err != nil {
		return fmt.Errorf("upsert domain %q: %w", d.Name, err)
	}
	return nil
}

// GetDomain implements storage.Storage.
func (s *Store) GetDomain(ctx context.Context, name string) (model.UserDomain, error) {
	var d model.UserDomain
	err := s.queryRow(ctx, `SELECT name, kind, placement, description FROM user_domains WHERE name = $1`, name).
		Scan(&d.Name, &d.Kind, &d.Placement, &d.Description)
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFound("user domain", name)
	}
	if err != nil {
		return d, fmt.Errorf("get domain %q: %w", name, err)
	}
	return d, nil
}

// ListDomains implements storage.Storage.
func (s *Store) ListDomains(ctx context.Context) ([]model.UserDomain, error) {
	rows, err := s.query(ctx, `SELECT name, kind, placement, description FROM user_domains ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	defer rows.Close()
	var out []model.UserDomain
	for rows.Next() {
		var d model.UserDomain
		if err := rows.Scan(&d.Name, &d.Kind, &d.Placement, &d.Description); err != nil {
			return nil, fmt.Errorf("list domains: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

const userCols = `id, login_name, tenant_id, domain, kind, status, first_name, last_name, email, phone, language, avatar,
	two_factor, password_hash, first_login_at, last_login_at, created_at, updated_at, password_must_change, password_set_at, totp_must_enrol, email_undeliverable`

func scanUser(sc interface{ Scan(...any) error }) (model.User, error) {
	var (
		u           model.User
		first, last sql.NullInt64
		cr, upd     int64
		pwSet       int64
	)
	err := sc.Scan(&u.ID, &u.LoginName, &u.TenantID, &u.Domain, &u.Kind, &u.Status,
		&u.Person.FirstName, &u.Person.LastName, &u.Person.Email, &u.Person.Phone, &u.Person.Language, &u.Person.Avatar,
		&u.TwoFactor, &u.PasswordHash, &first, &last, &cr, &upd, &u.PasswordMustChange, &pwSet, &u.TOTPMustEnrol, &u.EmailUndeliverable)
	u.FirstLoginAt, u.LastLoginAt = fromNullMicros(first), fromNullMicros(last)
	if pwSet != 0 {
		u.PasswordSetAt = fromMicros(pwSet)
	}
	u.CreatedAt, u.UpdatedAt = fromMicros(cr), fromMicros(upd)
	return u, err
}

func validateUser(u model.User) error {
	if strings.TrimSpace(u.LoginName) == "" {
		return model.Invalid("loginName", "is required")
	}
	if len(u.LoginName) > 200 {
		return model.Invalid("loginName", "is longer than 200 characters")
	}
	switch u.Status {
	case model.StatusDraft, model.StatusActive, model.StatusInactive, model.StatusDeleted:
	default:
		return model.Invalid("status", "must be draft, active, inactive or deleted")
	}
	if u.Kind != model.KindLocal && u.Kind != model.KindDelegated {
		return model.Invalid("kind", "must be local or delegated")
	}
	return nil
}

// CreateUser implements storage.Storage.
func (s *Store) CreateUser(ctx context.Context, u model.User) (model.User, error) {
	if u.ID == "" {
		u.ID = uuid.NewString()
	}
	if err := validateUser(u); err != nil {
		return u, err
	}
	u.CreatedAt = s.now().UTC()
	u.UpdatedAt = u.CreatedAt
	err := s.inTx(ctx, func(tx *Store) error {
		if _, err := tx.exec(ctx, `INSERT INTO users (`+userCols+`, login_lc, email_lc, login_skeleton)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)`,
			u.ID, u.LoginName, u.TenantID, u.Domain, string(u.Kind), string(u.Status),
			u.Person.FirstName, u.Person.LastName, u.Person.Email, u.Person.Phone, u.Person.Language, u.Person.Avatar,
			u.TwoFactor, u.PasswordHash, nullMicros(u.FirstLoginAt), nullMicros(u.LastLoginAt),
			micros(u.CreatedAt), micros(u.UpdatedAt), u.PasswordMustChange, optMicros(u.PasswordSetAt), u.TOTPMustEnrol, u.EmailUndeliverable, identity.LoginKeyOrLower(u.LoginName), strings.ToLower(u.Person.Email),
			identity.Skeleton(u.LoginName)); err != nil {
			return fmt.Errorf("create user %q: %w", u.LoginName, err)
		}
		return tx.writeUserContexts(ctx, u, true)
	})
	return u, err
}

// writeUserContexts stores u's contexts, replacing the stored ones unless
// the user is new (one round trip less on every creation).
func (s *Store) writeUserContexts(ctx context.Context, u model.User, isNew bool) error {
	if !isNew {
		if _, err := s.exec(ctx, `DELETE FROM user_contexts WHERE user_id = $1`, u.ID); err != nil {
			return fmt.Errorf("write user contexts: %w", err)
		}
	}
	seen := map[string]bool{}
	for _, c := range u.Contexts {
		if seen[c] {
			continue
		}
		seen[c] = true
		if _, err := s.exec(ctx, `INSERT INTO user_contexts (user_id, context_id) VALUES ($1, $2)`, u.ID, c); err != nil {
			if model.ErrorCode(err) == model.EINVALID {
				return model.Invalid("contexts", "context %q does not exist", c)
			}
			return fmt.Errorf("write user contexts: %w", err)
		}
	}
	return nil
}

func (s *Store) fillUsers(ctx context.Context, us []model.User) error {
	if len(us) == 0 {
		return nil
	}
	args := make([]any, len(us))
	idx := map[string]int{}
	for i, u := range us {
		args[i] = u.ID
		idx[u.ID] = i
		us[i].Contexts = []string{}
	}
	rows, err := s.query(ctx, `SELECT user_id, context_id FROM user_contexts WHERE user_id IN (`+placeholders(1, len(args))+`) ORDER BY context_id`, args...)
	if err != nil {
		return fmt.Errorf("load user contexts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid, cid string
		if err := rows.Scan(&uid, &cid); err != nil {
			return fmt.Errorf("load user contexts: %w", err)
		}
		us[idx[uid]].Contexts = append(us[idx[uid]].Contexts, cid)
	}
	return rows.Err()
}

// withScan appends destinations to every Scan (a column after userCols).
type withScan struct {
	sc    interface{ Scan(...any) error }
	extra []any
}

func (w withScan) Scan(dest ...any) error { return w.sc.Scan(append(dest, w.extra...)...) }

// getUser reads a user and their contexts in one query (it is on every
// login and ticket validation path).
func (s *Store) getUser(ctx context.Context, q string, args ...any) (model.User, error) {
	agg := `(SELECT string_agg(context_id, ',') FROM (SELECT context_id FROM user_contexts WHERE user_id = users.id ORDER BY context_id) uc)`
	if s.rb.d == dialectSQLite {
		agg = `(SELECT group_concat(context_id, ',') FROM (SELECT context_id FROM user_contexts WHERE user_id = users.id ORDER BY context_id) uc)`
	}
	var ctxs sql.NullString
	u, err := scanUser(withScan{s.queryRow(ctx, `SELECT `+userCols+`, `+agg+` FROM users WHERE `+q, args...), []any{&ctxs}})
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("user: %w", model.ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("get user: %w", err)
	}
	u.Contexts = []string{}
	if ctxs.String != "" {
		u.Contexts = strings.Split(ctxs.String, ",")
	}
	return u, nil
}

// GetUser implements storage.Storage.
func (s *Store) GetUser(ctx context.Context, id string) (model.User, error) {
	return s.getUser(ctx, `id = $1`, id)
}

// GetUserByLogin implements storage.Storage: per tenant, comparing PRECIS
// UsernameCaseMapped keys (RFC 8265 §3.3) through UNIQUE (tenant_id,
// login_lc).
func (s *Store) GetUserByLogin(ctx context.Context, tenantID, loginName string) (model.User, error) {
	return s.getUser(ctx, `tenant_id = $1 AND login_lc = $2`, tenantID, identity.LoginKeyOrLower(loginName))
}

// UpdateUser implements storage.Storage. Id, tenant and creation time are
// fixed; contexts are replaced by the returned user's.
func (s *Store) UpdateUser(ctx context.Context, id string, fn func(model.User) (model.User, error)) (model.User, error) {
	var out model.User
	err := s.inTx(ctx, func(tx *Store) error {
		old, err := tx.getUser(ctx, `id = $1 FOR UPDATE`, id)
		if err != nil {
			return err
		}
		u, err := fn(old)
		if err != nil {
			return err
		}
		u.ID, u.TenantID, u.CreatedAt = old.ID, old.TenantID, old.CreatedAt
		u.UpdatedAt = tx.now().UTC()
		if err := validateUser(u); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE users SET login_name = $1, login_lc = $2, domain = $3, kind = $4, status = $5,
			first_name = $6, last_name = $7, email = $8, email_lc = $9, phone = $10, language = $11, avatar = $12,
			two_factor = $13, password_hash = $14, first_login_at = $15, last_login_at = $16, updated_at = $17,
			login_skeleton = COALESCE($19, login_skeleton), password_must_change = $20, password_set_at = $21, totp_must_enrol = $22,
			email_undeliverable = $23 WHERE id = $18`,
			u.LoginName, identity.LoginKeyOrLower(u.LoginName), u.Domain, string(u.Kind), string(u.Status),
			u.Person.FirstName, u.Person.LastName, u.Person.Email, strings.ToLower(u.Person.Email), u.Person.Phone, u.Person.Language, u.Person.Avatar,
			u.TwoFactor, u.PasswordHash, nullMicros(u.FirstLoginAt), nullMicros(u.LastLoginAt), micros(u.UpdatedAt), id,
			userSkeleton(u), u.PasswordMustChange, optMicros(u.PasswordSetAt), u.TOTPMustEnrol, u.EmailUndeliverable); err != nil {
			return fmt.Errorf("update user %q: %w", id, err)
		}
		// Most updates (a JIT login's new name, a language) leave the
		// assignments as they were: rewriting them would only cost a delete
		// and inserts in the same transaction.
		if !sameContextSet(old.Contexts, u.Contexts) {
			if err := tx.writeUserContexts(ctx, u, false); err != nil {
				return err
			}
		}
		out = u
		return nil
	})
	return out, err
}

// sameContextSet reports whether a and b assign the same contexts (order
// and repeats aside; writeUserContexts stores each once).
func sameContextSet(a, b []string) bool {
	in := make(map[string]bool, len(a))
	for _, c := range a {
		in[c] = true
	}
	seen := make(map[string]bool, len(b))
	for _, c := range b {
		if !in[c] {
			return false
		}
		seen[c] = true
	}
	return len(seen) == len(in)
}

// userSkeleton is the confusable skeleton an update stores, or nil to keep
// the stored one: a deleted (anonymized) user keeps the skeleton of the name
// it had, so that name — and names that look like it — are never given to
// another user of the tenant (a CAS tenantLogin principal is never
// reassigned, issue 8).
func userSkeleton(u model.User) any {
	if u.Status == model.StatusDeleted {
		return nil
	}
	return identity.Skeleton(u.LoginName)
}

// DeleteUser implements storage.Storage.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	res, err := s.exec(ctx, `DELETE FROM users WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete user %q: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("user", id)
	}
	return nil
}

// userSearchExpr is the expression of the users_search_trgm index.
const userSearchExpr = `(login_lc || chr(31) || lower(first_name) || chr(31) || lower(last_name) || chr(31) || email_lc)`

// ListUsers implements storage.Storage.
func (s *Store) ListUsers(ctx context.Context, uf model.UserFilter) ([]model.User, bool, error) {
	uf.Page = uf.Page.Normalize()
	var f filter
	from := "users"
	if q := strings.ToLower(strings.TrimSpace(uf.Query)); q != "" {
		f.contains(q, "login_lc", "lower(first_name)", "lower(last_name)", "email_lc")
		if s.rb.d == dialectPostgres && uf.Within == nil && utf8.RuneCountInString(q) >= 4 {
			// Lets the planner use users_search_trgm (migration 00009); the
			// per-column condition above keeps the match exact. Not for a
			// search limited to subtrees, nor for 3-character terms (one
			// trigram, typically dense): there the planner, misled by the
			// index's estimate, drives from the index or the subtree's
			// memberships, measured 3x to 90x slower than walking users_list
			// in order (docs/BENCHMARKS.md, BenchmarkUsers).
			f.add(userSearchExpr + ` LIKE ` + f.arg("%"+likeEscape(q)+"%") + ` ESCAPE '\'`)
		}
		var err error
		if from, err = s.ftsFrom(ctx, &f, q, "users", "users_list"); err != nil {
			return nil, false, fmt.Errorf("list users: %w", err)
		}
	}
	if uf.LoginName != "" {
		f.add(`login_lc = ` + f.arg(identity.LoginKeyOrLower(uf.LoginName)))
	}
	if uf.TenantID != "" {
		f.add(`tenant_id = ` + f.arg(uf.TenantID))
	}
	if uf.Status != "" {
		f.add(`status = ` + f.arg(string(uf.Status)))
	}
	if len(uf.ContextIDs) > 0 {
		f.add(`EXISTS (SELECT 1 FROM user_contexts uc WHERE uc.user_id = users.id AND uc.context_id IN ` + f.list(uf.ContextIDs) + `)`)
	}
	if uf.Within != nil {
		cond, ok, err := s.subtree(ctx, &f, "c.path", uf.Within)
		if err != nil || !ok {
			return nil, false, err
		}
		f.add(`EXISTS (SELECT 1 FROM user_contexts uc JOIN contexts c ON c.id = uc.context_id WHERE uc.user_id = users.id AND ` + cond + `)`)
	}
	rows, err := s.query(ctx, f.sql(`SELECT `+userCols+` FROM `+from, "login_lc, id", uf.Page), f.args...)
	if err != nil {
		return nil, false, fmt.Errorf("list users: %w", err)
	}
	var out []model.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, false, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("list users: %w", err)
	}
	out, more := page(out, uf.Page)
	return out, more, s.fillUsers(ctx, out)
}

// SetUserRoles implements storage.Storage.
func (s *Store) SetUserRoles(ctx context.Context, userID string, roles []model.RoleAssignment) error {
	return s.inTx(ctx, func(tx *Store) error {
		if _, err := tx.exec(ctx, `DELETE FROM user_roles WHERE user_id = $1`, userID); err != nil {
			return fmt.Errorf("set user roles: %w", err)
		}
		for _, r := range roles {
			if strings.TrimSpace(r.Role) == "" {
				return model.Invalid("roles", "role names must not be empty")
			}
			if _, err := tx.exec(ctx, `INSERT INTO user_roles (user_id, context_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
				userID, r.ContextID, r.Role); err != nil {
				return fmt.Errorf("set user roles: %w", err)
			}
		}
		return nil
	})
}

// UserRoles implements storage.Storage.
func (s *Store) UserRoles(ctx context.Context, userID string) ([]model.RoleAssignment, error) {
	rows, err := s.query(ctx, `SELECT context_id, role FROM user_roles WHERE user_id = $1 ORDER BY context_id, role`, userID)
	if err != nil {
		return nil, fmt.Errorf("user roles: %w", err)
	}
	defer rows.Close()
	var out []model.RoleAssignment
	for rows.Next() {
		var r model.RoleAssignment
		if err := rows.Scan(&r.ContextID, &r.Role); err != nil {
			return nil, fmt.Errorf("user roles: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
