package saml_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	crewjam "github.com/crewjam/saml"

	"github.com/sesame-sso/sesame/internal/connector"
	saml "github.com/sesame-sso/sesame/internal/connector/saml"
)

func checkAlice(t *testing.T, out acsResult) {
	t.Helper()
	if out.Err != "" {
		t.Fatalf("refused: %s", out.Err)
	}
	r := out.Result
	if r.Subject != alice || r.NameIDFormat != saml.NameIDEmail {
		t.Fatalf("subject %q format %q", r.Subject, r.NameIDFormat)
	}
	if r.Email != "alice.work@example.com" { // the configured attribute wins over the NameID
		t.Fatalf("email %q", r.Email)
	}
	if r.AssertionID == "" || r.NotOnOrAfter.Before(time.Now()) || r.SessionIndex == "" {
		t.Fatalf("assertion id %q until %s session %q", r.AssertionID, r.NotOnOrAfter, r.SessionIndex)
	}
	if v, _ := r.Claims["Email"].([]any); len(v) != 1 || v[0] != "alice.work@example.com" {
		t.Fatalf("claims %#v", r.Claims)
	}
}

// R-SAML-2: SP-initiated over HTTP-Redirect and HTTP-POST, with and without
// signed AuthnRequests (crewjam's IdP verifies a signed request against
// the signing certificate of the SP metadata it holds); the IdP signs
// response and assertion.
func TestSPInitiated(t *testing.T) {
	for _, tc := range []struct {
		name    string
		binding saml.Binding
		signed  bool
	}{
		{"redirect", saml.BindingRedirect, false},
		{"redirect_signed", saml.BindingRedirect, true},
		{"post", saml.BindingPost, false},
		{"post_signed", saml.BindingPost, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPeer(t, func(c *saml.Config) { c.Binding, c.SignAuthnRequests = tc.binding, tc.signed })
			a, _, err := p.conn.Begin(context.Background(), "st-1", "")
			if err != nil {
				t.Fatal(err)
			}
			if tc.binding == saml.BindingRedirect {
				u, _ := url.Parse(a.RedirectURL)
				q := u.Query()
				if q.Get("RelayState") != "st-1" || q.Get("SAMLRequest") == "" || (q.Get("Signature") != "") != tc.signed {
					t.Fatalf("redirect %s", a.RedirectURL)
				}
			} else if a.PostURL == "" || a.PostForm.Get("RelayState") != "st-1" || a.PostForm.Get("SAMLRequest") == "" {
				t.Fatalf("post action %+v", a)
			}
			checkAlice(t, p.spInitiated("st-2"))
		})
	}
}

func TestSignedAndEncrypted(t *testing.T) {
	t.Run("signed_response_and_assertion", func(t *testing.T) {
		p := newPeer(t, nil)
		checkAlice(t, p.spInitiated("s"))
	})
	t.Run("signed_response_only", func(t *testing.T) {
		p := newPeer(t, nil)
		doc, k := p.genuine("s")
		removeSignature(assertionOf(doc))
		sign(t, doc.Root(), testKeys(t)[0])
		res, err := p.finish(doc, "s", k)
		if err != nil || res.Subject != alice {
			t.Fatalf("%v %q", err, res.Subject)
		}
	})
	t.Run("signed_assertion_only", func(t *testing.T) {
		p := newPeer(t, nil)
		doc, k := p.genuine("s")
		removeSignature(doc.Root())
		res, err := p.finish(doc, "s", k)
		if err != nil || res.Subject != alice {
			t.Fatalf("%v %q", err, res.Subject)
		}
		// Claims: every attribute by Name, values as []string.
		if v, ok := res.Claims["Email"].([]string); !ok || len(v) != 1 || v[0] != "alice.work@example.com" {
			t.Fatalf("claims %#v", res.Claims)
		}
		if v, ok := res.Claims["urn:oid:2.5.4.42"].([]string); !ok || v[0] != "Alice" {
			t.Fatalf("claims %#v", res.Claims)
		}
	})
	t.Run("unsigned", func(t *testing.T) {
		p := newPeer(t, nil)
		doc, k := p.genuine("s")
		removeSignature(doc.Root())
		removeSignature(assertionOf(doc))
		_, err := p.finish(doc, "s", k)
		wantReason(t, err, connector.ReasonSignature)
	})
	t.Run("signed_and_encrypted_assertion", func(t *testing.T) {
		p := newPeer(t, nil)
		p.encrypt = true
		doc, k := p.genuine("s")
		if child(doc.Root(), "EncryptedAssertion") == nil {
			t.Fatal("the IdP did not encrypt")
		}
		res, err := p.finish(doc, "s", k)
		if err != nil || res.Subject != alice {
			t.Fatalf("%v %q", err, res.Subject)
		}
	})
	t.Run("encrypted_to_the_rotation_key", func(t *testing.T) {
		ks := testKeys(t)
		// The IdP still has the metadata with the old key only (ks[2]);
		// Sesame now signs with ks[1] and keeps ks[2] for decryption.
		p := newPeer(t, func(c *saml.Config) { c.Keys = []saml.KeyPair{ks[1], ks[2]} })
		oldCfg := p.cfg
		oldCfg.Keys = []saml.KeyPair{ks[2]}
		old, err := saml.New(oldCfg, saml.Options{})
		if err != nil {
			t.Fatal(err)
		}
		md, _ := old.Metadata(context.Background())
		p.encrypt, p.spMeta = true, md
		doc, k := p.genuine("s")
		res, err := p.finish(doc, "s", k)
		if err != nil || res.Subject != alice {
			t.Fatalf("%v %q", err, res.Subject)
		}
		// Without the second key the same answer cannot be decrypted.
		p.cfg.Keys = ks[1:2]
		p.reopen()
		_, err = p.finish(doc, "s", k)
		wantReason(t, err, connector.ReasonDecrypt)
	})
}

func TestIdPInitiated(t *testing.T) {
	t.Run("refused_by_default", func(t *testing.T) {
		p := newPeer(t, nil)
		out := p.post(p.idpInitiatedForm("https://app.example/"))
		if out.Reason != saml.ReasonUnsolicited {
			t.Fatalf("%+v", out)
		}
	})
	t.Run("allowed", func(t *testing.T) {
		p := newPeer(t, func(c *saml.Config) { c.AllowIdPInitiated = true })
		out := p.post(p.idpInitiatedForm("https://app.example/"))
		checkAlice(t, out)
		if !out.Result.IdPInitiated || out.Result.RelayState != "https://app.example/" {
			t.Fatalf("%+v", out.Result)
		}
	})
	t.Run("allowed_but_solicited_response_without_flow", func(t *testing.T) {
		// A response to some other flow's AuthnRequest, posted without a
		// flow, is not an IdP-initiated login.
		p := newPeer(t, func(c *saml.Config) { c.AllowIdPInitiated = true })
		doc, _ := p.genuine("s")
		_, err := p.finish(doc, "s", nil)
		if err == nil {
			t.Fatal("accepted")
		}
	})
	t.Run("unsolicited_where_a_flow_waits", func(t *testing.T) {
		p := newPeer(t, func(c *saml.Config) { c.AllowIdPInitiated = true })
		_, k, _ := p.conn.Begin(context.Background(), "s", "")
		_, form := p.idpInitiatedForm("s")
		_, err := p.finishRaw(form.Get("SAMLResponse"), "s", k)
		wantReason(t, err, saml.ReasonInResponseTo)
	})
}

func TestSPMetadata(t *testing.T) {
	ks := testKeys(t)
	p := newPeer(t, func(c *saml.Config) { c.Keys = []saml.KeyPair{ks[1], ks[2]}; c.SignAuthnRequests = true })
	md, err := p.conn.Metadata(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ed crewjam.EntityDescriptor
	if err := xmlUnmarshal(md, &ed); err != nil {
		t.Fatal(err)
	}
	d := ed.SPSSODescriptors[0]
	if ed.EntityID != spEntity || d.AssertionConsumerServices[0].Location != p.cfg.ACSURL ||
		d.AssertionConsumerServices[0].Binding != crewjam.HTTPPostBinding || len(d.AssertionConsumerServices) != 1 {
		t.Fatalf("%s", md)
	}
	if len(d.SingleLogoutServices) == 0 || d.SingleLogoutServices[0].Location != p.cfg.SLOURL {
		t.Fatalf("SLO: %s", md)
	}
	var uses []string
	for _, kd := range d.KeyDescriptors {
		uses = append(uses, kd.Use)
	}
	if !slices.Equal(uses, []string{"signing", "signing", "encryption", "encryption"}) {
		t.Fatalf("key descriptors %v", uses)
	}
	var formats []string
	for _, f := range d.NameIDFormats {
		formats = append(formats, string(f))
	}
	if !slices.Equal(formats, []string{saml.NameIDPersistent, saml.NameIDEmail, saml.NameIDUnspecified}) {
		t.Fatalf("formats %v", formats)
	}
	if d.AuthnRequestsSigned == nil || !*d.AuthnRequestsSigned || d.WantAssertionsSigned == nil || !*d.WantAssertionsSigned {
		t.Fatalf("%s", md)
	}
}

func TestConfig(t *testing.T) {
	p := newPeer(t, nil)
	two := []byte(`<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` +
		strings.TrimPrefix(string(p.cfg.IdPMetadata), `<?xml version="1.0" encoding="UTF-8"?>`) +
		strings.Replace(string(p.cfg.IdPMetadata), p.idp.MetadataURL.String(), "https://other-idp.example/", 1) +
		`</EntitiesDescriptor>`)
	two = regexp.MustCompile(`<\?xml[^>]*\?>`).ReplaceAll(two, nil)
	cfg := p.cfg
	cfg.IdPMetadata = two
	_, err := saml.New(cfg, saml.Options{})
	if err == nil || !strings.Contains(err.Error(), "https://other-idp.example/") || !strings.Contains(err.Error(), p.idp.MetadataURL.String()) {
		t.Fatalf("several entities without a pick: %v", err)
	}
	cfg.IdPEntityID = "https://nope.example/"
	if _, err := saml.New(cfg, saml.Options{}); err == nil || !strings.Contains(err.Error(), "https://other-idp.example/") {
		t.Fatalf("unknown pick: %v", err)
	}
	cfg.IdPEntityID = p.idp.MetadataURL.String()
	c, err := saml.New(cfg, saml.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = c
	for name, mod := range map[string]func(*saml.Config){
		"no keys":        func(c *saml.Config) { c.Keys = nil },
		"skew too large": func(c *saml.Config) { c.ClockSkew = time.Hour },
		"bad binding":    func(c *saml.Config) { c.Binding = "artifact" },
		"relative ACS":   func(c *saml.Config) { c.ACSURL = "/acs" },
		"doctype":        func(c *saml.Config) { c.IdPMetadata = append([]byte(`<!DOCTYPE x>`), c.IdPMetadata...) },
		"cert of another key": func(c *saml.Config) {
			c.Keys = []saml.KeyPair{{Key: testKeys(t)[1].Key, Cert: testKeys(t)[2].Cert}}
		},
	} {
		cfg := p.cfg
		mod(&cfg)
		if _, err := saml.New(cfg, saml.Options{}); connector.ReasonOf(err) != connector.ReasonConfig {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The go.mod requirement on goxmldsig must stay explicit and ≥ v1.6.1
// (older versions allow a signature bypass).
func TestGoxmldsigVersion(t *testing.T) {
	b, err := os.ReadFile("../../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*github\.com/russellhaering/goxmldsig v(\d+)\.(\d+)\.(\d+)(\s*//.*)?$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("go.mod does not require github.com/russellhaering/goxmldsig")
	}
	if strings.Contains(string(m[4]), "indirect") {
		t.Fatal("goxmldsig is required only indirectly; it must be explicit")
	}
	v := string(m[1]) + "." + string(m[2]) + "." + string(m[3])
	if !(m[1][0] > '1' || (string(m[1]) == "1" && (len(m[2]) > 1 || m[2][0] > '6' || (string(m[2]) == "6" && string(m[3]) >= "1")))) {
		t.Fatalf("goxmldsig v%s < v1.6.1", v)
	}
}

var _ = errors.New
