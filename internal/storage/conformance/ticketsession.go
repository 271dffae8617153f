package conformance

import (
	"errors"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// testTicketsDieWithSession: deleting an SSO session (logout, deactivation,
// password reset) deletes the tickets issued from it, so none of them
// validates afterwards, whatever happens to the user (R-USR-1); another
// session's tickets stay.
func testTicketsDieWithSession(t *testing.T, s storage.Storage) {
	_, u := ssoUser(t, s)
	now := time.Now().UTC()
	for _, id := range []string{"sess-a", "sess-b"} {
		check(t, s.CreateSession(ctx, model.Session{ID: id, UserID: u.ID, AuthTime: now, ExpiresAt: now.Add(time.Hour)}))
	}
	for _, tk := range []model.Ticket{
		{ID: "st-a", Kind: model.TicketService, Service: "https://a/", UserID: u.ID, SessionID: "sess-a", ExpiresAt: now.Add(time.Minute)},
		{ID: "pgt-a", Kind: model.TicketProxyGranting, Service: "https://a/cb", UserID: u.ID, SessionID: "sess-a", ExpiresAt: now.Add(time.Hour)},
		{ID: "st-b", Kind: model.TicketService, Service: "https://a/", UserID: u.ID, SessionID: "sess-b", ExpiresAt: now.Add(time.Minute)},
	} {
		check(t, s.CreateTicket(ctx, tk))
	}
	check(t, s.DeleteSession(ctx, "sess-a"))
	if _, err := s.ConsumeTicket(ctx, "st-a", now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("a service ticket outlived its session: %v", err)
	}
	if _, err := s.GetTicket(ctx, "pgt-a", now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("a proxy-granting ticket outlived its session: %v", err)
	}
	if _, err := s.ConsumeTicket(ctx, "st-b", now); err != nil {
		t.Errorf("another session's ticket: %v", err)
	}
}
