package conformance

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// New returns a fresh, migrated, empty store.
type New func(t *testing.T) storage.Storage

var ctx = context.Background()

// RunTests runs the behaviour suite, grouped by storage area (one file
// each: directory.go, apikeys.go, identity.go, sessions.go,
// sessionactivity.go, cas.go, oauth.go, usergrants.go, audit.go,
// auditbatch.go, throttle.go).
func RunTests(t *testing.T, newStorage New) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, storage.Storage)
	}{
		// Directory (directory.go, apikeys.go, identity.go)
		{"ContextTree", testContextTree},
		{"ContextMoveAndDelete", testContextMoveAndDelete},
		{"ContextSearch", testContextSearch},
		{"Catalog", testCatalog},
		{"Groups", testGroups},
		{"Templates", testTemplates},
		{"Policy", testPolicy},
		{"Domains", testDomains},
		{"Users", testUsers},
		{"UserList", testUserList},
		{"Clients", testClients},
		{"APIKeys", testAPIKeys},
		{"Identity", testIdentity},
		// Transactions across areas (conformance.go)
		{"Transactions", testTransactions},
		// Sessions (sessions.go, sessionactivity.go)
		{"Sessions", testSessions},
		{"SessionActivity", testSessionActivity},
		{"LoginFlows", testLoginFlows},
		// CAS (cas.go)
		{"Tickets", testTickets},
		{"TicketsDieWithSession", testTicketsDieWithSession},
		// OAuth (oauth.go, usergrants.go)
		{"OAuth", testOAuth},
		{"UserGrants", testUserGrants},
		// Audit (audit.go, auditbatch.go)
		{"Audit", testAudit},
		{"AuditBatch", testAuditBatch},
		// Throttle (throttle.go)
		{"Throttle", testThrottle},
		// Credentials (credentials.go)
		{"Credentials", testCredentials},
		// Organisations of marketplaces (organisations.go)
		{"Organisations", testOrganisations},
		// Messages (messagetemplates.go, outbox.go)
		{"MessageTemplates", testMessageTemplates},
		{"Outbox", testOutbox},
		// Password resets (passwordresets.go)
		{"PasswordResets", testPasswordResets},
		// SCIM (scim.go)
		{"SCIMCredentials", testSCIMCredentials},
		{"SCIMSearch", testSCIMSearch},
		// Federation (federation.go)
		{"Federation", testFederation},
		{"SAMLConnection", testSAMLConnection},             // samlassertions.go
		{"SAMLAssertions", testSAMLAssertions},             // samlassertions.go
		{"SessionsByConnection", testSessionsByConnection}, // samlassertions.go
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStorage(t)) })
	}
}

// RunConcurrencyTests proves read-modify-write and unique constraints hold
// under concurrent writers.
func RunConcurrencyTests(t *testing.T, newStorage New) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, storage.Storage)
	}{
		{"NoLostUpdates", noLostUpdates},         // directory.go
		{"UniqueLoginRace", uniqueLoginRace},     // directory.go
		{"LookAlikeLoginRace", lookAlikeRace},    // identity.go
		{"TicketRace", ticketRace},               // cas.go
		{"LoginFlowRace", loginFlowRace},         // loginflows.go
		{"ThrottleRace", throttleRace},           // throttle.go
		{"CredentialRaces", credentialRaces},     // credentials.go
		{"OutboxClaimRace", testOutboxClaimRace}, // messages.go
		{"ConcurrentMembers", concurrentMembers}, // directory.go
		{"PasswordResetRace", passwordResetRace}, // passwordresets.go
		{"OrganisationRace", organisationRace},   // organisations.go
		{"LinkIdentityRace", linkIdentityRace},   // federation.go
		{"FederationKeyRace", federationKeyRace}, // federationkey.go
		{"SAMLAssertionRace", samlAssertionRace}, // samlassertions.go
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStorage(t)) })
	}
	t.Run("OAuthRaces", func(t *testing.T) { oauthRaces(t, newStorage) }) // oauth.go
}

// must returns v or fails the running test (a panic inside a test is
// reported as that test's failure, with the error).
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("conformance: unexpected error: %v", err))
	}
	return v
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, codes ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one of %v", codes)
	}
	got := model.ErrorCode(err)
	for _, c := range codes {
		if got == c {
			return
		}
	}
	t.Fatalf("error %v has code %s, want one of %v", err, got, codes)
}

func testTransactions(t *testing.T, s storage.Storage) {
	root := must(s.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"}))
	domain(t, s)
	boom := errors.New("boom")
	var acctID, userID, groupID string
	err := s.InTx(ctx, func(tx storage.Storage) error {
		a, err := tx.CreateContext(ctx, model.Context{Type: model.ContextAccount, Name: "Tx", ParentID: root.ID})
		if err != nil {
			return err
		}
		acctID = a.ID
		u, err := tx.CreateUser(ctx, model.User{LoginName: "tx", TenantID: root.ID, Domain: "D", Kind: model.KindLocal, Status: model.StatusActive, Contexts: []string{a.ID}})
		if err != nil {
			return err
		}
		userID = u.ID
		g, err := tx.CreateGroup(ctx, model.Group{ContextID: a.ID, Name: "G"})
		if err != nil {
			return err
		}
		groupID = g.ID
		// Nested InTx joins the same transaction.
		return tx.InTx(ctx, func(tx2 storage.Storage) error {
			if _, err := tx2.GetUser(ctx, userID); err != nil {
				return fmt.Errorf("nested tx cannot see outer writes: %w", err)
			}
			return boom
		})
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx: %v", err)
	}
	if _, err := s.GetContext(ctx, acctID); !errors.Is(err, model.ErrNotFound) {
		t.Error("rolled-back context exists")
	}
	if _, err := s.GetUser(ctx, userID); !errors.Is(err, model.ErrNotFound) {
		t.Error("rolled-back user exists")
	}
	if _, err := s.GetGroup(ctx, groupID); !errors.Is(err, model.ErrNotFound) {
		t.Error("rolled-back group exists")
	}
	err = s.InTx(ctx, func(tx storage.Storage) error {
		_, err := tx.CreateContext(ctx, model.Context{Type: model.ContextAccount, Name: "Committed", ParentID: root.ID})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if r, _, _ := s.SearchContexts(ctx, model.ContextFilter{Query: "committed"}); len(r) != 1 {
		t.Error("committed transaction lost")
	}
}

// domain creates the user domain "D" the user tests use.
func domain(t *testing.T, s storage.Storage) {
	t.Helper()
	if err := s.UpsertDomain(ctx, model.UserDomain{Name: "D", Kind: model.KindLocal, Placement: model.PlacementEnterprise}); err != nil {
		t.Fatal(err)
	}
}

// raceWins runs fn(0..n-1) concurrently and returns how many calls
// succeeded; an error other than lost (the loser's expected answer) fails
// the test.
func raceWins(t *testing.T, n int, lost error, fn func(i int) error) int {
	t.Helper()
	var wg sync.WaitGroup
	results := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results <- fn(i)
		}(i)
	}
	wg.Wait()
	close(results)
	wins := 0
	for err := range results {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, lost):
			t.Errorf("unexpected error: %v", err)
		}
	}
	return wins
}

// ssoUser creates a root context and one active user for the session,
// ticket and client tests.
func ssoUser(t *testing.T, s storage.Storage) (model.Context, model.User) {
	root := must(s.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"}))
	domain(t, s)
	u := must(s.CreateUser(ctx, model.User{LoginName: "sso", TenantID: root.ID, Domain: "D", Kind: model.KindLocal, Status: model.StatusActive, Contexts: []string{root.ID}}))
	return root, u
}
