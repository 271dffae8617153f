package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sesame-sso/sesame/internal/fault"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// CookieName is the SSO session cookie on plain-http deployments and when
// the external URL has a path.
const CookieName = "sesame_session"

// HostCookieName is the cookie's name on https deployments at the root
// path: browsers accept a "__Host-" cookie only with Secure, Path=/ and no
// Domain (RFC 6265bis §4.1.3.2), so no sibling subdomain or plain-http
// page can set or shadow it.
const HostCookieName = "__Host-" + CookieName

// touchEvery bounds how often a session's last use is written.
const touchEvery = time.Minute

// Store is what the session manager reads and writes: the sessions area,
// and users when no cached User lookup is given.
type Store interface {
	storage.Sessions
	GetUser(ctx context.Context, id string) (model.User, error)
}

// Manager starts, reads and ends sessions.
type Manager struct {
	Store Store
	// User reads a session's user (a cached lookup); Store.GetUser when nil.
	User func(ctx context.Context, id string) (model.User, error)
	// TTL is the absolute timeout: a session ends this long after login.
	TTL time.Duration
	// IdleTimeout, when positive, ends a session not used for that long
	// (its last use is recorded at most once a minute).
	IdleTimeout time.Duration
	Secure      bool
	// HostPrefix names the cookie HostCookieName (needs Secure).
	HostPrefix bool
	Now        func() time.Time
}

// CookieName is the name of the session cookie this manager sets and reads.
func (m *Manager) CookieName() string {
	if m.HostPrefix && m.Secure {
		return HostCookieName
	}
	return CookieName
}

// Token returns a random 256-bit token, URL-safe.
func Token() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Hash is the stored key of a token.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (m *Manager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// Current returns the request's live session and its active user. A
// store failure reads as "no session": callers that would then ask for a
// login use Lookup instead.
func (m *Manager) Current(r *http.Request) (model.Session, model.User, bool) {
	s, u, ok, _ := m.Lookup(r)
	return s, u, ok
}

// Lookup is Current with the store's failures reported: err is set when
// the session could not be read (a database outage), which is not the
// same as having none — the caller answers 503, not a login prompt
// (issue 8 item 23).
func (m *Manager) Lookup(r *http.Request) (model.Session, model.User, bool, error) {
	c, err := r.Cookie(m.CookieName())
	if err != nil || len(c.Value) < 20 || len(c.Value) > 100 {
		return model.Session{}, model.User{}, false, nil
	}
	s, err := m.live(r.Context(), Hash(c.Value))
	if fault.Storage(err) {
		return model.Session{}, model.User{}, false, fmt.Errorf("read session: %w", err)
	}
	if err != nil {
		return model.Session{}, model.User{}, false, nil
	}
	getUser := m.Store.GetUser
	if m.User != nil {
		getUser = m.User
	}
	u, err := getUser(r.Context(), s.UserID)
	if fault.Storage(err) {
		return model.Session{}, model.User{}, false, fmt.Errorf("read session user: %w", err)
	}
	if err != nil || u.Status != model.StatusActive {
		return model.Session{}, model.User{}, false, nil
	}
	return s, u, true, nil
}

// live reads a session under the absolute and, when set, the idle
// timeout, and records the use (at most once per touchEvery).
func (m *Manager) live(ctx context.Context, id string) (model.Session, error) {
	now := m.now()
	if m.IdleTimeout <= 0 {
		return m.Store.GetSession(ctx, id, now)
	}
	s, err := m.Store.GetActiveSession(ctx, id, now, now.Add(-m.IdleTimeout))
	if err != nil {
		return s, err
	}
	if now.Sub(s.AuthTime) >= touchEvery && now.Sub(s.LastSeen) >= touchEvery {
		// Best effort: a failed write costs at most an early idle end.
		_ = m.Store.TouchSession(ctx, s.ID, now, now.Add(-touchEvery))
	}
	return s, nil
}

// Start ends any session the request carries and starts a new one for u;
// of tmpl it takes the context, source address, amr and LoginFor (the
// login engine's finish step fills them).
func (m *Manager) Start(w http.ResponseWriter, r *http.Request, u model.User, tmpl model.Session) (model.Session, error) {
	if c, err := r.Cookie(m.CookieName()); err == nil {
		_ = m.Store.DeleteSession(r.Context(), Hash(c.Value))
	}
	tok := Token()
	now := m.now().UTC()
	s := model.Session{ID: Hash(tok), UserID: u.ID, ContextID: tmpl.ContextID, AuthTime: now, ExpiresAt: now.Add(m.TTL),
		SourceIP: tmpl.SourceIP, AMR: tmpl.AMR, LoginFor: tmpl.LoginFor, ConnectionID: tmpl.ConnectionID, Upstream: tmpl.Upstream}
	if err := m.Store.CreateSession(r.Context(), s); err != nil {
		return s, fmt.Errorf("start session: %w", err)
	}
	http.SetCookie(w, &http.Cookie{Name: m.CookieName(), Value: tok, Path: "/", HttpOnly: true, Secure: m.Secure,
		SameSite: http.SameSiteLaxMode, Expires: s.ExpiresAt})
	return s, nil
}

// End deletes the request's session and clears the cookie; it returns the
// ended session (for single logout) when there was one.
func (m *Manager) End(w http.ResponseWriter, r *http.Request) (model.Session, bool) {
	http.SetCookie(w, &http.Cookie{Name: m.CookieName(), Value: "", Path: "/", HttpOnly: true, Secure: m.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	c, err := r.Cookie(m.CookieName())
	if err != nil {
		return model.Session{}, false
	}
	s, err := m.Store.GetSession(r.Context(), Hash(c.Value), m.now())
	if errors.Is(err, model.ErrNotFound) || err != nil {
		return model.Session{}, false
	}
	_ = m.Store.DeleteSession(context.WithoutCancel(r.Context()), s.ID)
	return s, true
}
