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

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

var _ storage.Federation = (*Store)(nil)

// Delegated login (SPEC.md §6): connections, verified domains, identity
// links. A connection's settings are one JSON document (config); the
// columns are what queries select on.

// connConfig is the stored JSON of a connection: everything but the
// columns.
type connConfig struct {
	LogoURL             string                   `json:"logoUrl,omitempty"`
	OIDC                model.OIDCSettings       `json:"oidc"`
	Mapping             model.ClaimMapping       `json:"mapping"`
	LinkByVerifiedEmail bool                     `json:"linkByVerifiedEmail,omitempty"`
	UserDomain          string                   `json:"userDomain,omitempty"`
	Domains             []model.ConnectionDomain `json:"domains,omitempty"`
	ProfileURL          string                   `json:"profileUrl,omitempty"`
	PasswordURL         string                   `json:"passwordUrl,omitempty"`
	Enforcement         string                   `json:"enforcement,omitempty"`
	EnforceGroups       []string                 `json:"enforceGroups,omitempty"`
	SAML                *model.SAMLSettings      `json:"saml,omitempty"`
}

const connCols = `id, tenant_id, kind, name, enabled, config, client_secret, version, created_at, updated_at, saml_keys`

func scanConnection(sc interface{ Scan(...any) error }) (model.Connection, error) {
	var (
		c        model.Connection
		cfg      string
		secret   []byte
		spKeys   []byte
		cr, upd  int64
		cfgValue connConfig
	)
	if err := sc.Scan(&c.ID, &c.TenantID, &c.Kind, &c.Name, &c.Enabled, &cfg, &secret, &c.Version, &cr, &upd, &spKeys); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(cfg), &cfgValue); err != nil {
		return c, fmt.Errorf("connection %s: stored settings: %w", c.ID, err)
	}
	c.LogoURL, c.OIDC, c.Mapping = cfgValue.LogoURL, cfgValue.OIDC, cfgValue.Mapping
	c.LinkByVerifiedEmail, c.UserDomain, c.Domains = cfgValue.LinkByVerifiedEmail, cfgValue.UserDomain, cfgValue.Domains
	c.ProfileURL, c.PasswordURL = cfgValue.ProfileURL, cfgValue.PasswordURL
	c.Enforcement, c.EnforceGroups = cfgValue.Enforcement, cfgValue.EnforceGroups
	if c.Enforcement == "" {
		c.Enforcement = model.EnforcementOff
	}
	if c.EnforceGroups == nil {
		c.EnforceGroups = []string{}
	}
	if c.Domains == nil {
		c.Domains = []model.ConnectionDomain{}
	}
	if len(secret) > 0 {
		c.SealedSecret, c.HasClientSecret = secret, true
	}
	if cfgValue.SAML != nil {
		c.SAML = *cfgValue.SAML
	}
	if len(spKeys) > 0 {
		c.SealedSPKeys = spKeys
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(cr), fromMicros(upd)
	return c, nil
}

func connConfigJSON(c model.Connection) (string, error) {
	cfg := connConfig{LogoURL: c.LogoURL, OIDC: c.OIDC, Mapping: c.Mapping,
		LinkByVerifiedEmail: c.LinkByVerifiedEmail, UserDomain: c.UserDomain, Domains: c.Domains,
		ProfileURL: c.ProfileURL, PasswordURL: c.PasswordURL, Enforcement: c.Enforcement, EnforceGroups: c.EnforceGroups}
	if c.Kind == model.ConnectionSAML {
		cfg.SAML = &c.SAML
	}
	b, err := json.Marshal(cfg)
	return string(b), err
}

func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// writeDomains replaces the verified domains of a connection; a domain
// held by another connection is ErrAlreadyExists.
func (s *Store) writeDomains(ctx context.Context, c model.Connection) error {
	if _, err := s.exec(ctx, `DELETE FROM connection_domains WHERE connection_id = $1`, c.ID); err != nil {
		return fmt.Errorf("connection domains: %w", err)
	}
	for _, d := range c.Domains {
		if !d.Verified {
			continue
		}
		if _, err := s.exec(ctx, `INSERT INTO connection_domains (domain, connection_id) VALUES ($1, $2)`,
			strings.ToLower(d.Domain), c.ID); err != nil {
			if errors.Is(err, model.ErrAlreadyExists) {
				return fmt.Errorf("verified domain %q: %w", d.Domain, err)
			}
			return fmt.Errorf("connection domains: %w", err)
		}
	}
	return nil
}

// CreateConnection implements storage.Federation.
func (s *Store) CreateConnection(ctx context.Context, c model.Connection) (model.Connection, error) {
	if c.ID == "" {
		c.ID = uuid.NewString()
	}
	c.Version = 1
	c.CreatedAt = s.now().UTC()
	c.UpdatedAt = c.CreatedAt
	if c.Domains == nil {
		c.Domains = []model.ConnectionDomain{}
	}
	cfg, err := connConfigJSON(c)
	if err != nil {
		return c, err
	}
	err = s.inTx(ctx, func(tx *Store) error {
		if _, err := tx.exec(ctx, `INSERT INTO connections (`+connCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			c.ID, c.TenantID, c.Kind, c.Name, c.Enabled, cfg, nullBytes(c.SealedSecret), c.Version,
			micros(c.CreatedAt), micros(c.UpdatedAt), nullBytes(c.SealedSPKeys)); err != nil {
			return fmt.Errorf("create connection: %w", err)
		}
		return tx.writeDomains(ctx, c)
	})
	c.HasClientSecret = len(c.SealedSecret) > 0
	return c, err
}

func (s *Store) getConnection(ctx context.Context, id string, forUpdate bool) (model.Connection, error) {
	q := `SELECT ` + connCols + ` FROM connections WHERE id = $1`
	if forUpdate {
		q += " FOR UPDATE"
	}
	c, err := scanConnection(s.queryRow(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound("connection", id)
	}
	if err != nil {
		return c, fmt.Errorf("get connection: %w", err)
	}
	return c, nil
}

// GetConnection implements storage.Federation.
func (s *Store) GetConnection(ctx context.Context, id string) (model.Connection, error) {
	return s.getConnection(ctx, id, false)
}

// ConnectionVersion implements storage.Federation.
func (s *Store) ConnectionVersion(ctx context.Context, id string) (int64, error) {
	var v int64
	err := s.queryRow(ctx, `SELECT version FROM connections WHERE id = $1`, id).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("connection", id)
	}
	if err != nil {
		return 0, fmt.Errorf("connection version: %w", err)
	}
	return v, nil
}

// ListConnections implements storage.Federation.
func (s *Store) ListConnections(ctx context.Context, tenantID string) ([]model.Connection, error) {
	q, args := `SELECT `+connCols+` FROM connections ORDER BY name, id`, []any{}
	if tenantID != "" {
		q, args = `SELECT `+connCols+` FROM connections WHERE tenant_id = $1 ORDER BY name, id`, []any{tenantID}
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	defer rows.Close()
	out := []model.Connection{}
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, fmt.Errorf("list connections: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// UpdateConnection implements storage.Federation.
func (s *Store) UpdateConnection(ctx context.Context, id string, fn func(model.Connection) (model.Connection, error)) (model.Connection, error) {
	var out model.Connection
	err := s.inTx(ctx, func(tx *Store) error {
		old, err := tx.getConnection(ctx, id, true)
		if err != nil {
			return err
		}
		c, err := fn(old)
		if err != nil {
			return err
		}
		c.ID, c.TenantID, c.CreatedAt = old.ID, old.TenantID, old.CreatedAt
		c.Version = old.Version + 1
		c.UpdatedAt = s.now().UTC()
		if c.Domains == nil {
			c.Domains = []model.ConnectionDomain{}
		}
		cfg, err := connConfigJSON(c)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE connections SET kind = $1, name = $2, enabled = $3, config = $4, client_secret = $5,
			version = $6, updated_at = $7, saml_keys = $8 WHERE id = $9`,
			c.Kind, c.Name, c.Enabled, cfg, nullBytes(c.SealedSecret), c.Version, micros(c.UpdatedAt), nullBytes(c.SealedSPKeys), id); err != nil {
			return fmt.Errorf("update connection: %w", err)
		}
		if err := tx.writeDomains(ctx, c); err != nil {
			return err
		}
		c.HasClientSecret = len(c.SealedSecret) > 0
		out = c
		return nil
	})
	return out, err
}

// DeleteConnection implements storage.Federation.
func (s *Store) DeleteConnection(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *Store) error {
		// The links and domains go with it (ON DELETE CASCADE); deleted
		// explicitly as well, so the rule does not hang on the pragma.
		if _, err := tx.exec(ctx, `DELETE FROM identity_links WHERE connection_id = $1`, id); err != nil {
			return fmt.Errorf("delete connection links: %w", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM saml_assertions WHERE connection_id = $1`, id); err != nil {
			return fmt.Errorf("delete connection assertion ids: %w", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM connection_domains WHERE connection_id = $1`, id); err != nil {
			return fmt.Errorf("delete connection domains: %w", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM organisation_links WHERE connection_id = $1`, id); err != nil {
			return fmt.Errorf("delete connection organisations: %w", err)
		}
		res, err := tx.exec(ctx, `DELETE FROM connections WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete connection: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("connection", id)
		}
		return nil
	})
}

// ConnectionByDomain implements storage.Federation.
func (s *Store) ConnectionByDomain(ctx context.Context, domain string) (model.Connection, error) {
	var id string
	err := s.queryRow(ctx, `SELECT connection_id FROM connection_domains WHERE domain = $1`, strings.ToLower(domain)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Connection{}, notFound("connection for domain", domain)
	}
	if err != nil {
		return model.Connection{}, fmt.Errorf("connection by domain: %w", err)
	}
	return s.getConnection(ctx, id, false)
}

const linkCols = `connection_id, subject, user_id, email, created_at, last_login, upstream`

func scanLink(sc interface{ Scan(...any) error }) (model.IdentityLink, error) {
	var (
		l       model.IdentityLink
		cr, lst int64
		up      string
	)
	err := sc.Scan(&l.ConnectionID, &l.Subject, &l.UserID, &l.Email, &cr, &lst, &up)
	l.CreatedAt, l.LastLogin = fromMicros(cr), fromMicros(lst)
	if up != "" {
		l.Upstream = []byte(up)
	}
	return l, err
}

// LinkIdentity implements storage.Federation: the primary key (connection,
// subject) decides concurrent first logins.
func (s *Store) LinkIdentity(ctx context.Context, l model.IdentityLink) error {
	if l.ConnectionID == "" || l.Subject == "" || l.UserID == "" {
		return model.Invalid("subject", "a link needs a connection, a subject and a user")
	}
	now := s.now().UTC()
	if l.CreatedAt.IsZero() {
		l.CreatedAt = now
	}
	if l.LastLogin.IsZero() {
		l.LastLogin = now
	}
	if _, err := s.exec(ctx, `INSERT INTO identity_links (`+linkCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		l.ConnectionID, l.Subject, l.UserID, l.Email, micros(l.CreatedAt), micros(l.LastLogin), string(l.Upstream)); err != nil {
		return fmt.Errorf("link identity: %w", err)
	}
	return nil
}

// GetIdentityLink implements storage.Federation.
func (s *Store) GetIdentityLink(ctx context.Context, connectionID, subject string) (model.IdentityLink, error) {
	l, err := scanLink(s.queryRow(ctx, `SELECT `+linkCols+` FROM identity_links WHERE connection_id = $1 AND subject = $2`, connectionID, subject))
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("identity link: %w", model.ErrNotFound)
	}
	if err != nil {
		return l, fmt.Errorf("identity link: %w", err)
	}
	return l, nil
}

// SetLinkUpstream implements storage.Federation.
func (s *Store) SetLinkUpstream(ctx context.Context, connectionID, subject string, upstream []byte) error {
	res, err := s.exec(ctx, `UPDATE identity_links SET upstream = $1 WHERE connection_id = $2 AND subject = $3`,
		string(upstream), connectionID, subject)
	if err != nil {
		return fmt.Errorf("set link upstream: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("identity link: %w", model.ErrNotFound)
	}
	return nil
}

// TouchIdentityLink implements storage.Federation.
func (s *Store) TouchIdentityLink(ctx context.Context, l model.IdentityLink) error {
	if l.LastLogin.IsZero() {
		l.LastLogin = s.now().UTC()
	}
	res, err := s.exec(ctx, `UPDATE identity_links SET email = $1, last_login = $2 WHERE connection_id = $3 AND subject = $4`,
		l.Email, micros(l.LastLogin), l.ConnectionID, l.Subject)
	if err != nil {
		return fmt.Errorf("touch identity link: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("identity link: %w", model.ErrNotFound)
	}
	return nil
}

// UserIdentityLinks implements storage.Federation.
func (s *Store) UserIdentityLinks(ctx context.Context, userID string) ([]model.IdentityLink, error) {
	rows, err := s.query(ctx, `SELECT `+linkCols+` FROM identity_links WHERE user_id = $1 ORDER BY connection_id, subject`, userID)
	if err != nil {
		return nil, fmt.Errorf("user identity links: %w", err)
	}
	defer rows.Close()
	out := []model.IdentityLink{}
	for rows.Next() {
		l, err := scanLink(rows)
		if err != nil {
			return nil, fmt.Errorf("user identity links: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// DeleteUserIdentityLinks implements storage.Federation.
func (s *Store) DeleteUserIdentityLinks(ctx context.Context, userID string) error {
	if _, err := s.exec(ctx, `DELETE FROM identity_links WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete user identity links: %w", err)
	}
	return nil
}

// UsersByEmail implements storage.Federation (index users_email on
// email_lc).
func (s *Store) UsersByEmail(ctx context.Context, tenantID, email string, limit int) ([]model.User, error) {
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	rows, err := s.query(ctx, `SELECT `+userCols+` FROM users WHERE email_lc = $1 AND tenant_id = $2 AND status <> 'deleted'
		ORDER BY id LIMIT $3`, strings.ToLower(email), tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("users by email: %w", err)
	}
	var out []model.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("users by email: %w", err)
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("users by email: %w", err)
	}
	return out, s.fillUsers(ctx, out)
}

// ContextsByNumber implements storage.Federation.
func (s *Store) ContextsByNumber(ctx context.Context, tenantID, number string) ([]model.Context, error) {
	rows, err := s.query(ctx, `SELECT `+contextCols+` FROM contexts WHERE number_lc = $1 AND tenant_id = $2 ORDER BY id LIMIT 10`,
		strings.ToLower(number), tenantID)
	if err != nil {
		return nil, fmt.Errorf("contexts by number: %w", err)
	}
	defer rows.Close()
	var out []model.Context
	for rows.Next() {
		c, _, err := scanContext(rows)
		if err != nil {
			return nil, fmt.Errorf("contexts by number: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// EnsureFederationKey implements storage.Federation: an INSERT that does
// nothing on a taken id, then a read — race-free on both backends.
func (s *Store) EnsureFederationKey(ctx context.Context, k storage.FederationKey) (storage.FederationKey, error) {
	if _, err := s.exec(ctx, `INSERT INTO federation_keys (id, private_pem, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
		k.ID, k.PrivatePEM, micros(k.CreatedAt)); err != nil {
		return k, fmt.Errorf("store federation key: %w", err)
	}
	var (
		out storage.FederationKey
		cr  int64
	)
	if err := s.queryRow(ctx, `SELECT id, private_pem, created_at FROM federation_keys WHERE id = $1`, k.ID).Scan(&out.ID, &out.PrivatePEM, &cr); err != nil {
		return out, fmt.Errorf("read federation key: %w", err)
	}
	out.CreatedAt = fromMicros(cr)
	return out, nil
}

// UseAssertionID implements storage.Federation: the primary key
// (connection, assertion id) makes the insert the one atomic use; a row
// already there and not expired is a replay. An expired row left before a
// purge is taken over (its assertion would be refused as expired anyway).
func (s *Store) UseAssertionID(ctx context.Context, connectionID, assertionID string, until time.Time) error {
	if connectionID == "" || assertionID == "" {
		return model.Invalid("assertionId", "a connection and an assertion id are required")
	}
	res, err := s.exec(ctx, `INSERT INTO saml_assertions (connection_id, assertion_id, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (connection_id, assertion_id) DO UPDATE SET expires_at = excluded.expires_at
		WHERE saml_assertions.expires_at <= $4`,
		connectionID, assertionID, micros(until), micros(s.now()))
	if err != nil {
		return fmt.Errorf("use assertion id: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("use assertion id: %w", err)
	} else if n == 0 {
		return storage.ErrReplay
	}
	return nil
}
