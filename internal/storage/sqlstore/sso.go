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
)

const clientCols = `id, name, module, protocol, redirect_uris, service_patterns, grant_types, public, secret_hash, logout_url, access_ttl_ms, refresh_ttl_ms, created_at, allowed_scopes, audience, policy_decision, web_origins, development, cas_principal`

func scanClient(sc interface{ Scan(...any) error }) (model.Client, error) {
	var (
		c                   model.Client
		ru, sp, gt          string
		as, au, wo          string
		accessMS, refreshMS int64
		created             int64
	)
	if err := sc.Scan(&c.ID, &c.Name, &c.Module, &c.Protocol, &ru, &sp, &gt, &c.Public, &c.SecretHash, &c.LogoutURL, &accessMS, &refreshMS, &created, &as, &au, &c.PolicyDecision, &wo, &c.Development, &c.CASPrincipal); err != nil {
		return c, err
	}
	for _, x := range []struct {
		raw string
		dst *[]string
	}{{ru, &c.RedirectURIs}, {sp, &c.ServicePatterns}, {gt, &c.GrantTypes}, {as, &c.AllowedScopes}, {au, &c.Audience}, {wo, &c.WebOrigins}} {
		if err := json.Unmarshal([]byte(x.raw), x.dst); err != nil {
			return c, fmt.Errorf("client %s: %w", c.ID, err)
		}
	}
	c.AccessTTL, c.RefreshTTL = time.Duration(accessMS)*time.Millisecond, time.Duration(refreshMS)*time.Millisecond
	c.CreatedAt = fromMicros(created)
	return c, nil
}

func jsonList(xs []string) string {
	if xs == nil {
		xs = []string{}
	}
	b, _ := json.Marshal(xs)
	return string(b)
}

func validateClient(c model.Client) error {
	if strings.TrimSpace(c.Name) == "" || len(c.Name) > 200 {
		return model.Invalid("name", "is required (at most 200 characters)")
	}
	if c.Protocol != model.ProtocolOIDC && c.Protocol != model.ProtocolCAS {
		return model.Invalid("protocol", "must be oidc or cas")
	}
	if c.CASPrincipal != "" && c.CASPrincipal != model.CASPrincipalID && c.CASPrincipal != model.CASPrincipalTenantLogin {
		return model.Invalid("casPrincipal", "must be %q or %q", model.CASPrincipalID, model.CASPrincipalTenantLogin)
	}
	return nil
}

// CreateClient implements storage.Storage.
func (s *Store) CreateClient(ctx context.Context, c model.Client) (model.Client, error) {
	if err := validateClient(c); err != nil {
		return c, err
	}
	if c.ID == "" {
		c.ID = uuid.NewString()
	}
	c.CreatedAt = s.now().UTC()
	if c.CASPrincipal == "" {
		c.CASPrincipal = model.CASPrincipalID
	}
	_, err := s.exec(ctx, `INSERT INTO clients (`+clientCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		c.ID, c.Name, c.Module, c.Protocol, jsonList(c.RedirectURIs), jsonList(c.ServicePatterns), jsonList(c.GrantTypes),
		c.Public, c.SecretHash, c.LogoutURL, c.AccessTTL.Milliseconds(), c.RefreshTTL.Milliseconds(), micros(c.CreatedAt),
		jsonList(c.AllowedScopes), jsonList(c.Audience), c.PolicyDecision, jsonList(c.WebOrigins), c.Development, c.CASPrincipal)
	if model.ErrorCode(err) == model.EINVALID {
		return c, model.Invalid("module", "module %q does not exist", c.Module)
	}
	if err != nil {
		return c, fmt.Errorf("create client: %w", err)
	}
	return c, nil
}

func (s *Store) getClient(ctx context.Context, id string, forUpdate bool) (model.Client, error) {
	q := `SELECT ` + clientCols + ` FROM clients WHERE id = $1`
	if forUpdate {
		q += " FOR UPDATE"
	}
	c, err := scanClient(s.queryRow(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound("client", id)
	}
	return c, err
}

// GetClient implements storage.Storage.
func (s *Store) GetClient(ctx context.Context, id string) (model.Client, error) {
	return s.getClient(ctx, id, false)
}

// UpdateClient implements storage.Storage.
func (s *Store) UpdateClient(ctx context.Context, id string, fn func(model.Client) (model.Client, error)) (model.Client, error) {
	var out model.Client
	err := s.inTx(ctx, func(tx *Store) error {
		old, err := tx.getClient(ctx, id, true)
		if err != nil {
			return err
		}
		c, err := fn(old)
		if err != nil {
			return err
		}
		c.ID, c.CreatedAt = old.ID, old.CreatedAt
		if c.CASPrincipal == "" {
			c.CASPrincipal = model.CASPrincipalID
		}
		if err := validateClient(c); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE clients SET name = $1, module = $2, protocol = $3, redirect_uris = $4, service_patterns = $5,
			grant_types = $6, public = $7, secret_hash = $8, logout_url = $9, access_ttl_ms = $10, refresh_ttl_ms = $11,
			allowed_scopes = $12, audience = $13, policy_decision = $14, web_origins = $15, development = $16, cas_principal = $17 WHERE id = $18`,
			c.Name, c.Module, c.Protocol, jsonList(c.RedirectURIs), jsonList(c.ServicePatterns), jsonList(c.GrantTypes),
			c.Public, c.SecretHash, c.LogoutURL, c.AccessTTL.Milliseconds(), c.RefreshTTL.Milliseconds(),
			jsonList(c.AllowedScopes), jsonList(c.Audience), c.PolicyDecision, jsonList(c.WebOrigins), c.Development, c.CASPrincipal, id); err != nil {
			if model.ErrorCode(err) == model.EINVALID {
				return model.Invalid("module", "module %q does not exist", c.Module)
			}
			return fmt.Errorf("update client: %w", err)
		}
		out = c
		return nil
	})
	return out, err
}

// DeleteClient implements storage.Storage.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	res, err := s.exec(ctx, `DELETE FROM clients WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete client: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("client", id)
	}
	return nil
}

// ListClients implements storage.Storage.
func (s *Store) ListClients(ctx context.Context, protocol string) ([]model.Client, error) {
	q, args := `SELECT `+clientCols+` FROM clients`, []any{}
	if protocol != "" {
		q += ` WHERE protocol = $1`
		args = append(args, protocol)
	}
	rows, err := s.query(ctx, q+` ORDER BY name, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list clients: %w", err)
	}
	defer rows.Close()
	var out []model.Client
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CreateSession implements storage.Storage.
func (s *Store) CreateSession(ctx context.Context, ss model.Session) error {
	if _, err := s.exec(ctx, `INSERT INTO sso_sessions (id, user_id, context_id, auth_time, expires_at, source_ip, amr, login_for, connection_id, upstream) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		ss.ID, ss.UserID, ss.ContextID, micros(ss.AuthTime), micros(ss.ExpiresAt), ss.SourceIP, strings.Join(ss.AMR, " "), ss.LoginFor, ss.ConnectionID, nullBytes(ss.Upstream)); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// GetSession implements storage.Storage.
func (s *Store) GetSession(ctx context.Context, id string, now time.Time) (model.Session, error) {
	var (
		ss          model.Session
		auth, until int64
		amr         string
	)
	err := s.queryRow(ctx, `SELECT id, user_id, context_id, auth_time, expires_at, source_ip, amr, login_for, connection_id, upstream FROM sso_sessions WHERE id = $1 AND expires_at > $2`,
		id, micros(now)).Scan(&ss.ID, &ss.UserID, &ss.ContextID, &auth, &until, &ss.SourceIP, &amr, &ss.LoginFor, &ss.ConnectionID, &ss.Upstream)
	ss.AMR = splitAMR(amr)
	if errors.Is(err, sql.ErrNoRows) {
		return ss, fmt.Errorf("session: %w", model.ErrNotFound)
	}
	if err != nil {
		return ss, fmt.Errorf("get session: %w", err)
	}
	ss.AuthTime, ss.ExpiresAt = fromMicros(auth), fromMicros(until)
	return ss, nil
}

// SetSessionUpstream implements storage.Sessions.
func (s *Store) SetSessionUpstream(ctx context.Context, id string, upstream []byte) error {
	res, err := s.exec(ctx, `UPDATE sso_sessions SET upstream = $2 WHERE id = $1`, id, nullBytes(upstream))
	if err != nil {
		return fmt.Errorf("set session upstream: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("session: %w", model.ErrNotFound)
	}
	return nil
}

// DeleteSession implements storage.Storage.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if _, err := s.exec(ctx, `DELETE FROM sso_sessions WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// ListUserSessions implements storage.Storage.
func (s *Store) ListUserSessions(ctx context.Context, userID string) ([]model.Session, error) {
	rows, err := s.query(ctx, `SELECT id, user_id, context_id, auth_time, expires_at, source_ip, amr, last_seen_at, connection_id FROM sso_sessions WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list user sessions: %w", err)
	}
	defer rows.Close()
	var out []model.Session
	for rows.Next() {
		var (
			ss          model.Session
			auth, until int64
			amr         string
			seen        int64
		)
		if err := rows.Scan(&ss.ID, &ss.UserID, &ss.ContextID, &auth, &until, &ss.SourceIP, &amr, &seen, &ss.ConnectionID); err != nil {
			return nil, err
		}
		ss.AuthTime, ss.ExpiresAt, ss.AMR = fromMicros(auth), fromMicros(until), splitAMR(amr)
		if seen != 0 {
			ss.LastSeen = fromMicros(seen)
		}
		out = append(out, ss)
	}
	return out, rows.Err()
}

// DeleteUserSessions implements storage.Storage.
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) ([]string, error) {
	defer s.wlock()()
	rows, err := s.query(ctx, `DELETE FROM sso_sessions WHERE user_id = $1 RETURNING id`, userID)
	if err != nil {
		return nil, fmt.Errorf("delete user sessions: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// AddSessionService implements storage.Storage.
func (s *Store) AddSessionService(ctx context.Context, ss model.SessionService) error {
	if _, err := s.exec(ctx, `INSERT INTO sso_session_services (session_id, client_id, service, ticket) VALUES ($1, $2, $3, $4)
		ON CONFLICT (session_id, client_id, service) DO UPDATE SET ticket = excluded.ticket`,
		ss.SessionID, ss.ClientID, ss.Service, ss.Ticket); err != nil {
		return fmt.Errorf("add session service: %w", err)
	}
	return nil
}

// SessionServices implements storage.Storage.
func (s *Store) SessionServices(ctx context.Context, sessionID string) ([]model.SessionService, error) {
	rows, err := s.query(ctx, `SELECT session_id, client_id, service, ticket FROM sso_session_services WHERE session_id = $1 ORDER BY client_id, service`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("session services: %w", err)
	}
	defer rows.Close()
	var out []model.SessionService
	for rows.Next() {
		var x model.SessionService
		if err := rows.Scan(&x.SessionID, &x.ClientID, &x.Service, &x.Ticket); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// CreateTicket implements storage.Storage. Service and proxy tickets live
// seconds and take the fast path; a proxy-granting ticket lives as long as
// its session and is committed durably (issue 8 item 24).
func (s *Store) CreateTicket(ctx context.Context, t model.Ticket) error {
	exec := s.ephExec
	if t.Kind == model.TicketProxyGranting {
		exec = s.exec
	}
	if _, err := exec(ctx, `INSERT INTO cas_tickets (id, kind, service, client_id, user_id, session_id, context_id, renewed, expires_at, proxies)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		t.ID, t.Kind, t.Service, t.ClientID, t.UserID, t.SessionID, t.ContextID, t.Renewed, micros(t.ExpiresAt), strings.Join(t.Proxies, "\n")); err != nil {
		return fmt.Errorf("create ticket: %w", err)
	}
	return nil
}

// ConsumeTicket implements storage.Storage: DELETE … RETURNING is atomic on
// both backends, so of two concurrent validations exactly one gets the row.
// Outside a transaction, concurrent calls share one statement (see
// ticketBatcher).
func (s *Store) ConsumeTicket(ctx context.Context, id string, now time.Time) (model.Ticket, error) {
	var (
		t   model.Ticket
		err error
	)
	if s.tx == nil {
		t, err = s.tickets.consume(ctx, s, id)
	} else {
		t, err = scanTicket(s.queryRow(ctx, `DELETE FROM cas_tickets WHERE id = $1 RETURNING `+ticketCols, id))
		if errors.Is(err, sql.ErrNoRows) {
			err = fmt.Errorf("ticket: %w", model.ErrNotFound)
		}
	}
	if errors.Is(err, model.ErrNotFound) {
		return model.Ticket{}, err
	}
	if err != nil {
		return model.Ticket{}, fmt.Errorf("consume ticket: %w", err)
	}
	if !t.ExpiresAt.After(now) {
		return model.Ticket{}, fmt.Errorf("ticket expired: %w", model.ErrNotFound)
	}
	return t, nil
}

const ticketCols = `id, kind, service, client_id, user_id, session_id, context_id, renewed, expires_at, proxies`

func scanTicket(sc interface{ Scan(...any) error }) (model.Ticket, error) {
	var (
		t       model.Ticket
		until   int64
		proxies string
	)
	if err := sc.Scan(&t.ID, &t.Kind, &t.Service, &t.ClientID, &t.UserID, &t.SessionID, &t.ContextID, &t.Renewed, &until, &proxies); err != nil {
		return model.Ticket{}, err
	}
	t.ExpiresAt = fromMicros(until)
	if proxies != "" {
		t.Proxies = strings.Split(proxies, "\n")
	}
	return t, nil
}

// GetTicket implements storage.Storage.
func (s *Store) GetTicket(ctx context.Context, id string, now time.Time) (model.Ticket, error) {
	t, err := scanTicket(s.queryRow(ctx, `SELECT `+ticketCols+` FROM cas_tickets WHERE id = $1 AND expires_at > $2`, id, micros(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("ticket: %w", model.ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("get ticket: %w", err)
	}
	return t, nil
}

// splitAMR reads the space-separated amr column.
func splitAMR(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Fields(s)
}
