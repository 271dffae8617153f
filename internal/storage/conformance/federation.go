package conformance

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// fedSetup creates a root, a tenant, a user of the tenant and a connection
// owned by the tenant.
func fedSetup(t *testing.T, s storage.Storage) (model.Context, model.User, model.Connection) {
	t.Helper()
	root := must(s.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"}))
	ten := must(s.CreateContext(ctx, model.Context{Type: model.ContextTenant, Name: "Acme", ParentID: root.ID}))
	domain(t, s)
	u := must(s.CreateUser(ctx, model.User{LoginName: "fed", TenantID: ten.ID, Domain: "D", Kind: model.KindDelegated,
		Status: model.StatusActive, Contexts: []string{ten.ID}, Person: model.Person{Email: "Fed@Example.com"}}))
	c := must(s.CreateConnection(ctx, model.Connection{TenantID: ten.ID, Kind: model.ConnectionOIDC, Name: "Entra", Enabled: true,
		OIDC:         model.OIDCSettings{DiscoveryURL: "https://login.example.com/v2.0", ClientID: "cid", Scopes: []string{"openid"}},
		Mapping:      model.ClaimMapping{Preset: "entra", Roles: []string{"roles"}},
		SealedSecret: []byte("sealed"), Domains: []model.ConnectionDomain{{Domain: "Example.com", Verified: true}, {Domain: "other.example", Verified: false}}}))
	return ten, u, c
}

func testFederation(t *testing.T, s storage.Storage) {
	ten, u, c := fedSetup(t, s)
	if c.ID == "" || c.Version != 1 || !c.HasClientSecret {
		t.Fatalf("created connection = %+v", c)
	}
	got := must(s.GetConnection(ctx, c.ID))
	if got.Name != "Entra" || got.OIDC.ClientID != "cid" || got.Mapping.Preset != "entra" || string(got.SealedSecret) != "sealed" ||
		!got.HasClientSecret || len(got.Domains) != 2 || got.TenantID != ten.ID || !got.Enabled {
		t.Fatalf("stored connection = %+v", got)
	}
	if l := must(s.ListConnections(ctx, ten.ID)); len(l) != 1 || l[0].ID != c.ID {
		t.Fatalf("list by tenant = %+v", l)
	}
	root := must(s.RootContext(ctx))
	if l := must(s.ListConnections(ctx, root.ID)); len(l) != 0 {
		t.Fatalf("another owner's list = %+v", l)
	}
	// Home-realm discovery: verified domains only, case-insensitively.
	if byDom := must(s.ConnectionByDomain(ctx, "EXAMPLE.com")); byDom.ID != c.ID {
		t.Fatalf("by domain = %+v", byDom)
	}
	if _, err := s.ConnectionByDomain(ctx, "other.example"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("an unverified domain was found: %v", err)
	}
	// A verified domain belongs to one connection.
	_, err := s.CreateConnection(ctx, model.Connection{TenantID: root.ID, Kind: model.ConnectionOIDC, Name: "Other",
		Domains: []model.ConnectionDomain{{Domain: "example.com", Verified: true}}})
	if !errors.Is(err, model.ErrAlreadyExists) {
		t.Fatalf("second claim of a verified domain: %v", err)
	}
	// Update bumps the version, keeps id and owner, may drop the secret.
	up := must(s.UpdateConnection(ctx, c.ID, func(x model.Connection) (model.Connection, error) {
		x.Name, x.TenantID, x.SealedSecret = "Entra ID", root.ID, nil
		x.Domains = []model.ConnectionDomain{{Domain: "new.example", Verified: true}}
		return x, nil
	}))
	if up.Version != 2 || up.TenantID != ten.ID || up.HasClientSecret || up.Name != "Entra ID" {
		t.Fatalf("updated = %+v", up)
	}
	// The version probe (connector caches) follows every update.
	if v := must(s.ConnectionVersion(ctx, c.ID)); v != up.Version {
		t.Fatalf("version probe = %d, want %d", v, up.Version)
	}
	if _, err := s.ConnectionVersion(ctx, "nope"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("version of a missing connection: %v", err)
	}
	if _, err := s.ConnectionByDomain(ctx, "example.com"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("a dropped domain is still found: %v", err)
	}
	if _, err := s.UpdateConnection(ctx, "nope", func(x model.Connection) (model.Connection, error) { return x, nil }); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("update of a missing connection: %v", err)
	}

	// Links: unique on (connection, subject).
	check(t, s.LinkIdentity(ctx, model.IdentityLink{ConnectionID: c.ID, Subject: "sub-1", UserID: u.ID, Email: "fed@example.com"}))
	err = s.LinkIdentity(ctx, model.IdentityLink{ConnectionID: c.ID, Subject: "sub-1", UserID: u.ID})
	if !errors.Is(err, model.ErrAlreadyExists) {
		t.Fatalf("second link of one key: %v", err)
	}
	l := must(s.GetIdentityLink(ctx, c.ID, "sub-1"))
	if l.UserID != u.ID || l.Email != "fed@example.com" || l.CreatedAt.IsZero() {
		t.Fatalf("link = %+v", l)
	}
	if _, err := s.GetIdentityLink(ctx, c.ID, "SUB-1"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("subjects are compared exactly: %v", err)
	}
	l.Email = "new@example.com"
	check(t, s.TouchIdentityLink(ctx, l))
	if l2 := must(s.GetIdentityLink(ctx, c.ID, "sub-1")); l2.Email != "new@example.com" {
		t.Fatalf("touched link = %+v", l2)
	}
	if ls := must(s.UserIdentityLinks(ctx, u.ID)); len(ls) != 1 || len(ls[0].Upstream) != 0 {
		t.Fatalf("user links = %+v", ls)
	}
	// The upstream state rides on the link (sealed by the caller).
	check(t, s.SetLinkUpstream(ctx, c.ID, "sub-1", []byte("sesame-sealed:v1:abc")))
	if l2 := must(s.GetIdentityLink(ctx, c.ID, "sub-1")); string(l2.Upstream) != "sesame-sealed:v1:abc" || l2.Email != "new@example.com" {
		t.Fatalf("link upstream = %+v", l2)
	}
	if ls := must(s.UserIdentityLinks(ctx, u.ID)); len(ls) != 1 || string(ls[0].Upstream) != "sesame-sealed:v1:abc" {
		t.Fatalf("user links upstream = %+v", ls)
	}
	if err := s.SetLinkUpstream(ctx, c.ID, "nobody", []byte("x")); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("upstream of a missing link: %v", err)
	}
	// A link to a missing user or connection is refused.
	if err := s.LinkIdentity(ctx, model.IdentityLink{ConnectionID: c.ID, Subject: "x", UserID: "missing"}); err == nil {
		t.Fatal("a link to a missing user was stored")
	}

	// Users by email: per tenant, case-insensitive, deleted users left out.
	if us := must(s.UsersByEmail(ctx, ten.ID, "fed@EXAMPLE.com", 10)); len(us) != 1 || us[0].ID != u.ID || len(us[0].Contexts) != 1 {
		t.Fatalf("users by email = %+v", us)
	}
	if us := must(s.UsersByEmail(ctx, root.ID, "fed@example.com", 10)); len(us) != 0 {
		t.Fatalf("another tenant's users by email = %+v", us)
	}
	// Contexts by number, per tenant.
	acct := must(s.CreateContext(ctx, model.Context{Type: model.ContextAccount, Name: "A", Number: "K-4711", ParentID: ten.ID}))
	must(s.CreateContext(ctx, model.Context{Type: model.ContextAccount, Name: "B", Number: "K-4711", ParentID: root.ID}))
	if cs := must(s.ContextsByNumber(ctx, ten.ID, "k-4711")); len(cs) != 1 || cs[0].ID != acct.ID {
		t.Fatalf("contexts by number = %+v", cs)
	}

	// Deleting the user's links, then the user row itself: links go with it.
	check(t, s.DeleteUserIdentityLinks(ctx, u.ID))
	if ls := must(s.UserIdentityLinks(ctx, u.ID)); len(ls) != 0 {
		t.Fatalf("links after delete = %+v", ls)
	}
	check(t, s.LinkIdentity(ctx, model.IdentityLink{ConnectionID: c.ID, Subject: "sub-1", UserID: u.ID}))
	check(t, s.DeleteUser(ctx, u.ID))
	if _, err := s.GetIdentityLink(ctx, c.ID, "sub-1"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("a link outlived its user: %v", err)
	}
	// Deleting the connection removes it and its links.
	u2 := must(s.CreateUser(ctx, model.User{LoginName: "fed2", TenantID: ten.ID, Domain: "D", Kind: model.KindDelegated,
		Status: model.StatusActive, Contexts: []string{ten.ID}}))
	check(t, s.LinkIdentity(ctx, model.IdentityLink{ConnectionID: c.ID, Subject: "sub-2", UserID: u2.ID}))
	check(t, s.DeleteConnection(ctx, c.ID))
	if _, err := s.GetConnection(ctx, c.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("deleted connection: %v", err)
	}
	if _, err := s.ConnectionVersion(ctx, c.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("version of a deleted connection: %v", err)
	}
	if _, err := s.GetIdentityLink(ctx, c.ID, "sub-2"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("a link outlived its connection: %v", err)
	}
	if err := s.DeleteConnection(ctx, c.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

// linkIdentityRace: 50 concurrent LinkIdentity calls for one key — the
// first logins of one person on many nodes — have exactly one winner
// (DESIGN note 2); the others get ErrAlreadyExists.
func linkIdentityRace(t *testing.T, s storage.Storage) {
	ten, _, c := fedSetup(t, s)
	const n = 50
	users := make([]string, n)
	for i := range users {
		users[i] = must(s.CreateUser(ctx, model.User{LoginName: fmt.Sprintf("r%d", i), TenantID: ten.ID, Domain: "D",
			Kind: model.KindDelegated, Status: model.StatusActive, Contexts: []string{ten.ID}})).ID
	}
	wins := raceWins(t, n, model.ErrAlreadyExists, func(i int) error {
		return s.LinkIdentity(ctx, model.IdentityLink{ConnectionID: c.ID, Subject: "same-subject", UserID: users[i]})
	})
	if wins != 1 {
		t.Fatalf("%d of %d concurrent links of one key won, want exactly 1", wins, n)
	}
	l := must(s.GetIdentityLink(ctx, c.ID, "same-subject"))
	linked := 0
	for _, id := range users {
		if ls := must(s.UserIdentityLinks(ctx, id)); len(ls) > 0 {
			linked++
			if id != l.UserID {
				t.Fatalf("user %s holds the link, the stored link names %s", id, l.UserID)
			}
		}
	}
	if linked != 1 {
		t.Fatalf("%d users are linked, want 1", linked)
	}
}
