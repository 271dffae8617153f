package saml_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	saml "github.com/sesame-sso/sesame/internal/connector/saml"
)

// FuzzFinish feeds arbitrary bytes as the decoded SAMLResponse (and as the
// raw form value) to the ACS parsing of a connector that accepts
// IdP-initiated logins, so every stage up to signature verification is
// reachable. It must never panic; any input is either refused with a
// *connector.Error or, for the untouched seed, accepted.
func FuzzFinish(f *testing.F) {
	p := newPeer(f, func(c *saml.Config) { c.AllowIdPInitiated = true })
	doc, _ := p.genuine("s")
	good, _ := doc.WriteToBytes()
	f.Add(good, false)
	f.Add([]byte(strings.Replace(string(good), alice, "a<!---->b", 1)), false)
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`), false)
	f.Add([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/></samlp:Response>`), false)
	f.Add([]byte("not base64 %%%"), true)
	f.Add([]byte{}, false)
	f.Fuzz(func(t *testing.T, data []byte, raw bool) {
		v := string(data)
		if !raw {
			v = base64.StdEncoding.EncodeToString(data)
		}
		form := url.Values{"SAMLResponse": {v}, "RelayState": {"x"}}
		r := httptest.NewRequest(http.MethodPost, p.cfg.ACSURL, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := p.conn.FinishSAML(context.Background(), r, nil)
		if err == nil && res.Subject == "" {
			t.Fatal("accepted without a subject")
		}
	})
}
