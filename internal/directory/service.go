package directory

import (
	"context"
	"log/slog"
	"time"

	"github.com/sesame-sso/sesame/internal/authn"
	"github.com/sesame-sso/sesame/internal/cache"
	"github.com/sesame-sso/sesame/internal/metrics"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/internal/rights"
	"github.com/sesame-sso/sesame/internal/seal"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// Service implements the directory operations.
type Service struct {
	store  storage.Storage
	hasher *password.Hasher
	log    *slog.Logger
	now    func() time.Time
	// onChange is told about every committed change (changes.go).
	onChange []func(Change)
	// onSessionEnd is told about sessions ended by a lifecycle change,
	// with the services they had signed in to (R-SSO-7).
	onSessionEnd []func(ctx context.Context, s model.Session, svcs []model.SessionService)
	// The protocol caches: one mechanism (cache.Gen), forgotten by runTx.
	users userCache
	// rights decides effective rights, module access and acting
	// contexts (internal/rights), with its caches.
	rights     *rights.Decider
	clients    *cache.Gen[model.Client]
	casClients *cache.Gen[[]model.Client]
	branding   *cache.Gen[model.Branding] // branding.go
	// tokenLifetime bounds signed tokens' validity (SetTokenLifetime).
	tokenLifetime time.Duration
	limiter       *throttle.Limiter
	pwPolicy      *password.Policy // passwordpolicy.go
	// protoAudit queues protocol audit events (protoaudit.go); shared by
	// the transaction copies, writing through the base store.
	protoAudit *auditQueue
	// authn checks credentials (internal/authn) on the root store.
	authn *authn.Service
	// sealer seals connection client secrets (connections.go; nil: plain).
	sealer *seal.Sealer
	// metrics counts protocol events (protoaudit.go; nil: none).
	metrics *metrics.Metrics
	// fetchMetadata fetches SAML IdP metadata URLs (samlconnections.go).
	fetchMetadata MetadataFetcher
}

// OnSessionEnd registers f to run, after commit and in the background, for
// every session a deactivation or deletion ended (logout notifications).
func (s *Service) OnSessionEnd(f func(ctx context.Context, s model.Session, svcs []model.SessionService)) {
	s.onSessionEnd = append(s.onSessionEnd, f)
}

// New returns a Service.
func New(st storage.Storage, h *password.Hasher, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{store: st, hasher: h, log: log, now: time.Now,
		users:      userCache{cache.New[model.User](userTTL, 100_000)},
		rights:     rights.New(st),
		clients:    cache.New[model.Client](clientTTL, 10_000),
		casClients: cache.New[[]model.Client](clientTTL, 1),
		branding:   newBrandingCache(),
		protoAudit: newAuditQueue(st, log),
		authn:      authn.New(st, h, log)}
	s.authn.SetRehash(s.upgradeHash)
	return s
}

// SetClock replaces the clock the caches and audit times read (tests).
// Call it before serving.
func (s *Service) SetClock(now func() time.Time) {
	s.now = now
	s.authn.SetClock(now)
	s.rights.SetClock(now)
}

// Rights returns the rights decisions (internal/rights) on this
// directory's store, whose caches this directory forgets after every
// transaction: the login page, CAS, the OIDC provider and the admin API
// ask it what a user may do where.
func (s *Service) Rights() *rights.Decider { return s.rights }

// Authn returns the credential checks (internal/authn) that share this
// directory's store, hasher, limiter and clock: the protocol handlers and
// the admin API authenticate through it.
func (s *Service) Authn() *authn.Service { return s.authn }

// Actor is who performs an operation. System actors (bootstrap, `sesame
// apply`) bypass authorization; everyone else is checked.
//
// An actor that came from a credential carries what the credential says
// (R-SSO-6): how it authenticated (Via) and, for bearer tokens, the context,
// client, module and scopes the token was issued for. Basic and API key
// actors leave ContextID, ClientID, Module and Scopes empty.
type Actor struct {
	User   model.User
	IP     string
	System bool

	// ContextID is the context a bearer token was issued for (R-SSO-5).
	ContextID string
	// ClientID is the client the token was issued to.
	ClientID string
	// Module is the module the token was issued for (R-MOD-*).
	Module string
	// Scopes are the token's OAuth 2.0 scopes.
	Scopes []string
	// Audience is the token's aud (RFC 9068 §3).
	Audience []string
	// Via is ViaBasic, ViaAPIKey or ViaBearer ("" for system actors and
	// internal callers).
	Via string
	// AMR is how the actor's user signed in (RFC 8176): ["pwd"] for HTTP
	// Basic with a password, the access token's amr for bearer tokens,
	// nil for API keys. R-SAML-8: lowering an active SSO enforcement
	// needs "pwd" without "fed".
	AMR []string
	// Connection is set for just-in-time provisioning by a connection
	// (ConnectionActor): authorization is bypassed like System — the
	// federation policy keeps it in the connection's tenant — and the
	// audit actor is "connection:<id>" (DESIGN note 2).
	Connection string
	// SCIM is set for provisioning through a SCIM credential (SCIMActor,
	// issue 12): authorization is bypassed like System — internal/scim and
	// the SCIM methods (scim.go) keep it in the credential's tenant — and
	// the audit actor is "scim:<credential id>".
	SCIM string
}

// SCIMActor is the actor of a SCIM credential's provisioning (issue 12).
func SCIMActor(credentialID, ip string) Actor {
	return Actor{System: true, SCIM: credentialID, IP: ip}
}

// ConnectionActor is the actor of a connection's just-in-time provisioning
// (R-FED-4).
func ConnectionActor(connectionID, ip string) Actor {
	return Actor{System: true, Connection: connectionID, IP: ip}
}

// How an actor authenticated (Actor.Via).
const (
	// ViaBasic: HTTP Basic with a login name and password.
	ViaBasic = authn.ViaBasic
	// ViaAPIKey: a user API key, as a Basic password or a bearer token.
	ViaAPIKey = authn.ViaAPIKey
	// ViaBearer: an OAuth 2.0 access token.
	ViaBearer = "bearer"
)

// System is the actor for operator commands run on the server itself.
var System = Actor{System: true}

func (a Actor) id() string {
	if a.Connection != "" {
		return "connection:" + a.Connection
	}
	if a.SCIM != "" {
		return "scim:" + a.SCIM
	}
	if a.System {
		return "system"
	}
	if a.User.ID == "" && a.ClientID != "" {
		return "client:" + a.ClientID
	}
	return a.User.ID
}

// tx runs fn in one transaction.
// Every change goes through here (or InTx): the protocol caches of this
// node are dropped after it and the change is published (changes.go).
func (s *Service) tx(ctx context.Context, fn func(st storage.Storage) error) error {
	return s.runTx(ctx, fn)
}

// audit appends an audit event inside the caller's transaction.
func (s *Service) audit(ctx context.Context, st storage.Storage, a Actor, action, targetType, targetID, contextID string, details map[string]any) error {
	return st.AppendAudit(ctx, model.AuditEvent{
		Time: s.now(), ActorID: a.id(), Action: action, TargetType: targetType, TargetID: targetID,
		ContextID: contextID, SourceIP: a.IP, Outcome: model.OutcomeSuccess, Details: details,
	})
}

// AuditDenied records a refused action (outside any transaction).
func (s *Service) AuditDenied(ctx context.Context, a Actor, action, targetID, contextID, reason string) {
	err := s.store.AppendAudit(ctx, model.AuditEvent{
		Time: s.now(), ActorID: a.id(), Action: action, TargetID: targetID, ContextID: contextID,
		SourceIP: a.IP, Outcome: model.OutcomeDenied, Details: map[string]any{"reason": reason},
	})
	if err != nil {
		s.log.ErrorContext(ctx, "audit append failed", "err", err)
	}
}

// InTx runs fn with a Service whose every operation joins one transaction:
// everything fn does commits together or not at all (used by `sesame apply`).
func (s *Service) InTx(ctx context.Context, fn func(*Service) error) error {
	return s.runTx(ctx, func(tx storage.Storage) error {
		c := *s
		c.store = tx
		return fn(&c)
	})
}
