package login_test

import (
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/connector/connectortest"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/login"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/outbox"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// marketplace connects owner to upstream p as a marketplace with seed
// 002's organisation attributes.
func (f *fedFx) marketplace(owner, name string, p *connectortest.Provider) model.Connection {
	return f.connection(owner, name, p, func(in *directory.ConnectionInput) {
		in.Mapping = model.ClaimMapping{Marketplace: true,
			Organisation: &model.OrganisationMapping{UID: "group_uid", Name: "group_name", Role: "group_role"}}
	})
}

// loginThrough signs in through connection conn of tenant slug from app
// in a new browser and returns the app's userinfo answer.
func (f *fedFx) loginThrough(app *fedRP, slug string, conn model.Connection) map[string]any {
	f.t.Helper()
	c := fedBrowser()
	lp, ver := app.start(f.t, c)
	ret := lp.url.Query().Get("return")
	p := get(f.t, c, f.env.Server.URL+"/login?tenant="+slug+"&connection="+conn.ID+"&return="+url.QueryEscape(ret))
	_, _, info := app.finish(f.t, p, ver)
	return info
}

func marketplaceUser(sub, uid, name string) connectortest.User {
	return connectortest.User{Subject: sub, Claims: map[string]any{"email": sub + "." + uid + "@mail.marketplace.example", "email_verified": true,
		"given_name": "Mia", "group_uid": uid, "group_name": name, "group_role": "OrgAdmin"}}
}

// TestMarketplaceLogin (R-SAML-7, seed 002) through the login engine and
// an OIDC upstream: the first login of a marketplace user creates the
// organisation's account context under the tenant and lands in the app
// in it, with the rights the organisation role gives; the email is kept
// and marked undeliverable. A second user of the organisation joins the
// same context (renamed as the marketplace now names it); the same person
// through a second marketplace (another tenant) is another user in
// another context.
func TestMarketplaceLogin(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := fedSetup(t, backend, nil)
			if _, err := f.env.Svc.CreateGroup(bg, directory.System, model.Group{ContextID: f.env.RootID, Name: "Org admins", RoleNames: []string{"OrgAdmin"},
				Values: []model.ACLValue{{Module: "portal", Name: "Orders - Approve", Value: "true"}}}, ""); err != nil {
				t.Fatal(err)
			}
			up := connectortest.New(t, connectortest.Options{})
			mp := f.marketplace(f.tenant, "Vagalam", up)
			app := f.newRP()

			up.SetUser(marketplaceUser("usr-1", "cld-1", "Acme Ltd"))
			info := f.loginThrough(app, "acme", mp)
			mia := f.user(f.link(mp.ID, "usr-1"))
			if len(mia.Contexts) != 1 {
				t.Fatalf("mia in %v, want her organisation", mia.Contexts)
			}
			org, err := f.env.Svc.GetContext(bg, directory.System, mia.Contexts[0])
			if err != nil {
				t.Fatal(err)
			}
			if org.Name != "Acme Ltd" || org.Number != "cld-1" || org.ParentID != f.tenant || org.Type != model.ContextAccount {
				t.Fatalf("organisation context %+v", org)
			}
			if info["context_id"] != org.ID || rightsOf(info)["Orders - Approve"] != "true" {
				t.Fatalf("landed in the app with %v", info)
			}
			if mia.Person.Email != "usr-1.cld-1@mail.marketplace.example" || !mia.EmailUndeliverable {
				t.Fatalf("mia's email %q undeliverable %v", mia.Person.Email, mia.EmailUndeliverable)
			}

			up.SetUser(marketplaceUser("usr-2", "cld-1", "Acme Limited"))
			info = f.loginThrough(app, "acme", mp)
			bo := f.user(f.link(mp.ID, "usr-2"))
			if !slices.Equal(bo.Contexts, []string{org.ID}) || info["context_id"] != org.ID {
				t.Fatalf("bo in %v (landed in %v), want %s", bo.Contexts, info["context_id"], org.ID)
			}
			if x, _ := f.env.Svc.GetContext(bg, directory.System, org.ID); x.Name != "Acme Limited" {
				t.Fatalf("organisation not renamed: %+v", x)
			}

			up2 := connectortest.New(t, connectortest.Options{})
			mp2 := f.marketplace(f.other, "Doritor", up2)
			up2.SetUser(marketplaceUser("usr-1", "cld-1", "Acme Ltd"))
			info = f.loginThrough(app, "globex", mp2)
			mia2 := f.user(f.link(mp2.ID, "usr-1"))
			if mia2.ID == mia.ID || mia2.TenantID != f.other || len(mia2.Contexts) != 1 || mia2.Contexts[0] == org.ID {
				t.Fatalf("the same person through a second marketplace: %+v (first %s)", mia2, mia.ID)
			}
			if info["sub"] != mia2.ID {
				t.Fatalf("the app got %v, want %s", info["sub"], mia2.ID)
			}
			if evs := f.audit("federation.login"); len(evs) != 3 || evs[0].Outcome != model.OutcomeSuccess {
				t.Fatalf("federation.login audit: %+v", evs)
			}
		})
	}
}

// TestVirtualAddressGetsNoResetMail: the password-reset mail of the login
// engine (PasswordMail) to a user whose email is a marketplace's virtual
// address is recorded as skipped, audited, and never queued for sending.
func TestVirtualAddressGetsNoResetMail(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			env := sesametest.New(t, backend)
			u, err := env.Svc.CreateUser(bg, directory.System, directory.NewUser{LoginName: "mia", Domain: model.DomainCSP, Contexts: []string{env.RootID},
				Person: model.Person{Email: "usr-1.cld-1@mail.marketplace.example"}, Status: model.StatusActive, EmailUndeliverable: true})
			if err != nil {
				t.Fatal(err)
			}
			if !u.EmailUndeliverable {
				t.Fatal("the mark was not stored")
			}
			mail := login.PasswordMail{Queue: outbox.NewQueue(nil, nil), Issuer: env.Server.URL}
			if err := env.Store.InTx(bg, func(tx storage.Storage) error {
				return mail.Reset(bg, tx, u, "tok", 15*time.Minute)
			}); err != nil {
				t.Fatal(err)
			}
			if q, _ := env.Store.ListMessages(bg, storage.MessageQueued, 10); len(q) != 0 {
				t.Fatalf("queued for sending: %+v", q)
			}
			if s, _ := env.Store.ListMessages(bg, storage.MessageSkipped, 10); len(s) != 1 || s[0].UserID != u.ID || s[0].Kind != "password_reset" {
				t.Fatalf("skipped: %+v", s)
			}
			evs, _, err := env.Svc.ListAudit(bg, directory.System, model.AuditFilter{Action: "message.skipped", Page: model.Page{Limit: 10}})
			if err != nil || len(evs) != 1 || evs[0].TargetID != u.ID || evs[0].Details["reason"] != "virtual address" {
				t.Fatalf("audit %+v %v", evs, err)
			}
		})
	}
}
