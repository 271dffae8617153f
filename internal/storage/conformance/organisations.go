package conformance

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// testOrganisations: bindings (connection, uid) → context (R-SAML-7) are
// unique per connection only, a context is bound once, the lookup by
// contexts finds them, the email_undeliverable mark round-trips, and a
// deleted connection or context takes its bindings along.
func testOrganisations(t *testing.T, s storage.Storage) {
	ten, u, c := fedSetup(t, s)
	c2 := must(s.CreateConnection(ctx, model.Connection{TenantID: ten.ID, Kind: model.ConnectionOIDC, Name: "Second", Enabled: true}))
	acc := func(name string) model.Context {
		return must(s.CreateContext(ctx, model.Context{Type: model.ContextAccount, Name: name, Number: "cld-1", ParentID: ten.ID}))
	}
	a, b, x := acc("A"), acc("B"), acc("X")
	if err := s.LinkOrganisation(ctx, model.OrganisationLink{ConnectionID: c.ID, UID: "cld-1", ContextID: a.ID}); err != nil {
		t.Fatal(err)
	}
	// The same uid through another connection is another organisation.
	if err := s.LinkOrganisation(ctx, model.OrganisationLink{ConnectionID: c2.ID, UID: "cld-1", ContextID: b.ID}); err != nil {
		t.Fatalf("same uid, second connection: %v", err)
	}
	if err := s.LinkOrganisation(ctx, model.OrganisationLink{ConnectionID: c.ID, UID: "cld-1", ContextID: x.ID}); !errors.Is(err, model.ErrAlreadyExists) {
		t.Fatalf("second binding of (connection, uid): %v", err)
	}
	if err := s.LinkOrganisation(ctx, model.OrganisationLink{ConnectionID: c.ID, UID: "cld-2", ContextID: a.ID}); !errors.Is(err, model.ErrAlreadyExists) {
		t.Fatalf("a context bound twice: %v", err)
	}
	if err := s.LinkOrganisation(ctx, model.OrganisationLink{ConnectionID: c.ID, UID: "", ContextID: x.ID}); model.ErrorCode(err) != model.EINVALID {
		t.Fatalf("empty uid: %v", err)
	}
	if o := must(s.GetOrganisation(ctx, c.ID, "cld-1")); o.ContextID != a.ID || o.CreatedAt.IsZero() {
		t.Fatalf("get = %+v", o)
	}
	if o := must(s.GetOrganisation(ctx, c2.ID, "cld-1")); o.ContextID != b.ID {
		t.Fatalf("get through the second connection = %+v", o)
	}
	if _, err := s.GetOrganisation(ctx, c.ID, "CLD-1"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("uids are exact: %v", err)
	}
	if os := must(s.OrganisationsOfContexts(ctx, []string{a.ID, b.ID, x.ID, ten.ID})); len(os) != 2 {
		t.Fatalf("of contexts = %+v", os)
	}
	if os := must(s.OrganisationsOfContexts(ctx, nil)); len(os) != 0 {
		t.Fatalf("of no contexts = %+v", os)
	}
	// Deleting the context or the connection removes the binding.
	if err := s.DeleteContext(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetOrganisation(ctx, c2.ID, "cld-1"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("binding of a deleted context: %v", err)
	}
	if err := s.DeleteConnection(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetOrganisation(ctx, c.ID, "cld-1"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("binding of a deleted connection: %v", err)
	}
	// The virtual-email mark round-trips and can be cleared.
	v := must(s.UpdateUser(ctx, u.ID, func(x model.User) (model.User, error) { x.EmailUndeliverable = true; return x, nil }))
	if !v.EmailUndeliverable || !must(s.GetUser(ctx, u.ID)).EmailUndeliverable {
		t.Fatal("email_undeliverable not stored")
	}
	nu := must(s.CreateUser(ctx, model.User{LoginName: "virt", TenantID: ten.ID, Domain: "D", Kind: model.KindDelegated, Status: model.StatusActive,
		Contexts: []string{ten.ID}, Person: model.Person{Email: "v@mail.example"}, EmailUndeliverable: true}))
	if !must(s.GetUser(ctx, nu.ID)).EmailUndeliverable {
		t.Fatal("email_undeliverable not stored at creation")
	}
	must(s.UpdateUser(ctx, u.ID, func(x model.User) (model.User, error) { x.EmailUndeliverable = false; return x, nil }))
	if must(s.GetUser(ctx, u.ID)).EmailUndeliverable {
		t.Fatal("email_undeliverable not cleared")
	}
}

// organisationRace: 50 concurrent bindings of one (connection, uid) to
// different contexts — first logins of one new organisation on many
// nodes — have exactly one winner; the others get ErrAlreadyExists.
func organisationRace(t *testing.T, s storage.Storage) {
	ten, _, c := fedSetup(t, s)
	const n = 50
	ids := make([]string, n)
	for i := range ids {
		ids[i] = must(s.CreateContext(ctx, model.Context{Type: model.ContextAccount, Name: fmt.Sprint("Org ", i), ParentID: ten.ID})).ID
	}
	wins := raceWins(t, n, model.ErrAlreadyExists, func(i int) error {
		return s.LinkOrganisation(ctx, model.OrganisationLink{ConnectionID: c.ID, UID: "cld-race", ContextID: ids[i]})
	})
	if wins != 1 {
		t.Fatalf("%d of %d concurrent bindings of one organisation won, want exactly 1", wins, n)
	}
	if os := must(s.OrganisationsOfContexts(ctx, ids)); len(os) != 1 {
		t.Fatalf("%d contexts bound, want 1", len(os))
	}
}
