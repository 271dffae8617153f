package oidcop_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/sesame-sso/sesame/internal/oidcop"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// Benchmarks of the token endpoints through HTTP on loopback (keep-alive,
// parallel clients). The load command (cmd/sesame-load) measures the real
// server; these find regressions and profile: go test -bench . -run ^$
// ./internal/oidcop/ -cpuprofile cpu.out

func benchFixture(b *testing.B, alg string) (*fixture, *http.Client) {
	f := setup(&testing.T{}, "sqlite", sesametest.Options{OIDC: oidcop.Options{SigningAlg: alg}})
	_ = f
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	b.Cleanup(tr.CloseIdleConnections)
	return f, &http.Client{Transport: tr}
}

func post(b *testing.B, c *http.Client, u, body, user, pass string, want int) {
	req, _ := http.NewRequest("POST", u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(user, pass)
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		b.Fatalf("status %d", resp.StatusCode)
	}
}

func benchCC(b *testing.B, alg string) {
	f, c := benchFixture(b, alg)
	u := f.env.Server.URL + "/oauth2/token"
	b.SetParallelism(16) // 32 concurrent clients on 2 cores, like the load command
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			post(b, c, u, "grant_type=client_credentials", f.app1.id, f.app1.secret, 200)
		}
	})
}

func BenchmarkClientCredentialsRS256(b *testing.B) { benchCC(b, "RS256") }
func BenchmarkClientCredentialsES256(b *testing.B) { benchCC(b, "ES256") }

func BenchmarkIntrospectJWT(b *testing.B) {
	f, c := benchFixture(b, "RS256")
	cc := clientcredentials.Config{ClientID: f.app1.id, ClientSecret: f.app1.secret, TokenURL: f.env.Server.URL + "/oauth2/token"}
	tok, err := cc.Token(f.ctx)
	if err != nil {
		b.Fatal(err)
	}
	body := url.Values{"token": {tok.AccessToken}}.Encode()
	u := f.env.Server.URL + "/oauth2/introspect"
	b.SetParallelism(16) // 32 concurrent clients on 2 cores, like the load command
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			post(b, c, u, body, f.app2.id, f.app2.secret, 200)
		}
	})
}

// BenchmarkAuthCodeFlow: one op = authorize on an existing SSO session
// (redirects followed on Sesame) + code exchange at the token endpoint.
func BenchmarkAuthCodeFlow(b *testing.B) {
	f, _ := benchFixture(b, "RS256")
	t := &testing.T{}
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c := f.browser(t)
		c.Transport = &http.Transport{MaxIdleConnsPerHost: 4}
		f.login(t, c, f.app1, "carol", carolPW)
		for pb.Next() {
			f.login(t, c, f.app1, "", "")
		}
	})
}
