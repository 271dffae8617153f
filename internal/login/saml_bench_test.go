package login_test

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/app"
	"github.com/sesame-sso/sesame/internal/connector/saml"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/samltest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// BenchmarkSAMLACS measures Sesame's ACS for a returning user (issue 11
// "performance"): the POSTed signed response with 5 attributes (XML
// pre-check, XML-DSig verification, conditions), the assertion id
// recorded in the store's replay cache, a new flow, the JIT update through
// federation, the audit entry — one request as the IdP's auto-POST sends
// it, answered with the 303 to /login. The IdP's responses (IdP-initiated,
// each with its own assertion id) are made before the timer starts;
// requests run in parallel (4 × GOMAXPROCS clients), with the server's GC
// setting (app.ServerGC: GOGC 400 unless GOGC is set). The sub-benchmarks sign
// the Response only (the "signed response"; Google Workspace), the
// Assertion only (Entra ID / ADFS default) or both (Okta).
//
//	go test ./internal/login -run '^$' -bench SAMLACS -benchtime 2000x
func BenchmarkSAMLACS(b *testing.B) {
	defer app.ServerGC()() // the server's GOGC, as `sesame serve` runs
	for _, backend := range sesametest.Backends {
		b.Run(backend, func(b *testing.B) {
			env := sesametest.New(b, backend)
			sys := directory.System
			tenant, err := env.Svc.CreateContext(bg, sys, model.Context{Type: model.ContextTenant, Name: "Acme", Slug: "acme", ParentID: env.RootID})
			if err != nil {
				b.Fatal(err)
			}
			idp := samltest.New(b)
			user := func(last string) samltest.User {
				return samltest.User{NameID: "bench-1", NameIDFormat: saml.NameIDPersistent, Attributes: map[string][]string{
					"Email": {"bench@acme.example"}, "First Name": {"Ben"}, "Last Name": {last}, "Phone Number": {"+44 20 7946 0000"},
					"Groups": {"Staff"}}}
			}
			idp.SetUser(user("Bench"))
			conn, err := env.Svc.CreateConnection(bg, sys, directory.ConnectionInput{TenantID: tenant.ID, Kind: model.ConnectionSAML, Name: "Bench",
				SAML: model.SAMLSettings{IdPMetadata: idp.Metadata(), AllowIdPInitiated: true}, Mapping: model.ClaimMapping{Roles: []string{"Groups"}}})
			if err != nil {
				b.Fatal(err)
			}
			noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			entity := saml.EntityID(env.Server.URL, conn.ID)
			response := func(p samltest.Placement) (string, url.Values) {
				resp, err := http.Get(idp.IdPInitiatedURL(entity, ""))
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				action, form, ok := samltest.Form(string(body))
				if !ok {
					b.Fatalf("IdP: %s", body)
				}
				raw, err := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
				if err != nil {
					b.Fatal(err)
				}
				if raw, err = samltest.Resign(raw, samltest.Keys()[0], p); err != nil {
					b.Fatal(err)
				}
				form.Set("SAMLResponse", base64.StdEncoding.EncodeToString(raw))
				return action, form
			}
			acs := func(action string, form url.Values) {
				resp, err := noRedirect.PostForm(action, form)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusSeeOther {
					b.Errorf("ACS: %d", resp.StatusCode)
				}
			}
			acs(response(samltest.SignBoth)) // the first login creates the user
			// "changed": every response brings another last name, so the
			// JIT update writes the user each time (Response signed).
			for _, name := range []string{"response", "assertion", "both", "changed"} {
				p := samltest.Placement(name)
				if name == "changed" {
					p = samltest.SignResponse
				}
				b.Run(name, func(b *testing.B) {
					forms := make([]url.Values, b.N)
					var action string
					for i := range forms {
						if name == "changed" {
							idp.SetUser(user(fmt.Sprintf("Bench %d", i)))
						}
						action, forms[i] = response(p)
					}
					var next atomic.Int64
					cpu0 := cpuTime(b)
					// Eight browsers posting at once (4 × GOMAXPROCS): with
					// only one per core, a core idles whenever its request
					// waits for SQLite's write lock or the network.
					b.SetParallelism(4)
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							acs(action, forms[next.Add(1)-1])
						}
					})
					b.StopTimer()
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "consumes/s")
					// The process's CPU time (server and client) per consume:
					// steadier than the rate on a shared machine.
					b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
				})
			}
		})
	}
}

// cpuTime is the user + system CPU time this process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
