package conformance

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// testSCIMCredentials: SCIM credentials (issue 12) round-trip by hash, are
// unique by hash, listed per tenant and revoked once.
func testSCIMCredentials(t *testing.T, s storage.Storage) {
	tr := mkTree(t, s)
	c := must(s.CreateSCIMCredential(ctx, model.SCIMCredential{TenantID: tr.tenant.ID, Name: "entra", Prefix: "scim_abcd",
		Hash: keyHash("tok"), ConnectionID: "conn-1", ContextID: tr.acct.ID, DefaultGroups: []string{"g1", "g2"}, DefaultDomain: "D"}))
	if c.ID == "" || c.CreatedAt.IsZero() || c.RevokedAt != nil {
		t.Fatalf("created %+v", c)
	}
	got := must(s.GetSCIMCredentialByHash(ctx, keyHash("tok")))
	if got.ID != c.ID || got.TenantID != tr.tenant.ID || got.ConnectionID != "conn-1" || got.ContextID != tr.acct.ID ||
		!slices.Equal(got.DefaultGroups, []string{"g1", "g2"}) || got.DefaultDomain != "D" || !got.CreatedAt.Equal(c.CreatedAt) {
		t.Errorf("round trip %+v", got)
	}
	if _, err := s.CreateSCIMCredential(ctx, model.SCIMCredential{TenantID: tr.tenant.ID, Name: "dup", Prefix: "x", Hash: keyHash("tok")}); !errors.Is(err, model.ErrAlreadyExists) {
		t.Errorf("duplicate hash: %v", err)
	}
	_, err := s.CreateSCIMCredential(ctx, model.SCIMCredential{TenantID: "no-such-tenant", Name: "x", Prefix: "x", Hash: keyHash("other")})
	wantCode(t, err, model.EINVALID)
	must(s.CreateSCIMCredential(ctx, model.SCIMCredential{TenantID: tr.root.ID, Name: "root", Prefix: "x", Hash: keyHash("root")}))
	if l := must(s.ListSCIMCredentials(ctx, tr.tenant.ID)); len(l) != 1 || l[0].ID != c.ID {
		t.Errorf("list of tenant %+v", l)
	}
	if l := must(s.ListSCIMCredentials(ctx, "")); len(l) != 2 {
		t.Errorf("list of all %+v", l)
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	check(t, s.TouchSCIMCredential(ctx, c.ID, at))
	check(t, s.RevokeSCIMCredential(ctx, c.ID, at))
	if err := s.RevokeSCIMCredential(ctx, c.ID, at); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("second revoke: %v", err)
	}
	got = must(s.GetSCIMCredential(ctx, c.ID))
	if got.RevokedAt == nil || !got.RevokedAt.Equal(at) || got.LastUsedAt == nil {
		t.Errorf("revoked %+v", got)
	}
}

// testSCIMSearch: SCIM filters (as condition trees) select the right users
// and groups of one tenant on both backends; values are data, never SQL.
func testSCIMSearch(t *testing.T, s storage.Storage) {
	tr := mkTree(t, s)
	domain(t, s)
	mk := func(tenant model.Context, login, first, last, email string) model.User {
		return must(s.CreateUser(ctx, model.User{LoginName: login, TenantID: tenant.ID, Domain: "D", Kind: model.KindLocal,
			Status: model.StatusActive, Person: model.Person{FirstName: first, LastName: last, Email: email}, Contexts: []string{tenant.ID}}))
	}
	ann := mk(tr.tenant, "ann@example.com", "Ann", "Smith", "ann@example.com")
	bob := mk(tr.tenant, "bob@example.com", "Bob", "Jones", "bob@example.com")
	cat := mk(tr.tenant, "cat@example.org", "Cat", "O'Brien", "")
	other := mk(tr.direct, "ann@example.com", "Ann", "Smith", "ann@example.com") // same name, other tenant
	check2(t)(s.PutSCIMUser(ctx, storage.SCIMUser{UserID: ann.ID, TenantID: tr.tenant.ID, ExternalID: "EXT-ann", Attrs: []byte(`{"title":"CTO"}`),
		Values: []storage.SCIMValue{{Attr: storage.FieldEmail, Value: "Ann.Private@Example.NET"}, {Attr: "title", Value: "CTO"}}}))
	check2(t)(s.PutSCIMUser(ctx, storage.SCIMUser{UserID: bob.ID, TenantID: tr.tenant.ID, ExternalID: "ext-bob"}))
	check2(t)(s.PutSCIMUser(ctx, storage.SCIMUser{UserID: other.ID, TenantID: tr.direct.ID, ExternalID: "EXT-ann"}))
	if _, err := s.PutSCIMUser(ctx, storage.SCIMUser{UserID: other.ID, TenantID: tr.tenant.ID}); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("put scim user of another tenant: %v", err)
	}
	cmp := func(op, field string, v any) *storage.SCIMCond {
		return &storage.SCIMCond{Op: op, Field: field, Value: v}
	}
	search := func(w *storage.SCIMCond, want ...model.User) {
		t.Helper()
		rows, total, err := s.SearchSCIMUsers(ctx, storage.SCIMQuery{TenantID: tr.tenant.ID, Where: w, SortBy: storage.FieldUserName, Limit: 10})
		check(t, err)
		got := []model.User{}
		for _, r := range rows {
			got = append(got, r.User)
		}
		sameSCIM(t, w, got, total, want, func(u model.User) string { return u.ID })
		for _, r := range rows {
			if r.ID == ann.ID && (r.SCIM.ExternalID != "EXT-ann" || string(r.SCIM.Attrs) != `{"title":"CTO"}`) {
				t.Errorf("ann's SCIM side in the search: %+v", r.SCIM)
			}
		}
	}
	search(nil, ann, bob, cat)
	search(cmp("eq", storage.FieldUserName, "ANN@example.com"), ann)
	search(cmp("eq", storage.FieldExternalID, "EXT-ann"), ann)
	search(cmp("eq", storage.FieldExternalID, "ext-ann")) // externalId is case-exact
	search(cmp("ne", storage.FieldExternalID, "EXT-ann"), bob, cat)
	search(cmp("pr", storage.FieldExternalID, nil), ann, bob)
	search(cmp("eq", storage.FieldEmail, "ann.private@example.net"), ann)
	search(cmp("eq", storage.FieldEmail, "BOB@example.com"), bob)
	search(cmp("ew", storage.FieldUserName, ".org"), cat)
	search(cmp("sw", storage.FieldFamilyName, "o'"), cat)
	search(cmp("co", storage.FieldUserName, "%")) // a LIKE wildcard is a literal
	search(cmp("co", storage.FieldUserName, "_")) // so is _
	search(cmp("eq", storage.FieldUserName, "' OR 1=1 --"))
	search(cmp("eq", storage.FieldValue+"title", "cto"), ann)
	search(&storage.SCIMCond{Op: "or", Args: []*storage.SCIMCond{cmp("eq", storage.FieldGivenName, "bob"), cmp("eq", storage.FieldGivenName, "cat")}}, bob, cat)
	search(&storage.SCIMCond{Op: "not", Args: []*storage.SCIMCond{cmp("eq", storage.FieldGivenName, "bob")}}, ann, cat)
	search(&storage.SCIMCond{Op: "and", Args: []*storage.SCIMCond{cmp("eq", storage.FieldActive, true), cmp("pr", storage.FieldEmail, nil)}}, ann, bob)
	search(cmp("gt", storage.FieldCreated, time.Now().Add(time.Hour)))
	search(cmp("lt", storage.FieldCreated, time.Now().Add(time.Hour)), ann, bob, cat)
	if _, _, err := s.SearchSCIMUsers(ctx, storage.SCIMQuery{TenantID: tr.tenant.ID, Where: cmp("eq", "password_hash", "x")}); model.ErrorCode(err) != model.EINVALID {
		t.Errorf("unknown field: %v", err)
	}
	// Paging and descending order.
	got, total := must2(s.SearchSCIMUsers(ctx, storage.SCIMQuery{TenantID: tr.tenant.ID, SortBy: storage.FieldUserName, Descending: true, Offset: 1, Limit: 1}))
	if total != 3 || len(got) != 1 || got[0].ID != bob.ID {
		t.Errorf("page: %d %+v", total, got)
	}
	// Groups of a context, by name, externalId and member.
	g1 := must(s.CreateGroup(ctx, model.Group{ContextID: tr.tenant.ID, Name: "Sales"}))
	g2 := must(s.CreateGroup(ctx, model.Group{ContextID: tr.tenant.ID, Name: "Engineering"}))
	must(s.CreateGroup(ctx, model.Group{ContextID: tr.direct.ID, Name: "Sales"}))
	check(t, s.PutSCIMGroup(ctx, storage.SCIMGroup{GroupID: g1.ID, TenantID: tr.tenant.ID, ExternalID: "grp-1"}))
	check(t, s.AddMember(ctx, model.Membership{GroupID: g2.ID, UserID: bob.ID, ContextID: tr.tenant.ID}))
	gs := func(w *storage.SCIMCond, want ...model.Group) {
		t.Helper()
		got, total, err := s.SearchSCIMGroups(ctx, storage.SCIMQuery{TenantID: tr.tenant.ID, ContextID: tr.tenant.ID, Where: w, SortBy: storage.FieldDisplayName, Limit: 10})
		check(t, err)
		sameSCIM(t, w, got, total, want, func(g model.Group) string { return g.ID })
	}
	gs(nil, g2, g1)
	gs(cmp("eq", storage.FieldDisplayName, "sales"), g1)
	gs(cmp("eq", storage.FieldExternalID, "grp-1"), g1)
	gs(cmp("eq", storage.FieldMember, bob.ID), g2)
	ms := must(s.SCIMMembers(ctx, g2.ID))
	if len(ms) != 1 || ms[0].UserID != bob.ID || ms[0].LoginName != "bob@example.com" {
		t.Errorf("members %+v", ms)
	}
	ug := must(s.SCIMUserGroups(ctx, tr.tenant.ID, []string{bob.ID, ann.ID}))
	if len(ug[bob.ID]) != 1 || ug[bob.ID][0].Name != "Engineering" || len(ug[ann.ID]) != 0 {
		t.Errorf("user groups %+v", ug)
	}
	sg := must(s.GetSCIMGroups(ctx, []string{g1.ID, g2.ID}))
	if len(sg) != 1 || sg[g1.ID].ExternalID != "grp-1" {
		t.Errorf("scim groups %+v", sg)
	}
	su := must(s.GetSCIMUsers(ctx, []string{ann.ID, cat.ID}))
	if len(su) != 1 || su[ann.ID].ExternalID != "EXT-ann" || string(su[ann.ID].Attrs) != `{"title":"CTO"}` {
		t.Errorf("scim users %+v", su)
	}
}

func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic("conformance: unexpected error: " + err.Error())
	}
	return a, b
}

// check2 checks the error of a call that also returns a value.
func check2(t *testing.T) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		check(t, err)
	}
}

// sameSCIM checks a search's page (in order) and total against want.
func sameSCIM[T any](t *testing.T, w *storage.SCIMCond, got []T, total int, want []T, id func(T) string) {
	t.Helper()
	var ids, wantIDs []string
	for _, x := range got {
		ids = append(ids, id(x))
	}
	for _, x := range want {
		wantIDs = append(wantIDs, id(x))
	}
	if !slices.Equal(ids, wantIDs) || total != len(want) {
		t.Errorf("filter %+v: got %v (total %d), want %v", w, ids, total, wantIDs)
	}
}
