package federation_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/federation"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

var bg = context.Background()

// fx is a tenant with accounts X (number X-1) and Y (number Y-2), an
// OIDC connection of the tenant, and role-mapped groups: a global group
// for role READER, X's group for role Admin, Y's group for role User.
type fx struct {
	env                 *sesametest.Env
	tenant, x, y, other string
	conn                model.Connection
	prov                *federation.Provisioner
}

func setup(t testing.TB, backend string, link bool) *fx {
	env := sesametest.New(t, backend)
	sys := directory.System
	mk := func(typ model.ContextType, name, number, parent string) string {
		c, err := env.Svc.CreateContext(bg, sys, model.Context{Type: typ, Name: name, Number: number, ParentID: parent})
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	f := &fx{env: env, prov: &federation.Provisioner{Dir: env.Svc}}
	f.tenant = mk(model.ContextTenant, "Acme", "", env.RootID)
	f.x = mk(model.ContextAccount, "Account X", "X-1", f.tenant)
	f.y = mk(model.ContextAccount, "Account Y", "Y-2", f.tenant)
	other := mk(model.ContextTenant, "Other", "", env.RootID)
	f.other = mk(model.ContextAccount, "Other account", "O-3", other)
	group := func(ctxID, name, role, acl string) {
		if _, err := env.Svc.CreateGroup(bg, sys, model.Group{ContextID: ctxID, Name: name, RoleNames: []string{role},
			Values: []model.ACLValue{{Module: "portal", Name: acl, Value: "true"}}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	group(env.RootID, "Global readers", "READER", "SIM - View")
	group(f.x, "X admins", "Admin", "SIM - Activate")
	group(f.y, "Y users", "User", "Orders - View")
	// A group of another tenant's account with the same role name: it
	// must never apply in this tenant.
	group(f.other, "Other admins", "Admin", "Orders - Approve")
	var err error
	f.conn, err = env.Svc.CreateConnection(bg, sys, directory.ConnectionInput{TenantID: f.tenant, Kind: model.ConnectionOIDC, Name: "Acme IdP",
		OIDC:                model.OIDCSettings{DiscoveryURL: "https://idp.acme.example", ClientID: "sesame"},
		Mapping:             model.ClaimMapping{Roles: []string{"roles"}, AccountKey: model.AccountKeyNumber, ContextRoles: &model.ContextRoles{Claim: "accounts", Separator: ":"}},
		LinkByVerifiedEmail: link})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fx) login(t *testing.T, claims map[string]any) (model.User, federation.Outcome, error) {
	t.Helper()
	return f.prov.Login(bg, f.conn, federation.Identity{Claims: claims})
}

func (f *fx) mustLogin(t *testing.T, claims map[string]any) (model.User, federation.Outcome) {
	t.Helper()
	u, out, err := f.login(t, claims)
	if err != nil {
		t.Fatal(err)
	}
	return u, out
}

func (f *fx) right(t *testing.T, u model.User, ctxID, acl string) bool {
	t.Helper()
	u, err := f.env.Svc.GetUser(bg, directory.System, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.env.Svc.Rights().UserRights(bg, u, ctxID, "portal")
	if err != nil {
		t.Fatal(err)
	}
	return res.Bool("portal", acl)
}

func (f *fx) audit(t *testing.T, action string) []model.AuditEvent {
	t.Helper()
	evs, _, err := f.env.Svc.ListAudit(bg, directory.System, model.AuditFilter{Action: action, Page: model.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func (f *fx) tenantUsers(t *testing.T, email string) []model.User {
	t.Helper()
	us, err := f.env.Svc.UsersWithEmail(bg, f.tenant, email, 100)
	if err != nil {
		t.Fatal(err)
	}
	return us
}

// TestConcurrentFirstLogins: 50 concurrent first logins of one subject
// create exactly one user; every one of them gets that user (R-FED-4,
// DESIGN note 2: the link key decides, the losers retry and update).
func TestConcurrentFirstLogins(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, false)
			const n = 50
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				ids      = map[string]int{}
				outcomes = map[federation.Outcome]int{}
			)
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					u, out, err := f.login(t, map[string]any{"sub": "race-subject", "email": "race@acme.example", "roles": []any{"READER"}})
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						t.Errorf("login: %v", err)
						return
					}
					ids[u.ID]++
					outcomes[out]++
				}()
			}
			wg.Wait()
			if len(ids) != 1 || outcomes[federation.Created] != 1 {
				t.Fatalf("users %v, outcomes %v: want one user, created once", ids, outcomes)
			}
			if us := f.tenantUsers(t, "race@acme.example"); len(us) != 1 {
				t.Fatalf("%d users with the email, want 1", len(us))
			}
			if evs := f.audit(t, "user.create"); len(evs) != 1 || evs[0].ActorID != "connection:"+f.conn.ID {
				t.Fatalf("user.create audit: %+v", evs)
			}
		})
	}
}

// TestSubjectIsTheKey: an email change at the IdP keeps the same user;
// two subjects with one email are two users; created users are delegated,
// active, in the connection's tenant (R-FED-4).
func TestSubjectIsTheKey(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, false)
			u, out := f.mustLogin(t, map[string]any{"sub": "s-1", "email": "old@acme.example", "email_verified": true,
				"given_name": "Ada", "family_name": "Lovelace", "phone_number": "+41 44 000 00 00"})
			if out != federation.Created || u.Kind != model.KindDelegated || u.Status != model.StatusActive || u.TenantID != f.tenant ||
				u.Domain != model.DomainEnterprise || !slices.Equal(u.Contexts, []string{f.tenant}) || u.Person.Phone != "+41 44 000 00 00" {
				t.Fatalf("created %+v (%s)", u, out)
			}
			u2, out := f.mustLogin(t, map[string]any{"sub": "s-1", "email": "new@acme.example", "email_verified": true,
				"given_name": "Ada", "family_name": "King"})
			if u2.ID != u.ID || out != federation.Updated || u2.Person.Email != "new@acme.example" || u2.Person.LastName != "King" {
				t.Fatalf("after an email change: %+v (%s), first was %s", u2, out, u.ID)
			}
			if _, out := f.mustLogin(t, map[string]any{"sub": "s-1", "email": "new@acme.example", "given_name": "Ada", "family_name": "King"}); out != federation.Unchanged {
				t.Errorf("same claims again: %s", out)
			}
			u3, _ := f.mustLogin(t, map[string]any{"sub": "s-2", "email": "new@acme.example", "email_verified": true})
			if u3.ID == u.ID {
				t.Fatal("another subject with the same email got the same user")
			}
			if evs := f.audit(t, "user.update"); len(evs) != 1 || evs[0].ActorID != "connection:"+f.conn.ID {
				t.Errorf("user.update audit: %+v", evs)
			}
			// The admin API keeps its hands off what the IdP owns
			// (R-USR-3): a clear 4xx naming the field.
			ad := f.env.Admin()
			r := ad.Do("PATCH", "/api/v1/users/"+u.ID, map[string]any{"person": map[string]string{"firstName": "Ada", "lastName": "King", "email": "evil@x.example"}})
			if r.Status != 403 || r.Map(t)["field"] != "person.email" {
				t.Errorf("edit of an IdP-owned field: %d %s", r.Status, r.Body)
			}
			r = ad.Do("PATCH", "/api/v1/users/"+u.ID, map[string]any{"loginName": "renamed"})
			if r.Status != 403 || r.Map(t)["field"] != "loginName" {
				t.Errorf("rename of a delegated user: %d %s", r.Status, r.Body)
			}
			r = ad.Do("PUT", "/api/v1/users/"+u.ID+"/password", map[string]any{"password": "a-long-enough-password-1"})
			if r.Status != 400 || r.Map(t)["field"] != "password" {
				t.Errorf("password of a delegated user: %d %s", r.Status, r.Body)
			}
			// Sesame's own fields stay editable.
			ad.Must(200, "PATCH", "/api/v1/users/"+u.ID, map[string]any{"person": map[string]string{"firstName": "Ada", "lastName": "King",
				"email": "new@acme.example", "phone": "+41 44 000 00 00", "language": "de"}})
			// Deleting the user removes its external identity (R-USR-1).
			if _, err := f.env.Svc.Transition(bg, directory.System, u.ID, model.StatusDeleted); err != nil {
				t.Fatal(err)
			}
			if ls, _ := f.env.Svc.UserIdentityLinks(bg, u.ID); len(ls) != 0 {
				t.Errorf("links after delete: %v", ls)
			}
		})
	}
}

// TestLinking: an unverified email never links — not even to an
// administrator's account with that email; linking needs the connection's
// consent and a verified email; several users with the email → LinkError.
func TestLinking(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, true)
			admin, err := f.env.Svc.CreateUser(bg, directory.System, directory.NewUser{LoginName: "boss", Domain: model.DomainEnterprise,
				Contexts: []string{f.tenant}, Status: model.StatusActive, Person: model.Person{Email: "boss@acme.example", FirstName: "Big"}})
			if err != nil {
				t.Fatal(err)
			}
			// Unverified (false, missing, or a string that is not "true").
			for i, verified := range []any{false, nil, "yes"} {
				claims := map[string]any{"sub": "attacker-" + string(rune('a'+i)), "email": "boss@acme.example", "roles": []any{"READER"}}
				if verified != nil {
					claims["email_verified"] = verified
				}
				u, out := f.mustLogin(t, claims)
				if u.ID == admin.ID || out != federation.Created || u.Kind != model.KindDelegated {
					t.Fatalf("unverified email %v: got user %s (%s), admin is %s", verified, u.ID, out, admin.ID)
				}
			}
			if ls, _ := f.env.Svc.UserIdentityLinks(bg, admin.ID); len(ls) != 0 {
				t.Fatalf("the admin was linked: %v", ls)
			}
			// Verified and allowed: linked, the local user keeps its kind,
			// contexts and roles (R-SAML-6), names follow the IdP.
			u, out := f.mustLogin(t, map[string]any{"sub": "boss-at-idp", "email": "BOSS@acme.example", "email_verified": true,
				"given_name": "Boss", "roles": []any{"READER"}, "accounts": []any{"X-1:Admin"}})
			if u.ID != admin.ID || out != federation.Linked || u.Kind != model.KindLocal || !slices.Equal(u.Contexts, []string{f.tenant}) || u.Person.FirstName != "Boss" {
				t.Fatalf("verified email: %+v (%s)", u, out)
			}
			byEmail := 0
			for _, e := range f.audit(t, "user.link") {
				if e.Details["via"] == "verified email" {
					byEmail++
					if e.TargetID != admin.ID {
						t.Errorf("linked by email: %+v", e)
					}
				}
			}
			if byEmail != 1 {
				t.Errorf("%d links by email audited, want 1", byEmail)
			}
			if u, out := f.mustLogin(t, map[string]any{"sub": "boss-at-idp", "email": "boss@acme.example", "email_verified": true, "given_name": "Boss"}); u.ID != admin.ID || out == federation.Created {
				t.Errorf("second login of the linked user: %s (%s)", u.ID, out)
			}
			// The same verified email on a connection that does not allow
			// linking: a new user.
			f.conn.LinkByVerifiedEmail = false
			if u, _ := f.mustLogin(t, map[string]any{"sub": "no-link", "email": "boss@acme.example", "email_verified": true}); u.ID == admin.ID {
				t.Fatal("linked although the connection does not allow it")
			}
			f.conn.LinkByVerifiedEmail = true
			// Several users with the email: the login fails, nothing is written.
			if _, err := f.env.Svc.CreateUser(bg, directory.System, directory.NewUser{LoginName: "dup1", Domain: model.DomainEnterprise,
				Contexts: []string{f.tenant}, Person: model.Person{Email: "shared@acme.example"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.env.Svc.CreateUser(bg, directory.System, directory.NewUser{LoginName: "dup2", Domain: model.DomainEnterprise,
				Contexts: []string{f.x}, Person: model.Person{Email: "Shared@acme.example"}}); err != nil {
				t.Fatal(err)
			}
			_, _, err = f.login(t, map[string]any{"sub": "shared-sub", "email": "shared@acme.example", "email_verified": true})
			var le *federation.LinkError
			if !errors.As(err, &le) || le.Users != 2 {
				t.Fatalf("several users with the email: %v", err)
			}
			if us := f.tenantUsers(t, "shared@acme.example"); len(us) != 2 {
				t.Errorf("a user was written: %d users with the email", len(us))
			}
			if _, err := f.env.Svc.IdentityLink(bg, f.conn.ID, "shared-sub"); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("a link was written: %v", err)
			}
			if evs := f.audit(t, "federation.link_refused"); len(evs) != 1 || evs[0].Outcome != model.OutcomeFailure {
				t.Errorf("link refusal audit: %+v", evs)
			}
			// A user of another tenant with the email is not a candidate.
			if _, err := f.env.Svc.CreateUser(bg, directory.System, directory.NewUser{LoginName: "elsewhere", Domain: model.DomainEnterprise,
				Contexts: []string{f.other}, Person: model.Person{Email: "elsewhere@acme.example"}}); err != nil {
				t.Fatal(err)
			}
			if u, out := f.mustLogin(t, map[string]any{"sub": "else", "email": "elsewhere@acme.example", "email_verified": true}); out != federation.Created || u.TenantID != f.tenant {
				t.Errorf("linked across tenants: %+v (%s)", u, out)
			}
		})
	}
}

// TestMappingFailureAudited: a login whose claims do not map fails with
// a *MappingError and leaves an audit event naming the claim.
func TestMappingFailureAudited(t *testing.T) {
	f := setup(t, "sqlite", false)
	_, _, err := f.login(t, map[string]any{"email": "x@acme.example"})
	var me *federation.MappingError
	if !errors.As(err, &me) || me.Claim != "sub" {
		t.Fatalf("err = %v", err)
	}
	evs := f.audit(t, "federation.mapping_failed")
	if len(evs) != 1 || evs[0].Details["claim"] != "sub" || evs[0].ActorID != "connection:"+f.conn.ID || evs[0].Outcome != model.OutcomeFailure {
		t.Fatalf("audit: %+v", evs)
	}
	// A disabled connection provisions nobody.
	f.conn.Enabled = false
	if _, _, err := f.login(t, map[string]any{"sub": "s"}); model.ErrorCode(err) != model.EFORBIDDEN {
		t.Fatalf("disabled connection: %v", err)
	}
}

// TestRolesToRights: the IdP's roles feed e1 of the effective rights
// (R-EFF-1) — through a global group, through an account group, per
// context ("Admin for X, User for Y"), a role that maps to nothing, and a
// role removed at the IdP gone at the next login.
func TestRolesToRights(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, false)
			u, _ := f.mustLogin(t, map[string]any{"sub": "r-1", "email": "r@acme.example",
				"roles": []any{"READER", "Ghost"}, "accounts": []any{"X-1:Admin", "Y-2:User", "O-3:Admin", "NOPE:Admin"}})
			if !slices.Equal(sortedCopy(u.Contexts), sortedCopy([]string{f.x, f.y})) {
				t.Fatalf("contexts %v, want X and Y only (O-3 is another tenant's number, NOPE none)", u.Contexts)
			}
			for _, c := range []struct {
				name, ctx, acl string
				want           bool
			}{
				{"global group, role READER, in X", f.x, "SIM - View", true},
				{"global group, role READER, in Y", f.y, "SIM - View", true},
				{"account group of X, Admin for X", f.x, "SIM - Activate", true},
				{"Y's group needs User for Y, not in X", f.x, "Orders - View", false},
				{"account group of Y, User for Y", f.y, "Orders - View", true},
				{"Admin is for X only, not in Y", f.y, "SIM - Activate", false},
				{"another tenant's group never applies", f.x, "Orders - Approve", false},
				{"Ghost maps to nothing", f.x, "SIM - Terminate", false},
			} {
				if got := f.right(t, u, c.ctx, c.acl); got != c.want {
					t.Errorf("%s: %s = %v, want %v", c.name, c.acl, got, c.want)
				}
			}
			if evs := f.audit(t, "federation.account_unresolved"); len(evs) != 1 {
				t.Errorf("unresolved accounts audit: %+v", evs)
			}
			// Roles removed at the IdP: gone at the next login.
			u, out := f.mustLogin(t, map[string]any{"sub": "r-1", "email": "r@acme.example", "roles": []any{}, "accounts": []any{"Y-2:User"}})
			if out != federation.Updated || !slices.Equal(u.Contexts, []string{f.y}) {
				t.Fatalf("after removal: %s, contexts %v", out, u.Contexts)
			}
			if f.right(t, u, f.y, "SIM - View") {
				t.Error("READER removed at the IdP still grants SIM - View")
			}
			if !f.right(t, u, f.y, "Orders - View") {
				t.Error("User for Y lost")
			}
			roles, err := f.env.Svc.Reader().UserRoles(bg, u.ID)
			if err != nil || len(roles) != 1 || roles[0].ContextID != f.y || roles[0].Role != "User" {
				t.Errorf("stored roles %+v, %v", roles, err)
			}
			if evs := f.audit(t, "user.roles_set"); len(evs) != 2 {
				t.Errorf("user.roles_set audit: %d events", len(evs))
			}
		})
	}
}

// TestAccountKeyByID: account keys may be context ids; an id of another
// tenant's context is never assigned.
func TestAccountKeyByID(t *testing.T) {
	f := setup(t, "sqlite", false)
	f.conn.Mapping = model.ClaimMapping{Contexts: "member_of", ContextRoles: &model.ContextRoles{Claim: "accounts", Key: "id", Role: "role"}}
	u, _ := f.mustLogin(t, map[string]any{"sub": "k", "member_of": []any{f.x, f.other, f.env.RootID},
		"accounts": []any{map[string]any{"id": f.y, "role": "User"}}})
	if !slices.Equal(sortedCopy(u.Contexts), sortedCopy([]string{f.x, f.y})) {
		t.Fatalf("contexts %v", u.Contexts)
	}
	if !f.right(t, u, f.y, "Orders - View") {
		t.Error("User for Y by context id lost")
	}
}

func sortedCopy(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}
