package oidc_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/sesame-sso/sesame/internal/connector"
	"github.com/sesame-sso/sesame/internal/connector/connectortest"
	"github.com/sesame-sso/sesame/internal/connector/oidc"
)

const callback = "https://sesame.example/login/callback"

// clock is a settable clock for the key set's rate limit.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// open opens a connector for p in OIDC mode; edit adjusts the config.
func open(t testing.TB, p *connectortest.Provider, edit func(*oidc.Config), opts oidc.Options) *oidc.Connector {
	t.Helper()
	cfg := oidc.Config{Issuer: p.Issuer(), ClientID: p.ClientID(), ClientSecret: p.ClientSecret(), KeepRefreshToken: true, RPLogout: true}
	if edit != nil {
		edit(&cfg)
	}
	c, err := oidc.New(cfg, opts)
	if err != nil {
		t.Fatalf("oidc.New: %v", err)
	}
	return c
}

// login plays one delegated login: Begin, the browser at the IdP, Finish.
// It also checks that a failure's text never holds the code.
func login(t testing.TB, p *connectortest.Provider, c *oidc.Connector) (connector.Identity, error) {
	t.Helper()
	ctx := context.Background()
	a, kept, err := c.Begin(ctx, "state-"+rand16(), callback)
	if err != nil {
		return connector.Identity{}, err
	}
	r := p.Callback(t, a.RedirectURL)
	id, err := c.Finish(ctx, r, kept)
	if code := r.URL.Query().Get("code"); err != nil && code != "" && strings.Contains(err.Error(), code) {
		t.Errorf("error text leaks the code: %v", err)
	}
	return id, err
}

func rand16() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return strings.ToLower(strings.TrimRight(jsonString(b), "="))
}

func jsonString(b []byte) string {
	s, _ := json.Marshal(b)
	return strings.Trim(strings.NewReplacer("+", "x", "/", "y").Replace(string(s)), `"`)
}

func wantReason(t testing.TB, err error, want connector.Reason) {
	t.Helper()
	if err == nil {
		t.Fatalf("want a %q error, got success", want)
	}
	if got := connector.ReasonOf(err); got != want {
		t.Fatalf("want reason %q, got %q: %v", want, got, err)
	}
}

func roles(id connector.Identity) []any {
	r, _ := id.Claims["roles"].([]any)
	return r
}

func TestHappyPathPerAlg(t *testing.T) {
	for _, alg := range []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256} {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			p := connectortest.New(t, connectortest.Options{Alg: alg})
			p.SetUser(connectortest.User{Subject: "alice", Claims: map[string]any{
				"email": "alice@corp.example", "email_verified": true, "roles": []string{"Admin"},
				"realm_access": map[string]any{"roles": []string{"a", "b"}},
			}})
			c := open(t, p, nil, oidc.Options{})
			id, err := login(t, p, c)
			if err != nil {
				t.Fatal(err)
			}
			if id.Subject != "alice" || id.Email != "alice@corp.example" || !id.EmailVerified {
				t.Fatalf("identity %+v", id)
			}
			if r := roles(id); len(r) != 1 || r[0] != "Admin" {
				t.Fatalf("roles claim %v", id.Claims["roles"])
			}
			if _, ok := id.Claims["realm_access"].(map[string]any); !ok {
				t.Fatalf("nested claim lost: %v", id.Claims)
			}
			if len(id.Data) == 0 {
				t.Fatal("no Data kept")
			}
		})
	}
}

// The same provider, second login: discovery and keys are cached.
func TestCachesDiscoveryAndKeys(t *testing.T) {
	p := connectortest.New(t, connectortest.Options{})
	c := open(t, p, nil, oidc.Options{})
	for range 3 {
		if _, err := login(t, p, c); err != nil {
			t.Fatal(err)
		}
	}
	if d, k := p.Hits(connectortest.Discovery), p.Hits(connectortest.JWKS); d != 1 || k != 1 {
		t.Fatalf("discovery fetched %d times, JWKS %d times; want 1 and 1", d, k)
	}
}

func newEncKey(t testing.TB, kid, alg string) oidc.DecryptionKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return oidc.DecryptionKey{ID: kid, Key: k, Algorithm: alg}
}

// The IdP encrypts to the key Sesame publishes with EncryptionJWKS.
func TestEncryptedIDToken(t *testing.T) {
	dk := newEncKey(t, "sesame-enc-1", "")
	set, err := oidc.EncryptionJWKS([]oidc.DecryptionKey{dk})
	if err != nil {
		t.Fatal(err)
	}
	var jwks jose.JSONWebKeySet
	if err := json.Unmarshal(set, &jwks); err != nil || len(jwks.Keys) != 1 {
		t.Fatalf("JWKS %s: %v", set, err)
	}
	pub := jwks.Keys[0]
	if pub.Use != "enc" || !pub.IsPublic() || pub.KeyID != "sesame-enc-1" || strings.Contains(string(set), `"d"`) {
		t.Fatalf("published key %s", set)
	}
	for _, ka := range []jose.KeyAlgorithm{jose.RSA_OAEP, jose.RSA_OAEP_256} {
		for _, enc := range []jose.ContentEncryption{jose.A128GCM, jose.A256GCM, jose.A128CBC_HS256} {
			t.Run(string(ka)+"/"+string(enc), func(t *testing.T) {
				t.Parallel()
				p := connectortest.New(t, connectortest.Options{EncryptTo: pub.Key.(*rsa.PublicKey), EncryptKID: pub.KeyID, KeyAlg: ka, Enc: enc})
				c := open(t, p, func(c *oidc.Config) {
					c.DecryptionKeys = []oidc.DecryptionKey{dk}
					c.RequireEncryption = true
				}, oidc.Options{})
				id, err := login(t, p, c)
				if err != nil {
					t.Fatal(err)
				}
				if id.Subject != "user-1" || !id.EmailVerified {
					t.Fatalf("identity %+v", id)
				}
				// The logout hint is the signed token inside, not the JWE
				// (RP-Initiated Logout 1.0 §2).
				u, err := c.LogoutURL(context.Background(), id.Data, "https://sesame.example/")
				if err != nil {
					t.Fatal(err)
				}
				hint := mustParse(t, u).Query().Get("id_token_hint")
				if strings.Count(hint, ".") != 2 {
					t.Fatalf("id_token_hint is not the inner JWS: %d parts", strings.Count(hint, ".")+1)
				}
			})
		}
	}
}

func TestEncryptionRefusals(t *testing.T) {
	dk := newEncKey(t, "k1", "")
	other := newEncKey(t, "k1", "")
	cases := []struct {
		name string
		opts connectortest.Options
		keys []oidc.DecryptionKey
		req  bool
	}{
		{"RSA1_5 key algorithm", connectortest.Options{EncryptTo: &dk.Key.PublicKey, EncryptKID: "k1", KeyAlg: jose.RSA1_5}, []oidc.DecryptionKey{dk}, false},
		{"A192GCM content", connectortest.Options{EncryptTo: &dk.Key.PublicKey, EncryptKID: "k1", Enc: jose.A192GCM}, []oidc.DecryptionKey{dk}, false},
		{"A256CBC-HS512 content", connectortest.Options{EncryptTo: &dk.Key.PublicKey, EncryptKID: "k1", Enc: jose.A256CBC_HS512}, []oidc.DecryptionKey{dk}, false},
		{"encrypted to another key", connectortest.Options{EncryptTo: &other.Key.PublicKey, EncryptKID: "k1"}, []oidc.DecryptionKey{dk}, false},
		{"encrypted to an unknown kid", connectortest.Options{EncryptTo: &dk.Key.PublicKey, EncryptKID: "k9"}, []oidc.DecryptionKey{dk}, false},
		{"encrypted but no key configured", connectortest.Options{EncryptTo: &dk.Key.PublicKey, EncryptKID: "k1"}, nil, false},
		{"key pinned to RSA-OAEP-256, token RSA-OAEP", connectortest.Options{EncryptTo: &dk.Key.PublicKey, EncryptKID: "k1", KeyAlg: jose.RSA_OAEP}, []oidc.DecryptionKey{{ID: "k1", Key: dk.Key, Algorithm: "RSA-OAEP-256"}}, false},
		{"plain token, encryption required", connectortest.Options{}, []oidc.DecryptionKey{dk}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := connectortest.New(t, tc.opts)
			c := open(t, p, func(c *oidc.Config) { c.DecryptionKeys, c.RequireEncryption = tc.keys, tc.req }, oidc.Options{})
			_, err := login(t, p, c)
			wantReason(t, err, connector.ReasonDecrypt)
		})
	}
}

func TestEncryptionJWKSRefusesWeakKeys(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oidc.EncryptionJWKS([]oidc.DecryptionKey{{ID: "s", Key: small}}); err == nil {
		t.Fatal("a 1024-bit key was published")
	}
	if _, err := oidc.New(oidc.Config{Issuer: "https://idp.example", ClientID: "c", DecryptionKeys: []oidc.DecryptionKey{{ID: "s", Key: small}}}, oidc.Options{}); err == nil {
		t.Fatal("a 1024-bit decryption key was accepted")
	}
}

// Plain OAuth 2.0 (GitHub-style): no ID token, the user is what userinfo
// says, the subject a number in "id".
func TestOAuth2Mode(t *testing.T) {
	p := connectortest.New(t, connectortest.Options{NoIDToken: true, UserinfoSubjectClaim: "id"})
	p.SetUser(connectortest.User{Subject: "4242", Claims: map[string]any{"login": "octocat", "email": "octo@example.com"}})
	c, err := oidc.New(oidc.Config{
		AuthURL: p.URL(connectortest.Authorize), TokenURL: p.URL(connectortest.Token), UserinfoURL: p.URL(connectortest.Userinfo),
		UserinfoSubjectClaim: "id", ClientID: p.ClientID(), ClientSecret: p.ClientSecret(), Scopes: []string{"read:user"},
		TokenAuth: "client_secret_post", KeepRefreshToken: true,
	}, oidc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id, err := login(t, p, c)
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "4242" || id.Claims["login"] != "octocat" || id.Email != "octo@example.com" || id.EmailVerified {
		t.Fatalf("identity %+v", id)
	}
	if n, ok := id.Claims["id"].(float64); !ok || n != 4242 {
		t.Fatalf("id claim %T %v", id.Claims["id"], id.Claims["id"])
	}
	if p.Hits(connectortest.Discovery) != 0 || p.Hits(connectortest.JWKS) != 0 {
		t.Fatal("OAuth 2.0 mode fetched discovery or keys")
	}
	// Refresh re-reads userinfo.
	p.SetUser(connectortest.User{Subject: "4242", Claims: map[string]any{"login": "octocat2"}})
	id2, err := c.Refresh(context.Background(), id.Data)
	if err != nil {
		t.Fatal(err)
	}
	if id2.Claims["login"] != "octocat2" || id2.Subject != "4242" {
		t.Fatalf("refreshed identity %+v", id2)
	}
}

func TestUserinfo(t *testing.T) {
	p := connectortest.New(t, connectortest.Options{})
	p.SetUser(connectortest.User{Subject: "u", Claims: map[string]any{"email": "u@example.com", "email_verified": "true", "phone_number": "+4930"}})
	c := open(t, p, func(c *oidc.Config) { c.UseUserinfo = true }, oidc.Options{})
	id, err := login(t, p, c)
	if err != nil {
		t.Fatal(err)
	}
	if id.Claims["phone_number"] != "+4930" || !id.EmailVerified || p.Hits(connectortest.Userinfo) != 1 {
		t.Fatalf("identity %+v, userinfo hits %d", id, p.Hits(connectortest.Userinfo))
	}
	// OIDC Core §5.3.4: userinfo for another subject is refused.
	p.Misbehave(connectortest.Misbehaviour{UserinfoSub: "mallory"})
	_, err = login(t, p, c)
	wantReason(t, err, connector.ReasonSubject)
}

// Each token attack of the issue, one row: the upstream misbehaves once.
func TestTokenAttacks(t *testing.T) {
	cases := []struct {
		name string
		m    connectortest.Misbehaviour
		want connector.Reason
	}{
		{"wrong issuer", connectortest.Misbehaviour{Issuer: "https://evil.example"}, connector.ReasonIssuer},
		{"wrong audience", connectortest.Misbehaviour{Audience: []string{"other-client"}}, connector.ReasonAudience},
		{"several audiences without azp", connectortest.Misbehaviour{Audience: []string{"client", "other-client"}}, connector.ReasonAZP},
		{"azp of another client", connectortest.Misbehaviour{Audience: []string{"client", "other-client"}, AZP: "other-client"}, connector.ReasonAZP},
		{"azp of another client, one audience", connectortest.Misbehaviour{AZP: "other-client"}, connector.ReasonAZP},
		{"expired", connectortest.Misbehaviour{IssuedAt: -time.Hour, ExpiresIn: 50 * time.Minute}, connector.ReasonExpired},
		{"expired beyond skew", connectortest.Misbehaviour{ExpiresIn: -3 * time.Minute}, connector.ReasonExpired},
		{"not yet valid (nbf beyond skew)", connectortest.Misbehaviour{NotBefore: 3 * time.Minute}, connector.ReasonNotYetValid},
		{"issued in the future", connectortest.Misbehaviour{IssuedAt: 3 * time.Minute}, connector.ReasonNotYetValid},
		{"bad signature", connectortest.Misbehaviour{BadSignature: true}, connector.ReasonSignature},
		{"alg none", connectortest.Misbehaviour{AlgNone: true}, connector.ReasonAlgorithm},
		{"HS256 keyed with the public key", connectortest.Misbehaviour{HS256PublicKey: true}, connector.ReasonAlgorithm},
		{"foreign nonce", connectortest.Misbehaviour{Nonce: "not-this-login"}, connector.ReasonNonce},
		{"no nonce", connectortest.Misbehaviour{OmitNonce: true}, connector.ReasonNonce},
		{"at_hash of another access token", connectortest.Misbehaviour{BadAtHash: true}, connector.ReasonToken},
		{"IdP error answer", connectortest.Misbehaviour{AuthorizeError: "access_denied"}, connector.ReasonIdP},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := connectortest.New(t, connectortest.Options{})
			c := open(t, p, nil, oidc.Options{})
			p.Misbehave(tc.m)
			_, err := login(t, p, c)
			wantReason(t, err, tc.want)
			// The same provider, honest again: the connector still works.
			p.Misbehave(connectortest.Misbehaviour{})
			if _, err := login(t, p, c); err != nil {
				t.Fatalf("honest login after the attack: %v", err)
			}
		})
	}
}

func TestIdPErrorCode(t *testing.T) {
	p := connectortest.New(t, connectortest.Options{})
	c := open(t, p, nil, oidc.Options{})
	p.Misbehave(connectortest.Misbehaviour{AuthorizeError: "access_denied"})
	_, err := login(t, p, c)
	var e *connector.Error
	if !errors.As(err, &e) || e.IdPError != "access_denied" {
		t.Fatalf("want the IdP's error code, got %v", err)
	}
}

// The skew is configurable: a token expired 30 s ago passes with the
// default 2 min and fails with 10 s.
func TestClockSkew(t *testing.T) {
	p := connectortest.New(t, connectortest.Options{})
	p.Misbehave(connectortest.Misbehaviour{ExpiresIn: -30 * time.Second, NotBefore: 30 * time.Second})
	if _, err := login(t, p, open(t, p, nil, oidc.Options{})); err != nil {
		t.Fatalf("within the default skew: %v", err)
	}
	_, err := login(t, p, open(t, p, func(c *oidc.Config) { c.ClockSkew = 10 * time.Second }, oidc.Options{}))
	wantReason(t, err, connector.ReasonExpired)
	p.Misbehave(connectortest.Misbehaviour{NotBefore: 30 * time.Second})
	_, err = login(t, p, open(t, p, func(c *oidc.Config) { c.ClockSkew = 10 * time.Second }, oidc.Options{}))
	wantReason(t, err, connector.ReasonNotYetValid)
}

// A token whose nonce is that of an earlier login (a replayed ID token) is
// refused.
func TestNonceReplay(t *testing.T) {
	p := connectortest.New(t, connectortest.Options{})
	c := open(t, p, nil, oidc.Options{})
	if _, err := login(t, p, c); err != nil {
		t.Fatal(err)
	}
	p.Misbehave(connectortest.Misbehaviour{Nonce: p.Nonces()[0]})
	_, err := login(t, p, c)
	wantReason(t, err, connector.ReasonNonce)
}

func TestState(t *testing.T) {
	ctx := context.Background()
	p := connectortest.New(t, connectortest.Options{})
	c := open(t, p, nil, oidc.Options{})

	t.Run("missing", func(t *testing.T) {
		p.Misbehave(connectortest.Misbehaviour{OmitState: true})
		defer p.Misbehave(connectortest.Misbehaviour{})
		_, err := login(t, p, c)
		wantReason(t, err, connector.ReasonState)
	})
	t.Run("another flow's", func(t *testing.T) {
		a1, _, err := c.Begin(ctx, "state-one", callback)
		if err != nil {
			t.Fatal(err)
		}
		_, kept2, err := c.Begin(ctx, "state-two", callback)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Finish(ctx, p.Callback(t, a1.RedirectURL), kept2)
		wantReason(t, err, connector.ReasonState)
	})
	t.Run("no flow", func(t *testing.T) {
		a, _, err := c.Begin(ctx, "state-x", callback)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Finish(ctx, p.Callback(t, a.RedirectURL), nil)
		wantReason(t, err, connector.ReasonState)
	})
	t.Run("replayed", func(t *testing.T) {
		// The engine consumes its Flow on the first answer; should the same
		// answer reach Finish twice, the IdP refuses the used code.
		a, kept, err := c.Begin(ctx, "state-r", callback)
		if err != nil {
			t.Fatal(err)
		}
		r := p.Callback(t, a.RedirectURL)
		if _, err := c.Finish(ctx, r, kept); err != nil {
			t.Fatal(err)
		}
		_, err = c.Finish(ctx, r, kept)
		wantReason(t, err, connector.ReasonExchange)
	})
}

// A code obtained in the attacker's session injected into the victim's
// callback: PKCE makes the IdP refuse it; with an IdP that skips PKCE the
// nonce still refuses it.
func TestCodeInjection(t *testing.T) {
	ctx := context.Background()
	for _, skipPKCE := range []bool{false, true} {
		p := connectortest.New(t, connectortest.Options{})
		c := open(t, p, nil, oidc.Options{})
		p.Misbehave(connectortest.Misbehaviour{SkipPKCE: skipPKCE})
		attacker, _, err := c.Begin(ctx, "attacker-state", callback)
		if err != nil {
			t.Fatal(err)
		}
		stolen := p.Callback(t, attacker.RedirectURL).URL.Query().Get("code")
		_, victimKept, err := c.Begin(ctx, "victim-state", callback)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := http.NewRequest(http.MethodGet, callback+"?"+url.Values{"code": {stolen}, "state": {"victim-state"}}.Encode(), nil)
		_, err = c.Finish(ctx, r, victimKept)
		if skipPKCE {
			wantReason(t, err, connector.ReasonNonce)
		} else {
			wantReason(t, err, connector.ReasonExchange)
		}
	}
}

// RFC 9207 mix-up defence, and kept values bound to their connection.
func TestMixUp(t *testing.T) {
	ctx := context.Background()
	honest := connectortest.New(t, connectortest.Options{ISSParam: true})
	evil := connectortest.New(t, connectortest.Options{ISSParam: true})
	cHonest := open(t, honest, nil, oidc.Options{})
	if _, err := login(t, honest, cHonest); err != nil {
		t.Fatalf("honest login with iss: %v", err)
	}

	t.Run("iss of another IdP", func(t *testing.T) {
		honest.Misbehave(connectortest.Misbehaviour{ISSParam: evil.Issuer()})
		defer honest.Misbehave(connectortest.Misbehaviour{})
		_, err := login(t, honest, cHonest)
		wantReason(t, err, connector.ReasonMixUp)
	})
	t.Run("iss missing though advertised", func(t *testing.T) {
		honest.Misbehave(connectortest.Misbehaviour{OmitISSParam: true})
		defer honest.Misbehave(connectortest.Misbehaviour{})
		_, err := login(t, honest, cHonest)
		wantReason(t, err, connector.ReasonMixUp)
	})
	t.Run("iss wrong at an IdP that does not advertise it", func(t *testing.T) {
		plain := connectortest.New(t, connectortest.Options{})
		plain.Misbehave(connectortest.Misbehaviour{ISSParam: evil.Issuer()})
		_, err := login(t, plain, open(t, plain, nil, oidc.Options{}))
		wantReason(t, err, connector.ReasonMixUp)
	})
	t.Run("answer from the evil IdP to the honest connection", func(t *testing.T) {
		// The flow began at the evil connection; its answer is replayed to
		// the honest connection's callback with the flow's kept value. The
		// IdPs send no iss parameter: the kept value's binding to its
		// connection is what refuses it.
		plainHonest := connectortest.New(t, connectortest.Options{})
		plainEvil := connectortest.New(t, connectortest.Options{})
		cH, cE := open(t, plainHonest, nil, oidc.Options{}), open(t, plainEvil, nil, oidc.Options{})
		a, kept, err := cE.Begin(ctx, "s-evil", callback)
		if err != nil {
			t.Fatal(err)
		}
		_, err = cH.Finish(ctx, plainEvil.Callback(t, a.RedirectURL), kept)
		wantReason(t, err, connector.ReasonMixUp)
	})
}

// A hostile or broken IdP costs a bounded request and gives a clear error.
func TestHostileUpstream(t *testing.T) {
	client := oidc.NewHTTPClient(oidc.Limits{Timeout: 500 * time.Millisecond})
	type row struct {
		e      connectortest.Endpoint
		f      connectortest.Fault
		want   connector.Reason
		target error
	}
	var rows []row
	for _, e := range []connectortest.Endpoint{connectortest.Discovery, connectortest.JWKS, connectortest.Token, connectortest.Userinfo} {
		html := map[connectortest.Endpoint]connector.Reason{
			connectortest.Discovery: connector.ReasonDiscovery, connectortest.JWKS: connector.ReasonUnreachable,
			connectortest.Token: connector.ReasonExchange, connectortest.Userinfo: connector.ReasonUserinfo,
		}[e]
		rows = append(rows,
			row{e, connectortest.Slow, connector.ReasonUnreachable, context.DeadlineExceeded},
			row{e, connectortest.HTML, html, nil},
			row{e, connectortest.Huge, connector.ReasonUnreachable, oidc.ErrTooLarge},
			row{e, connectortest.RedirectLoop, connector.ReasonUnreachable, oidc.ErrRedirects},
		)
	}
	names := map[connectortest.Fault]string{connectortest.Slow: "slow", connectortest.HTML: "html", connectortest.Huge: "10MB", connectortest.RedirectLoop: "redirect-loop"}
	for _, tc := range rows {
		t.Run(string(tc.e)+"/"+names[tc.f], func(t *testing.T) {
			t.Parallel()
			p := connectortest.New(t, connectortest.Options{})
			p.Misbehave(connectortest.Misbehaviour{Faults: map[connectortest.Endpoint]connectortest.Fault{tc.e: tc.f}})
			c := open(t, p, func(c *oidc.Config) { c.UseUserinfo = true }, oidc.Options{HTTPClient: client})
			start := time.Now()
			_, err := login(t, p, c)
			wantReason(t, err, tc.want)
			if tc.target != nil && !errors.Is(err, tc.target) && !(tc.f == connectortest.Slow && strings.Contains(err.Error(), "Timeout")) {
				t.Fatalf("want %v in the chain: %v", tc.target, err)
			}
			// Bounded: a few client timeouts at most (generous for a
			// loaded machine; the slow endpoint alone would hold a minute).
			if d := time.Since(start); d > 20*time.Second {
				t.Fatalf("took %s", d)
			}
			if tc.f == connectortest.RedirectLoop && p.Hits(tc.e) > 1+oidc.DefaultMaxRedirects {
				t.Fatalf("followed %d redirects", p.Hits(tc.e)-1)
			}
		})
	}
}

// Unknown kids re-fetch the JWKS at most once per interval; a real key
// rotation is picked up by the first token after it.
func TestUnknownKidRefetchRateLimited(t *testing.T) {
	clk := &clock{t: time.Now()}
	p := connectortest.New(t, connectortest.Options{})
	c := open(t, p, nil, oidc.Options{Now: clk.Now, KeyRefetchInterval: 30 * time.Second})
	if _, err := login(t, p, c); err != nil {
		t.Fatal(err)
	}
	if n := p.Hits(connectortest.JWKS); n != 1 {
		t.Fatalf("JWKS fetched %d times after the first login", n)
	}
	p.Misbehave(connectortest.Misbehaviour{UnpublishedKey: true})
	for range 5 {
		_, err := login(t, p, c)
		wantReason(t, err, connector.ReasonSignature)
	}
	if n := p.Hits(connectortest.JWKS); n != 1 {
		t.Fatalf("5 unknown kids within the interval fetched the JWKS %d more times", n-1)
	}
	clk.Add(31 * time.Second)
	for range 5 {
		_, err := login(t, p, c)
		wantReason(t, err, connector.ReasonSignature)
	}
	if n := p.Hits(connectortest.JWKS); n != 2 {
		t.Fatalf("after the interval, 5 unknown kids fetched the JWKS %d times, want 1", n-1)
	}

	// Rotation: the new kid is fetched once the interval allows.
	p.Misbehave(connectortest.Misbehaviour{})
	p.RotateKey(t)
	clk.Add(31 * time.Second)
	if _, err := login(t, p, c); err != nil {
		t.Fatalf("login after rotation: %v", err)
	}
	if _, err := login(t, p, c); err != nil {
		t.Fatal(err)
	}
	if n := p.Hits(connectortest.JWKS); n != 3 {
		t.Fatalf("rotation cost %d JWKS fetches, want 1", n-2)
	}
}

// Concurrent logins with a cold cache fetch discovery and keys once.
func TestConcurrentColdStart(t *testing.T) {
	p := connectortest.New(t, connectortest.Options{})
	c := open(t, p, nil, oidc.Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			if _, err := login(t, p, c); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if d, k := p.Hits(connectortest.Discovery), p.Hits(connectortest.JWKS); d != 1 || k != 1 {
		t.Fatalf("discovery %d, JWKS %d fetches; want 1 and 1", d, k)
	}
}

func TestRefresh(t *testing.T) {
	ctx := context.Background()
	p := connectortest.New(t, connectortest.Options{})
	p.SetUser(connectortest.User{Subject: "r", Claims: map[string]any{"roles": []string{"Admin", "User"}}})
	c := open(t, p, nil, oidc.Options{})
	id, err := login(t, p, c)
	if err != nil {
		t.Fatal(err)
	}
	// A role removed at the IdP is gone after one refresh (issue 10 item 6).
	p.SetUser(connectortest.User{Subject: "r", Claims: map[string]any{"roles": []string{"User"}}})
	id2, err := c.Refresh(ctx, id.Data)
	if err != nil {
		t.Fatal(err)
	}
	if r := roles(id2); len(r) != 1 || r[0] != "User" || id2.Subject != "r" {
		t.Fatalf("refreshed identity %+v", id2)
	}
	// The IdP rotated its refresh token: the old Data no longer works, the
	// new one does.
	if _, err := c.Refresh(ctx, id.Data); connector.ReasonOf(err) != connector.ReasonRefresh {
		t.Fatalf("old refresh token: %v", err)
	}
	// Without a new ID token the login's claims stay.
	p.Misbehave(connectortest.Misbehaviour{RefreshNoID: true})
	id3, err := c.Refresh(ctx, id2.Data)
	if err != nil {
		t.Fatal(err)
	}
	if r := roles(id3); len(r) != 1 || r[0] != "User" {
		t.Fatalf("claims without a new ID token: %v", id3.Claims)
	}
	if u, _ := c.LogoutURL(ctx, id3.Data, ""); mustParse(t, u).Query().Get("id_token_hint") == "" {
		t.Fatal("ID token for logout lost by a refresh without ID token")
	}
	// The user disabled at the IdP: the refresh fails.
	p.Misbehave(connectortest.Misbehaviour{RefreshFails: true})
	_, err = c.Refresh(ctx, id3.Data)
	wantReason(t, err, connector.ReasonRefresh)
	// A refreshed ID token is verified like at login.
	p.Misbehave(connectortest.Misbehaviour{})
	id4, err := login(t, p, c)
	if err != nil {
		t.Fatal(err)
	}
	p.Misbehave(connectortest.Misbehaviour{BadSignature: true})
	_, err = c.Refresh(ctx, id4.Data)
	wantReason(t, err, connector.ReasonSignature)
	// A refreshed ID token for another subject is refused (OIDC Core §12.2).
	p.Misbehave(connectortest.Misbehaviour{})
	id6, err := login(t, p, c)
	if err != nil {
		t.Fatal(err)
	}
	p.Misbehave(connectortest.Misbehaviour{RefreshSubject: "someone-else"})
	_, err = c.Refresh(ctx, id6.Data)
	wantReason(t, err, connector.ReasonSubject)
	// Without KeepRefreshToken there is nothing to refresh with.
	c2 := open(t, p, func(c *oidc.Config) { c.KeepRefreshToken = false }, oidc.Options{})
	p.Misbehave(connectortest.Misbehaviour{})
	id5, err := login(t, p, c2)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(id5.Data), `"rt"`) {
		t.Fatal("refresh token kept though switched off")
	}
	_, err = c2.Refresh(ctx, id5.Data)
	wantReason(t, err, connector.ReasonRefresh)
}

func TestLogoutURL(t *testing.T) {
	ctx := context.Background()
	p := connectortest.New(t, connectortest.Options{})
	c := open(t, p, nil, oidc.Options{})
	id, err := login(t, p, c)
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.LogoutURL(ctx, id.Data, "https://sesame.example/logged-out")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := p.LastLogout()
	if resp.Header.Get("Location") != "https://sesame.example/logged-out" || got.Get("client_id") != p.ClientID() || strings.Count(got.Get("id_token_hint"), ".") != 2 {
		t.Fatalf("logout at the IdP: %v, redirect %q", got, resp.Header.Get("Location"))
	}
	off := open(t, p, func(c *oidc.Config) { c.RPLogout = false }, oidc.Options{})
	if u, err := off.LogoutURL(ctx, id.Data, "https://sesame.example/"); u != "" || err != nil {
		t.Fatalf("RP logout off: %q %v", u, err)
	}
}

func TestConfigRefusals(t *testing.T) {
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	base := oidc.Config{Issuer: "https://idp.example", ClientID: "c"}
	cases := map[string]func(*oidc.Config){
		"no client id": func(c *oidc.Config) { c.ClientID = "" },
		"alg none":     func(c *oidc.Config) { c.SigningAlgs = []string{"none"} },
		"alg HS256":    func(c *oidc.Config) { c.SigningAlgs = []string{"RS256", "HS256"} },
		"http issuer":  func(c *oidc.Config) { c.Issuer = "http://idp.example" },
		"both modes":   func(c *oidc.Config) { c.TokenURL = "https://idp.example/token" },
		"no mode":      func(c *oidc.Config) { c.Issuer = "" },
		"OAuth2 without token": func(c *oidc.Config) {
			c.Issuer, c.AuthURL, c.UserinfoURL = "", "https://a.example/a", "https://a.example/u"
		},
		"skew too large":       func(c *oidc.Config) { c.ClockSkew = time.Hour },
		"small decryption key": func(c *oidc.Config) { c.DecryptionKeys = []oidc.DecryptionKey{{ID: "k", Key: small}} },
		"RSA1_5 decryption key": func(c *oidc.Config) {
			c.DecryptionKeys = []oidc.DecryptionKey{{ID: "k", Key: small, Algorithm: "RSA1_5"}}
		},
		"encryption without key": func(c *oidc.Config) { c.RequireEncryption = true },
		"discovery URL, no issuer, odd path": func(c *oidc.Config) {
			c.Issuer, c.DiscoveryURL = "", "https://idp.example/config.json"
		},
		"token auth": func(c *oidc.Config) { c.TokenAuth = "private_key_jwt" },
	}
	for name, edit := range cases {
		cfg := base
		edit(&cfg)
		_, err := oidc.New(cfg, oidc.Options{})
		if connector.ReasonOf(err) != connector.ReasonConfig {
			t.Errorf("%s: want a config error, got %v", name, err)
		}
	}
	// A discovery URL alone names the issuer; loopback http is allowed.
	if _, err := oidc.New(oidc.Config{DiscoveryURL: "http://127.0.0.1:1/realms/x/.well-known/openid-configuration", ClientID: "c"}, oidc.Options{}); err != nil {
		t.Errorf("discovery URL only: %v", err)
	}
}

// The discovery document must name the configured issuer (OIDC Discovery
// §4.3): a discovery URL pointing at another IdP is refused.
func TestDiscoveryIssuerMismatch(t *testing.T) {
	p := connectortest.New(t, connectortest.Options{})
	c, err := oidc.New(oidc.Config{Issuer: p.Issuer() + "/tenant-a", DiscoveryURL: p.URL(connectortest.Discovery), ClientID: "client"}, oidc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Begin(context.Background(), "s", callback)
	wantReason(t, err, connector.ReasonDiscovery)
}

func mustParse(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// With DenyPrivateNetworks the connector does not reach loopback (standing
// in for internal services and cloud metadata a tenant admin might point a
// connection at).
func TestDenyPrivateNetworks(t *testing.T) {
	p := connectortest.New(t, connectortest.Options{})
	c := open(t, p, nil, oidc.Options{HTTPClient: oidc.NewHTTPClient(oidc.Limits{DenyPrivateNetworks: true})})
	_, _, err := c.Begin(context.Background(), "s", callback)
	wantReason(t, err, connector.ReasonUnreachable)
	if !errors.Is(err, oidc.ErrPrivateNetwork) {
		t.Fatalf("want ErrPrivateNetwork in the chain: %v", err)
	}
	if p.Hits(connectortest.Discovery) != 0 {
		t.Fatal("the request reached the server")
	}
}
