package saml_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/connector"

	saml "github.com/sesame-sso/sesame/internal/connector/saml"
)

// FuzzFinish feeds arbitrary bytes as the decoded SAMLResponse (and as the
// raw form value) to the ACS parsing of a connector that accepts
// IdP-initiated logins, so every stage up to signature verification is
// reachable; with solicited, as the answer to the flow of the genuine
// response (its seed is accepted, so mutations of it reach crewjam's
// reading of a validly signed document). It must never panic; any input is
// refused with a *connector.Error or accepted — and then only for the one
// identity the IdP signed (anything else would be a signature bypass).
func FuzzFinish(f *testing.F) {
	p := newPeer(f, func(c *saml.Config) { c.AllowIdPInitiated = true })
	doc, k := p.genuine("s")
	p.now = time.Now() // the seed stays valid however long the fuzzing runs
	good, _ := doc.WriteToBytes()
	f.Add(good, false, true)
	f.Add(good, false, false)
	f.Add([]byte(strings.Replace(string(good), alice, "a<!---->b", 1)), false, true)
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`), false, false)
	f.Add([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/></samlp:Response>`), false, false)
	f.Add([]byte("not base64 %%%"), true, false)
	f.Add([]byte{}, false, false)
	f.Fuzz(func(t *testing.T, data []byte, raw, solicited bool) {
		v := string(data)
		if !raw {
			v = base64.StdEncoding.EncodeToString(data)
		}
		var kept []byte
		if solicited {
			kept = k
		}
		res, err := p.finishRaw(v, "s", kept)
		if err != nil {
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("refusal is not a *connector.Error: %v", err)
			}
			return
		}
		if res.Subject != alice || res.Email != "alice.work@example.com" {
			t.Fatalf("accepted for subject %q email %q: only %q was signed", res.Subject, res.Email, alice)
		}
	})
}
