package e2e_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/crewjam/saml/samlidp"
	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/connector/saml"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/samltest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestBrowserSAMLLogin (issue 11 "proven with real peers"): in a real
// browser, an OIDC app sends the user to Sesame; acme's login page offers
// its SAML connection; the user signs in on crewjam/saml's samlidp login
// page, whose auto-submitted HTTP-POST answer reaches Sesame's ACS
// cross-site (no cookie), and lands in the app as a user created just in
// time from the SAML attributes.
func TestBrowserSAMLLogin(t *testing.T) {
	exe := chromium(t)
	env := sesametest.New(t, "sqlite")
	ctx0 := context.Background()
	tenant, err := env.Svc.CreateContext(ctx0, directory.System, model.Context{Type: model.ContextTenant, Name: "Acme", Slug: "acme", ParentID: env.RootID})
	if err != nil {
		t.Fatal(err)
	}

	// samlidp on its own host (cookies apart), with one user.
	ln, err := net.Listen("tcp", "127.0.0.3:0")
	if err != nil {
		t.Fatal(err)
	}
	idpURL, _ := url.Parse("http://" + ln.Addr().String())
	k := samltest.Keys()[0]
	idp, err := samlidp.New(samlidp.Options{URL: *idpURL, Key: k.Key, Certificate: k.Cert, Store: &samlidp.MemoryStore{}})
	if err != nil {
		t.Fatal(err)
	}
	idpSrv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: idp}}
	idpSrv.Start()
	t.Cleanup(idpSrv.Close)
	put := func(path, ctype, body string) {
		t.Helper()
		req, _ := http.NewRequest("PUT", idpSrv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("samlidp PUT %s: %d", path, resp.StatusCode)
		}
	}
	put("/users/sam", "application/json", `{"name":"sam","password":"hunter-lantern-42","email":"sam@acme.example","given_name":"Sam","surname":"Saml"}`)
	mdResp, err := http.Get(idpSrv.URL + "/metadata")
	if err != nil {
		t.Fatal(err)
	}
	md := readAll(mdResp)

	conn, err := env.Svc.CreateConnection(ctx0, directory.System, directory.ConnectionInput{TenantID: tenant.ID, Kind: model.ConnectionSAML,
		Name: "Acme SAML", SAML: model.SAMLSettings{IdPMetadata: md},
		// samlidp's attributes: mail, givenName, sn (by OID).
		Mapping: model.ClaimMapping{Email: "urn:oid:0.9.2342.19200300.100.1.3", FirstName: "urn:oid:2.5.4.42", LastName: "urn:oid:2.5.4.4"}})
	if err != nil {
		t.Fatal(err)
	}
	spMD, err := http.Get(saml.MetadataURL(env.Server.URL, conn.ID))
	if err != nil {
		t.Fatal(err)
	}
	put("/services/sesame", "application/samlmetadata+xml", readAll(spMD))

	app := newRightsApp(t, "127.0.0.2:0")
	areg := env.Admin().Must(http.StatusCreated, "POST", "/api/v1/clients", map[string]any{"name": "Rights app", "module": "portal", "protocol": "oidc",
		"redirectUris": []string{app.srv.URL + "/cb"}, "grantTypes": []string{"authorization_code"}}).Map(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	p, err := oidc.NewProvider(ctx, env.Server.URL)
	if err != nil {
		t.Fatal(err)
	}
	app.conf = oauth2.Config{ClientID: areg["id"].(string), ClientSecret: areg["secret"].(string), Endpoint: p.Endpoint(),
		RedirectURL: app.srv.URL + "/cb", Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}

	b := startChrome(t, ctx, exe)
	do, read := b.do, b.read
	do("open the app", chromedp.Navigate(app.srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("username")))
	ret := read("location", chromedp.Location())
	do("acme's login page", chromedp.Navigate(strings.Replace(ret, "/login?", "/login?tenant=acme&", 1)),
		chromedp.WaitVisible(chromedp.ID("connection-"+conn.ID)))
	do("choose the SAML connection", chromedp.Click(chromedp.ID("connection-"+conn.ID)))
	waitLocation(t, b, "samlidp's login page", idpSrv.URL+"/sso")
	do("samlidp login form", chromedp.WaitVisible(chromedp.CSS(`input[name="user"]`)))
	do("type the IdP user", chromedp.SendKeys(chromedp.CSS(`input[name="user"]`), "sam"))
	do("type the IdP password", chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "hunter-lantern-42"))
	do("sign in at the IdP", chromedp.Click(chromedp.CSS(`input[type="submit"]`)), chromedp.WaitVisible(chromedp.ID("hello")))
	if hello, loc := read("app", chromedp.Text(chromedp.ID("hello"))), read("location", chromedp.Location()); hello != "hello sam@acme.example" || !strings.HasPrefix(loc, app.srv.URL) {
		t.Fatalf("after the SAML login: %q at %s\n%s", hello, loc, b.log())
	}
	// The HTTP-POST binding: Sesame's auto-submitted AuthnRequest page
	// (its one inline script, allowed by hash) to samlidp — a cross-site
	// POST, so samlidp's own SameSite session cookie stays home and Sam
	// signs in there again.
	postConn, err := env.Svc.CreateConnection(ctx0, directory.System, directory.ConnectionInput{TenantID: tenant.ID, Kind: model.ConnectionSAML,
		Name: "Acme SAML (POST)", SAML: model.SAMLSettings{IdPMetadata: md, Binding: model.SAMLBindingPost, SignRequests: true},
		Mapping: model.ClaimMapping{Email: "urn:oid:0.9.2342.19200300.100.1.3"}})
	if err != nil {
		t.Fatal(err)
	}
	spMD2, err := http.Get(saml.MetadataURL(env.Server.URL, postConn.ID))
	if err != nil {
		t.Fatal(err)
	}
	put("/services/sesame-post", "application/samlmetadata+xml", readAll(spMD2))
	do("sign out", chromedp.Navigate(env.Server.URL+"/logout"), chromedp.WaitVisible(chromedp.ID("confirm-logout")))
	do("confirm", chromedp.Click(chromedp.ID("confirm-logout")), chromedp.WaitVisible(chromedp.ID("message")))
	do("open the app again", chromedp.Navigate(app.srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("username")))
	ret = read("location", chromedp.Location())
	do("acme's login page again", chromedp.Navigate(strings.Replace(ret, "/login?", "/login?tenant=acme&", 1)),
		chromedp.WaitVisible(chromedp.ID("connection-"+postConn.ID)))
	do("choose the POST-binding connection", chromedp.Click(chromedp.ID("connection-"+postConn.ID)))
	waitLocation(t, b, "samlidp's login page (POST binding)", idpSrv.URL+"/sso")
	do("samlidp login form again", chromedp.WaitVisible(chromedp.CSS(`input[name="user"]`)))
	do("type the IdP user again", chromedp.SendKeys(chromedp.CSS(`input[name="user"]`), "sam"))
	do("type the IdP password again", chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "hunter-lantern-42"))
	do("sign in at the IdP again", chromedp.Click(chromedp.CSS(`input[type="submit"]`)), chromedp.WaitVisible(chromedp.ID("hello")))
	if hello := read("app", chromedp.Text(chromedp.ID("hello"))); hello != "hello sam@acme.example" {
		t.Fatalf("after the POST-binding login: %q\n%s", hello, b.log())
	}
	l, err := env.Svc.IdentityLink(ctx0, conn.ID, "sam@acme.example")
	if err != nil {
		t.Fatalf("no identity link for the NameID: %v", err)
	}
	u, err := env.Svc.GetUser(ctx0, directory.System, l.UserID)
	if err != nil || u.Person.FirstName != "Sam" || u.Person.LastName != "Saml" || u.TenantID != tenant.ID {
		t.Fatalf("JIT user %+v %v", u.Person, err)
	}
}
