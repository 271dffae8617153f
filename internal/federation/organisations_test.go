package federation_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/federation"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// orgMapping is seed 002's attributes: uid, group_uid, group_name,
// group_role, a virtual email.
var orgMapping = model.ClaimMapping{Subject: "uid", Email: "virtual_email", FirstName: "name", LastName: "surname",
	Organisation: &model.OrganisationMapping{UID: "group_uid", Name: "group_name", Role: "group_role"}, Marketplace: true}

// marketplace adds a marketplace connection to tenant.
func (f *fx) marketplace(t testing.TB, tenant, name string) model.Connection {
	t.Helper()
	c, err := f.env.Svc.CreateConnection(bg, directory.System, directory.ConnectionInput{TenantID: tenant, Kind: model.ConnectionOIDC, Name: name,
		OIDC: model.OIDCSettings{DiscoveryURL: "https://" + strings.ToLower(name) + ".example", ClientID: "sesame"}, Mapping: orgMapping})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fx) loginVia(t testing.TB, c model.Connection, claims map[string]any) (model.User, error) {
	t.Helper()
	u, _, err := f.prov.Login(bg, c, federation.Identity{Claims: claims})
	return u, err
}

func (f *fx) mustVia(t testing.TB, c model.Connection, claims map[string]any) model.User {
	t.Helper()
	u, err := f.loginVia(t, c, claims)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// children lists the contexts directly below parent.
func (f *fx) children(t testing.TB, parent string) []model.Context {
	t.Helper()
	cs, _, err := f.env.Svc.SearchContexts(bg, directory.System, model.ContextFilter{ParentID: parent, Page: model.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// orgContext is the child of parent numbered uid (exactly one).
func (f *fx) orgContext(t testing.TB, parent, uid string) model.Context {
	t.Helper()
	var found []model.Context
	for _, c := range f.children(t, parent) {
		if c.Number == uid {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		t.Fatalf("contexts numbered %q below %s: %+v, want one", uid, parent, found)
	}
	return found[0]
}

// byConnection lists the audit events of action whose actor is c.
func (f *fx) byConnection(t *testing.T, action string, c model.Connection) []model.AuditEvent {
	t.Helper()
	var out []model.AuditEvent
	for _, e := range f.audit(t, action) {
		if e.ActorID == "connection:"+c.ID {
			out = append(out, e)
		}
	}
	return out
}

func (f *fx) reload(t testing.TB, u model.User) model.User {
	t.Helper()
	u, err := f.env.Svc.GetUser(bg, directory.System, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fx) roles(t testing.TB, u model.User) []model.RoleAssignment {
	t.Helper()
	rs, err := f.env.Store.UserRoles(bg, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func maestrano(uid, email string, orgs ...[3]string) map[string]any {
	c := map[string]any{"uid": uid, "virtual_email": email, "name": "Mia", "surname": "Lund"}
	var uids, names, roles []any
	for _, o := range orgs {
		uids, names, roles = append(uids, o[0]), append(names, o[1]), append(roles, o[2])
	}
	if len(orgs) > 0 {
		c["group_uid"], c["group_name"], c["group_role"] = uids, names, roles
	}
	return c
}

// TestOrganisations (R-SAML-7, seed 002): the first login of an
// organisation creates its account context under the tenant, named by
// group_name, numbered by group_uid, and assigns the user with the role
// (e1 in that context only); a second user joins the same context; a new
// name renames it; another organisation adds up (the first stays, with
// its role); lists pair uids with names and roles by index. Every write is
// audited with the connection as actor.
func TestOrganisations(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, false)
			mp := f.marketplace(t, f.tenant, "Vagalam")
			// A global group maps the marketplace role onto rights.
			if _, err := f.env.Svc.CreateGroup(bg, directory.System, model.Group{ContextID: f.env.RootID, Name: "Org admins", RoleNames: []string{"Admin"},
				Values: []model.ACLValue{{Module: "portal", Name: "Orders - Approve", Value: "true"}}}, ""); err != nil {
				t.Fatal(err)
			}
			mia := f.mustVia(t, mp, maestrano("usr-1", "usr-1.cld-1@mail.vagalam.example", [3]string{"cld-1", "Acme Ltd", "Admin"}))
			acme := f.orgContext(t, f.tenant, "cld-1")
			if acme.Name != "Acme Ltd" || acme.Type != model.ContextAccount || acme.TenantID != f.tenant {
				t.Fatalf("organisation context %+v", acme)
			}
			if !slices.Equal(mia.Contexts, []string{acme.ID}) {
				t.Fatalf("mia's contexts %v, want [%s]", mia.Contexts, acme.ID)
			}
			if !f.right(t, mia, acme.ID, "Orders - Approve") || f.right(t, mia, f.x, "Orders - Approve") {
				t.Fatal("the organisation role gives its rights in the organisation, and only there")
			}
			for _, action := range []string{"context.create", "organisation.link"} {
				evs := f.byConnection(t, action, mp)
				if len(evs) != 1 || evs[0].TargetID != acme.ID {
					t.Fatalf("%s audit: %+v", action, evs)
				}
			}
			// A second user of the same organisation: same context.
			bo := f.mustVia(t, mp, maestrano("usr-2", "usr-2.cld-1@mail.vagalam.example", [3]string{"cld-1", "Acme Ltd", ""}))
			if !slices.Equal(bo.Contexts, []string{acme.ID}) || len(f.roles(t, bo)) != 0 {
				t.Fatalf("bo: contexts %v roles %v", bo.Contexts, f.roles(t, bo))
			}
			if f.right(t, bo, acme.ID, "Orders - Approve") {
				t.Fatal("bo has no role in Acme")
			}
			// The organisation was renamed at the marketplace.
			f.mustVia(t, mp, maestrano("usr-2", "usr-2.cld-1@mail.vagalam.example", [3]string{"cld-1", "Acme Limited", ""}))
			if got := f.orgContext(t, f.tenant, "cld-1"); got.ID != acme.ID || got.Name != "Acme Limited" {
				t.Fatalf("after rename: %+v", got)
			}
			// An empty name keeps the name; a new organisation without
			// one is named by its uid.
			f.mustVia(t, mp, maestrano("usr-2", "usr-2.cld-1@mail.vagalam.example", [3]string{"cld-1", " ", ""}))
			if got := f.orgContext(t, f.tenant, "cld-1"); got.Name != "Acme Limited" {
				t.Fatalf("an empty name renamed the organisation: %+v", got)
			}
			// Mia launches from another organisation: both stay.
			mia = f.mustVia(t, mp, maestrano("usr-1", "usr-1.cld-2@mail.vagalam.example", [3]string{"cld-2", "Beta GmbH", "Member"}))
			beta := f.orgContext(t, f.tenant, "cld-2")
			if !slices.Equal(sortedCopy(mia.Contexts), sortedCopy([]string{acme.ID, beta.ID})) {
				t.Fatalf("mia's contexts %v, want Acme and Beta", mia.Contexts)
			}
			if rs := f.roles(t, mia); !slices.Contains(rs, model.RoleAssignment{ContextID: acme.ID, Role: "Admin"}) ||
				!slices.Contains(rs, model.RoleAssignment{ContextID: beta.ID, Role: "Member"}) || len(rs) != 2 {
				t.Fatalf("mia's roles %v", rs)
			}
			// Lists: three organisations at once, paired by index; the
			// role in Acme is gone (the IdP names Acme without one).
			mia = f.mustVia(t, mp, maestrano("usr-1", "usr-1@mail.vagalam.example",
				[3]string{"cld-1", "Acme Limited", ""}, [3]string{"cld-2", "Beta GmbH", "Member"}, [3]string{"cld-3", "Gamma SA", "Admin"}))
			gamma := f.orgContext(t, f.tenant, "cld-3")
			if !slices.Equal(sortedCopy(mia.Contexts), sortedCopy([]string{acme.ID, beta.ID, gamma.ID})) {
				t.Fatalf("mia's contexts %v", mia.Contexts)
			}
			if !f.right(t, mia, gamma.ID, "Orders - Approve") || f.right(t, mia, acme.ID, "Orders - Approve") {
				t.Fatal("rights follow the roles of the latest login")
			}
			// Idempotent: the same login again creates nothing.
			before := len(f.byConnection(t, "context.create", mp))
			f.mustVia(t, mp, maestrano("usr-1", "usr-1@mail.vagalam.example",
				[3]string{"cld-1", "Acme Limited", ""}, [3]string{"cld-2", "Beta GmbH", "Member"}, [3]string{"cld-3", "Gamma SA", "Admin"}))
			if n := len(f.byConnection(t, "context.create", mp)); n != before || n != 3 {
				t.Fatalf("context.create events %d → %d, want 3", before, n)
			}
			if n := len(f.children(t, f.tenant)); n != 5 { // X, Y, and three organisations
				t.Fatalf("%d contexts below the tenant, want 5", n)
			}
		})
	}
}

// TestOrganisationsPerMarketplace (seed 002 "unicity with
// multi-marketplaces"): the same uid, group_uid and email through two
// marketplaces — of two tenants, or of one — are two users in two
// contexts; nothing is shared.
func TestOrganisationsPerMarketplace(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, false)
			t2, err := f.env.Svc.CreateContext(bg, directory.System, model.Context{Type: model.ContextTenant, Name: "Doritor", ParentID: f.env.RootID})
			if err != nil {
				t.Fatal(err)
			}
			vagalam, doritor, third := f.marketplace(t, f.tenant, "Vagalam"), f.marketplace(t, t2.ID, "Doritor"), f.marketplace(t, f.tenant, "Third")
			claims := maestrano("usr-1", "usr-1.cld-1@mail.example", [3]string{"cld-1", "Acme", "Admin"})
			a, b, c := f.mustVia(t, vagalam, claims), f.mustVia(t, doritor, claims), f.mustVia(t, third, claims)
			if a.ID == b.ID || a.ID == c.ID || b.ID == c.ID {
				t.Fatalf("users %s %s %s: one person through three marketplaces is three users", a.ID, b.ID, c.ID)
			}
			if a.TenantID != f.tenant || b.TenantID != t2.ID || c.TenantID != f.tenant {
				t.Fatalf("tenants %s %s %s", a.TenantID, b.TenantID, c.TenantID)
			}
			cb := f.orgContext(t, t2.ID, "cld-1")
			if !slices.Equal(b.Contexts, []string{cb.ID}) {
				t.Fatalf("doritor's user in %v, want [%s]", b.Contexts, cb.ID)
			}
			// Two marketplaces of one tenant: two contexts with the same
			// number; each user in its own.
			var same []string
			for _, x := range f.children(t, f.tenant) {
				if x.Number == "cld-1" {
					same = append(same, x.ID)
				}
			}
			if len(same) != 2 || !slices.Equal(sortedCopy(append(slices.Clone(a.Contexts), c.Contexts...)), sortedCopy(same)) {
				t.Fatalf("one tenant, two marketplaces: contexts %v, a %v, c %v", same, a.Contexts, c.Contexts)
			}
		})
	}
}

// TestOrganisationRace: concurrent first logins of different users of one
// new organisation create one context, and every user is in it (the
// binding's key decides; the losers retry).
func TestOrganisationRace(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, false)
			mp := f.marketplace(t, f.tenant, "Vagalam")
			const n = 20
			// Two rounds: the first also opens the pool's database
			// connections, so that the second's logins really overlap.
			for _, uid := range []string{"cld-warm", "cld-race"} {
				var (
					wg    sync.WaitGroup
					mu    sync.Mutex
					users []model.User
				)
				start := make(chan struct{})
				for i := range n {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						sub := fmt.Sprintf("%s-usr-%d", uid, i)
						u, err := f.loginVia(t, mp, maestrano(sub, sub+"@mail.example", [3]string{uid, "Race Ltd", "Admin"}))
						mu.Lock()
						defer mu.Unlock()
						if err != nil {
							t.Errorf("login %s: %v", sub, err)
							return
						}
						users = append(users, u)
					}()
				}
				close(start)
				wg.Wait()
				org := f.orgContext(t, f.tenant, uid)
				if len(users) != n {
					t.Fatalf("%s: %d logins succeeded", uid, len(users))
				}
				for _, u := range users {
					if u = f.reload(t, u); !slices.Equal(u.Contexts, []string{org.ID}) {
						t.Fatalf("user %s in %v, want [%s]", u.LoginName, u.Contexts, org.ID)
					}
				}
			}
			if evs := f.byConnection(t, "organisation.link", mp); len(evs) != 2 {
				t.Fatalf("%d organisation.link events, want 2", len(evs))
			}
		})
	}
}

// TestOrganisationHostileClaims: a malformed organisation claim refuses
// the login with a *MappingError naming the claim and why, audited, and
// nothing is written (no user, no context).
func TestOrganisationHostileClaims(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, false)
			mp := f.marketplace(t, f.tenant, "Vagalam")
			base := func(set map[string]any) map[string]any {
				c := map[string]any{"uid": "usr-h", "virtual_email": "h@mail.example"}
				for k, v := range set {
					c[k] = v
				}
				return c
			}
			for _, tc := range []struct {
				name, claim, reason string
				claims              map[string]any
			}{
				{"empty uid", "group_uid", "empty", base(map[string]any{"group_uid": []any{"  "}})},
				{"uid too long", "group_uid", "longer than 100", base(map[string]any{"group_uid": strings.Repeat("u", 101)})},
				{"uid with a newline", "group_uid", "control characters", base(map[string]any{"group_uid": "cld-1\nX"})},
				{"uid with NUL", "group_uid", "control characters", base(map[string]any{"group_uid": "cld\x00"})},
				{"uid not UTF-8", "group_uid", "control characters", base(map[string]any{"group_uid": "cld-\xff"})},
				{"uid an object", "group_uid", "not a list", base(map[string]any{"group_uid": map[string]any{"id": "x"}})},
				{"name too long", "group_name", "longer than 200", base(map[string]any{"group_uid": "cld-1", "group_name": strings.Repeat("n", 201)})},
				{"name with a tab", "group_name", "control characters", base(map[string]any{"group_uid": "cld-1", "group_name": "Acme\tLtd"})},
				{"fewer names", "group_name", "holds 1 values for 2 organisations", base(map[string]any{"group_uid": []any{"cld-1", "cld-2"}, "group_name": []any{"Acme"}})},
				{"more roles", "group_role", "holds 3 values for 2 organisations", base(map[string]any{"group_uid": []any{"cld-1", "cld-2"}, "group_role": []any{"a", "b", "c"}})},
				{"too many", "group_uid", "more than 50", base(map[string]any{"group_uid": func() []any {
					var xs []any
					for i := range 51 {
						xs = append(xs, fmt.Sprint("cld-", i))
					}
					return xs
				}()})},
			} {
				t.Run(tc.name, func(t *testing.T) {
					ctxBefore, auditBefore := len(f.children(t, f.tenant)), len(f.audit(t, "federation.mapping_failed"))
					_, err := f.loginVia(t, mp, tc.claims)
					var me *federation.MappingError
					if !errors.As(err, &me) || me.Claim != tc.claim || !strings.Contains(me.Reason, tc.reason) {
						t.Fatalf("err = %v, want claim %q: …%s…", err, tc.claim, tc.reason)
					}
					if n := len(f.children(t, f.tenant)); n != ctxBefore {
						t.Fatalf("%d contexts after a refused login, %d before", n, ctxBefore)
					}
					if us := f.tenantUsers(t, "h@mail.example"); len(us) != 0 {
						t.Fatalf("a refused login wrote users %+v", us)
					}
					if evs := f.audit(t, "federation.mapping_failed"); len(evs) != auditBefore+1 || evs[0].Details["claim"] != tc.claim {
						t.Fatalf("audit %+v", evs)
					}
				})
			}
		})
	}
}

// TestMarketplaceVirtualEmail (seed 002 "do not send emails to virtual
// email addresses"): a marketplace user's email is stored and marked
// undeliverable; the mark follows the email at later logins; an email
// from an ordinary connection is deliverable; a marketplace never links
// by email (its emails are never verified).
func TestMarketplaceVirtualEmail(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, true)
			mp := f.marketplace(t, f.tenant, "Vagalam")
			u := f.reload(t, f.mustVia(t, mp, maestrano("usr-v", "usr-v.cld-1@mail.vagalam.example")))
			if u.Person.Email != "usr-v.cld-1@mail.vagalam.example" || !u.EmailUndeliverable {
				t.Fatalf("marketplace user: email %q undeliverable %v", u.Person.Email, u.EmailUndeliverable)
			}
			u = f.reload(t, f.mustVia(t, mp, maestrano("usr-v", "usr-v.cld-2@mail.vagalam.example")))
			if u.Person.Email != "usr-v.cld-2@mail.vagalam.example" || !u.EmailUndeliverable {
				t.Fatalf("after an email change: %q undeliverable %v", u.Person.Email, u.EmailUndeliverable)
			}
			// The ordinary connection (linking on) with the same, verified
			// address: a new user (the marketplace user is not linked… it
			// is delegated and linked to the marketplace), deliverable.
			o, _ := f.mustLogin(t, map[string]any{"sub": "o-1", "email": "real@acme.example", "email_verified": true})
			if o = f.reload(t, o); o.EmailUndeliverable {
				t.Fatal("an ordinary connection's email is deliverable")
			}
			// A marketplace never links by email, even when the
			// connection says so (SAML connections always do, R-SAML-6)
			// and the IdP vouches for the address: the user with that
			// address stays alone, a new user is created.
			in := directory.ConnectionInput{TenantID: f.tenant, Kind: model.ConnectionOIDC, Name: "Linking marketplace",
				OIDC: model.OIDCSettings{DiscoveryURL: "https://m.example", ClientID: "c"}, Mapping: orgMapping, LinkByVerifiedEmail: true}
			linking, err := f.env.Svc.CreateConnection(bg, directory.System, in)
			if err != nil {
				t.Fatal(err)
			}
			m, err := f.loginVia(t, linking, map[string]any{"uid": "usr-o", "virtual_email": "real@acme.example", "email_verified": true})
			if err != nil || m.ID == o.ID || len(f.tenantUsers(t, "real@acme.example")) != 2 {
				t.Fatalf("marketplace login linked or failed: %+v %v", m, err)
			}
			if ls, _ := f.env.Svc.UserIdentityLinks(bg, o.ID); len(ls) != 1 {
				t.Fatalf("the existing user got a marketplace link: %+v", ls)
			}
			// An organisation without a name claim is named by its uid.
			n := f.mustVia(t, mp, map[string]any{"uid": "usr-n", "virtual_email": "n@mail.example", "group_uid": 4711})
			if org := f.orgContext(t, f.tenant, "4711"); org.Name != "4711" || !slices.Equal(n.Contexts, []string{org.ID}) {
				t.Fatalf("unnamed organisation %+v, user in %v", org, n.Contexts)
			}
			// A marketplace's email never counts as verified.
			pr, err := federation.Map(mp, federation.Identity{Claims: map[string]any{"uid": "x", "virtual_email": "x@m.example", "email_verified": true}})
			if err != nil || pr.EmailVerified || !pr.VirtualEmail {
				t.Fatalf("profile %+v, %v", pr, err)
			}
		})
	}
}

// TestOrganisationClaimsShapes: the organisation claims as SAML brings
// them (every attribute a []string), as JSON brings them ([]any, a
// number), one value or a list; duplicates merge, roles add up.
func TestOrganisationClaimsShapes(t *testing.T) {
	c := model.Connection{Mapping: orgMapping}
	for _, tc := range []struct {
		name   string
		claims map[string]any
		want   []federation.Organisation
	}{
		{"SAML lists", map[string]any{"group_uid": []string{"cld-1", "cld-2"}, "group_name": []string{"Acme", "Beta"}, "group_role": []string{"Admin", ""}},
			[]federation.Organisation{{UID: "cld-1", Name: "Acme", Roles: []string{"Admin"}}, {UID: "cld-2", Name: "Beta"}}},
		{"SAML one value", map[string]any{"group_uid": []string{"cld-1"}, "group_name": []string{" Acme "}},
			[]federation.Organisation{{UID: "cld-1", Name: "Acme"}}},
		{"JSON number", map[string]any{"group_uid": float64(4711), "group_role": "Admin"},
			[]federation.Organisation{{UID: "4711", Roles: []string{"Admin"}}}},
		{"duplicates merge", map[string]any{"group_uid": []any{"cld-1", "cld-1"}, "group_name": []any{"Acme", "Acme"}, "group_role": []any{"Admin", "User"}},
			[]federation.Organisation{{UID: "cld-1", Name: "Acme", Roles: []string{"Admin", "User"}}}},
		{"none", map[string]any{"group_name": "Acme"}, nil},
		{"empty list", map[string]any{"group_uid": []any{}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			claims := map[string]any{"uid": "u", "virtual_email": "u@mail.example"}
			for k, v := range tc.claims {
				claims[k] = v
			}
			p, err := federation.Map(c, federation.Identity{Claims: claims})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(p.Organisations, tc.want, func(a, b federation.Organisation) bool {
				return a.UID == b.UID && a.Name == b.Name && slices.Equal(a.Roles, b.Roles)
			}) {
				t.Fatalf("organisations %+v, want %+v", p.Organisations, tc.want)
			}
		})
	}
}
