package samltest

import (
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	crewjam "github.com/crewjam/saml"

	"github.com/beevik/etree"
)

// TestResign: each placement leaves exactly the signatures it names, right
// after the Issuer of the element they sign.
func TestResign(t *testing.T) {
	p := New(t)
	raw := p.sample(t)
	for _, tc := range []struct {
		p                 Placement
		response, assertn bool
	}{{SignResponse, true, false}, {SignAssertion, false, true}, {SignBoth, true, true}} {
		out, err := Resign(raw, Keys()[0], tc.p)
		if err != nil {
			t.Fatal(err)
		}
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(out); err != nil {
			t.Fatal(err)
		}
		resp := doc.Root()
		a := resp.SelectElement("Assertion")
		if got := signedAfterIssuer(resp); got != tc.response {
			t.Errorf("%s: Response signed = %v", tc.p, got)
		}
		if got := signedAfterIssuer(a); got != tc.assertn {
			t.Errorf("%s: Assertion signed = %v", tc.p, got)
		}
	}
}

func signedAfterIssuer(el *etree.Element) bool {
	kids := el.ChildElements()
	return len(kids) > 1 && kids[0].Tag == "Issuer" && kids[1].Tag == "Signature" && len(el.SelectElements("Signature")) == 1
}

// sample is an IdP-initiated Response for an SP whose metadata this IdP
// serves itself (its own entity id stands in for the SP's).
func (p *IdP) sample(t *testing.T) []byte {
	t.Helper()
	resp, err := http.Get(p.IdPInitiatedURL(newSP(t), ""))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	_, form, ok := Form(string(body))
	if !ok {
		t.Fatalf("IdP: %s", body)
	}
	raw, err := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// newSP serves a crewjam ServiceProvider's metadata; it returns its entity
// id (the metadata URL).
func newSP(t *testing.T) string {
	var sp crewjam.ServiceProvider
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		b, _ := xml.Marshal(sp.Metadata())
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	base, _ := url.Parse(srv.URL)
	sp = crewjam.ServiceProvider{EntityID: srv.URL + "/metadata", MetadataURL: *base.JoinPath("metadata"), AcsURL: *base.JoinPath("acs")}
	return sp.EntityID
}
