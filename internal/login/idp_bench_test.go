package login_test

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/connector/connectortest"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// BenchmarkDelegatedCallback measures the IdP callback of a returning
// delegated user (issue 10 "performance"): flow lookup and state check,
// code exchange at a local upstream (connectortest over loopback; its
// RS256 signing is inside the time), ID token verification with a warm
// JWKS, JIT update, flow save — one request, as a browser sends it. The
// redirect to the upstream and its authorize endpoint are outside the
// timer.
//
//	go test ./internal/login -run '^$' -bench DelegatedCallback -benchtime 500x
func BenchmarkDelegatedCallback(b *testing.B) {
	for _, backend := range sesametest.Backends {
		b.Run(backend, func(b *testing.B) {
			env := sesametest.New(b, backend)
			sys := directory.System
			tenant, err := env.Svc.CreateContext(bg, sys, model.Context{Type: model.ContextTenant, Name: "Acme", Slug: "acme", ParentID: env.RootID})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := env.Svc.CreateContext(bg, sys, model.Context{Type: model.ContextAccount, Name: "X", Number: "X-1", ParentID: tenant.ID}); err != nil {
				b.Fatal(err)
			}
			up := connectortest.New(b, connectortest.Options{})
			up.SetUser(connectortest.User{Subject: "bench-1", Claims: map[string]any{"email": "bench@acme.example", "email_verified": true,
				"given_name": "Ben", "accounts": []any{"X-1:Admin"}}})
			conn, err := env.Svc.CreateConnection(bg, sys, connInput(tenant.ID, "Bench IdP", up))
			if err != nil {
				b.Fatal(err)
			}
			start := env.Server.URL + "/login?tenant=acme&connection=" + conn.ID
			login := func(b *testing.B) {
				jar, _ := cookiejar.New(nil)
				c := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
					if strings.HasPrefix(req.URL.String(), up.Issuer()) {
						return http.ErrUseLastResponse
					}
					return nil
				}}
				resp, err := c.Get(start)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				cb := up.Callback(b, resp.Header.Get("Location"))
				c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
				b.StartTimer()
				resp, err = c.Get(env.Server.URL + cb.URL.RequestURI())
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?flow=") {
					b.Fatalf("callback: %d %s", resp.StatusCode, resp.Header.Get("Location"))
				}
			}
			b.StopTimer()
			login(b) // first login: discovery, JWKS, user created
			b.Run("serial", func(b *testing.B) {
				b.StopTimer()
				for range b.N {
					login(b)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
			})
			// 8 callbacks in flight (browsers prepared beforehand, each
			// with its own flow and code): throughput on this machine.
			b.Run("parallel8", func(b *testing.B) {
				b.StopTimer()
				type pending struct {
					c   *http.Client
					url string
				}
				ps := make([]pending, b.N)
				for i := range ps {
					jar, _ := cookiejar.New(nil)
					c := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
						if strings.HasPrefix(req.URL.String(), up.Issuer()) {
							return http.ErrUseLastResponse
						}
						return nil
					}}
					resp, err := c.Get(start)
					if err != nil {
						b.Fatal(err)
					}
					resp.Body.Close()
					c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
					ps[i] = pending{c, env.Server.URL + up.Callback(b, resp.Header.Get("Location")).URL.RequestURI()}
				}
				work := make(chan pending)
				errs := make(chan error, 8)
				b.StartTimer()
				for range 8 {
					go func() {
						var bad error
						for p := range work {
							resp, err := p.c.Get(p.url)
							if err == nil {
								resp.Body.Close()
								if resp.StatusCode != http.StatusSeeOther {
									err = fmt.Errorf("callback answered %d", resp.StatusCode)
								}
							}
							if err != nil && bad == nil {
								bad = err
							}
						}
						errs <- bad
					}()
				}
				for _, p := range ps {
					work <- p
				}
				close(work)
				for range 8 {
					if err := <-errs; err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
			})
		})
	}
}
