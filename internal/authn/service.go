package authn

import (
	"context"
	"log/slog"
	"time"

	"github.com/sesame-sso/sesame/internal/metrics"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// Store is what credential checks read and write: the login lookup
// (storage.Identity), API keys and their users, login times, and the
// audit log.
type Store interface {
	storage.Identity
	GetUser(ctx context.Context, id string) (model.User, error)
	GetAPIKeyByHash(ctx context.Context, hash string) (model.APIKey, error)
	TouchAPIKey(ctx context.Context, id string, at time.Time) error
	GetSCIMCredentialByHash(ctx context.Context, hash string) (model.SCIMCredential, error)
	TouchSCIMCredential(ctx context.Context, id string, at time.Time) error
	AppendAudit(ctx context.Context, e model.AuditEvent) error
}

// How a caller authenticated (AuthenticateBasic; directory.Actor.Via).
const (
	// ViaBasic: HTTP Basic with a login name and password.
	ViaBasic = "basic"
	// ViaAPIKey: a user API key, as a Basic password or a bearer token.
	ViaAPIKey = "apikey"
)

// Service checks credentials: passwords, API keys, client secrets.
type Service struct {
	store   Store
	hasher  *password.Hasher
	log     *slog.Logger
	now     func() time.Time
	limiter *throttle.Limiter
	// rehash upgrades a stored hash a login just verified (SetRehash).
	rehash func(ctx context.Context, u model.User, pw string)
	// metrics counts sign-ins by method and outcome (logins.go; nil: none).
	metrics *metrics.Metrics
}

// SetMetrics makes sign-ins count in the metrics (R-OPS-1). Set at
// start-up.
func (s *Service) SetMetrics(m *metrics.Metrics) { s.metrics = m }

// SetRehash installs what upgrades an outdated password hash after a
// successful login (issue 9 §2.4; the directory's audited write). Set at
// start-up.
func (s *Service) SetRehash(f func(ctx context.Context, u model.User, pw string)) { s.rehash = f }

// New returns a Service on the root store (never a transaction: the
// limiter and the login records write outside any directory transaction).
func New(st Store, h *password.Hasher, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: st, hasher: h, log: log, now: time.Now}
}

// SetLimiter installs the brute-force limiter (R-PWD-3) used by every
// credential check: passwords (Authenticate: /login, HTTP Basic, POST
// /api/v1/authorize) and client secrets (GuardSecret). Set at start-up;
// without one nothing is throttled. The limiter writes through the root
// store, never a transaction: do not authenticate inside
// directory.Service.InTx (on SQLite the transaction holds the writer lock).
func (s *Service) SetLimiter(l *throttle.Limiter) { s.limiter = l }

// SetClock replaces the clock of API key expiry and audit times (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }
