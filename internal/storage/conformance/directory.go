package conformance

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

type tree struct {
	root, tenant, acct, sub, direct, cust model.Context
}

func mkTree(t *testing.T, s storage.Storage) tree {
	var tr tree
	tr.root = must(s.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"}))
	tr.tenant = must(s.CreateContext(ctx, model.Context{Type: model.ContextTenant, Name: "Tenant One", Number: "T1", ParentID: tr.root.ID}))
	tr.acct = must(s.CreateContext(ctx, model.Context{Type: model.ContextAccount, Name: "Acme Corp", Number: "ACC-1001", ParentID: tr.tenant.ID}))
	tr.sub = must(s.CreateContext(ctx, model.Context{Type: model.ContextAccount, Name: "Acme Sub", Number: "ACC-1001-A", ParentID: tr.acct.ID}))
	tr.direct = must(s.CreateContext(ctx, model.Context{Type: model.ContextAccount, Name: "Direct Ltd", Number: "ACC-2002", ParentID: tr.root.ID}))
	tr.cust = must(s.CreateContext(ctx, model.Context{Type: model.ContextCustomer, Name: "Customer X", ParentID: tr.acct.ID}))
	return tr
}

func ids(cs []model.Context) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	sort.Strings(out)
	return out
}

func sameIDs(t *testing.T, what string, got []model.Context, want ...model.Context) {
	t.Helper()
	g, w := ids(got), ids(want)
	if fmt.Sprint(g) != fmt.Sprint(w) {
		t.Errorf("%s: got %v, want %v", what, g, w)
	}
}

func testContextTree(t *testing.T, s storage.Storage) {
	tr := mkTree(t, s)
	if _, err := s.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root 2"}); err == nil {
		t.Fatal("a second root was created")
	}
	if tr.tenant.TenantID != tr.tenant.ID || tr.acct.TenantID != tr.tenant.ID || tr.sub.TenantID != tr.tenant.ID ||
		tr.direct.TenantID != tr.root.ID || tr.root.TenantID != tr.root.ID || tr.cust.TenantID != tr.tenant.ID {
		t.Errorf("tenant ids not derived: %+v", tr)
	}
	for _, bad := range []model.Context{
		{Type: model.ContextTenant, Name: "x", ParentID: tr.tenant.ID},
		{Type: model.ContextCustomer, Name: "x", ParentID: tr.root.ID},
		{Type: model.ContextAccount, Name: "x", ParentID: tr.cust.ID},
		{Type: model.ContextAccount, Name: "x"},
		{Type: model.ContextAccount, Name: "", ParentID: tr.root.ID},
		{Type: "planet", Name: "x", ParentID: tr.root.ID},
		{Type: model.ContextAccount, Name: "x", ParentID: "no-such"},
	} {
		_, err := s.CreateContext(ctx, bad)
		wantCode(t, err, model.EINVALID)
	}
	got := must(s.GetContext(ctx, tr.acct.ID))
	if got.Name != "Acme Corp" || got.Number != "ACC-1001" || got.ParentID != tr.tenant.ID || got.Type != model.ContextAccount ||
		!got.CreatedAt.Truncate(time.Millisecond).Equal(tr.acct.CreatedAt.Truncate(time.Millisecond)) {
		t.Errorf("GetContext: %+v vs %+v", got, tr.acct)
	}
	if _, err := s.GetContext(ctx, "no-such"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown context: %v", err)
	}
	if r := must(s.RootContext(ctx)); r.ID != tr.root.ID {
		t.Errorf("RootContext: %v", r)
	}
	anc := must(s.Ancestors(ctx, tr.sub.ID))
	if len(anc) != 4 || anc[0].ID != tr.sub.ID || anc[1].ID != tr.acct.ID || anc[2].ID != tr.tenant.ID || anc[3].ID != tr.root.ID {
		t.Errorf("Ancestors: %v", ids(anc))
	}
	for _, c := range []struct {
		id, anc string
		want    bool
	}{{tr.sub.ID, tr.acct.ID, true}, {tr.sub.ID, tr.root.ID, true}, {tr.acct.ID, tr.acct.ID, true}, {tr.acct.ID, tr.sub.ID, false}, {tr.direct.ID, tr.tenant.ID, false}} {
		if got := must(s.IsDescendant(ctx, c.id, c.anc)); got != c.want {
			t.Errorf("IsDescendant(%s, %s) = %v", c.id, c.anc, got)
		}
	}
}

func testContextMoveAndDelete(t *testing.T, s storage.Storage) {
	tr := mkTree(t, s)
	renamed := must(s.UpdateContext(ctx, tr.acct.ID, func(c model.Context) (model.Context, error) {
		c.Name, c.Number = "Acme Renamed", "ACC-9"
		return c, nil
	}))
	if renamed.Name != "Acme Renamed" || must(s.GetContext(ctx, tr.acct.ID)).Number != "ACC-9" {
		t.Errorf("rename: %+v", renamed)
	}
	// Cycles are refused.
	_, err := s.UpdateContext(ctx, tr.acct.ID, func(c model.Context) (model.Context, error) { c.ParentID = tr.sub.ID; return c, nil })
	wantCode(t, err, model.EINVALID)
	_, err = s.UpdateContext(ctx, tr.acct.ID, func(c model.Context) (model.Context, error) { c.ParentID = tr.acct.ID; return c, nil })
	wantCode(t, err, model.EINVALID)
	// A move within the tenant updates the subtree.
	other := must(s.CreateContext(ctx, model.Context{Type: model.ContextAccount, Name: "Other", ParentID: tr.tenant.ID}))
	must(s.UpdateContext(ctx, tr.acct.ID, func(c model.Context) (model.Context, error) { c.ParentID = other.ID; return c, nil }))
	anc := must(s.Ancestors(ctx, tr.sub.ID))
	if len(anc) != 5 || anc[2].ID != other.ID {
		t.Errorf("subtree not moved: %v", ids(anc))
	}
	if !must(s.IsDescendant(ctx, tr.cust.ID, other.ID)) {
		t.Error("customer not below the new parent")
	}
	// Errors from fn are returned and nothing changes.
	boom := errors.New("boom")
	if _, err := s.UpdateContext(ctx, tr.acct.ID, func(c model.Context) (model.Context, error) { c.Name = "x"; return c, boom }); !errors.Is(err, boom) {
		t.Errorf("fn error: %v", err)
	}
	// Delete: refused with children, fine on a leaf, root never.
	wantCode(t, s.DeleteContext(ctx, tr.acct.ID), model.ECONFLICT, model.EINVALID)
	if err := s.DeleteContext(ctx, tr.cust.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetContext(ctx, tr.cust.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("deleted context still there: %v", err)
	}
	if err := s.DeleteContext(ctx, tr.root.ID); err == nil {
		t.Error("root deleted")
	}
	if err := s.DeleteContext(ctx, "no-such"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("delete unknown: %v", err)
	}
}

func testContextSearch(t *testing.T, s storage.Storage) {
	tr := mkTree(t, s)
	pct := must(s.CreateContext(ctx, model.Context{Type: model.ContextAccount, Name: "100% Mobile_Co", Number: `O'B\1`, ParentID: tr.root.ID}))
	search := func(f model.ContextFilter) []model.Context {
		t.Helper()
		r, _, err := s.SearchContexts(ctx, f)
		if err != nil {
			t.Fatalf("search %+v: %v", f, err)
		}
		return r
	}
	sameIDs(t, "name substring, any case", search(model.ContextFilter{Query: "ACME"}), tr.acct, tr.sub)
	sameIDs(t, "number prefix", search(model.ContextFilter{Query: "acc-100"}), tr.acct, tr.sub)
	sameIDs(t, "type filter", search(model.ContextFilter{Query: "acc-", Type: model.ContextAccount}), tr.acct, tr.sub, tr.direct)
	sameIDs(t, "parent filter", search(model.ContextFilter{ParentID: tr.acct.ID}), tr.sub, tr.cust)
	sameIDs(t, "within subtree", search(model.ContextFilter{Within: []string{tr.tenant.ID}}), tr.tenant, tr.acct, tr.sub, tr.cust)
	sameIDs(t, "within two subtrees", search(model.ContextFilter{Query: "a", Within: []string{tr.sub.ID, tr.direct.ID}}), tr.sub, tr.direct)
	if r := search(model.ContextFilter{Within: []string{}}); len(r) != 0 {
		t.Errorf("empty Within must match nothing: %v", ids(r))
	}
	sameIDs(t, "percent literal", search(model.ContextFilter{Query: "100%"}), pct)
	sameIDs(t, "underscore literal", search(model.ContextFilter{Query: "e_c"}), pct)
	sameIDs(t, "quote and backslash literal", search(model.ContextFilter{Query: `o'b\`}), pct)
	for _, q := range []string{"%", "_", `\`, `'; DROP TABLE contexts; --`, `"`} {
		if r := search(model.ContextFilter{Query: q + "zz"}); len(r) != 0 {
			t.Errorf("metacharacters %q matched %v", q, ids(r))
		}
	}
	// Paging: 7 contexts in all.
	p1, more, err := s.SearchContexts(ctx, model.ContextFilter{Page: model.Page{Limit: 4}})
	if err != nil || len(p1) != 4 || !more {
		t.Fatalf("page 1: %d %v %v", len(p1), more, err)
	}
	p2, more, err := s.SearchContexts(ctx, model.ContextFilter{Page: model.Page{Offset: 4, Limit: 4}})
	if err != nil || len(p2) != 3 || more {
		t.Fatalf("page 2: %d %v %v", len(p2), more, err)
	}
	all := append(ids(p1), ids(p2)...)
	sort.Strings(all)
	for i := 1; i < len(all); i++ {
		if all[i] == all[i-1] {
			t.Error("pages overlap")
		}
	}
}

func catalog(t *testing.T, s storage.Storage) {
	if err := s.UpsertModule(ctx, model.Module{Name: "portal", Description: "Portal"}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertModule(ctx, model.Module{Name: "bm", Description: "Billing"}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertACLs(ctx, []model.ACL{
		{Module: "portal", Category: "SIM Cards", Name: "SIM - Activate", Type: model.ACLBoolean},
		{Module: "portal", Category: "API", Name: "API IP Allow", Type: model.ACLText},
		{Module: "portal", Category: "SIM Cards", Name: "SIM - Price Plan Modify", Type: model.ACLBoolean, Description: "v1"},
		{Module: "bm", Category: "Module Access", Name: "bmModuleAccess", Type: model.ACLBoolean},
	}); err != nil {
		t.Fatal(err)
	}
}

var (
	simActivate = model.ACLValue{Module: "portal", Name: "SIM - Activate", Value: "true"}
	ipAllow     = model.ACLValue{Module: "portal", Name: "API IP Allow", Value: "10.0.0.0/8"}
	bmAccess    = model.ACLValue{Module: "bm", Name: "bmModuleAccess", Value: "true"}
)

func testCatalog(t *testing.T, s storage.Storage) {
	catalog(t, s)
	check(t, s.UpsertModule(ctx, model.Module{Name: "portal", Description: "Enterprise Portal"}))
	check(t, s.UpsertACLs(ctx, []model.ACL{{Module: "portal", Category: "SIM Cards", Name: "SIM - Price Plan Modify", Type: model.ACLBoolean, Description: "v2"}}))
	mods := must(s.ListModules(ctx))
	if len(mods) != 2 || mods[0].Name != "bm" || mods[1].Description != "Enterprise Portal" {
		t.Errorf("modules: %+v", mods)
	}
	acls := must(s.ListACLs(ctx, "portal"))
	if len(acls) != 3 || acls[0].Name != "API IP Allow" || acls[1].Name != "SIM - Activate" || acls[2].Description != "v2" {
		t.Errorf("portal ACLs (module, category, name order): %+v", acls)
	}
	if all := must(s.ListACLs(ctx, "")); len(all) != 4 || all[0].Module != "bm" {
		t.Errorf("all ACLs: %+v", all)
	}
	wantCode(t, s.UpsertACLs(ctx, []model.ACL{{Module: "nope", Category: "c", Name: "n", Type: model.ACLBoolean}}), model.EINVALID)
}

func testGroups(t *testing.T, s storage.Storage) {
	tr := mkTree(t, s)
	catalog(t, s)
	g := must(s.CreateGroup(ctx, model.Group{ContextID: tr.acct.ID, Name: "Operators", Description: "d", RoleNames: []string{"OPS", "ops-eu"}, Values: []model.ACLValue{simActivate, ipAllow}}))
	if _, err := s.CreateGroup(ctx, model.Group{ContextID: tr.acct.ID, Name: "operators"}); !errors.Is(err, model.ErrAlreadyExists) {
		t.Errorf("duplicate name (case-insensitive) in one context: %v", err)
	}
	other := must(s.CreateGroup(ctx, model.Group{ContextID: tr.sub.ID, Name: "Operators"}))
	global := must(s.CreateGroup(ctx, model.Group{ContextID: tr.root.ID, Name: "Global", Values: []model.ACLValue{bmAccess}}))
	_, err := s.CreateGroup(ctx, model.Group{ContextID: tr.acct.ID, Name: "Bad", Values: []model.ACLValue{{Module: "portal", Name: "Nope", Value: "true"}}})
	wantCode(t, err, model.EINVALID)
	got := must(s.GetGroup(ctx, g.ID))
	if got.Name != "Operators" || got.Description != "d" || len(got.Values) != 2 || len(got.RoleNames) != 2 || got.ContextID != tr.acct.ID {
		t.Errorf("round trip: %+v", got)
	}
	upd := must(s.UpdateGroup(ctx, g.ID, func(g model.Group) (model.Group, error) {
		g.Values = []model.ACLValue{{Module: "portal", Name: "SIM - Activate", Value: "false"}}
		g.RoleNames = []string{"OPS"}
		return g, nil
	}))
	got = must(s.GetGroup(ctx, g.ID))
	if len(got.Values) != 1 || got.Values[0].Value != "false" || len(got.RoleNames) != 1 || upd.UpdatedAt.Before(upd.CreatedAt) {
		t.Errorf("update: %+v", got)
	}
	if gs := must(s.ListGroups(ctx, []string{tr.acct.ID, tr.root.ID})); len(gs) != 2 {
		t.Errorf("ListGroups: %+v", gs)
	}
	if _, err := s.GetGroup(ctx, "no-such"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown group: %v", err)
	}
	// Memberships.
	domain(t, s)
	u := must(s.CreateUser(ctx, model.User{LoginName: "m", TenantID: tr.tenant.ID, Domain: "D", Kind: model.KindLocal, Status: model.StatusActive, Contexts: []string{tr.acct.ID, tr.sub.ID}}))
	m := model.Membership{GroupID: g.ID, UserID: u.ID, ContextID: tr.acct.ID}
	check(t, s.AddMember(ctx, m))
	check(t, s.AddMember(ctx, m)) // idempotent
	check(t, s.AddMember(ctx, model.Membership{GroupID: global.ID, UserID: u.ID, ContextID: tr.sub.ID}))
	check(t, s.AddMember(ctx, model.Membership{GroupID: other.ID, UserID: u.ID, ContextID: tr.sub.ID}))
	if ms := must(s.ListMembers(ctx, g.ID)); len(ms) != 1 || ms[0] != m {
		t.Errorf("ListMembers: %+v", ms)
	}
	if ms := must(s.UserMemberships(ctx, u.ID)); len(ms) != 3 {
		t.Errorf("UserMemberships: %+v", ms)
	}
	check(t, s.RemoveMember(ctx, m))
	if err := s.RemoveMember(ctx, m); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("remove twice: %v", err)
	}
	check(t, s.DeleteGroup(ctx, other.ID))
	if ms := must(s.UserMemberships(ctx, u.ID)); len(ms) != 1 || ms[0].GroupID != global.ID {
		t.Errorf("deleting a group must drop its memberships: %+v", ms)
	}
	check(t, s.RemoveUserMemberships(ctx, u.ID))
	if ms := must(s.UserMemberships(ctx, u.ID)); len(ms) != 0 {
		t.Errorf("RemoveUserMemberships: %+v", ms)
	}
	if err := s.DeleteGroup(ctx, other.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
}

func testTemplates(t *testing.T, s storage.Storage) {
	catalog(t, s)
	tp := must(s.CreateTemplate(ctx, model.Template{Name: "Operator", ContextTypes: []model.ContextType{model.ContextAccount, model.ContextTenant}, Values: []model.ACLValue{simActivate, ipAllow}}))
	if _, err := s.CreateTemplate(ctx, model.Template{Name: "OPERATOR", ContextTypes: []model.ContextType{model.ContextAccount}}); !errors.Is(err, model.ErrAlreadyExists) {
		t.Errorf("duplicate template: %v", err)
	}
	_, err := s.CreateTemplate(ctx, model.Template{Name: "NoTypes"})
	wantCode(t, err, model.EINVALID)
	got := must(s.GetTemplateByName(ctx, "operator"))
	if got.ID != tp.ID || len(got.ContextTypes) != 2 || len(got.Values) != 2 || !got.AllowsContextType(model.ContextTenant) {
		t.Errorf("by name: %+v", got)
	}
	must(s.UpdateTemplate(ctx, tp.ID, func(x model.Template) (model.Template, error) {
		x.Name, x.Values = "Operator v2", []model.ACLValue{bmAccess}
		return x, nil
	}))
	got = must(s.GetTemplate(ctx, tp.ID))
	if got.Name != "Operator v2" || len(got.Values) != 1 || got.Values[0].Module != "bm" {
		t.Errorf("update: %+v", got)
	}
	must(s.CreateTemplate(ctx, model.Template{Name: "Another", ContextTypes: []model.ContextType{model.ContextRoot}}))
	if ts := must(s.ListTemplates(ctx)); len(ts) != 2 || ts[0].Name != "Another" {
		t.Errorf("list: %+v", ts)
	}
	check(t, s.DeleteTemplate(ctx, tp.ID))
	if _, err := s.GetTemplate(ctx, tp.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("deleted template: %v", err)
	}
}

func testPolicy(t *testing.T, s storage.Storage) {
	tr := mkTree(t, s)
	catalog(t, s)
	if v, has := mustPolicy(t, s, tr.acct.ID); has || len(v) != 0 {
		t.Errorf("initial policy: %v %v", v, has)
	}
	check(t, s.SetPolicy(ctx, tr.acct.ID, []model.ACLValue{simActivate}))
	if v, has := mustPolicy(t, s, tr.acct.ID); !has || len(v) != 1 || v[0] != simActivate {
		t.Errorf("set policy: %v %v", v, has)
	}
	if !must(s.GetContext(ctx, tr.acct.ID)).Policy {
		t.Error("context does not say it has a policy")
	}
	check(t, s.SetPolicy(ctx, tr.acct.ID, []model.ACLValue{}))
	if v, has := mustPolicy(t, s, tr.acct.ID); !has || len(v) != 0 {
		t.Errorf("empty policy is a policy granting nothing: %v %v", v, has)
	}
	check(t, s.SetPolicy(ctx, tr.acct.ID, nil))
	if _, has := mustPolicy(t, s, tr.acct.ID); has {
		t.Error("policy not removed")
	}
	if err := s.SetPolicy(ctx, "no-such", nil); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("policy of unknown context: %v", err)
	}
}

func mustPolicy(t *testing.T, s storage.Storage, id string) ([]model.ACLValue, bool) {
	t.Helper()
	v, has, err := s.GetPolicy(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return v, has
}

func testDomains(t *testing.T, s storage.Storage) {
	d := model.UserDomain{Name: "CSP", Kind: model.KindLocal, Placement: model.PlacementRoot, Description: "x"}
	check(t, s.UpsertDomain(ctx, d))
	d.Description = "y"
	check(t, s.UpsertDomain(ctx, d))
	check(t, s.UpsertDomain(ctx, model.UserDomain{Name: "IDP", Kind: model.KindDelegated, Placement: model.PlacementEnterprise}))
	if got := must(s.GetDomain(ctx, "CSP")); got != d {
		t.Errorf("get: %+v", got)
	}
	if ds := must(s.ListDomains(ctx)); len(ds) != 2 || ds[1].Kind != model.KindDelegated {
		t.Errorf("list: %+v", ds)
	}
	wantCode(t, s.UpsertDomain(ctx, model.UserDomain{Name: "X", Kind: "alien", Placement: model.PlacementRoot}), model.EINVALID)
	if _, err := s.GetDomain(ctx, "nope"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown domain: %v", err)
	}
}

func testUsers(t *testing.T, s storage.Storage) {
	tr := mkTree(t, s)
	domain(t, s)
	now := time.Now().UTC().Truncate(time.Millisecond)
	u := must(s.CreateUser(ctx, model.User{LoginName: "Alice", TenantID: tr.tenant.ID, Domain: "D", Kind: model.KindLocal, Status: model.StatusDraft,
		Person:    model.Person{FirstName: "Alice", LastName: "Doe", Email: "alice@example.com", Phone: "+41 79 000 00 00", Language: "de", Avatar: "https://x/a.png"},
		TwoFactor: model.TwoFactorEmail, PasswordHash: "$argon2id$hash", Contexts: []string{tr.acct.ID, tr.sub.ID}}))
	if u.ID == "" || u.CreatedAt.IsZero() {
		t.Fatalf("created: %+v", u)
	}
	got := must(s.GetUser(ctx, u.ID))
	sort.Strings(got.Contexts)
	want := []string{tr.acct.ID, tr.sub.ID}
	sort.Strings(want)
	if got.LoginName != "Alice" || got.Person != u.Person || got.PasswordHash != "$argon2id$hash" || got.TwoFactor != model.TwoFactorEmail ||
		fmt.Sprint(got.Contexts) != fmt.Sprint(want) || got.FirstLoginAt != nil || got.LastLoginAt != nil ||
		!got.CreatedAt.Truncate(time.Millisecond).Equal(u.CreatedAt.Truncate(time.Millisecond)) {
		t.Errorf("round trip: %+v", got)
	}
	// Login names are unique per tenant, case-insensitively (R-CTX-2).
	if _, err := s.CreateUser(ctx, model.User{LoginName: "ALICE", TenantID: tr.tenant.ID, Domain: "D", Kind: model.KindLocal, Status: model.StatusActive, Contexts: []string{tr.acct.ID}}); !errors.Is(err, model.ErrAlreadyExists) {
		t.Errorf("same login in one tenant: %v", err)
	}
	other := must(s.CreateUser(ctx, model.User{LoginName: "alice", TenantID: tr.root.ID, Domain: "D", Kind: model.KindLocal, Status: model.StatusActive, Contexts: []string{tr.direct.ID}}))
	if got := must(s.GetUserByLogin(ctx, tr.root.ID, "ALICE")); got.ID != other.ID {
		t.Errorf("login lookup in root tenant found %s", got.ID)
	}
	if got := must(s.GetUserByLogin(ctx, tr.tenant.ID, "alice")); got.ID != u.ID {
		t.Errorf("login lookup in tenant found %s", got.ID)
	}
	if _, err := s.GetUserByLogin(ctx, tr.tenant.ID, "bob"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown login: %v", err)
	}
	// Update replaces status, person, contexts and login times.
	upd := must(s.UpdateUser(ctx, u.ID, func(x model.User) (model.User, error) {
		x.Status, x.Person.FirstName, x.Contexts, x.FirstLoginAt, x.LastLoginAt = model.StatusActive, "Alicia", []string{tr.sub.ID}, &now, &now
		x.PasswordMustChange, x.PasswordSetAt, x.TOTPMustEnrol = true, now, true
		x.TenantID = tr.root.ID // ignored: the tenant is fixed
		return x, nil
	}))
	got = must(s.GetUser(ctx, u.ID))
	if got.Status != model.StatusActive || got.Person.FirstName != "Alicia" || len(got.Contexts) != 1 || got.TenantID != tr.tenant.ID ||
		got.FirstLoginAt == nil || !got.FirstLoginAt.Equal(now) || !upd.UpdatedAt.After(u.CreatedAt.Add(-time.Second)) ||
		!got.PasswordMustChange || !got.PasswordSetAt.Equal(now) || !got.TOTPMustEnrol {
		t.Errorf("update: %+v", got)
	}
	if got.Contexts[0] != tr.sub.ID {
		t.Errorf("contexts after update = %v, want [%s]", got.Contexts, tr.sub.ID)
	}
	// Contexts: the stored set follows the update — a person-only change
	// keeps them, a new set (repeats and order aside) replaces them.
	contexts := func(set []string) []string {
		must(s.UpdateUser(ctx, u.ID, func(x model.User) (model.User, error) {
			x.Person.LastName += "x"
			if set != nil {
				x.Contexts = set
			}
			return x, nil
		}))
		got := must(s.GetUser(ctx, u.ID)).Contexts
		slices.Sort(got)
		return got
	}
	both := []string{tr.sub.ID, tr.tenant.ID}
	slices.Sort(both)
	for _, step := range []struct {
		set, want []string
	}{
		{nil, []string{tr.sub.ID}},
		{[]string{tr.tenant.ID, tr.sub.ID, tr.tenant.ID}, both},
		{[]string{tr.sub.ID, tr.tenant.ID}, both},
		{[]string{tr.tenant.ID}, []string{tr.tenant.ID}},
		{[]string{tr.sub.ID}, []string{tr.sub.ID}},
	} {
		if got := contexts(step.set); !slices.Equal(got, step.want) {
			t.Errorf("contexts %v: stored %v, want %v", step.set, got, step.want)
		}
	}
	_, err := s.UpdateUser(ctx, u.ID, func(x model.User) (model.User, error) {
		x.LoginName = "alice"
		x.TenantID = tr.tenant.ID
		return x, nil
	})
	if err != nil {
		t.Errorf("keeping one's own login: %v", err)
	}
	_, err = s.CreateUser(ctx, model.User{LoginName: "x", TenantID: tr.tenant.ID, Domain: "D", Kind: model.KindLocal, Status: model.StatusActive, Contexts: []string{"no-such"}})
	wantCode(t, err, model.EINVALID)
	// Roles.
	check(t, s.SetUserRoles(ctx, u.ID, []model.RoleAssignment{{Role: "GLOBAL"}, {ContextID: tr.acct.ID, Role: "Admin"}, {ContextID: tr.sub.ID, Role: "User"}}))
	if rs := must(s.UserRoles(ctx, u.ID)); len(rs) != 3 || rs[0].ContextID != "" || rs[0].Role != "GLOBAL" {
		t.Errorf("roles: %+v", rs)
	}
	check(t, s.SetUserRoles(ctx, u.ID, nil))
	if rs := must(s.UserRoles(ctx, u.ID)); len(rs) != 0 {
		t.Errorf("roles cleared: %+v", rs)
	}
	check(t, s.DeleteUser(ctx, other.ID))
	if _, err := s.GetUser(ctx, other.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("deleted user: %v", err)
	}
	if err := s.DeleteUser(ctx, other.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
}

func testUserList(t *testing.T, s storage.Storage) {
	tr := mkTree(t, s)
	domain(t, s)
	mk := func(login, first, email string, st model.UserStatus, tenant string, ctxs ...string) model.User {
		return must(s.CreateUser(ctx, model.User{LoginName: login, TenantID: tenant, Domain: "D", Kind: model.KindLocal, Status: st,
			Person: model.Person{FirstName: first, Email: email}, Contexts: ctxs}))
	}
	a := mk("anna", "Anna", "anna@acme.example", model.StatusActive, tr.tenant.ID, tr.acct.ID)
	b := mk("ben", "Benedikt", "ben@sub.example", model.StatusInactive, tr.tenant.ID, tr.sub.ID)
	c := mk("carl", "Carl", "carl@direct.example", model.StatusActive, tr.root.ID, tr.direct.ID)
	d := mk("100%_dan", "Dan", "", model.StatusDraft, tr.tenant.ID, tr.cust.ID)
	list := func(f model.UserFilter) []string {
		t.Helper()
		us, _, err := s.ListUsers(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, u := range us {
			out = append(out, u.LoginName)
		}
		return out
	}
	for _, c := range []struct {
		f    model.UserFilter
		want string
	}{
		{model.UserFilter{}, "[100%_dan anna ben carl]"},
		{model.UserFilter{Query: "BENE"}, "[ben]"},
		{model.UserFilter{Query: "acme.EXAMPLE"}, "[anna]"},
		{model.UserFilter{Query: "%"}, "[100%_dan]"},
		{model.UserFilter{Query: "_"}, "[100%_dan]"},
		{model.UserFilter{LoginName: "ANNA"}, "[anna]"},
		{model.UserFilter{Status: model.StatusActive}, "[anna carl]"},
		{model.UserFilter{TenantID: tr.root.ID}, "[carl]"},
		{model.UserFilter{ContextIDs: []string{tr.sub.ID, tr.direct.ID}}, "[ben carl]"},
		{model.UserFilter{Within: []string{tr.acct.ID}}, "[100%_dan anna ben]"},
		{model.UserFilter{Within: []string{}}, "[]"},
		{model.UserFilter{Query: "'; DROP TABLE users; --"}, "[]"},
	} {
		if got := fmt.Sprint(list(c.f)); got != c.want {
			t.Errorf("%+v: %s, want %s", c.f, got, c.want)
		}
	}
	p, more, err := s.ListUsers(ctx, model.UserFilter{Page: model.Page{Offset: 1, Limit: 2}})
	if err != nil || len(p) != 2 || !more || p[0].ID != a.ID || p[1].ID != b.ID {
		t.Errorf("paging: %v %v %v", p, more, err)
	}
	if len(p[0].Contexts) != 1 || p[0].Contexts[0] != tr.acct.ID {
		t.Errorf("listed users carry contexts: %+v", p[0])
	}
	_, _ = c, d
}

func testClients(t *testing.T, s storage.Storage) {
	catalog(t, s)
	c := must(s.CreateClient(ctx, model.Client{Name: "Portal", Module: "portal", Protocol: model.ProtocolCAS,
		ServicePatterns: []string{"https://portal.example.com/*"}, LogoutURL: "https://portal.example.com/slo", AccessTTL: 5 * time.Minute}))
	got := must(s.GetClient(ctx, c.ID))
	if got.Name != "Portal" || len(got.ServicePatterns) != 1 || got.AccessTTL != 5*time.Minute || got.RedirectURIs == nil {
		t.Errorf("round trip: %+v", got)
	}
	_, err := s.CreateClient(ctx, model.Client{Name: "X", Module: "nope", Protocol: model.ProtocolCAS})
	wantCode(t, err, model.EINVALID)
	_, err = s.CreateClient(ctx, model.Client{Name: "X", Module: "portal", Protocol: "saml"})
	wantCode(t, err, model.EINVALID)
	must(s.CreateClient(ctx, model.Client{Name: "App", Module: "portal", Protocol: model.ProtocolOIDC, RedirectURIs: []string{"https://app/cb"}, SecretHash: "h"}))
	must(s.UpdateClient(ctx, c.ID, func(c model.Client) (model.Client, error) {
		c.ServicePatterns = append(c.ServicePatterns, "https://other.example.com/login")
		return c, nil
	}))
	if got := must(s.GetClient(ctx, c.ID)); len(got.ServicePatterns) != 2 {
		t.Errorf("update: %+v", got)
	}
	if got := must(s.GetClient(ctx, c.ID)); got.CASPrincipal != model.CASPrincipalID || got.PolicyDecision || got.Development ||
		got.AllowedScopes == nil || got.Audience == nil || got.WebOrigins == nil {
		t.Errorf("security settings default: %+v", got)
	}
	must(s.UpdateClient(ctx, c.ID, func(c model.Client) (model.Client, error) {
		c.AllowedScopes, c.Audience, c.WebOrigins = []string{"sesame:admin"}, []string{"rs-1"}, []string{"https://spa.example.com"}
		c.PolicyDecision, c.Development, c.CASPrincipal = true, true, model.CASPrincipalTenantLogin
		return c, nil
	}))
	if got := must(s.GetClient(ctx, c.ID)); got.CASPrincipal != model.CASPrincipalTenantLogin || !got.PolicyDecision || !got.Development ||
		len(got.AllowedScopes) != 1 || got.Audience[0] != "rs-1" || got.WebOrigins[0] != "https://spa.example.com" {
		t.Errorf("security settings round trip: %+v", got)
	}
	_, err = s.UpdateClient(ctx, c.ID, func(c model.Client) (model.Client, error) {
		c.CASPrincipal = "loginName"
		return c, nil
	})
	wantCode(t, err, model.EINVALID)
	if cs := must(s.ListClients(ctx, model.ProtocolCAS)); len(cs) != 1 {
		t.Errorf("list cas: %+v", cs)
	}
	if cs := must(s.ListClients(ctx, "")); len(cs) != 2 || cs[0].Name != "App" || cs[0].SecretHash != "h" {
		t.Errorf("list all: %+v", cs)
	}
	check(t, s.DeleteClient(ctx, c.ID))
	if _, err := s.GetClient(ctx, c.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("deleted client: %v", err)
	}
}

// noLostUpdates: concurrent read-modify-write updates of one group all land.
func noLostUpdates(t *testing.T, s storage.Storage) {
	root := must(s.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"}))
	g := must(s.CreateGroup(ctx, model.Group{ContextID: root.ID, Name: "G"}))
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := s.UpdateGroup(ctx, g.ID, func(g model.Group) (model.Group, error) {
				g.RoleNames = append(g.RoleNames, fmt.Sprintf("role-%02d", i))
				return g, nil
			})
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := must(s.GetGroup(ctx, g.ID)); len(got.RoleNames) != n {
		t.Errorf("lost updates: %d of %d role names", len(got.RoleNames), n)
	}
}

// uniqueLoginRace: of concurrent creations of one login, exactly one wins.
func uniqueLoginRace(t *testing.T, s storage.Storage) {
	root := must(s.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"}))
	domain(t, s)
	const n = 20
	ok := raceWins(t, n, model.ErrAlreadyExists, func(int) error {
		_, err := s.CreateUser(ctx, model.User{LoginName: "same", TenantID: root.ID, Domain: "D", Kind: model.KindLocal, Status: model.StatusActive, Contexts: []string{root.ID}})
		return err
	})
	if ok != 1 {
		t.Errorf("%d creations of one login succeeded, want 1", ok)
	}
}

// concurrentMembers: concurrent AddMember calls to one group all land.
func concurrentMembers(t *testing.T, s storage.Storage) {
	root := must(s.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"}))
	domain(t, s)
	g := must(s.CreateGroup(ctx, model.Group{ContextID: root.ID, Name: "G"}))
	const n = 20
	var users []string
	for i := 0; i < n; i++ {
		u := must(s.CreateUser(ctx, model.User{LoginName: fmt.Sprintf("u%d", i), TenantID: root.ID, Domain: "D", Kind: model.KindLocal, Status: model.StatusActive, Contexts: []string{root.ID}}))
		users = append(users, u.ID)
	}
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Add(1)
		go func(u string) {
			defer wg.Done()
			if err := s.AddMember(ctx, model.Membership{GroupID: g.ID, UserID: u, ContextID: root.ID}); err != nil {
				t.Error(err)
			}
		}(u)
	}
	wg.Wait()
	if ms := must(s.ListMembers(ctx, g.ID)); len(ms) != n {
		t.Errorf("%d memberships, want %d", len(ms), n)
	}
}
