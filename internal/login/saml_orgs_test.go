package login_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/sesame-sso/sesame/internal/connector/saml"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/samltest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestSAMLMarketplaceOrganisations (R-SAML-7, seed 002): a SAML
// marketplace through the tenant's init alias, with Maestrano-style
// attributes: the organisation's account context is created under the
// tenant and the user assigned; the virtual email is stored, marked
// undeliverable, and never links the tenant's user who has the same
// address (although SAML connections link by email, R-SAML-6); a second
// organisation adds up.
func TestSAMLMarketplaceOrganisations(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			s := samlSetup(t, backend, func(in *directory.ConnectionInput) {
				in.Mapping = model.ClaimMapping{Email: "virtual_email", Marketplace: true,
					Organisation: &model.OrganisationMapping{UID: "group_uid", Name: "group_name", Role: "group_role"}}
			})
			const virtual = "usr-1.cld-1@mail.vagalam.example"
			local, err := s.env.Svc.CreateUser(bg, directory.System, directory.NewUser{LoginName: "someone", Domain: model.DomainEnterprise,
				Contexts: []string{s.x}, Person: model.Person{Email: virtual}, Status: model.StatusActive})
			if err != nil {
				t.Fatal(err)
			}
			user := func(uid, name string) samltest.User {
				return samltest.User{NameID: "usr-1", NameIDFormat: saml.NameIDPersistent, Attributes: map[string][]string{
					"virtual_email": {virtual}, "First Name": {"Mia"}, "group_uid": {uid}, "group_name": {name}, "group_role": {"Admin"}}}
			}
			s.idp.SetUser(user("cld-1", "Acme Ltd"))
			if p := s.login(fedBrowser(), saml.InitAliasURL(s.env.Server.URL, "acme")); !s.signedIn(p) {
				t.Fatalf("marketplace login: %d %v %s", p.status, p.url, p.body)
			}
			id := s.link(s.conn.ID, "usr-1")
			if id == "" || id == local.ID {
				t.Fatalf("linked %q (the local user is %s)", id, local.ID)
			}
			u := s.user(id)
			if len(u.Contexts) != 1 || !u.EmailUndeliverable || u.Person.Email != virtual {
				t.Fatalf("marketplace user %+v", u)
			}
			org, err := s.env.Svc.GetContext(bg, directory.System, u.Contexts[0])
			if err != nil || org.Name != "Acme Ltd" || org.Number != "cld-1" || org.ParentID != s.tenant {
				t.Fatalf("organisation %+v %v", org, err)
			}
			s.idp.SetUser(user("cld-2", "Beta GmbH"))
			if p := s.login(fedBrowser(), saml.InitAliasURL(s.env.Server.URL, "acme")); p.status != http.StatusOK {
				t.Fatalf("second organisation: %d %s", p.status, p.body)
			}
			if u = s.user(id); len(u.Contexts) != 2 || !slices.Contains(u.Contexts, org.ID) {
				t.Fatalf("after the second organisation: %v", u.Contexts)
			}
		})
	}
}
