package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"
)

// ErrNoOIDC: the server publishes no OIDC discovery document.
var ErrNoOIDC = errors.New("the server has no OIDC provider (GET /.well-known/openid-configuration answered 404)")

// newTransport is the one keep-alive transport every request goes through.
func newTransport(conc int) *http.Transport {
	return &http.Transport{
		Proxy:                 nil, // loopback: never through a proxy
		MaxIdleConns:          2*conc + 8,
		MaxIdleConnsPerHost:   conc + 4, // workers + set-up requests
		IdleConnTimeout:       90 * time.Second,
		DisableCompression:    true,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// env is what set-up created, shared read-only by the workers.
type env struct {
	cfg    Config
	base   *url.URL
	tr     *http.Transport
	admin  *http.Client
	suffix string

	rootID, accountID, userID string
	login, password           string

	oidcID, oidcSecret string
	oidc               creds // oidcID, oidcSecret
	short              creds // introspect-expired: a client whose tokens live shortTTL
	casClientID        string
	service            string
	redirectURI        string

	disc *discovery

	// login, login-otp: the users signed in as (login.go), the ids of all
	// users created for them, and the SMTP sink that reads the codes.
	pool, otpPool []poolUser
	created       []string
	sink          *codeSink

	// saml-acs: the IdP, the tenant and connection, the SP (samlacs.go).
	saml *samlSetup
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// apiError is a failed admin API call.
type apiError struct {
	method, path string
	status       int
	body         string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s %s: status %d: %s", e.method, e.path, e.status, e.body)
}

// api calls the admin API with HTTP Basic and JSON; out may be nil.
func (e *env) api(ctx context.Context, method, path string, in, out any) error {
	var rd io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.cfg.URL+path, rd)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	user, pass, _ := strings.Cut(e.cfg.Admin, ":")
	req.SetBasicAuth(user, pass)
	resp, err := e.admin.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return &apiError{method, path, resp.StatusCode, truncate(strings.TrimSpace(string(b)), 300)}
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: decode %q: %w", method, path, truncate(string(b), 200), err)
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

type idOnly struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

// setUp creates an account, an active user in it and the clients the
// scenarios need; every name carries a random suffix so runs never clash.
func (e *env) setUp(ctx context.Context, needOIDC, needCAS bool) error {
	var roots struct {
		Items []idOnly `json:"items"`
	}
	if err := e.api(ctx, "GET", "/api/v1/contexts?type=root", nil, &roots); err != nil {
		return fmt.Errorf("find the root context (is -admin right?): %w", err)
	}
	if len(roots.Items) == 0 || roots.Items[0].ID == "" {
		return errors.New("GET /api/v1/contexts?type=root: no root context visible to the admin")
	}
	e.rootID = roots.Items[0].ID
	var acc idOnly
	if err := e.api(ctx, "POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Load test " + e.suffix,
		"parentId": e.rootID}, &acc); err != nil {
		return err
	}
	e.accountID = acc.ID
	e.login, e.password = "load-"+e.suffix, "Load-"+randHex(16)
	var u idOnly
	if err := e.api(ctx, "POST", "/api/v1/users", map[string]any{"loginName": e.login, "domain": "ENTERPRISE",
		"contexts": []string{e.accountID}, "status": "active", "password": e.password}, &u); err != nil {
		return err
	}
	e.userID = u.ID
	if needOIDC {
		e.redirectURI = "http://127.0.0.1:1/cb"
		var c idOnly
		if err := e.api(ctx, "POST", "/api/v1/clients", map[string]any{"name": "Load test OIDC " + e.suffix, "module": "portal",
			"protocol": "oidc", "redirectUris": []string{e.redirectURI},
			"grantTypes": []string{"authorization_code", "refresh_token", "client_credentials"}, "public": false}, &c); err != nil {
			return err
		}
		if c.Secret == "" {
			return fmt.Errorf("POST /api/v1/clients: no secret in the answer for confidential client %s", c.ID)
		}
		e.oidcID, e.oidcSecret = c.ID, c.Secret
		e.oidc = creds{c.ID, c.Secret}
	}
	if needCAS {
		// A path of its own per run: the pattern never overlaps an
		// earlier run's client.
		prefix := "http://127.0.0.1:1/app-" + e.suffix + "/"
		e.service = prefix + "x"
		var c idOnly
		if err := e.api(ctx, "POST", "/api/v1/clients", map[string]any{"name": "Load test CAS " + e.suffix, "module": "portal",
			"protocol": "cas", "servicePatterns": []string{prefix + "*"}}, &c); err != nil {
			return err
		}
		e.casClientID = c.ID
	}
	return nil
}

// shortTTL is the access token lifetime of the introspect-expired client.
const shortTTL = time.Second

// setUpShortClient creates the introspect-expired client: confidential,
// client_credentials, access tokens living shortTTL.
func (e *env) setUpShortClient(ctx context.Context) error {
	var c idOnly
	if err := e.api(ctx, "POST", "/api/v1/clients", map[string]any{"name": "Load test OIDC short " + e.suffix, "module": "portal",
		"protocol": "oidc", "grantTypes": []string{"client_credentials"}, "public": false,
		"accessTtlSeconds": int64(shortTTL / time.Second)}, &c); err != nil {
		return err
	}
	if c.Secret == "" {
		return fmt.Errorf("POST /api/v1/clients: no secret in the answer for confidential client %s", c.ID)
	}
	e.short = creds{c.ID, c.Secret}
	return nil
}

// tearDown deletes the clients and the user setUp created (best effort).
func (e *env) tearDown(ctx context.Context) []error {
	var errs []error
	for _, id := range []string{e.oidcID, e.short.id, e.casClientID} {
		if id != "" {
			if err := e.api(ctx, "DELETE", "/api/v1/clients/"+id, nil, nil); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for _, id := range append([]string{e.userID}, e.created...) {
		if id == "" {
			continue
		}
		if err := e.apiRetry(ctx, "POST", "/api/v1/users/"+id+"/delete", nil, nil); err != nil {
			errs = append(errs, err)
		}
	}
	// The account stays: a deleted user is anonymized in place and keeps
	// its assignment, so the context cannot be deleted.
	return errs
}

// discovery is the part of the OpenID Provider metadata the scenarios use.
type discovery struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	IntrospectionEndpoint string `json:"introspection_endpoint"`
	note                  string
}

// discover reads /.well-known/openid-configuration. Endpoints on another
// origin (an externalURL in front of the server) are rewritten to -url so
// the load stays on loopback.
func (e *env) discover(ctx context.Context) error {
	if e.disc != nil {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, "GET", e.cfg.URL+"/.well-known/openid-configuration", nil)
	if err != nil {
		return err
	}
	resp, err := e.admin.Do(req)
	if err != nil {
		return fmt.Errorf("OIDC discovery: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode == http.StatusNotFound {
		return ErrNoOIDC
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("OIDC discovery: status %d: %s", resp.StatusCode, truncate(string(b), 200))
	}
	var d discovery
	if err := json.Unmarshal(b, &d); err != nil {
		return fmt.Errorf("OIDC discovery: %w", err)
	}
	var moved []string
	for _, p := range []*string{&d.AuthorizationEndpoint, &d.TokenEndpoint, &d.IntrospectionEndpoint} {
		if *p == "" {
			continue
		}
		u, err := url.Parse(*p)
		if err != nil || !u.IsAbs() {
			return fmt.Errorf("OIDC discovery: bad endpoint %q", *p)
		}
		if u.Scheme != e.base.Scheme || u.Host != e.base.Host {
			moved = append(moved, u.Scheme+"://"+u.Host)
			u.Scheme, u.Host = e.base.Scheme, e.base.Host
			*p = u.String()
		}
	}
	if len(moved) > 0 {
		d.note = fmt.Sprintf("endpoints published on %s are called on %s", moved[0], e.cfg.URL)
	}
	e.disc = &d
	return nil
}

// browser is one worker's cookie jar and client; redirects are followed on
// the Sesame origin only and never to a relying party.
func (e *env) browser(stopAt string) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Transport: e.tr, Jar: jar, Timeout: e.cfg.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("more than 10 redirects")
			}
			if stopAt == "" || strings.HasPrefix(req.URL.String(), stopAt) ||
				req.URL.Scheme != e.base.Scheme || req.URL.Host != e.base.Host {
				return http.ErrUseLastResponse
			}
			return nil
		}}
}

// signIn posts the login form and checks that a session cookie came back.
// All workers sign in at once from one address: the server's password
// hasher answers 503 past its per-source share (R-PWD-3), so a 503 is
// tried again after a short pause.
func (e *env) signIn(ctx context.Context, c *http.Client) error {
	form := url.Values{"username": {e.login}, "password": {e.password}, "return": {"/"}}
	// The login form is not followed: its 303 to "/" is the success answer.
	noFollow := *c
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var (
		resp *http.Response
		b    []byte
	)
	for try := 1; ; try++ {
		req, err := http.NewRequestWithContext(ctx, "POST", e.cfg.URL+"/login", strings.NewReader(form.Encode()))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if resp, err = noFollow.Do(req); err != nil {
			return fmt.Errorf("POST /login: %w", err)
		}
		b, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || try == 50 {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(try) * 20 * time.Millisecond):
		}
	}
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		return fmt.Errorf("POST /login as %s: status %d (want a redirect): %s", e.login, resp.StatusCode, truncate(string(b), 200))
	}
	if !e.hasSession(c) {
		// Only the login's own cookie: the login asked for a further step
		// (a code, a new password) instead of ending.
		return fmt.Errorf("POST /login as %s: no session cookie was set (a further login step is due: run with twofactor.default disabled)", e.login)
	}
	return nil
}
