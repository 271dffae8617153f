package oidcop_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/sesame-sso/sesame/internal/oidcop"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

func jwks(t *testing.T, f *fixture) jose.JSONWebKeySet {
	t.Helper()
	resp, err := http.Get(f.env.Server.URL + "/oauth2/keys")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	return set
}

func bearerGet(t *testing.T, u, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestForgedTokensAreRejected: alg=none, HS256 keyed with the public key
// (the classic algorithm confusion), a re-signed payload with a foreign
// key and a tampered payload are refused by introspection, userinfo, the
// admin API and as id_token_hint at the authorize endpoint.
func TestForgedTokensAreRejected(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		c := f.browser(t)
		tok := f.login(t, c, f.app1, "carol", carolPW)
		parts := strings.Split(tok.AccessToken, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var claims map[string]any
		_ = json.Unmarshal(payload, &claims)
		kid := jwks(t, f).Keys[0].KeyID
		enc := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }

		forged := map[string]string{}
		forged["alg none"] = enc(map[string]string{"alg": "none", "typ": "JWT", "kid": kid}) + "." + parts[1] + "."
		pub := jwks(t, f).Keys[0].Public().Key
		der, _ := x509.MarshalPKIXPublicKey(pub)
		pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		for name, secret := range map[string][]byte{"HS256 with PEM public key": pemKey, "HS256 with DER public key": der} {
			s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: jose.JSONWebKey{Key: secret, KeyID: kid}}, (&jose.SignerOptions{}).WithType("JWT"))
			if err != nil {
				t.Fatal(err)
			}
			forged[name], _ = jwt.Signed(s).Claims(claims).Serialize()
		}
		tampered := claims
		tampered["sub"] = "someone-else"
		forged["tampered payload"] = parts[0] + "." + enc(tampered) + "." + parts[2]
		forged["garbage"] = "not.a.token"
		forged["huge"] = strings.Repeat("A", 60000)

		for name, tk := range forged {
			if r := f.introspect(t, f.app1, tk); r["active"] != false {
				t.Errorf("%s: introspection says %v", name, r)
			}
			if st := bearerGet(t, f.env.Server.URL+"/oauth2/userinfo", tk); st != http.StatusUnauthorized {
				t.Errorf("%s: userinfo answered %d", name, st)
			}
			if st := bearerGet(t, f.env.Server.URL+"/api/v1/me", tk); st != http.StatusUnauthorized {
				t.Errorf("%s: admin API answered %d", name, st)
			}
			if name == "huge" {
				continue
			}
			// As id_token_hint: refused, never a code for the hinted user.
			res := f.authorize(t, c, f.app1.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
				oauth2.SetAuthURLParam("id_token_hint", tk), oauth2.SetAuthURLParam("prompt", "none")), "", "")
			if res.code != "" {
				t.Errorf("%s as id_token_hint: got a code", name)
			}
		}
		// A body over the limit is a 400, not a failed client login.
		if st, _ := postForm(t, f.env.Server.URL+"/oauth2/introspect", url.Values{"token": {strings.Repeat("A", 100000)}}, f.app1.id, f.app1.secret); st != http.StatusBadRequest {
			t.Errorf("oversized introspection request: %d", st)
		}
		// The genuine token works on all three.
		if st := bearerGet(t, f.env.Server.URL+"/api/v1/me", tok.AccessToken); st != http.StatusOK {
			t.Errorf("genuine token on the admin API: %d", st)
		}
	})
}

// TestOversizedAndBadTokenRequests: bad input to the token endpoint gets
// a 4xx with an OAuth error, never a 500.
func TestOversizedAndBadTokenRequests(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		tokenURL := f.env.Server.URL + "/oauth2/token"
		for name, v := range map[string]url.Values{
			"no grant":      {},
			"unknown grant": {"grant_type": {"password"}, "username": {"carol"}, "password": {carolPW}},
			"huge code":     {"grant_type": {"authorization_code"}, "code": {strings.Repeat("x", 100000)}, "redirect_uri": {f.app1.conf.RedirectURL}},
			"bad code":      {"grant_type": {"authorization_code"}, "code": {"nope"}, "redirect_uri": {f.app1.conf.RedirectURL}},
			"huge refresh":  {"grant_type": {"refresh_token"}, "refresh_token": {strings.Repeat("x", 100000)}},
			"openid via cc": {"grant_type": {"client_credentials"}, "scope": {"openid"}},
			"unknown scope": {"grant_type": {"client_credentials"}, "scope": {"admin"}},
			"NUL in code":   {"grant_type": {"authorization_code"}, "code": {"a\x00b"}},
		} {
			st, body := postForm(t, tokenURL, v, f.app1.id, f.app1.secret)
			if st < 400 || st >= 500 || body["error"] == nil {
				t.Errorf("%s: %d %v", name, st, body)
			}
		}
		if st, _ := postForm(t, tokenURL, url.Values{"grant_type": {"client_credentials"}}, "no-such-client", "x"); st != http.StatusUnauthorized && st != http.StatusBadRequest {
			t.Errorf("unknown client: %d", st)
		}
		// Authorize with oversized parameters.
		c := f.browser(t)
		res := f.authorize(t, c, f.app1.conf.AuthCodeURL(strings.Repeat("s", 5000), oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "", "")
		if res.code != "" || (res.err != "invalid_request" && res.status != http.StatusBadRequest) {
			t.Errorf("oversized state: %+v", res)
		}
	})
}

// TestES256 signs with ES256 when configured; go-oidc verifies it through
// discovery, and client credentials tokens introspect.
func TestES256(t *testing.T) {
	onBackends(t, sesametest.Options{OIDC: oidcop.Options{SigningAlg: "ES256"}}, func(t *testing.T, f *fixture) {
		tok := f.login(t, f.browser(t), f.app1, "carol", carolPW)
		idt, _ := f.idToken(t, f.app1, tok)
		hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok.Extra("id_token").(string), ".")[0])
		if !strings.Contains(string(hdr), `"ES256"`) || idt.Subject != f.carol {
			t.Fatalf("ID token header %s", hdr)
		}
		cc := clientcredentials.Config{ClientID: f.app1.id, ClientSecret: f.app1.secret, TokenURL: f.provider.Endpoint().TokenURL}
		at, err := cc.Token(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r := f.introspect(t, f.app1, at.AccessToken); r["active"] != true {
			t.Fatalf("ES256 access token inactive: %v", r)
		}
	})
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestKeyRotation: when the signing key's period ends a new key signs, and
// the JWKS keeps the retired key, so tokens it signed still verify (their
// lifetime, 2 h here, outlasts the key's signing period).
func TestKeyRotation(t *testing.T) {
	clk := &clock{t: time.Now()}
	onBackends(t, sesametest.Options{OIDC: oidcop.Options{KeyRotation: time.Hour, AccessTTL: 2 * time.Hour, Now: clk.now}}, func(t *testing.T, f *fixture) {
		tok := f.login(t, f.browser(t), f.app1, "carol", carolPW)
		before := jwks(t, f)
		clk.add(time.Hour + time.Minute)
		tok2 := f.login(t, f.browser(t), f.app1, "carol", carolPW)
		after := jwks(t, f)
		kid := func(raw string) string {
			h, _ := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
			var m map[string]string
			_ = json.Unmarshal(h, &m)
			return m["kid"]
		}
		k1, k2 := kid(tok.AccessToken), kid(tok2.AccessToken)
		if k1 == k2 {
			t.Fatalf("no rotation: both tokens signed by %s", k1)
		}
		if len(before.Key(k1)) != 1 || len(after.Key(k1)) != 1 || len(after.Key(k2)) != 1 {
			t.Fatalf("JWKS before %d keys, after %d keys; old key kept: %v", len(before.Keys), len(after.Keys), len(after.Key(k1)) == 1)
		}
		for _, tk := range []*oauth2.Token{tok, tok2} {
			if r := f.introspect(t, f.app1, tk.AccessToken); r["active"] != true {
				t.Errorf("token signed by %s inactive after rotation: %v", kid(tk.AccessToken), r)
			}
			f.idToken(t, f.app1, tk)
		}
	})
}
