package conformance

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// testIdentity: tenant slugs (unique, derived, immutable), PRECIS login
// keys and confusable skeletons unique per tenant (issue 8, items 7, 12).
func testIdentity(t *testing.T, s storage.Storage) {
	root := must(s.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"}))
	if root.Slug != "root" {
		t.Errorf("root slug %q", root.Slug)
	}
	acme := must(s.CreateContext(ctx, model.Context{Type: model.ContextTenant, Name: "Acme Corp", ParentID: root.ID}))
	acme2 := must(s.CreateContext(ctx, model.Context{Type: model.ContextTenant, Name: "ACME corp.", ParentID: root.ID}))
	fake := must(s.CreateContext(ctx, model.Context{Type: model.ContextTenant, Name: "Root", ParentID: root.ID}))
	given := must(s.CreateContext(ctx, model.Context{Type: model.ContextTenant, Name: "Whatever", Slug: "beta", ParentID: root.ID}))
	if acme.Slug != "acme-corp" || acme2.Slug != "acme-corp-2" || fake.Slug != "root-2" || given.Slug != "beta" {
		t.Errorf("slugs %q %q %q %q", acme.Slug, acme2.Slug, fake.Slug, given.Slug)
	}
	for _, c := range []model.Context{
		{Type: model.ContextTenant, Name: "x", Slug: "root", ParentID: root.ID},
		{Type: model.ContextTenant, Name: "x", Slug: "beta", ParentID: root.ID},
	} {
		if _, err := s.CreateContext(ctx, c); model.ErrorCode(err) != model.ECONFLICT {
			t.Errorf("slug %q taken: %v", c.Slug, err)
		}
	}
	for _, bad := range []string{"Beta", "-x", "a/b", "a b"} {
		if _, err := s.CreateContext(ctx, model.Context{Type: model.ContextTenant, Name: "x", Slug: bad, ParentID: root.ID}); model.ErrorCode(err) != model.EINVALID {
			t.Errorf("slug %q: %v", bad, err)
		}
	}
	if _, err := s.CreateContext(ctx, model.Context{Type: model.ContextAccount, Name: "x", Slug: "acct", ParentID: acme.ID}); model.ErrorCode(err) != model.EINVALID {
		t.Errorf("account with a slug: %v", err)
	}
	if _, err := s.UpdateContext(ctx, acme.ID, func(c model.Context) (model.Context, error) { c.Slug = "other"; return c, nil }); model.ErrorCode(err) != model.EINVALID {
		t.Errorf("slug changed: %v", err)
	}
	if c := must(s.UpdateContext(ctx, acme.ID, func(c model.Context) (model.Context, error) { c.Name = "Renamed"; return c, nil })); c.Slug != "acme-corp" {
		t.Errorf("rename changed the slug: %q", c.Slug)
	}
	for slug, want := range map[string]string{"root": root.ID, "acme-corp": acme.ID, "beta": given.ID} {
		if got := must(s.TenantBySlug(ctx, slug)); got.ID != want || got.Slug != slug {
			t.Errorf("TenantBySlug(%q) = %s", slug, got.ID)
		}
	}
	for _, slug := range []string{"nope", "Acme-Corp", "", "a/b"} {
		if _, err := s.TenantBySlug(ctx, slug); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("TenantBySlug(%q): %v", slug, err)
		}
	}

	domain(t, s)
	mk := func(tenant, login string, st model.UserStatus) (model.User, error) {
		return s.CreateUser(ctx, model.User{LoginName: login, TenantID: tenant, Domain: "D", Kind: model.KindLocal, Status: st, Contexts: []string{tenant}})
	}
	alice := must(mk(acme.ID, "alice", model.StatusActive))
	// RFC 8265: width and case mapping on lookup.
	for _, in := range []string{"ALICE", "ａｌｉｃｅ"} {
		if got, err := s.GetUserByLogin(ctx, acme.ID, in); err != nil || got.ID != alice.ID {
			t.Errorf("GetUserByLogin(%q): %v", in, err)
		}
	}
	for _, c := range []struct{ slug, login, want string }{
		{"acme-corp", "ALICE", alice.ID}, {"acme-corp", "ａｌｉｃｅ", alice.ID},
		{"acme-corp-2", "alice", ""}, {"root", "alice", ""}, {"nope", "alice", ""}, {"Acme-Corp", "alice", ""}, {"", "alice", ""},
	} {
		got, err := s.UserBySlugLogin(ctx, c.slug, c.login)
		if c.want == "" && !errors.Is(err, model.ErrNotFound) || c.want != "" && (err != nil || got.ID != c.want) {
			t.Errorf("UserBySlugLogin(%q, %q) = %s, %v", c.slug, c.login, got.ID, err)
		}
	}
	// UTS #39: look-alikes are taken, in the same tenant only.
	for _, look := range []string{"аlice", "a1ice", "ａｌｉｃｅ"} {
		if _, err := mk(acme.ID, look, model.StatusActive); !errors.Is(err, model.ErrAlreadyExists) {
			t.Errorf("look-alike %q created: %v", look, err)
		}
	}
	must(mk(acme2.ID, "аlice", model.StatusActive))
	bob := must(mk(acme.ID, "bob", model.StatusActive))
	if _, err := s.UpdateUser(ctx, bob.ID, func(u model.User) (model.User, error) { u.LoginName = "аlicе"; return u, nil }); !errors.Is(err, model.ErrAlreadyExists) {
		t.Errorf("rename to a look-alike: %v", err)
	}
	// A deleted user's name stays reserved (a CAS tenantLogin principal is
	// never reassigned).
	must(s.UpdateUser(ctx, alice.ID, func(u model.User) (model.User, error) {
		u.Status, u.LoginName = model.StatusDeleted, "deleted-"+u.ID
		return u, nil
	}))
	if _, err := mk(acme.ID, "alice", model.StatusActive); !errors.Is(err, model.ErrAlreadyExists) {
		t.Errorf("a deleted user's name was given again: %v", err)
	}

	// Search finds substrings of login, names and email.
	for i := 0; i < 30; i++ {
		must(s.CreateUser(ctx, model.User{LoginName: fmt.Sprintf("member%02d", i), TenantID: acme2.ID, Domain: "D", Kind: model.KindLocal, Status: model.StatusActive,
			Person: model.Person{FirstName: "Firstname", LastName: fmt.Sprintf("Zed%02d", i), Email: fmt.Sprintf("m%02d@mail.example", i)}, Contexts: []string{acme2.ID}}))
	}
	for q, want := range map[string]int{"ember1": 10, "ZED2": 10, "m07@mail": 1, "stnam": 30, "zzzz": 0, "zed0": 10} {
		us, _, err := s.ListUsers(ctx, model.UserFilter{Query: q, Page: model.Page{Limit: 100}})
		if err != nil || len(us) != want {
			t.Errorf("search %q: %d users, %v; want %d", q, len(us), err, want)
		}
	}

	recordLogin(t, s, alice)
}

// recordLogin (R-2FA-5): the first login time is kept, the last one
// moves; the rest of the user (its contexts, UpdatedAt, search) is
// untouched; a missing user is ErrNotFound.
func recordLogin(t *testing.T, s storage.Storage, u model.User) {
	before := must(s.GetUser(ctx, u.ID))
	first := time.Date(2026, 3, 1, 8, 0, 0, 123456000, time.UTC)
	last := first.Add(36 * time.Hour)
	if err := s.RecordLogin(ctx, u.ID, first); err != nil {
		t.Fatalf("RecordLogin: %v", err)
	}
	if err := s.RecordLogin(ctx, u.ID, last); err != nil {
		t.Fatalf("RecordLogin again: %v", err)
	}
	got := must(s.GetUser(ctx, u.ID))
	if got.FirstLoginAt == nil || !got.FirstLoginAt.Equal(first) || got.LastLoginAt == nil || !got.LastLoginAt.Equal(last) {
		t.Errorf("login times: first %v last %v; want %v, %v", got.FirstLoginAt, got.LastLoginAt, first, last)
	}
	if !got.UpdatedAt.Equal(before.UpdatedAt) || fmt.Sprint(got.Contexts) != fmt.Sprint(before.Contexts) || got.LoginName != before.LoginName {
		t.Errorf("RecordLogin changed more than the login times: %+v → %+v", before, got)
	}
	if err := s.RecordLogin(ctx, "00000000-0000-0000-0000-000000000000", last); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("RecordLogin of a missing user: %v", err)
	}
}

// lookAlikeRace: concurrent creations of look-alike names (UTS #39) in one
// tenant: exactly one wins, as the unique skeleton index decides.
func lookAlikeRace(t *testing.T, s storage.Storage) {
	root := must(s.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"}))
	domain(t, s)
	names := []string{"paypal", "раураl", "PAYPAL", "pаypal", "ｐａｙｐａｌ", "paypa1"}
	ok := raceWins(t, len(names)*3, model.ErrAlreadyExists, func(i int) error {
		_, err := s.CreateUser(ctx, model.User{LoginName: names[i%len(names)], TenantID: root.ID, Domain: "D", Kind: model.KindLocal, Status: model.StatusActive, Contexts: []string{root.ID}})
		return err
	})
	if ok != 1 {
		t.Errorf("%d look-alike logins created, want 1", ok)
	}
}
