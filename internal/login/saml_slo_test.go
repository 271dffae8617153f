package login_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/sesame-sso/sesame/internal/connector/saml"
	"github.com/sesame-sso/sesame/internal/testutil/samltest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
	"github.com/sesame-sso/sesame/web"
)

// TestSAMLSingleLogoutPOST (R-SAML-9) against crewjam's IdP whose
// metadata offers only an HTTP-POST SingleLogoutService:
//   - Sesame's /logout ends the session, then posts a signed LogoutRequest
//     to the IdP through the saml_post page (its one script allowed by
//     hash, a button without JavaScript); the IdP verifies it against
//     Sesame's SP metadata, ends its session and posts its LogoutResponse
//     back, which Sesame accepts;
//   - the IdP's own logout (its LogoutRequest by HTTP-Redirect, then by
//     HTTP-POST) ends the user's sessions and is answered with a signed
//     LogoutResponse posted to the IdP's SingleLogoutService, which the IdP
//     verifies against Sesame's SP metadata before it says "logged out";
//   - a forged or unsigned posted LogoutRequest ends nothing; a genuine
//     one's hostile RelayState goes back escaped, and the form goes only to
//     the metadata's SingleLogoutService.
func TestSAMLSingleLogoutPOST(t *testing.T) {
	s := samlSetupWith(t, "sqlite", func(p *samltest.IdP) {
		p.SLOBindings(crewjam.HTTPPostBinding)
		p.TrackSessions()
	}, nil)
	base, idpSLO := s.env.Server.URL, s.idp.Srv.URL+"/slo"
	sesameSLO := saml.SLOURL(base, s.conn.ID)
	c := fedBrowser()
	if p := s.login(c, s.initURL(s.conn)); !s.signedIn(p) {
		t.Fatalf("login: %d %s", p.status, p.body)
	}
	uid := s.link(s.conn.ID, annID)
	sessions := func() int {
		t.Helper()
		ss, err := s.env.Store.ListUserSessions(bg, uid)
		if err != nil {
			t.Fatal(err)
		}
		return len(ss)
	}
	sum := sha256.Sum256([]byte(web.SAMLPostScript))
	scriptHash := "script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"

	// SP-initiated, HTTP-POST.
	resp, body := sesametest.Logout(t, c, base, "/logout")
	action, form, ok := samltest.Form(body)
	if !ok || resp.StatusCode != http.StatusOK || action != idpSLO || form.Get("SAMLRequest") == "" || form.Get("RelayState") == "" {
		t.Fatalf("logout page at %v: %d %s", resp.Request.URL, resp.StatusCode, body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "; "+scriptHash) || strings.Contains(csp, "unsafe-inline'; script") {
		t.Fatalf("CSP %q", csp)
	}
	if !strings.Contains(body, `<button type="submit">`) || !strings.Contains(body, "<noscript>") {
		t.Fatalf("the form cannot be sent without JavaScript: %s", body)
	}
	if n := sessions(); n != 0 {
		t.Fatalf("%d sessions once the logout page shows", n)
	}
	p := post(t, c, action, form) // the browser's auto-submit, to the IdP
	if got, by := s.idp.LoggedOut(), s.idp.LoggedOutBy(); !slices.Equal(got, []string{annID}) || !slices.Equal(by, []string{crewjam.HTTPPostBinding}) {
		t.Fatalf("the IdP ended sessions of %v (by %v): %d %s", got, by, p.status, p.body)
	}
	back, answer, ok := samltest.Form(p.body)
	if !ok || back != sesameSLO || answer.Get("SAMLResponse") == "" || answer.Get("RelayState") != form.Get("RelayState") {
		t.Fatalf("the IdP answered %d %s", p.status, p.body)
	}
	foreign := url.Values{"SAMLResponse": answer["SAMLResponse"], "RelayState": {"id-not-ours"}}
	if p := post(t, fedBrowser(), back, foreign); p.status != http.StatusBadRequest {
		t.Fatalf("LogoutResponse to another request: %d", p.status)
	}
	if p := post(t, c, back, answer); p.status != http.StatusOK || p.url.String() != sesameSLO || !strings.Contains(p.body, "signed out") {
		t.Fatalf("the IdP's LogoutResponse: %d %v %s", p.status, p.url, p.body)
	}

	// IdP-initiated. Hostile first: a LogoutRequest posted signed by
	// another key, or unsigned, ends nothing.
	c = fedBrowser()
	if p := s.login(c, s.initURL(s.conn)); !s.signedIn(p) {
		t.Fatalf("login again: %d %s", p.status, p.body)
	}
	postedRequest := func(k *samltest.Key, relay string) url.Values {
		t.Helper()
		idp := &crewjam.ServiceProvider{EntityID: s.idp.IdP.MetadataURL.String(), Key: samltest.Keys()[1].Key, Certificate: samltest.Keys()[1].Cert,
			IDPMetadata: &crewjam.EntityDescriptor{}}
		if k != nil {
			idp.Key, idp.Certificate, idp.SignatureMethod = k.Key, k.Cert, dsig.RSASHA256SignatureMethod
		}
		req, err := idp.MakeLogoutRequest(sesameSLO, annID)
		if err != nil {
			t.Fatal(err)
		}
		doc := etree.NewDocument()
		doc.SetRoot(req.Element())
		b, err := doc.WriteToBytes()
		if err != nil {
			t.Fatal(err)
		}
		return url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString(b)}, "RelayState": {relay}}
	}
	other := samltest.Keys()[1]
	for name, v := range map[string]url.Values{"forged": postedRequest(&other, "r"), "unsigned": postedRequest(nil, "r")} {
		if p := post(t, c, sesameSLO, v); p.status != http.StatusBadRequest || sessions() != 1 || strings.Contains(p.body, "SAMLResponse") {
			t.Fatalf("%s LogoutRequest: %d, %d sessions: %s", name, p.status, sessions(), p.body)
		}
	}

	// The IdP's logout: crewjam sends its LogoutRequest by HTTP-Redirect
	// (Sesame's metadata offers it); Sesame answers by HTTP-POST, the only
	// binding the IdP offers.
	idpLogout := func(name string, viaPost bool) {
		t.Helper()
		p := get(t, c, s.idp.StartLogoutURL())
		if viaPost {
			action, form, ok := samltest.Form(p.body)
			if !ok || action != sesameSLO || form.Get("SAMLRequest") == "" {
				t.Fatalf("%s: the IdP sent %d %s", name, p.status, p.body)
			}
			p = post(t, c, action, form)
		}
		action, form, ok := samltest.Form(p.body)
		if !ok || p.status != http.StatusOK || p.url.Path != "/saml/"+s.conn.ID+"/slo" || action != idpSLO || form.Get("SAMLResponse") == "" {
			t.Fatalf("%s: Sesame answered at %v: %d %s", name, p.url, p.status, p.body)
		}
		if n := sessions(); n != 0 {
			t.Fatalf("%s: %d sessions after the IdP's logout", name, n)
		}
		// crewjam's IdP verifies the signature against Sesame's SP
		// metadata, the Destination and InResponseTo (400 otherwise).
		if p := post(t, c, action, form); p.status != http.StatusOK || !strings.Contains(p.body, "You have been logged out.") || strings.Contains(p.body, "could not be confirmed") {
			t.Fatalf("%s: the IdP refused Sesame's LogoutResponse: %d %s", name, p.status, p.body)
		}
	}
	idpLogout("redirect request", false)
	if evs := s.audit("session.ended_by_idp"); len(evs) != 1 {
		t.Fatalf("audit: %+v", evs)
	}

	// Its LogoutRequest by HTTP-POST (Sesame's metadata read as offering
	// only that), answered by HTTP-POST.
	s.idp.UseSPSLOBinding(crewjam.HTTPPostBinding)
	if p := s.login(c, s.initURL(s.conn)); !s.signedIn(p) {
		t.Fatalf("login again: %d %s", p.status, p.body)
	}
	idpLogout("post request", true)

	// A genuine posted LogoutRequest with a hostile RelayState: it goes
	// back as it came, escaped; the form goes to the metadata's
	// SingleLogoutService only.
	if p := s.login(c, s.initURL(s.conn)); !s.signedIn(p) {
		t.Fatalf("login again: %d %s", p.status, p.body)
	}
	idpKey := samltest.Keys()[0]
	hostile := `https://evil.example/"><b id="injected">x</b>`
	p = post(t, c, sesameSLO+"?Destination=https://evil.example/", postedRequest(&idpKey, hostile))
	action, form, ok = samltest.Form(p.body)
	if !ok || p.status != http.StatusOK || action != idpSLO || form.Get("RelayState") != hostile || strings.Contains(p.body, `<b id="injected">`) {
		t.Fatalf("answer to a hostile RelayState: %d %q %q %s", p.status, action, form.Get("RelayState"), p.body)
	}
	if n := sessions(); n != 0 {
		t.Fatalf("%d sessions after a genuine LogoutRequest", n)
	}
}
