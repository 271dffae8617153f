package conformance

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

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
