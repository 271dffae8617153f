package oidc

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/connector"
)

// Options are the process-level dependencies of a connector.
type Options struct {
	// HTTPClient for every back-channel request; nil = NewHTTPClient(Limits{}).
	// Build it with NewHTTPClient so answers stay bounded.
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
	// KeyRefetchInterval is the least time between two JWKS fetches caused
	// by unknown key ids (default DefaultKeyRefetchInterval).
	KeyRefetchInterval time.Duration
	// Logger (default slog.Default()).
	Logger *slog.Logger
}

// Connector is an OpenID Connect (or plain OAuth 2.0) upstream connection.
// It is safe for concurrent use; open one per connection and keep it (it
// caches discovery and the IdP's keys).
type Connector struct {
	cfg       Config
	oauthOnly bool
	client    *http.Client
	now       func() time.Time
	log       *slog.Logger

	discMu sync.Mutex
	ep     atomic.Pointer[endpoints]
	keys   *keySet
	verify *gooidc.IDTokenVerifier
}

var (
	_ connector.Connector = (*Connector)(nil)
	_ connector.Refresher = (*Connector)(nil)
	_ connector.Logouter  = (*Connector)(nil)
)

// New checks cfg and opens a connector. It does no network I/O: discovery
// happens on the first Begin/Finish. A config error is a *connector.Error
// with ReasonConfig naming the field.
func New(cfg Config, opts Options) (*Connector, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, connector.Errorf(connector.ReasonConfig, err, "")
	}
	c := &Connector{cfg: cfg, oauthOnly: cfg.Issuer == "", client: opts.HTTPClient, now: opts.Now, log: opts.Logger}
	if c.client == nil {
		c.client = NewHTTPClient(Limits{})
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.oauthOnly {
		c.ep.Store(&endpoints{auth: cfg.AuthURL, token: cfg.TokenURL, userinfo: cfg.UserinfoURL})
		return c, nil
	}
	interval := opts.KeyRefetchInterval
	if interval <= 0 {
		interval = DefaultKeyRefetchInterval
	}
	algs := make([]jose.SignatureAlgorithm, len(cfg.SigningAlgs))
	for i, a := range cfg.SigningAlgs {
		algs[i] = jose.SignatureAlgorithm(a)
	}
	c.keys = &keySet{client: c.client, now: c.now, interval: interval, algs: algs}
	skew := cfg.ClockSkew
	c.verify = gooidc.NewVerifier(cfg.Issuer, c.keys, &gooidc.Config{
		ClientID:             cfg.ClientID,
		SupportedSigningAlgs: cfg.SigningAlgs,
		// exp is checked with the skew by go-oidc; nbf and iat by checkTimes.
		Now: func() time.Time { return c.now().Add(-skew) },
	})
	return c, nil
}

// upstream names the IdP a flow was begun with; it is kept so a Finish on
// another connection's connector is refused (mix-up).
func (c *Connector) upstream() string {
	if c.oauthOnly {
		return c.cfg.AuthURL
	}
	return c.cfg.Issuer
}

// kept is what Begin hands the caller to store on its Flow.
type kept struct {
	V           int    `json:"v"`
	State       string `json:"state"`
	Nonce       string `json:"nonce,omitempty"`
	Verifier    string `json:"verifier"`
	Issuer      string `json:"iss"`
	RedirectURI string `json:"redirect_uri"`
}

// data is Identity.Data: server-side only.
type data struct {
	RefreshToken string `json:"rt,omitempty"`
	IDToken      string `json:"idt,omitempty"` // the signed (inner) ID token: id_token_hint
	Subject      string `json:"sub"`
	Nonce        string `json:"nonce,omitempty"`
}

func (c *Connector) oauth2Config(ep *endpoints, redirectURI string) *oauth2.Config {
	style := oauth2.AuthStyleInHeader
	if c.cfg.TokenAuth == "client_secret_post" {
		style = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{
		ClientID:     c.cfg.ClientID,
		ClientSecret: c.cfg.ClientSecret,
		Endpoint:     oauth2.Endpoint{AuthURL: ep.auth, TokenURL: ep.token, AuthStyle: style},
		RedirectURL:  redirectURI,
		Scopes:       c.cfg.Scopes,
	}
}

// Begin builds the authorization request (OIDC Core §3.1.2.1): response
// type code, the caller's state, a fresh nonce (OIDC mode) and a PKCE S256
// challenge (RFC 7636 §4.2) towards the upstream.
func (c *Connector) Begin(ctx context.Context, state, callbackURL string) (connector.Action, []byte, error) {
	if state == "" || callbackURL == "" {
		return connector.Action{}, nil, connector.Errorf(connector.ReasonConfig, nil, "Begin needs a state and a callback URL")
	}
	ep, err := c.endpoints(ctx)
	if err != nil {
		return connector.Action{}, nil, err
	}
	k := kept{V: 1, State: state, Verifier: oauth2.GenerateVerifier(), Issuer: c.upstream(), RedirectURI: callbackURL}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(k.Verifier)}
	if !c.oauthOnly {
		k.Nonce = random()
		opts = append(opts, gooidc.Nonce(k.Nonce))
	}
	b, err := json.Marshal(k)
	if err != nil {
		return connector.Action{}, nil, fmt.Errorf("oidc: encoding kept state: %w", err)
	}
	return connector.Action{RedirectURL: c.oauth2Config(ep, callbackURL).AuthCodeURL(state, opts...)}, b, nil
}

// Finish checks the authorization response and redeems its code.
//
// Order (each a *connector.Error): kept belongs to this connection; the
// state parameter is present and equals kept's (RFC 6749 §10.12 — the caller
// found the Flow by state, this re-checks it against the Flow's own value);
// RFC 9207 iss equals the issuer when sent, and is required when the IdP
// advertises it; an error answer (RFC 6749 §4.1.2.1) is reported with its
// code; the code is exchanged with the PKCE verifier; the ID token is
// decrypted if it is a JWE, then verified (signature with an allowed alg,
// iss, aud, azp, exp/nbf/iat with skew, nonce, at_hash); userinfo, when
// used, must name the same subject.
func (c *Connector) Finish(ctx context.Context, r *http.Request, keptBytes []byte) (connector.Identity, error) {
	var k kept
	if err := json.Unmarshal(keptBytes, &k); err != nil || k.V != 1 || k.State == "" {
		return connector.Identity{}, connector.Errorf(connector.ReasonState, nil, "no login under way for this answer")
	}
	if k.Issuer != c.upstream() {
		return connector.Identity{}, connector.Errorf(connector.ReasonMixUp, nil, "the login was begun at another connection")
	}
	q := r.URL.Query()
	st := q.Get("state")
	if st == "" {
		return connector.Identity{}, connector.Errorf(connector.ReasonState, nil, "answer without state")
	}
	if subtle.ConstantTimeCompare([]byte(st), []byte(k.State)) != 1 {
		return connector.Identity{}, connector.Errorf(connector.ReasonState, nil, "answer's state is not this login's")
	}
	ep, err := c.endpoints(ctx)
	if err != nil {
		return connector.Identity{}, err
	}
	if !c.oauthOnly {
		if iss, ok := q["iss"]; ok {
			if len(iss) != 1 || iss[0] != ep.issuer {
				return connector.Identity{}, connector.Errorf(connector.ReasonMixUp, nil, fmt.Sprintf("answer from issuer %q, login sent to %q (RFC 9207)", clip(strings.Join(iss, ",")), ep.issuer))
			}
		} else if ep.issParam {
			return connector.Identity{}, connector.Errorf(connector.ReasonMixUp, nil, "answer without the iss parameter the IdP advertises (RFC 9207 §2.4)")
		}
	}
	if e := q.Get("error"); e != "" {
		return connector.Identity{}, &connector.Error{Reason: connector.ReasonIdP, IdPError: clip(e), Detail: clip(q.Get("error_description"))}
	}
	code := q.Get("code")
	if code == "" {
		return connector.Identity{}, connector.Errorf(connector.ReasonExchange, nil, "answer without code")
	}
	tok, err := c.oauth2Config(ep, k.RedirectURI).Exchange(c.clientCtx(ctx), code, oauth2.VerifierOption(k.Verifier))
	if err != nil {
		return connector.Identity{}, classify(err, connector.ReasonExchange, "token endpoint")
	}
	return c.identity(ctx, ep, tok, k.Nonce, "")
}

// identity verifies a token answer (login or refresh) and builds the
// Identity. nonce is required on login; on refresh (wantSub set) an ID token
// is optional and, per OIDC Core §12.2, must keep sub and any nonce.
func (c *Connector) identity(ctx context.Context, ep *endpoints, tok *oauth2.Token, nonce, wantSub string) (connector.Identity, error) {
	refreshing := wantSub != ""
	d := data{Nonce: nonce}
	if c.cfg.KeepRefreshToken {
		d.RefreshToken = tok.RefreshToken
	}
	var claims map[string]any
	if !c.oauthOnly {
		raw, _ := tok.Extra("id_token").(string)
		switch {
		case raw != "":
			idClaims, inner, err := c.verifyIDToken(ctx, raw, nonce, !refreshing, tok.AccessToken)
			if err != nil {
				return connector.Identity{}, err
			}
			claims, d.IDToken = idClaims, inner
			d.Subject, _ = claims["sub"].(string)
		case refreshing:
		default:
			return connector.Identity{}, connector.Errorf(connector.ReasonToken, nil, "token answer without id_token")
		}
	}
	if refreshing && d.Subject != "" && d.Subject != wantSub {
		return connector.Identity{}, connector.Errorf(connector.ReasonSubject, nil, "refreshed ID token names another subject (OIDC Core §12.2)")
	}
	if c.cfg.UseUserinfo {
		if tok.AccessToken == "" {
			return connector.Identity{}, connector.Errorf(connector.ReasonExchange, nil, "token answer without access_token")
		}
		ui, sub, err := c.userinfo(ctx, ep, tok.AccessToken)
		if err != nil {
			return connector.Identity{}, err
		}
		switch {
		case c.oauthOnly:
			d.Subject = sub
		case d.Subject == "" && refreshing:
			d.Subject = sub
		case sub != d.Subject:
			// OIDC Core §5.3.4: userinfo sub must be the ID token's.
			return connector.Identity{}, connector.Errorf(connector.ReasonSubject, nil, "userinfo names another subject than the ID token")
		}
		if refreshing && sub != wantSub {
			return connector.Identity{}, connector.Errorf(connector.ReasonSubject, nil, "userinfo names another subject than at login")
		}
		// Signed ID token claims win over userinfo's.
		for n, v := range claims {
			ui[n] = v
		}
		claims = ui
	}
	if refreshing && d.Subject == "" {
		d.Subject = wantSub // neither a new ID token nor userinfo: same user
	}
	if d.Subject == "" {
		return connector.Identity{}, connector.Errorf(connector.ReasonSubject, nil, "no subject")
	}
	if claims == nil {
		claims = map[string]any{}
	}
	id := connector.Identity{Subject: d.Subject, Claims: claims}
	id.Email, _ = claims["email"].(string)
	switch v := claims["email_verified"].(type) {
	case bool:
		id.EmailVerified = v
	case string: // some IdPs send "true"
		id.EmailVerified = v == "true"
	}
	b, err := json.Marshal(d)
	if err != nil {
		return connector.Identity{}, fmt.Errorf("oidc: encoding identity data: %w", err)
	}
	id.Data = b
	return id, nil
}

// userinfo fetches the userinfo claims (OIDC Core §5.3) and the subject.
func (c *Connector) userinfo(ctx context.Context, ep *endpoints, accessToken string) (map[string]any, string, error) {
	var ui map[string]any
	if err := getJSON(ctx, c.client, ep.userinfo, accessToken, &ui); err != nil {
		return nil, "", classify(err, connector.ReasonUserinfo, "userinfo")
	}
	claim := "sub"
	if c.oauthOnly {
		claim = c.cfg.UserinfoSubjectClaim
	}
	var sub string
	switch v := ui[claim].(type) {
	case string:
		sub = v
	case json.Number:
		sub = v.String()
	}
	if sub == "" {
		return nil, "", connector.Errorf(connector.ReasonSubject, nil, fmt.Sprintf("userinfo has no %q claim", claim))
	}
	return plainNumbers(ui).(map[string]any), sub, nil
}

// plainNumbers turns json.Number into float64 so Claims hold the usual
// encoding/json types whatever their source.
func plainNumbers(v any) any {
	switch t := v.(type) {
	case json.Number:
		f, _ := t.Float64()
		return f
	case map[string]any:
		for k, e := range t {
			t[k] = plainNumbers(e)
		}
	case []any:
		for i, e := range t {
			t[i] = plainNumbers(e)
		}
	}
	return v
}

func (c *Connector) clientCtx(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c.client)
}

// classify turns a back-channel error into a *connector.Error: transport
// failures (timeout, network, too large, redirect loop) are
// ReasonUnreachable, the rest r. An OAuth error answer keeps only its code
// and description, never the body.
func classify(err error, r connector.Reason, what string) error {
	var ce *connector.Error
	if errors.As(err, &ce) {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return connector.Errorf(connector.ReasonUnreachable, err, what)
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return &connector.Error{Reason: r, IdPError: clip(re.ErrorCode), Detail: fmt.Sprintf("%s answered HTTP %d %s", what, status, clip(re.ErrorDescription))}
	}
	return connector.Errorf(r, err, what)
}

// clip keeps IdP-supplied text printable and short for pages and audit.
func clip(s string) string {
	const max = 200
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}
