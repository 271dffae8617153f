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

	"github.com/beevik/etree"

	saml "github.com/sesame-sso/sesame/internal/connector/saml"
)

// BenchmarkFinish: ACS consume of an IdP-initiated response with 5
// attributes (RSA-2048/SHA-256), parsed and verified per iteration; the
// clock is fixed at the response's issue time.
//   - signed: Response and Assertion signed (crewjam's IdP; Okta's choice):
//     two signatures verified;
//   - signed-assertion: only the Assertion signed (Entra ID's and ADFS's
//     default): one signature;
//   - signed+encrypted: both signed, the assertion encrypted (RSA-OAEP
//     private-key operation on top).
//
// Run: go test -run '^$' -bench BenchmarkFinish -benchtime 3s ./internal/connector/saml
// (serial; -cpu 2 for the parallel figure on both cores).
func BenchmarkFinish(b *testing.B) {
	for _, tc := range []struct {
		name                 string
		encrypt, unsignedRsp bool
	}{
		{"signed", false, false},
		{"signed-assertion", false, true},
		{"signed+encrypted", true, false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			p := newPeer(b, func(c *saml.Config) { c.AllowIdPInitiated = true })
			p.encrypt = tc.encrypt
			p.session.CustomAttributes = nil
			p.session.UserSurname = "" // uid, mail, eduPersonPrincipalName, cn, givenName: 5 attributes
			_, form := p.idpInitiatedForm("")
			p.now = time.Now()
			raw, _ := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
			if tc.unsignedRsp {
				doc := etree.NewDocument()
				if err := doc.ReadFromBytes(raw); err != nil {
					b.Fatal(err)
				}
				if removeSignature(doc.Root()) == nil || child(assertionOf(doc), "Signature") == nil {
					b.Fatal("expected a signed Response with a signed Assertion")
				}
				raw, _ = doc.WriteToBytes()
				form.Set("SAMLResponse", base64.StdEncoding.EncodeToString(raw))
			}
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
