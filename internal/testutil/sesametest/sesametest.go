package sesametest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/app"
	"github.com/sesame-sso/sesame/internal/catalog"
	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/metrics"
	"github.com/sesame-sso/sesame/internal/oidcop"
	"github.com/sesame-sso/sesame/internal/outbox"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/internal/server"
	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
	"github.com/sesame-sso/sesame/internal/throttle"

	"go.opentelemetry.io/otel/trace"
)

// FastHash keeps argon2id real but cheap in tests.
var FastHash = password.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

// AdminPassword is the bootstrap admin's password in tests.
const AdminPassword = "test-root-secret-4827"

// Backends lists the stores every API test runs on.
var Backends = []string{"sqlite", "postgres"}

// Env is a running Sesame.
type Env struct {
	T       testing.TB
	Store   *sqlstore.Store
	Svc     *directory.Service
	Server  *httptest.Server
	RootID  string
	Handler *server.Server
	Hasher  *password.Hasher
	Limiter *throttle.Limiter
	// StoreURL is the database (for a second node on it).
	StoreURL string
	// Outbox is the running outbox worker (nil without Mail or SMSURL);
	// SecondFactor the one-time code and TOTP blocks the server uses.
	Outbox       *outbox.Worker
	SecondFactor app.SecondFactor
}

// StoreURL returns a fresh database for backend.
func StoreURL(t testing.TB, backend string) string {
	if backend == "postgres" {
		return pgtest.DSN(t)
	}
	dir := t.TempDir()
	if strings.ContainsAny(dir, "#?") {
		// A subtest named "#00" would cut the path at '#' (the DSN is a
		// URL): every such test would share one file in the temp folder.
		d, err := os.MkdirTemp("", "sesametest")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(d) })
		dir = d
	}
	return "sqlite://" + filepath.Join(dir, "sesame.db")
}

// Options tune a test instance.
type Options struct {
	TicketTTL time.Duration
	// OIDC tunes the OAuth 2.0 / OIDC provider (signing algorithm, TTLs).
	OIDC oidcop.Options
	// HTTPClient makes the server's outgoing calls (logout callbacks).
	HTTPClient *http.Client
	// Issuer overrides the external URL (default the test server's http URL).
	Issuer string
	// SessionTTL and SessionIdleTimeout are the SSO session's absolute and
	// idle timeouts (server defaults when zero).
	SessionTTL, SessionIdleTimeout time.Duration
	// Now, when set, is the clock of the directory and the OIDC provider
	// (cache TTLs, token times).
	Now func() time.Time
	// Throttle enables the brute-force limiter (nil: none); ClientIP sets
	// the trusted proxies; HasherLimits bounds the hasher's queue.
	Throttle     *throttle.Config
	ClientIP     clientip.Resolver
	HasherLimits password.Limits
	// StoreURL shares a database with another instance ("": a fresh one).
	StoreURL string
	// Log receives the server's log (discarded when nil).
	Log *slog.Logger
	// TwoFactor is the one-time code and TOTP configuration (default
	// config.DefaultTwoFactor: codes off, TOTP not offered).
	TwoFactor *config.TwoFactor
	// Mail, when set, receives the outbox's email over SMTP (a worker
	// runs like on a `sesame serve` node); SMSURL is an SMS gateway.
	Mail   mailServer
	SMSURL string
	// SMTPAddr, when Mail is nil, is another SMTP server (host:port,
	// plain) the outbox sends email to — the load command's code sink.
	SMTPAddr string
	// PasswordMaxAge, PasswordResetTTL and ForgotFloor are the server's
	// password.maxAge, password.resetTTL and forgot-page floor (server
	// defaults when zero).
	PasswordMaxAge, PasswordResetTTL, ForgotFloor time.Duration
	// Listen is the address to listen on (default 127.0.0.1:0); another
	// loopback address (127.0.0.3:0) gives the instance a host name of its
	// own, so a browser keeps its cookies apart from another instance's
	// (cookies ignore ports).
	Listen string
	// Federation configures delegated login; nil: the server's defaults
	// except that loopback upstreams are allowed (test IdPs run on
	// 127.0.0.1).
	Federation *server.Federation
	// Metrics and Tracing observe the server (server.Options; nil: none).
	Metrics *metrics.Metrics
	Tracing trace.TracerProvider
}

// New starts Sesame on backend with a bootstrapped store.
func New(t testing.TB, backend string) *Env { return NewWith(t, backend, Options{}) }

// NewWith starts Sesame with options.
func NewWith(t testing.TB, backend string, opts Options) *Env {
	t.Helper()
	ctx := context.Background()
	storeURL := opts.StoreURL
	if storeURL == "" {
		storeURL = StoreURL(t, backend)
	}
	st, err := sqlstore.Open(ctx, storeURL, sqlstore.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hl := opts.HasherLimits
	if hl.Concurrency == 0 {
		hl.Concurrency = 4
	}
	hasher := password.NewLimited(FastHash, hl)
	svc := directory.New(st, hasher, log)
	svc.SetSealer(testSealer(t))
	var lim *throttle.Limiter
	if opts.Throttle != nil {
		lim = throttle.New(st, *opts.Throttle, log)
		svc.SetLimiter(lim)
	}
	if opts.Now != nil {
		svc.SetClock(opts.Now)
		if opts.OIDC.Now == nil {
			opts.OIDC.Now = opts.Now
		}
	}
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.Bootstrap(ctx, cat, "admin", AdminPassword)
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	srv := httptest.NewUnstartedServer(nil)
	if opts.Listen != "" {
		ln, err := net.Listen("tcp", opts.Listen)
		if err != nil {
			t.Fatalf("listen %s: %v", opts.Listen, err)
		}
		srv.Listener.Close()
		srv.Listener = ln
	}
	issuer := "http://" + srv.Listener.Addr().String()
	if opts.Issuer != "" {
		issuer = opts.Issuer
	}
	so, worker, sf := messaging(t, st, opts) // messages.go
	so.MaxBodyBytes, so.CASTicketTTL, so.Issuer, so.OIDC, so.HTTPClient, so.SessionTTL, so.SessionIdleTimeout =
		1<<20, opts.TicketTTL, issuer, opts.OIDC, opts.HTTPClient, opts.SessionTTL, opts.SessionIdleTimeout
	so.PasswordMaxAge, so.PasswordResetTTL, so.ForgotFloor = opts.PasswordMaxAge, opts.PasswordResetTTL, opts.ForgotFloor
	so.Federation = server.Federation{AllowPrivateNetworks: true}
	if opts.Federation != nil {
		so.Federation = *opts.Federation
	}
	so.Metrics, so.Tracing = opts.Metrics, opts.Tracing
	h, err := server.New(st, svc, log, so)
	if err != nil {
		t.Fatal(err)
	}
	h.SetClientIP(opts.ClientIP)
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	return &Env{T: t, Store: st, Svc: svc, Server: srv, RootID: b.RootID, Handler: h, Hasher: hasher, Limiter: lim, StoreURL: storeURL,
		Outbox: worker, SecondFactor: sf}
}

// Client calls the API as one user.
type Client struct {
	env        *Env
	Login, Pwd string
}

// As returns a client authenticating with HTTP Basic.
func (e *Env) As(login, pwd string) *Client { return &Client{env: e, Login: login, Pwd: pwd} }

// Admin is the bootstrap root admin.
func (e *Env) Admin() *Client { return e.As("admin", AdminPassword) }

// Response is a decoded answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as an object.
func (r Response) Map(t testing.TB) map[string]any {
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Do sends a request; body is JSON-encoded unless it is []byte or string.
func (c *Client) Do(method, path string, body any, hdr ...string) Response {
	c.env.T.Helper()
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			c.env.T.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, c.env.Server.URL+path, rd)
	if err != nil {
		c.env.T.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if c.Login != "" {
		req.SetBasicAuth(c.Login, c.Pwd)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.env.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Must sends a request and fails the test unless the status is want.
func (c *Client) Must(want int, method, path string, body any) Response {
	c.env.T.Helper()
	r := c.Do(method, path, body)
	if r.Status != want {
		c.env.T.Fatalf("%s %s as %s: status %d, want %d: %s", method, path, c.Login, r.Status, want, r.Body)
	}
	return r
}

// ID creates something and returns its "id".
func (c *Client) ID(method, path string, body any) string {
	c.env.T.Helper()
	r := c.Must(http.StatusCreated, method, path, body)
	id, _ := r.Map(c.env.T)["id"].(string)
	if id == "" {
		c.env.T.Fatalf("%s %s: no id in %s", method, path, r.Body)
	}
	return id
}
