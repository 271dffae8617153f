package saml_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	saml "github.com/sesame-sso/sesame/internal/connector/saml"
)

// BenchmarkFinish: ACS consume of a signed (response + assertion,
// RSA-2048/SHA-256) IdP-initiated response with 5 attributes, parsed and
// verified per iteration; the clock is fixed at the response's issue time.
// Run: go test -run '^$' -bench BenchmarkFinish -benchtime 2000x ./internal/connector/saml
func BenchmarkFinish(b *testing.B) {
	for _, enc := range []bool{false, true} {
		name := "signed"
		if enc {
			name = "signed+encrypted"
		}
		b.Run(name, func(b *testing.B) {
			p := newPeer(b, func(c *saml.Config) { c.AllowIdPInitiated = true })
			p.encrypt = enc
			p.session.CustomAttributes = nil
			p.session.UserSurname = "" // uid, mail, eduPersonPrincipalName, cn, givenName: 5 attributes
			_, form := p.idpInitiatedForm("")
			p.now = time.Now()
			raw, _ := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
			body := url.Values{"SAMLResponse": {form.Get("SAMLResponse")}}.Encode()
			b.ReportMetric(float64(len(raw)), "bytes/response")
			// Check once that it is a real 5-attribute login.
			r := httptest.NewRequest(http.MethodPost, p.cfg.ACSURL, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := p.conn.FinishSAML(context.Background(), r, nil)
			if err != nil || len(res.Claims) != 5 {
				b.Fatalf("%v %v", err, res.Claims)
			}
			one := func() error {
				r := httptest.NewRequest(http.MethodPost, p.cfg.ACSURL, strings.NewReader(body))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				_, err := p.conn.FinishSAML(context.Background(), r, nil)
				return err
			}
			b.Run("serial", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if err := one(); err != nil {
						b.Fatal(err)
					}
				}
			})
			// parallel: GOMAXPROCS goroutines, as concurrent ACS requests.
			b.Run("parallel", func(b *testing.B) {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := one(); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}
