package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-sso/sesame/internal/identity"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// SCIM 2.0 provisioning (issue 12): credentials (hash only), the SCIM side
// of users and groups, and the searches behind /scim/v2/Users and /Groups.
// A filter arrives as a storage.SCIMCond tree and becomes one parameterised
// WHERE clause (scimWhere): values are always arguments, never SQL text,
// and every field maps to an indexed column or an indexed subquery
// (migration 00030), scoped to the tenant.

const scimCredCols = `id, tenant_id, name, prefix, hash, connection_id, context_id, default_groups, default_domain, created_at, last_used_at, revoked_at`

func scanSCIMCredential(sc interface{ Scan(...any) error }) (model.SCIMCredential, error) {
	var (
		c             model.SCIMCredential
		groups        string
		created       int64
		used, revoked sql.NullInt64
	)
	if err := sc.Scan(&c.ID, &c.TenantID, &c.Name, &c.Prefix, &c.Hash, &c.ConnectionID, &c.ContextID, &groups,
		&c.DefaultDomain, &created, &used, &revoked); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(groups), &c.DefaultGroups); err != nil {
		return c, fmt.Errorf("scim credential %s: default groups: %w", c.ID, err)
	}
	if c.DefaultGroups == nil {
		c.DefaultGroups = []string{}
	}
	c.CreatedAt, c.LastUsedAt, c.RevokedAt = fromMicros(created), fromNullMicros(used), fromNullMicros(revoked)
	return c, nil
}

// CreateSCIMCredential implements storage.SCIM.
func (s *Store) CreateSCIMCredential(ctx context.Context, c model.SCIMCredential) (model.SCIMCredential, error) {
	if strings.TrimSpace(c.Name) == "" {
		return c, model.Invalid("name", "is required")
	}
	if len(c.Hash) != 64 {
		return c, model.Invalid("hash", "must be a hex SHA-256")
	}
	if c.ID == "" {
		c.ID = uuid.NewString()
	}
	if c.DefaultGroups == nil {
		c.DefaultGroups = []string{}
	}
	groups, err := json.Marshal(c.DefaultGroups)
	if err != nil {
		return c, fmt.Errorf("create scim credential: %w", err)
	}
	c.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	c.LastUsedAt, c.RevokedAt = nil, nil
	_, err = s.exec(ctx, `INSERT INTO scim_credentials (`+scimCredCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL)`,
		c.ID, c.TenantID, c.Name, c.Prefix, c.Hash, c.ConnectionID, c.ContextID, string(groups), c.DefaultDomain, micros(c.CreatedAt))
	if model.ErrorCode(err) == model.EINVALID {
		return c, model.Invalid("tenantId", "tenant %q does not exist", c.TenantID)
	}
	if err != nil {
		return c, fmt.Errorf("create scim credential: %w", err)
	}
	return c, nil
}

func (s *Store) getSCIMCredential(ctx context.Context, where string, arg string) (model.SCIMCredential, error) {
	c, err := scanSCIMCredential(s.queryRow(ctx, `SELECT `+scimCredCols+` FROM scim_credentials WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("scim credential: %w", model.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("get scim credential: %w", err)
	}
	return c, nil
}

// GetSCIMCredential implements storage.SCIM.
func (s *Store) GetSCIMCredential(ctx context.Context, id string) (model.SCIMCredential, error) {
	return s.getSCIMCredential(ctx, `id = $1`, id)
}

// GetSCIMCredentialByHash implements storage.SCIM.
func (s *Store) GetSCIMCredentialByHash(ctx context.Context, hash string) (model.SCIMCredential, error) {
	return s.getSCIMCredential(ctx, `hash = $1`, hash)
}

// ListSCIMCredentials implements storage.SCIM.
func (s *Store) ListSCIMCredentials(ctx context.Context, tenantID string) ([]model.SCIMCredential, error) {
	q, args := `SELECT `+scimCredCols+` FROM scim_credentials ORDER BY created_at, id`, []any{}
	if tenantID != "" {
		q, args = `SELECT `+scimCredCols+` FROM scim_credentials WHERE tenant_id = $1 ORDER BY created_at, id`, []any{tenantID}
	}
	return queryAll(ctx, s, "list scim credentials", q, scanSCIMCredential, args...)
}

// RevokeSCIMCredential implements storage.SCIM.
func (s *Store) RevokeSCIMCredential(ctx context.Context, id string, at time.Time) error {
	res, err := s.exec(ctx, `UPDATE scim_credentials SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, micros(at), id)
	if err != nil {
		return fmt.Errorf("revoke scim credential: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("scim credential", id)
	}
	return nil
}

// TouchSCIMCredential implements storage.SCIM.
func (s *Store) TouchSCIMCredential(ctx context.Context, id string, at time.Time) error {
	if _, err := s.exec(ctx, `UPDATE scim_credentials SET last_used_at = $1 WHERE id = $2`, micros(at), id); err != nil {
		return fmt.Errorf("touch scim credential: %w", err)
	}
	return nil
}

// PutSCIMUser implements storage.SCIM.
func (s *Store) PutSCIMUser(ctx context.Context, u storage.SCIMUser) (time.Time, error) {
	attrs := u.Attrs
	if len(attrs) == 0 {
		attrs = []byte("{}")
	}
	stamp := s.now().UTC().Truncate(time.Microsecond)
	err := s.inTx(ctx, func(tx *Store) error {
		if u.New {
			// Created in this transaction by the caller, in its tenant:
			// updated_at stays the creation's (returned as zero).
			stamp = time.Time{}
		} else {
			res, err := tx.exec(ctx, `UPDATE users SET updated_at = $1 WHERE id = $2 AND tenant_id = $3`, micros(stamp), u.UserID, u.TenantID)
			if err != nil {
				return fmt.Errorf("put scim user: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return notFound("user", u.UserID)
			}
		}
		if _, err := tx.exec(ctx, `INSERT INTO scim_users (user_id, tenant_id, external_id, credential_id, attrs) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (user_id) DO UPDATE SET external_id = excluded.external_id, credential_id = excluded.credential_id, attrs = excluded.attrs`,
			u.UserID, u.TenantID, u.ExternalID, u.CredentialID, string(attrs)); err != nil {
			return fmt.Errorf("put scim user: %w", err)
		}
		if !u.New {
			if _, err := tx.exec(ctx, `DELETE FROM scim_values WHERE user_id = $1`, u.UserID); err != nil {
				return fmt.Errorf("put scim user values: %w", err)
			}
		}
		// One multi-row INSERT for the values.
		seen := map[storage.SCIMValue]bool{}
		var (
			rows []string
			args []any
		)
		for _, v := range u.Values {
			v.Value = strings.ToLower(v.Value)
			if v.Value == "" || seen[v] {
				continue
			}
			seen[v] = true
			n := len(args)
			rows = append(rows, fmt.Sprintf("($%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4))
			args = append(args, u.UserID, u.TenantID, v.Attr, v.Value)
		}
		if len(rows) > 0 {
			if _, err := tx.exec(ctx, `INSERT INTO scim_values (user_id, tenant_id, attr, value_lc) VALUES `+strings.Join(rows, ", "), args...); err != nil {
				return fmt.Errorf("put scim user values: %w", err)
			}
		}
		return nil
	})
	return stamp, err
}

// GetSCIMUsers implements storage.SCIM.
func (s *Store) GetSCIMUsers(ctx context.Context, userIDs []string) (map[string]storage.SCIMUser, error) {
	out := map[string]storage.SCIMUser{}
	if len(userIDs) == 0 {
		return out, nil
	}
	rows, err := s.query(ctx, `SELECT user_id, tenant_id, external_id, credential_id, attrs FROM scim_users WHERE user_id IN (`+
		placeholders(1, len(userIDs))+`)`, anyArgs(userIDs)...)
	if err != nil {
		return nil, fmt.Errorf("get scim users: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			u     storage.SCIMUser
			attrs string
		)
		if err := rows.Scan(&u.UserID, &u.TenantID, &u.ExternalID, &u.CredentialID, &attrs); err != nil {
			return nil, fmt.Errorf("get scim users: %w", err)
		}
		u.Attrs = []byte(attrs)
		out[u.UserID] = u
	}
	return out, rows.Err()
}

// userColsQualified is userCols with every column qualified by "users.".
var userColsQualified = func() string {
	cols := strings.Split(userCols, ",")
	for i, c := range cols {
		cols[i] = "users." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}()

// SearchSCIMUsers implements storage.SCIM.
func (s *Store) SearchSCIMUsers(ctx context.Context, q storage.SCIMQuery) ([]storage.SCIMUserRow, int, error) {
	var f filter
	f.add(`users.tenant_id = ` + f.arg(q.TenantID))
	f.add(`users.status <> 'deleted'`)
	if q.Where != nil {
		w, err := scimWhere(&f, q.Where, q.TenantID, scimUserField)
		if err != nil {
			return nil, 0, err
		}
		f.add(w)
	}
	where := " WHERE " + strings.Join(f.where, " AND ")
	countArgs := append([]any(nil), f.args...)
	count := func() (int, error) {
		var total int
		if err := s.queryRow(ctx, `SELECT COUNT(*) FROM users`+where, countArgs...).Scan(&total); err != nil {
			return 0, fmt.Errorf("search scim users: %w", mapErr(err))
		}
		return total, nil
	}
	if q.Limit <= 0 {
		total, err := count()
		return []storage.SCIMUserRow{}, total, err
	}
	order, err := scimOrder(q, map[string]string{
		"": "users.created_at", storage.FieldID: "users.id", storage.FieldUserName: "users.login_lc",
		storage.FieldGivenName: "lower(users.first_name)", storage.FieldFamilyName: "lower(users.last_name)",
		storage.FieldEmail: "users.email_lc", storage.FieldCreated: "users.created_at", storage.FieldModified: "users.updated_at",
		storage.FieldExternalID: "(SELECT external_id FROM scim_users su WHERE su.user_id = users.id)",
	}, "users.id")
	if err != nil {
		return nil, 0, err
	}
	// One round trip: the page, each user's SCIM side and the total count
	// beside each row (a count query only when the page is empty).
	rows, err := s.query(ctx, `SELECT `+userColsQualified+`, COUNT(*) OVER (), COALESCE(sc.external_id, ''), COALESCE(sc.credential_id, ''),
		COALESCE(sc.attrs, '{}') FROM users LEFT JOIN scim_users sc ON sc.user_id = users.id`+where+` ORDER BY `+order+
		` LIMIT `+f.arg(q.Limit)+` OFFSET `+f.arg(q.Offset), f.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("search scim users: %w", err)
	}
	defer rows.Close()
	out := []storage.SCIMUserRow{}
	total := 0
	for rows.Next() {
		var (
			row   storage.SCIMUserRow
			attrs string
		)
		row.User, err = scanUser(withScan{rows, []any{&total, &row.SCIM.ExternalID, &row.SCIM.CredentialID, &attrs}})
		if err != nil {
			return nil, 0, fmt.Errorf("search scim users: %w", err)
		}
		row.SCIM.UserID, row.SCIM.TenantID, row.SCIM.Attrs = row.ID, row.TenantID, []byte(attrs)
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("search scim users: %w", err)
	}
	if len(out) == 0 {
		total, err = count()
	}
	return out, total, err
}

// SCIMUserGroups implements storage.SCIM.
func (s *Store) SCIMUserGroups(ctx context.Context, contextID string, userIDs []string) (map[string][]model.Group, error) {
	out := map[string][]model.Group{}
	if len(userIDs) == 0 {
		return out, nil
	}
	args := append([]any{contextID}, anyArgs(userIDs)...)
	rows, err := s.query(ctx, `SELECT m.user_id, g.id, g.name FROM memberships m JOIN user_groups g ON g.id = m.group_id
		WHERE g.context_id = $1 AND m.user_id IN (`+placeholders(2, len(userIDs))+`) ORDER BY g.name_lc, g.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("scim user groups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			uid string
			g   model.Group
		)
		if err := rows.Scan(&uid, &g.ID, &g.Name); err != nil {
			return nil, fmt.Errorf("scim user groups: %w", err)
		}
		out[uid] = append(out[uid], g)
	}
	return out, rows.Err()
}

// PutSCIMGroup implements storage.SCIM.
func (s *Store) PutSCIMGroup(ctx context.Context, g storage.SCIMGroup) error {
	return s.inTx(ctx, func(tx *Store) error {
		res, err := tx.exec(ctx, `UPDATE user_groups SET updated_at = $1 WHERE id = $2`, micros(tx.now().UTC()), g.GroupID)
		if err != nil {
			return fmt.Errorf("put scim group: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("group", g.GroupID)
		}
		if _, err := tx.exec(ctx, `DELETE FROM scim_groups WHERE group_id = $1`, g.GroupID); err != nil {
			return fmt.Errorf("put scim group: %w", err)
		}
		if _, err := tx.exec(ctx, `INSERT INTO scim_groups (group_id, tenant_id, external_id) VALUES ($1, $2, $3)`,
			g.GroupID, g.TenantID, g.ExternalID); err != nil {
			return fmt.Errorf("put scim group: %w", err)
		}
		return nil
	})
}

// GetSCIMGroups implements storage.SCIM.
func (s *Store) GetSCIMGroups(ctx context.Context, groupIDs []string) (map[string]storage.SCIMGroup, error) {
	out := map[string]storage.SCIMGroup{}
	if len(groupIDs) == 0 {
		return out, nil
	}
	rows, err := s.query(ctx, `SELECT group_id, tenant_id, external_id FROM scim_groups WHERE group_id IN (`+placeholders(1, len(groupIDs))+`)`, anyArgs(groupIDs)...)
	if err != nil {
		return nil, fmt.Errorf("get scim groups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g storage.SCIMGroup
		if err := rows.Scan(&g.GroupID, &g.TenantID, &g.ExternalID); err != nil {
			return nil, fmt.Errorf("get scim groups: %w", err)
		}
		out[g.GroupID] = g
	}
	return out, rows.Err()
}

// SearchSCIMGroups implements storage.SCIM.
func (s *Store) SearchSCIMGroups(ctx context.Context, q storage.SCIMQuery) ([]model.Group, int, error) {
	var f filter
	f.add(`user_groups.context_id = ` + f.arg(q.ContextID))
	if q.Where != nil {
		w, err := scimWhere(&f, q.Where, q.TenantID, scimGroupField)
		if err != nil {
			return nil, 0, err
		}
		f.add(w)
	}
	where := " WHERE " + strings.Join(f.where, " AND ")
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM user_groups`+where, f.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("search scim groups: %w", mapErr(err))
	}
	if q.Limit <= 0 || q.Offset >= total {
		return []model.Group{}, total, nil
	}
	order, err := scimOrder(q, map[string]string{
		"": "user_groups.created_at", storage.FieldID: "user_groups.id", storage.FieldDisplayName: "user_groups.name_lc",
		storage.FieldCreated: "user_groups.created_at", storage.FieldModified: "user_groups.updated_at",
	}, "user_groups.id")
	if err != nil {
		return nil, 0, err
	}
	gs, err := queryAll(ctx, s, "search scim groups", `SELECT `+groupCols+` FROM user_groups`+where+` ORDER BY `+order+
		` LIMIT `+f.arg(q.Limit)+` OFFSET `+f.arg(q.Offset), scanGroup, f.args...)
	return gs, total, err
}

// SCIMMembers implements storage.SCIM.
func (s *Store) SCIMMembers(ctx context.Context, groupID string) ([]storage.SCIMMember, error) {
	return queryAll(ctx, s, "scim members", `SELECT DISTINCT u.id, u.login_name FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.group_id = $1 ORDER BY u.id`, func(sc interface{ Scan(...any) error }) (storage.SCIMMember, error) {
		var m storage.SCIMMember
		return m, sc.Scan(&m.UserID, &m.LoginName)
	}, groupID)
}

// scimOrder is the ORDER BY of a search: the sort field, then the tie
// breaker, so pages never overlap.
func scimOrder(q storage.SCIMQuery, cols map[string]string, tie string) (string, error) {
	col, ok := cols[q.SortBy]
	if !ok {
		return "", model.Invalid("sortBy", "cannot sort by %q", q.SortBy)
	}
	dir := " ASC"
	if q.Descending {
		dir = " DESC"
	}
	return col + dir + ", " + tie + dir, nil
}

// scimKind says how a field compares.
type scimKind int

const (
	kindCaseless scimKind = iota // text compared lowercased
	kindExact                    // text compared as is
	kindBool                     // active
	kindTime                     // meta.created / lastModified
)

// scimField is where a field lives: a column expression, or a subquery
// over rows of a side table ("users.id IN (SELECT … AND <col> <op> $n)").
type scimField struct {
	kind scimKind
	// col is the column expression compared (in sub when set).
	col string
	// sub is the subquery's head, ending before the comparison; the
	// resource's key (users.id / user_groups.id) must be IN it.
	sub string
	// also is a column of the main table compared too, ORed (the primary
	// email or phone number kept in users).
	also string
	key  string
	// login: eq/ne compare the PRECIS key of the login name.
	login bool
}

func scimUserField(f *filter, name, tenant string) (scimField, bool) {
	t := func() string { return f.arg(tenant) }
	switch name {
	case storage.FieldID:
		return scimField{kind: kindExact, col: "users.id"}, true
	case storage.FieldUserName:
		return scimField{kind: kindCaseless, col: "users.login_lc", login: true}, true
	case storage.FieldExternalID:
		return scimField{kind: kindExact, key: "users.id", col: "external_id",
			sub: `SELECT user_id FROM scim_users WHERE tenant_id = ` + t() + ` AND `}, true
	case storage.FieldGivenName:
		return scimField{kind: kindCaseless, col: "lower(users.first_name)"}, true
	case storage.FieldFamilyName:
		return scimField{kind: kindCaseless, col: "lower(users.last_name)"}, true
	case storage.FieldLanguage:
		return scimField{kind: kindCaseless, col: "lower(users.language)"}, true
	case storage.FieldActive:
		return scimField{kind: kindBool, col: "users.status"}, true
	case storage.FieldCreated:
		return scimField{kind: kindTime, col: "users.created_at"}, true
	case storage.FieldModified:
		return scimField{kind: kindTime, col: "users.updated_at"}, true
	case storage.FieldEmail:
		return scimField{kind: kindCaseless, key: "users.id", col: "value_lc", also: "users.email_lc",
			sub: `SELECT user_id FROM scim_values WHERE tenant_id = ` + t() + ` AND attr = ` + f.arg(storage.FieldEmail) + ` AND `}, true
	case storage.FieldPhone:
		return scimField{kind: kindCaseless, key: "users.id", col: "value_lc", also: "lower(users.phone)",
			sub: `SELECT user_id FROM scim_values WHERE tenant_id = ` + t() + ` AND attr = ` + f.arg(storage.FieldPhone) + ` AND `}, true
	}
	if attr, ok := strings.CutPrefix(name, storage.FieldValue); ok && attr != "" {
		return scimField{kind: kindCaseless, key: "users.id", col: "value_lc",
			sub: `SELECT user_id FROM scim_values WHERE tenant_id = ` + t() + ` AND attr = ` + f.arg(attr) + ` AND `}, true
	}
	return scimField{}, false
}

func scimGroupField(f *filter, name, tenant string) (scimField, bool) {
	switch name {
	case storage.FieldID:
		return scimField{kind: kindExact, col: "user_groups.id"}, true
	case storage.FieldDisplayName:
		return scimField{kind: kindCaseless, col: "user_groups.name_lc"}, true
	case storage.FieldExternalID:
		return scimField{kind: kindExact, key: "user_groups.id", col: "external_id",
			sub: `SELECT group_id FROM scim_groups WHERE tenant_id = ` + f.arg(tenant) + ` AND `}, true
	case storage.FieldMember:
		return scimField{kind: kindExact, key: "user_groups.id", col: "user_id", sub: `SELECT group_id FROM memberships WHERE `}, true
	case storage.FieldCreated:
		return scimField{kind: kindTime, col: "user_groups.created_at"}, true
	case storage.FieldModified:
		return scimField{kind: kindTime, col: "user_groups.updated_at"}, true
	}
	return scimField{}, false
}

// scimMaxDepth bounds the nesting of a filter tree (the parser bounds its
// size already).
const scimMaxDepth = 32

// scimWhere translates a condition tree into SQL with arguments in f.
func scimWhere(f *filter, c *storage.SCIMCond, tenant string, field func(*filter, string, string) (scimField, bool)) (string, error) {
	return scimWhereDepth(f, c, tenant, field, 0)
}

func scimWhereDepth(f *filter, c *storage.SCIMCond, tenant string, field func(*filter, string, string) (scimField, bool), depth int) (string, error) {
	if c == nil || depth > scimMaxDepth {
		return "", model.Invalid("filter", "the filter is nested too deeply")
	}
	switch c.Op {
	case "and", "or":
		if len(c.Args) == 0 {
			return "", model.Invalid("filter", "%s without operands", c.Op)
		}
		parts := make([]string, len(c.Args))
		for i, a := range c.Args {
			p, err := scimWhereDepth(f, a, tenant, field, depth+1)
			if err != nil {
				return "", err
			}
			parts[i] = p
		}
		return "(" + strings.Join(parts, " "+strings.ToUpper(c.Op)+" ") + ")", nil
	case "not":
		if len(c.Args) != 1 {
			return "", model.Invalid("filter", "not takes one operand")
		}
		p, err := scimWhereDepth(f, c.Args[0], tenant, field, depth+1)
		if err != nil {
			return "", err
		}
		return "(NOT " + p + ")", nil
	}
	fd, ok := field(f, c.Field, tenant)
	if !ok {
		return "", model.Invalid("filter", "cannot filter by %q", c.Field)
	}
	if c.Op == "ne" {
		eq := *c
		eq.Op = "eq"
		p, err := scimCompare(f, fd, &eq)
		if err != nil {
			return "", err
		}
		return "(NOT " + p + ")", nil
	}
	return scimCompare(f, fd, c)
}

// scimCompare is one comparison (never "ne": scimWhere makes it NOT eq).
func scimCompare(f *filter, fd scimField, c *storage.SCIMCond) (string, error) {
	switch fd.kind {
	case kindBool:
		if c.Op == "pr" {
			return "(1 = 1)", nil
		}
		b, ok := c.Value.(bool)
		if !ok || c.Op != "eq" {
			return "", model.Invalid("filter", "%s compares with eq true or eq false", c.Field)
		}
		if b {
			return "(" + fd.col + " = 'active')", nil
		}
		return "(" + fd.col + " <> 'active')", nil
	case kindTime:
		if c.Op == "pr" {
			return "(1 = 1)", nil
		}
		t, ok := c.Value.(time.Time)
		op := map[string]string{"eq": "=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}[c.Op]
		if !ok || op == "" {
			return "", model.Invalid("filter", "%s compares with eq, gt, ge, lt or le and a date-time", c.Field)
		}
		return "(" + fd.col + " " + op + " " + f.arg(micros(t)) + ")", nil
	}
	var cond func(col string) string
	if c.Op == "pr" {
		cond = func(col string) string { return col + " <> ''" }
	} else {
		v, ok := c.Value.(string)
		if !ok {
			return "", model.Invalid("filter", "%s compares with a string", c.Field)
		}
		if fd.kind == kindCaseless {
			if fd.login && c.Op == "eq" {
				v = identity.LoginKeyOrLower(v)
			} else {
				v = strings.ToLower(v)
			}
		}
		var p string
		switch c.Op {
		case "eq", "gt", "ge", "lt", "le":
			p = f.arg(v)
		case "co":
			p = f.arg("%" + likeEscape(v) + "%")
		case "sw":
			p = f.arg(likeEscape(v) + "%")
		case "ew":
			p = f.arg("%" + likeEscape(v))
		default:
			return "", model.Invalid("filter", "unknown operator %q", c.Op)
		}
		op := map[string]string{"eq": "=", "gt": ">", "ge": ">=", "lt": "<", "le": "<=", "co": "LIKE", "sw": "LIKE", "ew": "LIKE"}[c.Op]
		esc := ""
		if op == "LIKE" {
			esc = ` ESCAPE '\'`
		}
		cond = func(col string) string { return col + " " + op + " " + p + esc }
	}
	if fd.sub == "" {
		return "(" + cond(fd.col) + ")", nil
	}
	in := fd.key + " IN (" + fd.sub + cond(fd.col) + ")"
	if fd.also != "" {
		return "(" + cond(fd.also) + " OR " + in + ")", nil
	}
	return "(" + in + ")", nil
}
