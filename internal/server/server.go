package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/account"
	"github.com/sesame-sso/sesame/internal/adminapi"
	"github.com/sesame-sso/sesame/internal/cas"
	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/connector"
	"github.com/sesame-sso/sesame/internal/console"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/federation"
	"github.com/sesame-sso/sesame/internal/logctx"
	"github.com/sesame-sso/sesame/internal/login"
	"github.com/sesame-sso/sesame/internal/message"
	"github.com/sesame-sso/sesame/internal/metrics"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/oidcop"
	"github.com/sesame-sso/sesame/internal/otp"
	"github.com/sesame-sso/sesame/internal/outbox"
	"github.com/sesame-sso/sesame/internal/scim"
	"github.com/sesame-sso/sesame/internal/session"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/totp"
	"github.com/sesame-sso/sesame/web"

	"go.opentelemetry.io/otel/trace"
)

// Options configure the handler.
type Options struct {
	MaxBodyBytes int64
	// Issuer is the external URL; https makes session cookies Secure.
	Issuer string
	// SessionTTL is the lifetime of an SSO session (default 8 h).
	SessionTTL time.Duration
	// SessionIdleTimeout ends an SSO session unused for that long
	// (default 1 h; negative: none).
	SessionIdleTimeout time.Duration
	// CASTicketTTL is the lifetime of a CAS service ticket (default 15 s).
	CASTicketTTL time.Duration
	// HTTPClient makes outgoing calls (single logout); default a plain
	// client with timeouts.
	HTTPClient *http.Client
	// OIDC configures the OAuth 2.0 / OIDC provider (its Issuer is Issuer).
	OIDC oidcop.Options
	// Outbox queues messages (R-MSG-2) with the change that causes them;
	// nil: a queue with the default undeliverable patterns.
	Outbox *outbox.Queue
	// WakeOutbox makes this node's outbox worker send now (a one-time code
	// someone waits for); nil: the worker finds it at its next poll.
	WakeOutbox func()
	// Codes issues one-time codes by SMS and email (R-2FA-1..5); nil: the
	// OTP login step is never due.
	Codes *otp.Codes
	// TOTP enrols and checks authenticator apps (issue 9 §3.2); nil: none.
	TOTP *totp.Authenticator
	// PasswordMaxAge: a password older than this is changed at the next
	// login (password.maxAge; 0: never). PasswordResetTTL is how long an
	// emailed reset link works (password.resetTTL; default 30m).
	PasswordMaxAge, PasswordResetTTL time.Duration
	// ForgotFloor is the least time a forgot-password request takes
	// (default login.DefaultForgotFloor).
	ForgotFloor time.Duration
	// Federation configures delegated login through connections (issue 10).
	Federation Federation
	// Metrics receives request, sign-in, token and ticket counts (R-OPS-1,
	// observe.go); nil: none.
	Metrics *metrics.Metrics
	// Tracing records a span per request and traces outbound calls
	// (observe.go); nil: none.
	Tracing trace.TracerProvider
}

// Server is Sesame's HTTP handler.
type Server struct {
	mux      *http.ServeMux
	handler  http.Handler
	hsts     bool
	store    storage.Storage
	log      *slog.Logger
	API      *adminapi.API
	Sessions *session.Manager
	OIDC     *oidcop.Provider
	// Connections are the opened connectors of delegated login.
	Connections *federation.Connections[connector.Connector]
	ips         clientip.Resolver
	metrics     *metrics.Metrics
	tracer      trace.Tracer
	svc         *directory.Service
	// metadataEvery is the SAML metadata refresh period (samlconn.go).
	metadataEvery time.Duration
}

// New builds the handler.
func New(st storage.Storage, svc *directory.Service, log *slog.Logger, opts Options) (*Server, error) {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 8 * time.Hour
	}
	if opts.Outbox == nil {
		opts.Outbox = outbox.NewQueue(config.DefaultMessages().Undeliverable, nil)
	}
	if opts.WakeOutbox == nil {
		opts.WakeOutbox = func() {}
	}
	pages, err := web.NewPages()
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	s := &Server{mux: http.NewServeMux(), store: st, log: log, svc: svc, metadataEvery: opts.Federation.MetadataRefresh}
	s.observe(svc, &opts) // observe.go
	s.Sessions = &session.Manager{Store: st, User: svc.User, TTL: opts.SessionTTL, Secure: strings.HasPrefix(opts.Issuer, "https://")}
	pages.Log = log
	// Pages speak the signed-in user's preferred language first (issue 9 §5).
	pages.UserLanguage = func(r *http.Request) string {
		_, u, _ := s.Sessions.Current(r)
		return u.Person.Language
	}
	s.applyTransportSecurity(opts)
	mailLocks(svc, st, opts.Outbox, opts.WakeOutbox, log) // lockmail.go
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.API = adminapi.New(svc, log, opts.MaxBodyBytes)
	s.API.SetIssuer(opts.Issuer)
	s.API.SetMessageTemplates(message.NewTemplates(st))
	s.API.Register(s.mux)
	// SCIM 2.0 provisioning (issue 12): a tenant's SCIM token opens /scim/v2.
	(&scim.Handler{Dir: svc, Store: st, Authn: svc.Authn(), Log: log, BaseURL: opts.Issuer, MaxBody: opts.MaxBodyBytes}).Register(s.mux)
	// The login engine (internal/login, issue 9 §1): its steps in order.
	// A new step is one type in internal/login and one line here.
	mail := login.PasswordMail{Queue: opts.Outbox, Issuer: opts.Issuer, Pages: pages}
	// Delegated login (issue 10): connectors opened from the stored
	// connections (reopened when one changes), one bounded HTTP client.
	now := opts.OIDC.Now
	if now == nil {
		now = time.Now
	}
	fedKeys := &decryptionKeys{fixed: opts.Federation.DecryptionKeys, st: st, sealer: svc.Sealer(), now: now} // fedkey.go
	fedClient := opts.Federation.client()
	s.Connections = &federation.Connections[connector.Connector]{Dir: svc,
		Open: openConnector(opts.Federation, fedKeys, fedClient, log, now, openSAML(svc, st, opts.Issuer, log, now))} // samlconn.go
	svc.SetMetadataFetcher(metadataFetcher(fedClient))
	prov := &federation.Provisioner{Dir: svc, Log: log}
	idp := &login.IdPStep{Conns: s.Connections, Prov: prov, Svc: svc, Tenants: st, Sessions: st, Pages: pages, Log: log,
		Issuer: opts.Issuer, Sealer: svc.Sealer(), Timeout: opts.Federation.CallbackTimeout}
	s.mux.HandleFunc("GET /federation/jwks.json", federationJWKS(fedKeys, log))
	loginH := &login.Handler{Svc: svc, Authn: svc.Authn(), Sessions: s.Sessions, Pages: pages, Log: log, Flows: st, Now: opts.OIDC.Now,
		Steps: []login.Step{
			// First factor: a connection's IdP (when one was chosen) or
			// the password (whose page offers the connections).
			idp,
			&login.PasswordStep{Authn: svc.Authn(), Pages: pages, IdP: idp},
			&login.PasswordChangeStep{Svc: svc, Pages: pages, MaxAge: opts.PasswordMaxAge, Notify: mail.Changed, Wake: opts.WakeOutbox},
			// Second factor: an authenticator app when the user has one,
			// else a one-time code by SMS / email when due (R-2FA-1..5).
			// An account reset asks for a new authenticator app first.
			&login.TOTPEnrolStep{TOTP: opts.TOTP, Svc: svc, Pages: pages},
			&login.TOTPStep{TOTP: opts.TOTP, Authn: svc.Authn(), Pages: pages},
			&login.OTPStep{Codes: opts.Codes, TOTP: opts.TOTP, Store: st, Outbox: opts.Outbox, Wake: opts.WakeOutbox,
				Authn: svc.Authn(), Pages: pages, Log: log},
			&login.ContextStep{Svc: svc, Pages: pages},
		}}
	loginH.Issuer, loginH.UpstreamLogout = opts.Issuer, idp.UpstreamLogout
	loginH.Register(s.mux)
	// Forgot password and reset links (R-PWD-2).
	pwPages := &login.PasswordPages{Svc: svc, Pages: pages, Log: log, Mail: mail, Wake: opts.WakeOutbox,
		TTL: opts.PasswordResetTTL, Floor: opts.ForgotFloor, Limiter: svc.Limiter()}
	pwPages.Register(s.mux)
	casH := &cas.Handler{Svc: svc, Authn: svc.Authn(), Store: st, Sessions: s.Sessions, Pages: pages, Log: log, TicketTTL: opts.CASTicketTTL, HTTP: opts.HTTPClient,
		Login: loginH.Begin}
	casH.Register(s.mux)
	loginH.OnLogout = append(loginH.OnLogout, casH.SingleLogout)
	casH.EndSession = loginH.EndSession
	oo := opts.OIDC
	oo.Issuer = opts.Issuer
	if oo.HTTPClient == nil {
		oo.HTTPClient = opts.HTTPClient
	}
	if s.OIDC, err = oidcop.New(context.Background(), svc, st, s.Sessions, pages, log, oo); err != nil {
		return nil, err
	}
	s.OIDC.EndSession = loginH.EndSession
	s.OIDC.Login = loginH.Begin
	s.OIDC.UpstreamRefresh = idp.RefreshUpstream
	loginH.OnLogout = append(loginH.OnLogout, s.OIDC.SessionEnded)
	s.OIDC.Register(s.mux)
	// The account page (issue 9 §2.2, §3.3): password, authenticator app,
	// sessions, language of the signed-in user.
	acctH := &account.Handler{Svc: svc, Authn: svc.Authn(), Sessions: s.Sessions, Pages: pages, Log: log, TOTP: opts.TOTP,
		Outbox: opts.Outbox, WakeOutbox: opts.WakeOutbox}
	// A delegated user's "change password" link goes to the URL set on
	// the connection they came through (R-USR-3).
	acctH.DelegatedURL = func(u model.User) string {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, pw, err := svc.IdPAccountURLs(ctx, u)
		if err != nil {
			log.Warn("delegated account links", "user", u.ID, "err", err)
		}
		return pw
	}
	acctH.DelegatedProfileURL = func(u model.User) string {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		profile, _, err := svc.IdPAccountURLs(ctx, u)
		if err != nil {
			log.Warn("delegated account links", "user", u.ID, "err", err)
		}
		return profile
	}
	acctH.Register(s.mux)
	// The admin console (issue 13): the same directory methods as the API;
	// every page shows the branding of the tenant it is for.
	(&console.Handler{Dir: svc, Tmpl: svc, Clients: svc, Conns: svc, SAML: svc, Issuer: opts.Issuer, Settings: svc, Messages: message.NewTemplates(st), Sessions: s.Sessions, Pages: pages, Nonces: st, Log: log, Now: opts.OIDC.Now,
		CallbackURL: func(id string) string { return adminapi.CallbackURL(opts.Issuer, id) }}).Register(s.mux)
	pages.Brand = (&console.Brands{Dir: svc, Tenants: st, Sessions: s.Sessions, Flow: loginH.FlowTenant, User: svc.User}).Brand
	// Sessions ended by a deactivation or deletion are announced like a
	// logout (CAS single logout, OIDC back-channel logout).
	svc.OnSessionEnd(func(ctx context.Context, ss model.Session, svcs []model.SessionService) {
		for _, f := range loginH.OnLogout {
			f(ctx, ss, svcs)
		}
	})
	// The admin API and the API authorization endpoint accept OAuth 2.0
	// access tokens (R-SSO-6) made for them (oidcop.Resource).
	s.API.SetBearerVerifier(func(ctx context.Context, token string, res adminapi.Resource) (directory.Actor, error) {
		t, err := s.OIDC.VerifyFor(ctx, token, bearerResources[res])
		if errors.Is(err, oidcop.ErrInsufficient) {
			return directory.Actor{}, model.Errorf(model.EFORBIDDEN, "", "%v", err)
		}
		if err != nil {
			return directory.Actor{}, model.Errorf(model.EUNAUTHORIZED, "", "the access token is invalid, expired or revoked")
		}
		var amr []string
		if list, ok := t.Claims.Claims["amr"].([]any); ok {
			for _, m := range list {
				if m, ok := m.(string); ok {
					amr = append(amr, m)
				}
			}
		}
		return directory.Actor{User: t.User, ContextID: t.ContextID, ClientID: t.ClientID, Module: t.Module,
			Scopes: t.Scopes, Audience: t.Claims.Audience, Via: directory.ViaBearer, AMR: amr}, nil
	})
	// CSRF: refuse cross-origin unsafe requests from browsers (Fetch
	// metadata / Origin); non-browser API clients send neither and pass.
	cop := http.NewCrossOriginProtection()
	// The token endpoints carry no cookie authority and check the
	// caller's origin against the client's web origins (oidcop/cors.go).
	for _, p := range oidcop.CrossOriginPaths() {
		cop.AddInsecureBypassPattern(p)
	}
	// The SAML ACS takes the IdP's cross-site POST (HTTP-POST binding); it
	// trusts the signed response and the RelayState kept server-side, no
	// cookie (internal/login/step_saml.go).
	for _, p := range login.ACSPaths() {
		cop.AddInsecureBypassPattern(p)
	}
	s.handler = cop.Handler(s.errorPages(s.mux, pages)) // errorpages.go
	return s, nil
}

// bearerResources maps the admin API's resources to the provider's rules.
var bearerResources = map[adminapi.Resource]oidcop.Resource{
	adminapi.ResourceAdmin:         oidcop.ResourceAdmin,
	adminapi.ResourceSelf:          oidcop.ResourceUser,
	adminapi.ResourcePolicyCaller:  oidcop.ResourcePolicyCaller,
	adminapi.ResourcePolicySubject: oidcop.ResourceAny,
}

// SetClientIP sets how client addresses are resolved (the trusted proxies
// whose X-Forwarded-For is believed, R-PWD-3). Call before serving.
func (s *Server) SetClientIP(r clientip.Resolver) { s.ips = r }

// Run does the background work (key rotation, purging expired state —
// tokens, tickets, sessions, login flows, one-time code challenges and
// SAML assertion ids, storage.PurgeExpired every minute; SAML metadata
// refresh) until ctx ends.
func (s *Server) Run(ctx context.Context) {
	go s.refreshSAMLMetadata(ctx) // samlconn.go
	s.OIDC.Run(ctx)
}

// Mux exposes the route table so protocol packages can mount their routes.
func (s *Server) Mux() *http.ServeMux { return s.mux }

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("readiness: store unreachable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "store unreachable"})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"status": "ready"})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// ServeHTTP runs the middleware chain: request id, security headers, panic
// recovery (a bare 500, never a stack trace to the client), access log.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > 64 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	h := w.Header()
	h.Set("X-Request-Id", id)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	// same-origin, not no-referrer: with no-referrer browsers send
	// "Origin: null" on our own form posts, which CSRF checks must refuse.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "frame-ancestors 'none'")
	if s.hsts {
		h.Set("Strict-Transport-Security", hstsValue)
	}

	// The one client address every handler sees (clientip.Of); the
	// request id and the trace in every log line of the request.
	ip := s.ips.Resolve(r)
	r, span := s.startSpan(r.WithContext(logctx.WithRequestID(clientip.With(r.Context(), ip), id)))
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic serving request", "path", r.URL.Path, "panic", v)
			if sw.status == 0 {
				sw.Header().Set("Content-Type", "application/problem+json")
				sw.WriteHeader(http.StatusInternalServerError)
				_, _ = sw.Write([]byte(`{"type":"about:blank","title":"Internal Server Error","status":500}` + "\n"))
			}
		}
		s.metrics.Request(r, sw.code(), time.Since(start))
		s.endSpan(r, span, sw.code())
		s.log.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"bytes", sw.bytes, "duration", time.Since(start), "remote", r.RemoteAddr, "client", ip)
	}()
	s.handler.ServeHTTP(sw, r)
}

// Routes lists the admin API's authenticated routes.
func (s *Server) Routes() []string { return s.API.Routes() }
