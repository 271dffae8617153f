package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Scenarios lists the scenario names in the order "all" runs them.
var Scenarios = []string{"cc", "introspect", "introspect-many", "introspect-expired", "authcode", "cas", "login", "login-otp", "saml-acs"}

func isOIDC(s string) bool { return s != "cas" && s != "saml-acs" && !isLogin(s) }

func isLogin(s string) bool { return s == "login" || s == "login-otp" }

// readBody reads (a bounded amount of) the body and closes it, so the
// connection goes back to the pool.
func readBody(resp *http.Response) []byte {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return b
}

// oauthError renders an RFC 6749 §5.2 error answer without the parts that
// differ per request, so equal failures group in the error samples.
func oauthError(what string, status int, body []byte) error {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return fmt.Errorf("%s: status %d: %s: %s", what, status, e.Error, truncate(e.Description, 120))
	}
	return fmt.Errorf("%s: status %d: %s", what, status, truncate(strings.TrimSpace(string(body)), 120))
}

// creds are a confidential client's id and secret.
type creds struct{ id, secret string }

// clientAuth is HTTP Basic client authentication: id and secret are
// form-url-encoded first (RFC 6749 §2.3.1).
func (cr creds) clientAuth(req *http.Request) {
	req.SetBasicAuth(url.QueryEscape(cr.id), url.QueryEscape(cr.secret))
}

func (e *env) postForm(ctx context.Context, c *http.Client, endpoint string, form url.Values) (*http.Response, error) {
	return e.postFormAs(ctx, c, endpoint, form, e.oidc)
}

func (e *env) postFormAs(ctx context.Context, c *http.Client, endpoint string, form url.Values, as creds) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	as.clientAuth(req)
	return c.Do(req)
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	IDToken     string `json:"id_token"`
	TokenType   string `json:"token_type"`
}

// token calls the token endpoint and checks for a 200 with an access token.
func (e *env) token(ctx context.Context, c *http.Client, form url.Values) (tokenResponse, error) {
	return e.tokenAs(ctx, c, form, e.oidc)
}

func (e *env) tokenAs(ctx context.Context, c *http.Client, form url.Values, as creds) (tokenResponse, error) {
	var t tokenResponse
	resp, err := e.postFormAs(ctx, c, e.disc.TokenEndpoint, form, as)
	if err != nil {
		return t, fmt.Errorf("token (%s): %w", form.Get("grant_type"), netErr(err))
	}
	b := readBody(resp)
	if resp.StatusCode != http.StatusOK {
		return t, oauthError("token ("+form.Get("grant_type")+")", resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return t, fmt.Errorf("token (%s): decode: %v", form.Get("grant_type"), err)
	}
	if t.AccessToken == "" {
		return t, fmt.Errorf("token (%s): 200 without access_token", form.Get("grant_type"))
	}
	return t, nil
}

// plain is a client without cookies that never follows redirects.
func (e *env) plain() *http.Client {
	return &http.Client{Transport: e.tr, Timeout: e.cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (e *env) ccForm() url.Values {
	f := url.Values{"grant_type": {"client_credentials"}}
	if e.cfg.Scope != "" {
		f.Set("scope", e.cfg.Scope)
	}
	return f
}

// cc: one client_credentials token request (RFC 6749 §4.4).
func (e *env) cc(ctx context.Context, w *worker) error {
	_, err := e.token(ctx, w.state.(*http.Client), e.ccForm())
	return err
}

type introState struct {
	c      *http.Client
	tokens []string // cycled through
	next   int
	as     creds // the client the tokens were issued to (RFC 7662 §4)
	active bool  // the answer every token must get
}

// introspect: one RFC 7662 introspection of the worker's next token,
// whose answer must be the expected "active".
func (e *env) introspect(ctx context.Context, w *worker) error {
	st := w.state.(*introState)
	tok := st.tokens[st.next%len(st.tokens)]
	st.next++
	resp, err := e.postFormAs(ctx, st.c, e.disc.IntrospectionEndpoint, url.Values{"token": {tok}, "token_type_hint": {"access_token"}}, st.as)
	if err != nil {
		return fmt.Errorf("introspect: %w", netErr(err))
	}
	b := readBody(resp)
	if resp.StatusCode != http.StatusOK {
		return oauthError("introspect", resp.StatusCode, b)
	}
	var r struct {
		Active bool `json:"active"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("introspect: decode: %v", err)
	}
	if r.Active != st.active {
		return fmt.Errorf(`introspect: 200 with "active": %v`, r.Active)
	}
	return nil
}

// mintTokens gets n distinct client_credentials access tokens for as, with
// the run's concurrency.
func (e *env) mintTokens(ctx context.Context, as creds, n int) ([]string, error) {
	toks := make([]string, n)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  int
	)
	for range min(e.cfg.Concurrency, n) {
		wg.Go(func() {
			c := e.plain()
			for {
				mu.Lock()
				i := next
				next++
				stop := i >= n || first != nil
				mu.Unlock()
				if stop || ctx.Err() != nil {
					return
				}
				t, err := e.tokenAs(ctx, c, e.ccForm(), as)
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				toks[i] = t.AccessToken
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return toks, first
}

// netErr drops the *url.Error wrapper (method and full URL, which would
// make every sample distinct).
func netErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

type browserState struct {
	browser *http.Client // cookie jar with the SSO session
	plain   *http.Client // back-channel calls (token, serviceValidate)
}

// authcode: one authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636)
// on an existing SSO session.
func (e *env) authcode(ctx context.Context, w *worker) error {
	st := w.state.(*browserState)
	var rnd [48]byte
	_, _ = rand.Read(rnd[:])
	state, verifier := b64(rnd[:12]), b64(rnd[12:])
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"response_type": {"code"}, "client_id": {e.oidcID}, "redirect_uri": {e.redirectURI},
		"scope": {"openid"}, "state": {state}, "code_challenge": {b64(sum[:])}, "code_challenge_method": {"S256"}}
	sep := "?"
	if strings.Contains(e.disc.AuthorizationEndpoint, "?") {
		sep = "&"
	}
	req, err := http.NewRequestWithContext(ctx, "GET", e.disc.AuthorizationEndpoint+sep+q.Encode(), nil)
	if err != nil {
		return err
	}
	s := time.Now()
	resp, err := st.browser.Do(req)
	if err != nil {
		return fmt.Errorf("authorize: %w", netErr(err))
	}
	b := readBody(resp)
	loc, _ := resp.Location()
	if resp.StatusCode/100 != 3 || loc == nil || !strings.HasPrefix(loc.String(), e.redirectURI) {
		where := resp.Request.URL.Path
		if loc != nil {
			where += " → " + loc.Scheme + "://" + loc.Host + loc.Path
		}
		return fmt.Errorf("authorize: ended at %s with status %d, not at the redirect URI: %s", where, resp.StatusCode, pageTitle(b))
	}
	w.step(0, time.Since(s))
	lq := loc.Query()
	if e := lq.Get("error"); e != "" {
		return fmt.Errorf("authorize: error=%s: %s", e, truncate(lq.Get("error_description"), 120))
	}
	if lq.Get("state") != state {
		return errors.New("authorize: state in the redirect does not match")
	}
	code := lq.Get("code")
	if code == "" {
		return errors.New("authorize: no code in the redirect")
	}
	s = time.Now()
	t, err := e.token(ctx, st.plain, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {e.redirectURI}, "code_verifier": {verifier}})
	if err != nil {
		return err
	}
	if t.IDToken == "" {
		return errors.New("token (authorization_code): no id_token for scope openid")
	}
	w.step(1, time.Since(s))
	return nil
}

var titleRE = regexp.MustCompile(`(?is)<(?:title|h1)[^>]*>([^<]*)<`)

// pageTitle names an HTML answer by its title, for error messages.
func pageTitle(b []byte) string {
	if m := titleRE.FindSubmatch(b); m != nil {
		return strings.TrimSpace(string(m[1]))
	}
	return truncate(strings.TrimSpace(string(b)), 80)
}

// mint gets a service ticket from /cas/login with the session cookie.
func (e *env) mint(ctx context.Context, st *browserState) (string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", e.cfg.URL+"/cas/login?"+url.Values{"service": {e.service}}.Encode(), nil)
	if err != nil {
		return "", err
	}
	resp, err := st.browser.Do(req)
	if err != nil {
		return "", fmt.Errorf("cas/login: %w", netErr(err))
	}
	b := readBody(resp)
	loc, _ := resp.Location()
	if resp.StatusCode/100 != 3 || loc == nil || !strings.HasPrefix(loc.String(), e.service) {
		where := ""
		if loc != nil {
			where = " to " + loc.Path
		}
		return "", fmt.Errorf("cas/login: status %d%s, not a redirect to the service: %s", resp.StatusCode, where, pageTitle(b))
	}
	t := loc.Query().Get("ticket")
	if t == "" {
		return "", errors.New("cas/login: redirect to the service without a ticket")
	}
	return t, nil
}

var casFailureRE = regexp.MustCompile(`<cas:authenticationFailure code="([^"]*)"`)

// validate checks a ticket at /cas/serviceValidate (CAS 3.0 §2.5).
func (e *env) validate(ctx context.Context, c *http.Client, ticket string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", e.cfg.URL+"/cas/serviceValidate?"+url.Values{"service": {e.service}, "ticket": {ticket}}.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("cas/serviceValidate: %w", netErr(err))
	}
	b := readBody(resp)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("cas/serviceValidate: status %d: %s", resp.StatusCode, truncate(string(b), 120))
	}
	if !bytes.Contains(b, []byte("<cas:authenticationSuccess>")) {
		if m := casFailureRE.FindSubmatch(b); m != nil {
			return fmt.Errorf("cas/serviceValidate: authenticationFailure %s", m[1])
		}
		return fmt.Errorf("cas/serviceValidate: no authenticationSuccess: %s", truncate(string(b), 120))
	}
	return nil
}

// casPair: one fresh service ticket, then its validation.
func (e *env) casPair(ctx context.Context, w *worker) error {
	st := w.state.(*browserState)
	s := time.Now()
	t, err := e.mint(ctx, st)
	if err != nil {
		return err
	}
	m := time.Now()
	w.step(0, m.Sub(s))
	if err := e.validate(ctx, st.plain, t); err != nil {
		return err
	}
	w.step(1, time.Since(m))
	return nil
}

// casValidateRounds measures /cas/serviceValidate alone: in each round
// every worker mints tickets for mintWindow (tickets live ~15 s), then all
// workers validate their pools at once; only that second part is timed.
// Rounds repeat until the validation time adds up to dur.
func (e *env) casValidateRounds(ctx context.Context, workers []*worker, mintWindow, dur time.Duration) Result {
	const maxPool = 20000
	pools := make([][]string, len(workers))
	for _, w := range workers {
		w.lat, w.steps, w.pending = make([]time.Duration, 0, 4096), nil, nil
		w.errs, w.warmErr, w.samples = 0, 0, errSamples{}
	}
	var wall time.Duration
	rounds := 0
	for wall < dur && ctx.Err() == nil {
		var wg sync.WaitGroup
		mintEnd := time.Now().Add(mintWindow)
		for i, w := range workers {
			wg.Go(func() {
				st := w.state.(*browserState)
				pools[i] = pools[i][:0]
				for len(pools[i]) < maxPool && time.Now().Before(mintEnd) && ctx.Err() == nil {
					t, err := e.mint(ctx, st)
					if err != nil {
						if ctx.Err() == nil {
							w.warmErr++
							w.samples.add("minting: "+err.Error(), 1)
						}
						continue
					}
					pools[i] = append(pools[i], t)
				}
			})
		}
		wg.Wait()
		start := time.Now()
		for i, w := range workers {
			wg.Go(func() {
				st := w.state.(*browserState)
				for _, t := range pools[i] {
					s := time.Now()
					err := e.validate(ctx, st.plain, t)
					if ctx.Err() != nil {
						return
					}
					if err != nil {
						w.errs++
						w.samples.add(err.Error(), 1)
						continue
					}
					w.lat = append(w.lat, time.Since(s))
				}
			})
		}
		wg.Wait()
		wall += time.Since(start)
		rounds++
	}
	r := merge(workers, nil, wall)
	r.Note = fmt.Sprintf("%d round(s): every worker mints tickets for %s, then all validate their pools at once; "+
		"rate = validations / time spent validating", rounds, mintWindow)
	return r
}
