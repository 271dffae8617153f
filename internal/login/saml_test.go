package login_test

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	crewjam "github.com/crewjam/saml"

	"github.com/sesame-sso/sesame/internal/connector/saml"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/samltest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// samlFx is fedSetup's Sesame (tenant acme) with a SAML connection of acme
// to crewjam/saml's IdP (samltest), whose signed-in user is Ann.
type samlFx struct {
	*fedFx
	idp  *samltest.IdP
	conn model.Connection
}

const annID = "ann-persistent-0001"

func samlSetup(t *testing.T, backend string, edit func(*directory.ConnectionInput)) *samlFx {
	t.Helper()
	return samlSetupWith(t, backend, nil, edit)
}

// samlSetupWith is samlSetup with the IdP set up by idp (nil: as it
// comes) before its metadata is uploaded.
func samlSetupWith(t *testing.T, backend string, idp func(*samltest.IdP), edit func(*directory.ConnectionInput)) *samlFx {
	t.Helper()
	f := fedSetup(t, backend, nil)
	s := &samlFx{fedFx: f, idp: samltest.New(t)}
	s.idp.SetUser(samltest.User{NameID: annID, NameIDFormat: saml.NameIDPersistent, Attributes: map[string][]string{
		"Email": {"ann@acme.example"}, "First Name": {"Ann"}, "Last Name": {"Lee"}, "Phone Number": {"+44 20 7946 0000"}}})
	if idp != nil {
		idp(s.idp)
	}
	s.conn = s.samlConnection(f.tenant, "Acme SAML", edit)
	return s
}

func (s *samlFx) samlConnection(owner, name string, edit func(*directory.ConnectionInput)) model.Connection {
	s.t.Helper()
	in := directory.ConnectionInput{TenantID: owner, Kind: model.ConnectionSAML, Name: name, SAML: model.SAMLSettings{IdPMetadata: s.idp.Metadata()}}
	if edit != nil {
		edit(&in)
	}
	c, err := s.env.Svc.CreateConnection(bg, directory.System, in)
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

func (s *samlFx) initURL(c model.Connection) string { return saml.InitURL(s.env.Server.URL, c.ID) }

// toIdP opens u in browser c and follows Sesame and the IdP up to the
// IdP's auto-submitted answer (HTTP-POST binding), which it returns
// unposted. A POST-binding AuthnRequest (Sesame's own auto-POST page) is
// submitted on the way.
func (s *samlFx) toIdP(c *http.Client, u string) (string, url.Values) {
	s.t.Helper()
	p := get(s.t, c, u)
	for i := 0; i < 2; i++ {
		action, form, ok := samltest.Form(p.body)
		if !ok || p.status != http.StatusOK {
			s.t.Fatalf("no form at %v: %d %s", p.url, p.status, p.body)
		}
		if form.Has("SAMLResponse") {
			return action, form
		}
		p = post(s.t, c, action, form) // Sesame's AuthnRequest form to the IdP
	}
	s.t.Fatalf("the IdP sent no SAMLResponse: %s", p.body)
	return "", nil
}

// login runs a whole SP-initiated login in browser c from u.
func (s *samlFx) login(c *http.Client, u string) page {
	s.t.Helper()
	action, form := s.toIdP(c, u)
	return post(s.t, c, action, form)
}

func xmlUnmarshal(s string, v any) error { return xml.Unmarshal([]byte(s), v) }

// signedIn: page p is Sesame's home page of a signed-in user.
func (s *samlFx) signedIn(p page) bool {
	return p.status == http.StatusOK && p.url.Host == strings.TrimPrefix(s.env.Server.URL, "http://") && p.url.Path == "/" &&
		strings.Contains(p.body, "You are signed in")
}

func (s *samlFx) users() int {
	s.t.Helper()
	us, err := s.env.Store.UsersByEmail(bg, s.tenant, "ann@acme.example", 100)
	if err != nil {
		s.t.Fatal(err)
	}
	return len(us)
}

// TestSAMLLogin: SP-initiated Web Browser SSO through crewjam/saml's IdP
// (R-SAML-2..6): signed response, then a signed + encrypted assertion;
// just-in-time creation with seed 004's attribute names; a later login
// with a new email and names updates the same user (the NameID is the
// key); HTTP-POST binding; every login audited.
func TestSAMLLogin(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			s := samlSetup(t, backend, nil)
			c := fedBrowser()
			action, form := s.toIdP(c, s.initURL(s.conn))
			if action != saml.ACSURL(s.env.Server.URL, s.conn.ID) || len(form.Get("RelayState")) > 80 {
				t.Fatalf("IdP posts to %s with RelayState %q", action, form.Get("RelayState"))
			}
			p := post(t, c, action, form)
			if !s.signedIn(p) {
				t.Fatalf("after the ACS: %d %v %s", p.status, p.url, p.body)
			}
			uid := s.link(s.conn.ID, annID)
			u := s.user(uid)
			if u.Kind != model.KindDelegated || u.Person.FirstName != "Ann" || u.Person.LastName != "Lee" ||
				u.Person.Email != "ann@acme.example" || u.Person.Phone != "+44 20 7946 0000" || u.TenantID != s.tenant {
				t.Fatalf("JIT user %+v", u)
			}
			if ok := s.audit("federation.login"); len(ok) != 1 || ok[0].Outcome != model.OutcomeSuccess || ok[0].Details["provisioning"] != "created" {
				t.Fatalf("audit %+v", ok)
			}

			// Encrypted assertion; the IdP now says another email and name.
			s.idp.Encrypt(true)
			s.idp.SetUser(samltest.User{NameID: annID, NameIDFormat: saml.NameIDPersistent, Attributes: map[string][]string{
				"Email": {"ann.lee@acme.example"}, "First Name": {"Anne"}}})
			c2 := fedBrowser()
			action, form = s.toIdP(c2, s.initURL(s.conn)+"?context="+s.x)
			raw, _ := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
			if !strings.Contains(string(raw), "EncryptedAssertion") {
				t.Fatal("the IdP did not encrypt the assertion")
			}
			if p := post(t, c2, action, form); !s.signedIn(p) {
				t.Fatalf("encrypted: %d %v %s", p.status, p.url, p.body)
			}
			if got := s.link(s.conn.ID, annID); got != uid {
				t.Fatalf("second login linked %q, want the same user %q", got, uid)
			}
			if u := s.user(uid); u.Person.Email != "ann.lee@acme.example" || u.Person.FirstName != "Anne" || u.Person.LastName != "Lee" {
				t.Fatalf("updated user %+v", u.Person)
			}

			// The HTTP-POST binding for the AuthnRequest, signed.
			pc := s.samlConnection(s.tenant, "Acme SAML (POST)", func(in *directory.ConnectionInput) {
				in.SAML.Binding, in.SAML.SignRequests = model.SAMLBindingPost, true
			})
			c3 := fedBrowser()
			lp := get(t, c3, s.initURL(pc))
			if a, f, ok := samltest.Form(lp.body); !ok || !f.Has("SAMLRequest") || !strings.HasPrefix(a, s.idp.Srv.URL) {
				t.Fatalf("POST binding page: %d %s", lp.status, lp.body)
			}
			action, form = s.toIdP(c3, s.initURL(pc))
			if p := post(t, c3, action, form); !s.signedIn(p) {
				t.Fatalf("POST binding: %d %v %s", p.status, p.url, p.body)
			}
		})
	}
}

// TestSAMLEmailMatching (R-SAML-6): a first login links to the tenant's one
// user with the email (its groups and roles stay); with two such users it
// fails with the administrator's message and creates nobody.
func TestSAMLEmailMatching(t *testing.T) {
	s := samlSetup(t, "sqlite", nil)
	local, err := s.env.Svc.CreateUser(bg, directory.System, directory.NewUser{LoginName: "ann.local", Domain: "ENTERPRISE", Contexts: []string{s.x},
		Person: model.Person{FirstName: "A", LastName: "L", Email: "Ann@acme.example"}, Status: model.StatusActive})
	if err != nil {
		t.Fatal(err)
	}
	c := fedBrowser()
	if p := s.login(c, s.initURL(s.conn)); !s.signedIn(p) {
		t.Fatalf("link: %d %s", p.status, p.body)
	}
	if got := s.link(s.conn.ID, annID); got != local.ID {
		t.Fatalf("linked to %q, want the local user %q", got, local.ID)
	}
	if u := s.user(local.ID); !slices.Equal(u.Contexts, local.Contexts) || u.Kind != local.Kind {
		t.Fatalf("the linked user changed: %+v", u)
	}

	// Two users share bob's email: refused, nothing created.
	for _, n := range []string{"bob1", "bob2"} {
		if _, err := s.env.Svc.CreateUser(bg, directory.System, directory.NewUser{LoginName: n, Domain: "ENTERPRISE", Contexts: []string{s.tenant},
			Person: model.Person{FirstName: "B", LastName: "B", Email: "bob@acme.example"}, Status: model.StatusActive}); err != nil {
			t.Fatal(err)
		}
	}
	s.idp.SetUser(samltest.User{NameID: "bob-1", NameIDFormat: saml.NameIDPersistent, Attributes: map[string][]string{"Email": {"bob@acme.example"}}})
	c2 := fedBrowser()
	p := s.login(c2, s.initURL(s.conn))
	if p.status != http.StatusConflict || !strings.Contains(p.body, "exactly one user") {
		t.Fatalf("two users with the email: %d %s", p.status, p.body)
	}
	if s.link(s.conn.ID, "bob-1") != "" {
		t.Fatal("a link was written")
	}
	if evs := s.audit("federation.link_refused"); len(evs) != 1 {
		t.Fatalf("audit link_refused: %+v", evs)
	}
}

// TestSAMLRefusals: each refused response shows a page that says why,
// is audited, and writes no user (R-SAML-3, R-SAML-4, issue 11 "Bad input
// and attacks").
func TestSAMLRefusals(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			s := samlSetup(t, backend, nil)
			acs := saml.ACSURL(s.env.Server.URL, s.conn.ID)
			refused := func(name string, p page, status int, text, reason string) {
				t.Helper()
				if p.status != status || !strings.Contains(p.body, text) {
					t.Errorf("%s: %d %s", name, p.status, p.body)
				}
				if f := s.failures(); len(f) == 0 || f[len(f)-1] != reason {
					t.Errorf("%s: audited reasons %v, want last %q", name, f, reason)
				}
				if n := s.users(); n != 0 {
					t.Errorf("%s: %d users written", name, n)
				}
			}

			// A transient NameID (seed 003).
			s.idp.SetUser(samltest.User{NameID: "tr-123", NameIDFormat: saml.NameIDTransient, Attributes: map[string][]string{"Email": {"ann@acme.example"}}})
			c := fedBrowser()
			refused("transient", s.login(c, s.initURL(s.conn)),
				http.StatusBadRequest, "transient", string(saml.ReasonNameIDFormat))
			s.idp.SetUser(samltest.User{NameID: annID, NameIDFormat: saml.NameIDPersistent, Attributes: map[string][]string{"Email": {"ann@acme.example"}}})

			// IdP-initiated on a connection that does not allow it.
			entity := saml.EntityID(s.env.Server.URL, s.conn.ID)
			c = fedBrowser()
			ip := get(t, c, s.idp.IdPInitiatedURL(entity, ""))
			action, form, _ := samltest.Form(ip.body)
			refused("idp-initiated", post(t, c, action, form), http.StatusForbidden, "does not allow", string(saml.ReasonUnsolicited))

			// A response for another connection (of another tenant): the
			// flow its RelayState names chose this one.
			other := s.samlConnection(s.other, "Globex SAML", nil)
			c = fedBrowser()
			action, form = s.toIdP(c, s.initURL(other))
			refused("other connection", post(t, c, acs, form), http.StatusBadRequest, "does not belong", "connection")
			// ... and its own ACS still takes it? No: consumed only once
			// per flow; a fresh one is accepted there.
			if !strings.HasSuffix(action, "/saml/"+other.ID+"/acs") {
				t.Errorf("IdP posts to %s", action)
			}

			// Not base64, too large, empty: 4xx with a reason, never 500
			// (at an ACS that takes unsolicited responses; elsewhere a
			// response without a flow is refused as unsolicited first).
			open := s.samlConnection(s.tenant, "Acme SAML (IdP-initiated)", func(in *directory.ConnectionInput) { in.SAML.AllowIdPInitiated = true })
			acs = saml.ACSURL(s.env.Server.URL, open.ID)
			for name, v := range map[string]url.Values{
				"not base64": {"SAMLResponse": {"%%%not base64%%%"}},
				"empty":      {},
				"oversized":  {"SAMLResponse": {strings.Repeat("A", saml.DefaultMaxResponseBytes+10)}},
				"doctype":    {"SAMLResponse": {base64.StdEncoding.EncodeToString([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`))}},
			} {
				p := post(t, fedBrowser(), acs, v)
				if p.status < 400 || p.status >= 500 || !strings.Contains(p.body, "not a valid SAML response") {
					t.Errorf("%s: %d %s", name, p.status, p.body)
				}
			}
			if n := s.users(); n != 0 {
				t.Errorf("%d users written", n)
			}
			// An unknown connection's ACS.
			if p := post(t, fedBrowser(), saml.ACSURL(s.env.Server.URL, "no-such-connection"), url.Values{"SAMLResponse": {"eA=="}}); p.status != http.StatusNotFound {
				t.Errorf("unknown connection: %d", p.status)
			}
		})
	}
}

// TestSAMLIdPInitiated: where allowed, an unsolicited response signs the
// user in and lands on Sesame's home page — its RelayState is never a
// redirect target — and the same response replayed on another node is
// refused (the replay cache is the store's, R-SAML-3).
func TestSAMLIdPInitiated(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			s := samlSetup(t, backend, func(in *directory.ConnectionInput) { in.SAML.AllowIdPInitiated = true })
			entity := saml.EntityID(s.env.Server.URL, s.conn.ID)
			c := fedBrowser()
			ip := get(t, c, s.idp.IdPInitiatedURL(entity, "https://evil.example/steal"))
			action, form, ok := samltest.Form(ip.body)
			if !ok || form.Get("RelayState") != "https://evil.example/steal" {
				t.Fatalf("IdP-initiated form: %s", ip.body)
			}
			p := post(t, c, action, form)
			if !s.signedIn(p) {
				t.Fatalf("IdP-initiated: %d %v %s", p.status, p.url, p.body)
			}
			if s.link(s.conn.ID, annID) == "" {
				t.Fatal("no user")
			}
			// Replayed on another node of the same store.
			node := s.env.Node(t, sesametest.Options{})
			p = post(t, fedBrowser(), strings.Replace(action, s.env.Server.URL, node.Server.URL, 1), form)
			if p.status != http.StatusBadRequest || !strings.Contains(p.body, "already used") {
				t.Fatalf("replay on node 2: %d %s", p.status, p.body)
			}
			if f := s.failures(); len(f) == 0 || f[len(f)-1] != string(saml.ReasonReplay) {
				t.Fatalf("audited %v", f)
			}
		})
	}
}

// TestSAMLCrossOrigin: the ACS takes the IdP's cross-site POST; every other
// unsafe request from another origin is still refused.
func TestSAMLCrossOrigin(t *testing.T) {
	s := samlSetup(t, "sqlite", func(in *directory.ConnectionInput) { in.SAML.AllowIdPInitiated = true })
	send := func(path string) int {
		req, _ := http.NewRequest("POST", s.env.Server.URL+path, strings.NewReader("SAMLResponse=%25%25&step=password"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://idp.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := send("/saml/" + s.conn.ID + "/acs"); st != http.StatusBadRequest {
		t.Errorf("ACS cross-origin: %d, want the ACS's own answer", st)
	}
	for _, p := range []string{"/login", "/logout", "/saml/" + s.conn.ID + "/init", "/api/v1/connections"} {
		if st := send(p); st != http.StatusForbidden {
			t.Errorf("POST %s cross-origin: %d, want 403", p, st)
		}
	}
}

// TestSAMLMetadataAndRotation: the SP metadata names the entity id and ACS
// and advertises both keys during a rotation overlap (R-SAML-1); a login
// still works after the rotation.
func TestSAMLMetadataAndRotation(t *testing.T) {
	s := samlSetup(t, "sqlite", nil)
	md := func() *crewjam.EntityDescriptor {
		p := get(t, fedBrowser(), saml.MetadataURL(s.env.Server.URL, s.conn.ID))
		var ed crewjam.EntityDescriptor
		if p.status != 200 || xmlUnmarshal(p.body, &ed) != nil {
			t.Fatalf("metadata: %d %s", p.status, p.body)
		}
		return &ed
	}
	certs := func(ed *crewjam.EntityDescriptor) int {
		n := 0
		for _, kd := range ed.SPSSODescriptors[0].KeyDescriptors {
			if kd.Use == "signing" {
				n++
			}
		}
		return n
	}
	ed := md()
	if ed.EntityID != saml.EntityID(s.env.Server.URL, s.conn.ID) || ed.SPSSODescriptors[0].AssertionConsumerServices[0].Location != saml.ACSURL(s.env.Server.URL, s.conn.ID) ||
		certs(ed) != 1 {
		t.Fatalf("metadata %+v", ed)
	}
	c, err := s.env.Svc.RotateSAMLKey(bg, directory.System, s.conn.ID)
	if err != nil || len(c.SAML.SPCertificates) != 2 || c.SAML.SPCertificates[1].SHA256 != s.conn.SAML.SPCertificates[0].SHA256 {
		t.Fatalf("rotate: %v %+v", err, c.SAML.SPCertificates)
	}
	if n := certs(md()); n != 2 {
		t.Fatalf("%d signing certificates during the overlap, want 2", n)
	}
	s.idp.Encrypt(true)
	b := fedBrowser()
	if p := s.login(b, s.initURL(s.conn)); !s.signedIn(p) {
		t.Fatalf("login after rotation: %d %s", p.status, p.body)
	}
	if _, err := s.env.Svc.RetireSAMLKey(bg, directory.System, s.conn.ID); err != nil {
		t.Fatal(err)
	}
	if n := certs(md()); n != 1 {
		t.Fatalf("%d signing certificates after retiring, want 1", n)
	}
}

// TestSAMLMarketplaceAliases (seed 002, R-SAML-2): /auth/saml/init/{tenant}
// and /auth/saml/consume/{tenant} resolve the tenant's one SAML
// connection; a response posted to the consume alias names it as its
// Destination; with two SAML connections the alias names none.
func TestSAMLMarketplaceAliases(t *testing.T) {
	s := samlSetup(t, "sqlite", func(in *directory.ConnectionInput) { in.SAML.AllowIdPInitiated = true })
	c := fedBrowser()
	if p := s.login(c, saml.InitAliasURL(s.env.Server.URL, "acme")); !s.signedIn(p) {
		t.Fatalf("init alias: %d %s", p.status, p.body)
	}
	consume := saml.ConsumeAliasURL(s.env.Server.URL, "acme")
	s.idp.UseACS(consume)
	c = fedBrowser()
	ip := get(t, c, s.idp.IdPInitiatedURL(saml.EntityID(s.env.Server.URL, s.conn.ID), ""))
	action, form, ok := samltest.Form(ip.body)
	if !ok || action != consume {
		t.Fatalf("IdP posts to %q: %s", action, ip.body)
	}
	if p := post(t, c, action, form); !s.signedIn(p) {
		t.Fatalf("consume alias: %d %s", p.status, p.body)
	}
	// The same kind of response posted to the connection's own ACS: its
	// Destination is the alias, refused.
	ip = get(t, fedBrowser(), s.idp.IdPInitiatedURL(saml.EntityID(s.env.Server.URL, s.conn.ID), ""))
	_, form, _ = samltest.Form(ip.body)
	if p := post(t, fedBrowser(), saml.ACSURL(s.env.Server.URL, s.conn.ID), form); p.status != http.StatusBadRequest {
		t.Fatalf("alias response at the plain ACS: %d %s", p.status, p.body)
	}
	s.samlConnection(s.tenant, "Acme SAML 2", nil)
	if p := get(t, fedBrowser(), saml.InitAliasURL(s.env.Server.URL, "acme")); p.status != http.StatusNotFound {
		t.Fatalf("two SAML connections: %d", p.status)
	}
	if p := get(t, fedBrowser(), saml.InitAliasURL(s.env.Server.URL, "no-such-tenant")); p.status != http.StatusNotFound {
		t.Fatalf("unknown tenant: %d", p.status)
	}
}

// TestSAMLEnforcementAndDiscovery: a SAML connection is one more connection
// of the login page (R-FED-5): its button, home-realm discovery by a
// verified email domain; and the SSO enforcement stages apply to it
// (R-SAML-8): in testing only identity-provider administrators get
// through (nothing written for the others), once active the tenant's
// users lose their password login.
func TestSAMLEnforcementAndDiscovery(t *testing.T) {
	s := samlSetup(t, "sqlite", nil)
	sys := directory.System
	admins, err := s.env.Svc.CreateGroup(bg, sys, model.Group{ContextID: s.tenant, Name: "IdP admins",
		Values: []model.ACLValue{{Module: model.ModuleCAS, Name: "Identity providers - Manage", Value: "true"}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	local := func(login string) string {
		return s.env.Admin().ID("POST", "/api/v1/users", map[string]any{"loginName": login, "domain": "ENTERPRISE", "contexts": []string{s.tenant},
			"status": "active", "password": pw, "twoFactor": model.TwoFactorDisabled,
			"person": map[string]string{"firstName": login, "lastName": "Acme", "email": login + "@acme.example"}})
	}
	adm, bob := local("adm"), local("bob")
	if err := s.env.Svc.AddMember(bg, sys, model.Membership{GroupID: admins.ID, UserID: adm, ContextID: s.tenant}); err != nil {
		t.Fatal(err)
	}
	update := func(edit func(*directory.ConnectionInput)) {
		t.Helper()
		in := directory.ConnectionInput{TenantID: s.tenant, Kind: model.ConnectionSAML, Name: s.conn.Name, SAML: s.conn.SAML,
			Domains: []model.ConnectionDomain{{Domain: "acme.example", Verified: true}}}
		edit(&in)
		c, err := s.env.Svc.UpdateConnection(bg, sys, s.conn.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		s.conn = c
	}
	update(func(*directory.ConnectionInput) {})
	as := func(login string) {
		s.idp.SetUser(samltest.User{NameID: login + "-nameid", NameIDFormat: saml.NameIDPersistent,
			Attributes: map[string][]string{"Email": {login + "@acme.example"}}})
	}

	// The button, and home-realm discovery from the root login page.
	c := fedBrowser()
	lp := get(t, c, s.env.Server.URL+"/login?tenant=acme")
	if !slices.Contains(buttons(lp), s.conn.ID) {
		t.Fatalf("acme's login page offers %v", buttons(lp))
	}
	as("ann")
	lp = get(t, c, s.env.Server.URL+"/login")
	v := lp.fields()
	v.Set("username", "ann@acme.example")
	p := post(t, c, s.env.Server.URL+"/login", v)
	action, form, ok := samltest.Form(p.body)
	if !ok || !form.Has("SAMLResponse") {
		t.Fatalf("home realm: not through the IdP: %d %v %s", p.status, p.url, p.body)
	}
	if p := post(t, c, action, form); !s.signedIn(p) {
		t.Fatalf("home realm login: %d %s", p.status, p.body)
	}

	// testing: bob (linked by email) is refused before anything is
	// written; the administrator gets through.
	update(func(in *directory.ConnectionInput) { in.Enforcement = model.EnforcementTesting })
	as("bob")
	c = fedBrowser()
	if p := s.login(c, s.initURL(s.conn)); p.status != http.StatusForbidden || s.link(s.conn.ID, "bob-nameid") != "" {
		t.Fatalf("testing, bob: %d link %q", p.status, s.link(s.conn.ID, "bob-nameid"))
	}
	as("adm")
	if p := s.login(fedBrowser(), s.initURL(s.conn)); !s.signedIn(p) || s.link(s.conn.ID, "adm-nameid") != adm {
		t.Fatalf("testing, admin: %d %s", p.status, p.body)
	}

	// active: bob's password no longer signs him in; through the IdP he
	// does (linked to his user by email, R-SAML-6).
	update(func(in *directory.ConnectionInput) { in.Enforcement = model.EnforcementActive })
	c = fedBrowser()
	lp = get(t, c, s.env.Server.URL+"/login?tenant=acme")
	v = lp.fields()
	v.Set("tenant", "acme")
	v.Set("username", "bob")
	v.Set("password", pw)
	if p := post(t, c, s.env.Server.URL+"/login", v); s.signedIn(p) {
		t.Fatal("active: bob signed in with his password")
	}
	as("bob")
	if p := s.login(fedBrowser(), s.initURL(s.conn)); !s.signedIn(p) || s.link(s.conn.ID, "bob-nameid") != bob {
		t.Fatalf("active, bob through the IdP: %d %s", p.status, p.body)
	}
}

// TestSAMLMetadataRollover (R-SAML-1): a connection given by metadata URL
// takes the IdP's metadata at save time and again at each refresh; during
// a certificate rollover both certificates verify, and once the old one
// has left the metadata a response it signs is refused. A broken metadata
// endpoint keeps the stored metadata.
func TestSAMLMetadataRollover(t *testing.T) {
	f := fedSetup(t, "sqlite", nil)
	s := &samlFx{fedFx: f, idp: samltest.New(t)}
	s.idp.SetUser(samltest.User{NameID: annID, NameIDFormat: saml.NameIDPersistent, Attributes: map[string][]string{"Email": {"ann@acme.example"}}})
	old, next := samltest.Keys()[0], samltest.Keys()[1]
	var mu sync.Mutex
	published := s.idp.MetadataWith(old.Cert)
	mdSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if published == "" {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(published))
	}))
	t.Cleanup(mdSrv.Close)
	publish := func(md string) {
		mu.Lock()
		published = md
		mu.Unlock()
	}
	s.conn = s.samlConnection(f.tenant, "Acme by URL", func(in *directory.ConnectionInput) { in.SAML = model.SAMLSettings{MetadataURL: mdSrv.URL} })
	loginOK := func(name string, want bool) {
		t.Helper()
		p := s.login(fedBrowser(), s.initURL(s.conn))
		if s.signedIn(p) != want {
			t.Fatalf("%s: signed in %v, want %v (%d)", name, s.signedIn(p), want, p.status)
		}
	}
	refresh := func(wantChanged bool) {
		t.Helper()
		changed, err := f.env.Svc.RefreshSAMLMetadata(bg, s.conn.ID)
		if changed != wantChanged {
			t.Fatalf("refresh changed=%v (%v), want %v", changed, err, wantChanged)
		}
	}
	loginOK("before the rollover", true)
	refresh(false) // same metadata: nothing written

	// Rollover: the IdP publishes both certificates, then signs with the new.
	publish(s.idp.MetadataWith(old.Cert, next.Cert))
	refresh(true)
	s.idp.SignWith(next)
	loginOK("new key during the overlap", true)
	s.idp.SignWith(old)
	loginOK("old key during the overlap", true)

	// The old certificate leaves the metadata.
	publish(s.idp.MetadataWith(next.Cert))
	refresh(true)
	loginOK("old key after the rollover", false)
	if r := s.failures(); r[len(r)-1] != "signature" {
		t.Fatalf("refused for %v", r)
	}
	s.idp.SignWith(next)
	loginOK("new key after the rollover", true)

	// The endpoint breaks, then serves garbage: the stored metadata stays.
	publish("")
	refresh(false)
	publish("<html>maintenance</html>")
	refresh(false)
	loginOK("after failed refreshes", true)
	if evs := s.audit("connection.saml_metadata_refresh"); len(evs) != 4 {
		t.Fatalf("audited refreshes: %d, want 2 changes and 2 failures", len(evs))
	}
}

// TestSAMLSingleLogout (R-SAML-9): Sesame's /logout ends the IdP session
// too (a signed LogoutRequest over HTTP-Redirect to the IdP, whose
// LogoutResponse comes back to the SLO endpoint); an IdP-initiated signed
// LogoutRequest ends the user's sessions through the connection and is
// answered with a LogoutResponse; one signed by another key ends nothing.
func TestSAMLSingleLogout(t *testing.T) {
	s := samlSetup(t, "sqlite", nil)
	c := fedBrowser()
	if p := s.login(c, s.initURL(s.conn)); !s.signedIn(p) {
		t.Fatalf("login: %d %s", p.status, p.body)
	}
	uid := s.link(s.conn.ID, annID)
	sessions := func() int {
		ss, err := s.env.Store.ListUserSessions(bg, uid)
		if err != nil {
			t.Fatal(err)
		}
		return len(ss)
	}
	resp, body := sesametest.Logout(t, c, s.env.Server.URL, "/logout")
	if resp.Request.URL.Path != "/saml/"+s.conn.ID+"/slo" || resp.StatusCode != http.StatusOK || !strings.Contains(body, "signed out") {
		t.Fatalf("SP-initiated logout ended at %v: %d %s", resp.Request.URL, resp.StatusCode, body)
	}
	if got := s.idp.LoggedOut(); !slices.Equal(got, []string{annID}) {
		t.Fatalf("the IdP ended sessions of %v", got)
	}
	if n := sessions(); n != 0 {
		t.Fatalf("%d sessions after logout", n)
	}

	// IdP-initiated: the IdP's signed LogoutRequest (made with crewjam's
	// own logout code, signed with the IdP's key).
	logoutRequest := func(k samltest.Key) string {
		t.Helper()
		idp := &crewjam.ServiceProvider{EntityID: s.idp.IdP.MetadataURL.String(), Key: k.Key, Certificate: k.Cert,
			SignatureMethod: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", IDPMetadata: &crewjam.EntityDescriptor{}}
		req, err := idp.MakeLogoutRequest(saml.SLOURL(s.env.Server.URL, s.conn.ID), annID)
		if err != nil {
			t.Fatal(err)
		}
		u, err := idp.RedirectLogoutRequestURL(req, "idp-relay")
		if err != nil {
			t.Fatal(err)
		}
		return u.String()
	}
	c = fedBrowser()
	if p := s.login(c, s.initURL(s.conn)); !s.signedIn(p) {
		t.Fatalf("login again: %d %s", p.status, p.body)
	}
	stop := &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if p := get(t, stop, logoutRequest(samltest.Keys()[1])); p.status != http.StatusBadRequest || sessions() != 1 {
		t.Fatalf("forged LogoutRequest: %d, %d sessions", p.status, sessions())
	}
	p := get(t, stop, logoutRequest(samltest.Keys()[0]))
	if p.status != http.StatusSeeOther || p.loc == nil || !strings.HasPrefix(p.loc.String(), s.idp.Srv.URL+"/slo?") || p.loc.Query().Get("SAMLResponse") == "" ||
		p.loc.Query().Get("RelayState") != "idp-relay" {
		t.Fatalf("IdP-initiated logout: %d %v %s", p.status, p.loc, p.body)
	}
	if n := sessions(); n != 0 {
		t.Fatalf("%d sessions after the IdP's logout", n)
	}
	if evs := s.audit("session.ended_by_idp"); len(evs) != 1 {
		t.Fatalf("audit: %+v", evs)
	}
}

// TestSAMLHostileInput: every SAML route answers garbage with a 4xx page
// that says why, never a 500, and ends or writes nothing.
func TestSAMLHostileInput(t *testing.T) {
	s := samlSetup(t, "sqlite", nil)
	base := s.env.Server.URL
	id := s.conn.ID
	c := fedBrowser()
	if p := s.login(c, s.initURL(s.conn)); !s.signedIn(p) {
		t.Fatalf("login: %d", p.status)
	}
	uid := s.link(id, annID)
	for _, tc := range []struct {
		name, method, path string
		form               url.Values
		want               int
	}{
		{"metadata of no connection", "GET", "/saml/no-such-id/metadata", nil, 404},
		{"metadata of an OIDC connection", "GET", "/saml/" + s.fedFx.conn.ID + "/metadata", nil, 404},
		{"init of no connection", "GET", "/saml/%2e%2e/init", nil, 404},
		{"slo without message", "GET", "/saml/" + id + "/slo", nil, 400},
		{"slo garbage request", "GET", "/saml/" + id + "/slo?SAMLRequest=%25%25&RelayState=x", nil, 400},
		{"slo garbage response", "GET", "/saml/" + id + "/slo?SAMLResponse=AAAA&RelayState=x", nil, 400},
		{"slo post garbage", "POST", "/saml/" + id + "/slo", url.Values{"SAMLRequest": {"PHg+"}}, 400},
		{"slo unsolicited response", "POST", "/saml/" + id + "/slo", url.Values{"SAMLResponse": {"PHg+"}}, 400},
		{"acs GET", "GET", "/saml/" + id + "/acs", nil, 405},
		{"acs two responses", "POST", "/saml/" + id + "/acs", url.Values{"SAMLResponse": {"a", "b"}, "RelayState": {"x"}}, 400},
		{"acs artifact", "POST", "/saml/" + id + "/acs", url.Values{"SAMLart": {"AAQAA"}}, 400},
	} {
		var p page
		if tc.method == "GET" {
			p = get(t, fedBrowser(), base+tc.path)
		} else {
			p = post(t, fedBrowser(), base+tc.path, tc.form)
		}
		if p.status != tc.want && !(tc.want == 400 && p.status >= 400 && p.status < 500) {
			t.Errorf("%s: %d, want %d: %s", tc.name, p.status, tc.want, p.body)
		}
		if p.status >= 500 {
			t.Errorf("%s: %d", tc.name, p.status)
		}
	}
	if ss, _ := s.env.Store.ListUserSessions(bg, uid); len(ss) != 1 {
		t.Fatalf("sessions after hostile input: %d", len(ss))
	}
	if n := s.users(); n != 1 {
		t.Fatalf("%d users", n)
	}
	// A connection whose stored SP keys no longer open (a changed master
	// key): its routes say so (400, audited as config), never 500.
	if _, err := s.env.Store.UpdateConnection(bg, id, func(c model.Connection) (model.Connection, error) {
		c.SealedSPKeys = []byte("sesame-sealed:garbage")
		return c, nil
	}); err != nil {
		t.Fatal(err)
	}
	if p := get(t, fedBrowser(), saml.MetadataURL(base, id)); p.status != http.StatusBadRequest {
		t.Fatalf("unopenable connection: %d", p.status)
	}
	if f := s.failures(); f[len(f)-1] != "config" {
		t.Fatalf("audited %v", f)
	}
}
