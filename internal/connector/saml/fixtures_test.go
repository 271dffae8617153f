package saml

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/xmlenc"

	"github.com/sesame-sso/sesame/internal/connector"
)

// Responses in the shapes Entra ID, ADFS, Okta and Google Workspace send, signed with test
// keys by testdata/nodeidp/idp.js (xml-crypto, xml-encryption) at
// fixtureNow; regenerate with the command in testdata/README.md.
//
//   - entra: the Assertion signed (not the Response), default-namespace
//     Assertion and Signature, 7-digit fraction instants, emailAddress
//     NameID, claim-URI attributes without xsi:type (objectidentifier,
//     tenantid, emailaddress, groups as several values…).
//   - adfs: the Assertion signed (ds: prefix) and then encrypted for the SP
//     (AES-256-CBC, RSA-OAEP-MGF1P) inside EncryptedAssertion, Consent on
//     the Response, persistent NameID, upn / Group / role claim URIs.
//   - okta: Response and Assertion both signed, saml2/saml2p prefixes,
//     exc-c14n with InclusiveNamespaces PrefixList="xs", Issuer Format
//     entity, unspecified NameID, xs:string attributes (email, firstName,
//     lastName, groups), AuthnStatement before AttributeStatement.
//   - google: Google Workspace with "Signed response": the Response signed,
//     the Assertion inside not (OpenSAML prefixes, xs:anyType values);
//     no email attribute, so the emailAddress NameID is the email.
//
// <idp>-metadata.xml is each IdP's metadata in the shape it publishes
// (see TestIdPFixtureKeys and testdata/README.md).
var fixtureNow = time.Date(2027, 1, 15, 10, 0, 30, 0, time.UTC)

const (
	claimsXS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
	claimsMS = "http://schemas.microsoft.com/"
)

type fixture struct {
	name           string
	emailAttribute string
	subject        string
	format         string
	email          string
	claims         map[string][]string
}

var fixtures = []fixture{
	{
		name: "entra", emailAttribute: claimsXS + "emailaddress",
		subject: "alice@contoso.example", format: NameIDEmail, email: "alice.adams@contoso.example",
		claims: map[string][]string{
			claimsMS + "identity/claims/objectidentifier":  {"4f1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"},
			claimsMS + "identity/claims/tenantid":          {"72f988bf-86f1-41af-91ab-2d7cd011db47"},
			claimsMS + "identity/claims/displayname":       {"Alice Adams"},
			claimsMS + "ws/2008/06/identity/claims/groups": {"b1c2d3e4-0000-4000-8000-000000000001", "b1c2d3e4-0000-4000-8000-000000000002"},
			claimsXS + "givenname":                         {"Alice"},
			claimsXS + "surname":                           {"Adams"},
			claimsXS + "name":                              {"alice@contoso.example"},
		},
	},
	{
		name: "adfs", emailAttribute: claimsXS + "emailaddress",
		subject: "Ugo1Vq3Y0kG8p1Xb8m2cXw==", format: NameIDPersistent, email: "carol.clark@fabrikam.example",
		claims: map[string][]string{
			claimsXS + "upn":                             {"carol@fabrikam.example"},
			claimsXS + "givenname":                       {"Carol"},
			claimsXS + "surname":                         {"Clark"},
			"http://schemas.xmlsoap.org/claims/Group":    {"Domain Users", "Sesame Admins"},
			claimsMS + "ws/2008/06/identity/claims/role": {"Admin"},
		},
	},
	{
		name: "okta", emailAttribute: "email",
		subject: "dave@initech.example", format: NameIDUnspecified, email: "dave@initech.example",
		claims: map[string][]string{
			"firstName": {"Dave"},
			"lastName":  {"Davis"},
			"groups":    {"Everyone", "Engineering"},
		},
	},
	{
		name: "google", emailAttribute: "email",
		subject: "erin@globex.example", format: NameIDEmail, email: "erin@globex.example",
		claims: map[string][]string{
			"firstName":  {"Erin"},
			"lastName":   {"Evans"},
			"department": {"Sales"},
		},
	},
}

func fixturePath(name string) string { return filepath.Join("testdata", "fixtures", name) }

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(fixturePath(name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fixtureSPKey(t testing.TB) KeyPair {
	t.Helper()
	kb, _ := pem.Decode(readFixture(t, "keys/sp-key.pem"))
	cb, _ := pem.Decode(readFixture(t, "keys/sp-cert.pem"))
	if kb == nil || cb == nil {
		t.Fatal("sp key/cert PEM unreadable")
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return KeyPair{Key: k.(*rsa.PrivateKey), Cert: cert}
}

// fixtureConnector is the connection a tenant admin would set up for the
// fixture's IdP: its metadata, an SP entity id and ACS under
// https://sesame.test/saml/<name>/, the SP key the ADFS fixture is
// encrypted for, the IdP's email claim.
func fixtureConnector(t testing.TB, f fixture, replay func(context.Context, string, time.Time) error) *Connector {
	t.Helper()
	base := "https://sesame.test/saml/" + f.name
	c, err := New(Config{
		IdPMetadata:    readFixture(t, f.name+"-metadata.xml"),
		EntityID:       base + "/metadata",
		ACSURL:         base + "/acs",
		Keys:           []KeyPair{fixtureSPKey(t)},
		EmailAttribute: f.emailAttribute,
	}, Options{Now: func() time.Time { return fixtureNow }, Replay: replay})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// finishFixture posts response to the connector as the answer to the
// AuthnRequest the fixture answers (InResponseTo id-<name>-request-1).
func finishFixture(t testing.TB, c *Connector, f fixture, response []byte) (Result, error) {
	t.Helper()
	k, _ := json.Marshal(kept{RequestID: "id-" + f.name + "-request-1", State: "st", EntityID: c.cfg.EntityID})
	form := url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(response)}, "RelayState": {"st"}}
	r := httptest.NewRequest(http.MethodPost, c.cfg.ACSURL, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.FinishSAML(context.Background(), r, k)
}

func TestIdPFixtures(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			var seen []string
			c := fixtureConnector(t, f, func(_ context.Context, id string, until time.Time) error {
				if slices.Contains(seen, id) {
					return ErrReplay
				}
				seen = append(seen, id)
				return nil
			})
			raw := readFixture(t, f.name+"-response.xml")
			res, err := finishFixture(t, c, f, raw)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if res.Subject != f.subject || res.NameIDFormat != f.format || res.Email != f.email {
				t.Fatalf("subject %q format %q email %q; want %q %q %q", res.Subject, res.NameIDFormat, res.Email, f.subject, f.format, f.email)
			}
			for name, want := range f.claims {
				if got, _ := res.Claims[name].([]string); !slices.Equal(got, want) {
					t.Errorf("claim %s = %#v, want %#v", name, res.Claims[name], want)
				}
			}
			if res.AssertionID == "" || res.SessionIndex != "_"+f.name+"-session-1" || res.IdPInitiated {
				t.Fatalf("assertion id %q session %q idp-initiated %v", res.AssertionID, res.SessionIndex, res.IdPInitiated)
			}
			// The same response again is a replay.
			_, err = finishFixture(t, c, f, raw)
			wantFixtureReason(t, err, ReasonReplay)
			// Ten minutes later it has expired.
			late := fixtureConnector(t, f, nil)
			late.opt.Now = func() time.Time { return fixtureNow.Add(10 * time.Minute) }
			_, err = finishFixture(t, late, f, raw)
			wantFixtureReason(t, err, connector.ReasonExpired)
		})
	}
}

// TestIdPFixtureKeys: which certificates of the metadata are trusted
// (R-SAML-1). Entra's metadata lists its next signing certificate during a
// rollover: a response signed with it is accepted, and refused once the
// metadata lists the current certificate only. ADFS's metadata publishes
// its token-decrypting certificate with use="encryption": a response
// signed with that key is refused.
func TestIdPFixtureKeys(t *testing.T) {
	entra, adfs := fixtures[0], fixtures[1]
	rollover := readFixture(t, "entra-rollover-response.xml")
	res, err := finishFixture(t, fixtureConnector(t, entra, nil), entra, rollover)
	if err != nil || res.Subject != entra.subject {
		t.Fatalf("signed with the next certificate: %v %q", err, res.Subject)
	}

	md := etree.NewDocument()
	if err := md.ReadFromBytes(readFixture(t, "entra-metadata.xml")); err != nil {
		t.Fatal(err)
	}
	idp := md.Root().SelectElement("IDPSSODescriptor")
	kds := idp.SelectElements("KeyDescriptor")
	if len(kds) != 2 {
		t.Fatalf("%d KeyDescriptors in Entra's IDPSSODescriptor", len(kds))
	}
	idp.RemoveChild(kds[1])
	current, _ := md.WriteToBytes()
	c, err := New(Config{
		IdPMetadata: current, EntityID: "https://sesame.test/saml/entra/metadata", ACSURL: "https://sesame.test/saml/entra/acs",
		Keys: []KeyPair{fixtureSPKey(t)}, EmailAttribute: entra.emailAttribute,
	}, Options{Now: func() time.Time { return fixtureNow }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := finishFixture(t, c, entra, readFixture(t, "entra-response.xml")); err != nil {
		t.Fatalf("current certificate refused: %v", err)
	}
	_, err = finishFixture(t, c, entra, rollover)
	wantFixtureReason(t, err, connector.ReasonSignature)

	_, err = finishFixture(t, fixtureConnector(t, adfs, nil), adfs, readFixture(t, "adfs-wrongkey-response.xml"))
	wantFixtureReason(t, err, connector.ReasonSignature)
}

func wantFixtureReason(t *testing.T, err error, want connector.Reason) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted; want refusal %q", want)
	}
	if got := connector.ReasonOf(err); got != want {
		t.Fatalf("reason %q, want %q (%v)", got, want, err)
	}
}

// TestIdPFixturesTampered changes what each fixture asserts after the IdP
// signed it: each is refused, because the signature no longer matches.
func TestIdPFixturesTampered(t *testing.T) {
	for _, f := range fixtures {
		for _, tc := range []struct {
			name   string
			change func(t *testing.T, a *etree.Element)
		}{
			{"nameid", func(t *testing.T, a *etree.Element) {
				n := a.FindElement("./Subject/NameID")
				n.SetText("admin@" + f.name + ".example")
			}},
			{"attribute", func(t *testing.T, a *etree.Element) {
				// The email attribute; Google's fixture has none (its
				// NameID is the email): its first attribute then.
				ats := a.FindElements("./AttributeStatement/Attribute")
				if len(ats) == 0 {
					t.Fatal("no attribute")
				}
				at := ats[0]
				for _, x := range ats {
					if x.SelectAttrValue("Name", "") == f.emailAttribute {
						at = x
					}
				}
				at.FindElement("./AttributeValue").SetText("admin@" + f.name + ".example")
			}},
			{"audience", func(t *testing.T, a *etree.Element) {
				a.FindElement("./Conditions/AudienceRestriction/Audience").SetText("https://other.example/sp")
			}},
		} {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				c := fixtureConnector(t, f, nil)
				doc := etree.NewDocument()
				if err := doc.ReadFromBytes(readFixture(t, f.name+"-response.xml")); err != nil {
					t.Fatal(err)
				}
				withAssertion(t, doc, fixtureSPKey(t), func(a *etree.Element) { tc.change(t, a) })
				b, err := doc.WriteToBytes()
				if err != nil {
					t.Fatal(err)
				}
				res, err := finishFixture(t, c, f, b)
				if err == nil {
					t.Fatalf("tampered response accepted: subject %q email %q", res.Subject, res.Email)
				}
				// Okta signs the Response too: either signature may be the
				// one found broken first; both say "signature".
				wantFixtureReason(t, err, connector.ReasonSignature)
			})
		}
	}
}

// withAssertion applies change to the response's Assertion; an encrypted
// one is decrypted with the SP key, changed and encrypted again for the SP
// (as an attacker can: the SP's encryption certificate is public).
func withAssertion(t *testing.T, doc *etree.Document, sp KeyPair, change func(*etree.Element)) {
	t.Helper()
	if a := doc.Root().SelectElement("Assertion"); a != nil {
		change(a)
		return
	}
	ea := doc.Root().SelectElement("EncryptedAssertion")
	if ea == nil {
		t.Fatal("neither Assertion nor EncryptedAssertion")
	}
	data := ea.SelectElement("EncryptedData")
	plain, err := xmlenc.Decrypt(sp.Key, data)
	if err != nil {
		t.Fatal(err)
	}
	inner := etree.NewDocument()
	if err := inner.ReadFromBytes(plain); err != nil {
		t.Fatal(err)
	}
	change(inner.Root())
	plain, err = inner.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	e := xmlenc.OAEP()
	e.BlockCipher = xmlenc.AES256CBC
	e.DigestMethod = &xmlenc.SHA1
	enc, err := e.Encrypt(sp.Cert, plain, nil)
	if err != nil {
		t.Fatal(err)
	}
	ea.RemoveChild(data)
	ea.AddChild(enc)
}

// BenchmarkFixtures: FinishSAML on each IdP-shaped fixture (Entra ID: one
// signature; ADFS: one signature + RSA-OAEP/AES-CBC decryption; Okta: two
// signatures), and crewjam's ParseXMLResponse alone on the same bytes: the
// difference is what the connector adds (form, base64, pre-check, own
// checks, Result).
// Run: go test -run x -bench Fixtures -benchtime 3s ./internal/connector/saml/
func BenchmarkFixtures(b *testing.B) {
	for _, f := range fixtures {
		c := fixtureConnector(b, f, nil)
		raw, err := os.ReadFile(fixturePath(f.name + "-response.xml"))
		if err != nil {
			b.Fatal(err)
		}
		k, _ := json.Marshal(kept{RequestID: "id-" + f.name + "-request-1", State: "st", EntityID: c.cfg.EntityID})
		body := url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(raw)}, "RelayState": {"st"}}.Encode()
		b.Run(f.name+"/finish", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				r := httptest.NewRequest(http.MethodPost, c.cfg.ACSURL, strings.NewReader(body))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if _, err := c.FinishSAML(context.Background(), r, k); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(f.name+"/crewjam_parse", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := c.at(c.solicited, fixtureNow).ParseXMLResponse(raw, []string{"id-" + f.name + "-request-1"}, c.acs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzFixtures mutates the IdP-shaped fixtures (validly signed, so
// mutations reach signature verification, exclusive canonicalization with
// an InclusiveNamespaces prefix list, and decryption) posted to their
// connections. Accepted only for the identity the IdP signed.
// Run: go test -run x -fuzz FuzzFixtures -fuzztime 60s ./internal/connector/saml/
func FuzzFixtures(f *testing.F) {
	conns := make([]*Connector, len(fixtures))
	for i, fx := range fixtures {
		conns[i] = fixtureConnector(f, fx, nil)
		f.Add(readFixture(f, fx.name+"-response.xml"), uint8(i))
	}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		i := int(which) % len(fixtures)
		res, err := finishFixture(t, conns[i], fixtures[i], data)
		if err != nil {
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("refusal is not a *connector.Error: %v", err)
			}
			return
		}
		if fx := fixtures[i]; res.Subject != fx.subject || res.Email != fx.email {
			t.Fatalf("accepted for subject %q email %q: only %q / %q were signed", res.Subject, res.Email, fx.subject, fx.email)
		}
	})
}
