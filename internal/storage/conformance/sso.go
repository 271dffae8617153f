package conformance

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

func ssoUser(t *testing.T, s storage.Storage) (model.Context, model.User) {
	root := must(s.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"}))
	domain(t, s)
	u := must(s.CreateUser(ctx, model.User{LoginName: "sso", TenantID: root.ID, Domain: "D", Kind: model.KindLocal, Status: model.StatusActive, Contexts: []string{root.ID}}))
	return root, u
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

func testSessions(t *testing.T, s storage.Storage) {
	root, u := ssoUser(t, s)
	now := time.Now().UTC().Truncate(time.Millisecond)
	ss := model.Session{ID: "hash-1", UserID: u.ID, ContextID: root.ID, AuthTime: now, ExpiresAt: now.Add(time.Hour), SourceIP: "192.0.2.1"}
	check(t, s.CreateSession(ctx, ss))
	check(t, s.CreateSession(ctx, model.Session{ID: "hash-2", UserID: u.ID, AuthTime: now, ExpiresAt: now.Add(time.Hour)}))
	got := must(s.GetSession(ctx, "hash-1", now))
	if got.UserID != u.ID || got.ContextID != root.ID || !got.AuthTime.Equal(now) || got.SourceIP != "192.0.2.1" {
		t.Errorf("round trip: %+v", got)
	}
	if _, err := s.GetSession(ctx, "hash-1", now.Add(2*time.Hour)); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("expired session returned: %v", err)
	}
	check(t, s.AddSessionService(ctx, model.SessionService{SessionID: "hash-1", ClientID: "c1", Service: "https://a/", Ticket: "ST-1"}))
	check(t, s.AddSessionService(ctx, model.SessionService{SessionID: "hash-1", ClientID: "c1", Service: "https://a/", Ticket: "ST-2"}))
	if svcs := must(s.SessionServices(ctx, "hash-1")); len(svcs) != 1 || svcs[0].Ticket != "ST-2" {
		t.Errorf("session services: %+v", svcs)
	}
	check(t, s.DeleteSession(ctx, "hash-2"))
	if _, err := s.GetSession(ctx, "hash-2", now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("deleted session: %v", err)
	}
	if ls := must(s.ListUserSessions(ctx, u.ID)); len(ls) != 1 || ls[0].ID != "hash-1" || ls[0].ContextID != root.ID || !ls[0].AuthTime.Equal(now) {
		t.Errorf("ListUserSessions: %+v", ls)
	}
	ids := must(s.DeleteUserSessions(ctx, u.ID))
	if len(ids) != 1 || ids[0] != "hash-1" {
		t.Errorf("DeleteUserSessions: %v", ids)
	}
	if _, err := s.GetSession(ctx, "hash-1", now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("session survived DeleteUserSessions: %v", err)
	}
	if svcs := must(s.SessionServices(ctx, "hash-1")); len(svcs) != 0 {
		t.Errorf("services of a deleted session: %+v", svcs)
	}
}

func testTickets(t *testing.T, s storage.Storage) {
	_, u := ssoUser(t, s)
	now := time.Now().UTC()
	tk := model.Ticket{ID: "t1", Kind: model.TicketService, Service: "https://a/x", ClientID: "c", UserID: u.ID, SessionID: "s", ExpiresAt: now.Add(10 * time.Second), Renewed: true}
	check(t, s.CreateTicket(ctx, tk))
	got := must(s.ConsumeTicket(ctx, "t1", now))
	if got.Service != "https://a/x" || got.UserID != u.ID || !got.Renewed || got.Kind != model.TicketService {
		t.Errorf("round trip: %+v", got)
	}
	if _, err := s.ConsumeTicket(ctx, "t1", now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("second use: %v", err)
	}
	check(t, s.CreateTicket(ctx, model.Ticket{ID: "t2", Kind: model.TicketService, Service: "s", UserID: u.ID, ExpiresAt: now.Add(time.Second)}))
	if _, err := s.ConsumeTicket(ctx, "t2", now.Add(2*time.Second)); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("expired ticket: %v", err)
	}
	if _, err := s.ConsumeTicket(ctx, "t2", now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("an expired ticket must be consumed too: %v", err)
	}
	t.Run("ProxyGranting", func(t *testing.T) { testProxyTickets(t, s, u.ID) })
}

// testProxyTickets: a proxy-granting ticket is read many times, keeps its
// proxy chain in order, and is gone once expired.
func testProxyTickets(t *testing.T, s storage.Storage, userID string) {
	now := time.Now().UTC()
	chain := []string{"https://b/cb", "https://a/cb?x=1"}
	check(t, s.CreateTicket(ctx, model.Ticket{ID: "pgt", Kind: model.TicketProxyGranting, Service: "https://b/cb", UserID: userID,
		SessionID: "s", ExpiresAt: now.Add(time.Hour), Proxies: chain}))
	for i := 0; i < 2; i++ {
		got := must(s.GetTicket(ctx, "pgt", now))
		if got.Kind != model.TicketProxyGranting || len(got.Proxies) != 2 || got.Proxies[0] != chain[0] || got.Proxies[1] != chain[1] {
			t.Fatalf("read %d: %+v", i, got)
		}
	}
	if _, err := s.GetTicket(ctx, "pgt", now.Add(2*time.Hour)); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("expired proxy-granting ticket: %v", err)
	}
	if _, err := s.GetTicket(ctx, "nope", now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown ticket: %v", err)
	}
	// A ticket without a chain reads back without one.
	check(t, s.CreateTicket(ctx, model.Ticket{ID: "st", Kind: model.TicketService, Service: "s", UserID: userID, ExpiresAt: now.Add(time.Minute)}))
	if got := must(s.ConsumeTicket(ctx, "st", now)); got.Proxies != nil {
		t.Errorf("service ticket grew a chain: %q", got.Proxies)
	}
	got := must(s.ConsumeTicket(ctx, "pgt", now))
	if len(got.Proxies) != 2 {
		t.Errorf("consumed chain: %q", got.Proxies)
	}
}

// ticketRace: 20 concurrent validations of one ticket, exactly one wins.
func ticketRace(t *testing.T, s storage.Storage) {
	_, u := ssoUser(t, s)
	now := time.Now().UTC()
	check(t, s.CreateTicket(ctx, model.Ticket{ID: "race", Kind: model.TicketService, Service: "s", UserID: u.ID, ExpiresAt: now.Add(time.Minute)}))
	var wg sync.WaitGroup
	wins := make(chan struct{}, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.ConsumeTicket(ctx, "race", now); err == nil {
				wins <- struct{}{}
			} else if !errors.Is(err, model.ErrNotFound) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if len(wins) != 1 {
		t.Errorf("%d validations of one ticket succeeded, want 1", len(wins))
	}
}
