package conformance

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

func testSessions(t *testing.T, s storage.Storage) {
	root, u := ssoUser(t, s)
	now := time.Now().UTC().Truncate(time.Millisecond)
	ss := model.Session{ID: "hash-1", UserID: u.ID, ContextID: root.ID, AuthTime: now, ExpiresAt: now.Add(time.Hour), SourceIP: "192.0.2.1",
		AMR: []string{"pwd", "otp", "mfa"}, LoginFor: "oidc:req-1"}
	check(t, s.CreateSession(ctx, ss))
	check(t, s.CreateSession(ctx, model.Session{ID: "hash-2", UserID: u.ID, AuthTime: now, ExpiresAt: now.Add(time.Hour)}))
	got := must(s.GetSession(ctx, "hash-1", now))
	if got.UserID != u.ID || got.ContextID != root.ID || !got.AuthTime.Equal(now) || got.SourceIP != "192.0.2.1" ||
		strings.Join(got.AMR, " ") != "pwd otp mfa" || got.LoginFor != "oidc:req-1" {
		t.Errorf("round trip: %+v", got)
	}
	if got := must(s.GetActiveSession(ctx, "hash-1", now, now.Add(-time.Hour))); strings.Join(got.AMR, " ") != "pwd otp mfa" || got.LoginFor != "oidc:req-1" {
		t.Errorf("GetActiveSession drops amr or login_for: %+v", got)
	}
	// A session started through a connection (issue 10): its connection
	// and sealed upstream state, replaced after an upstream refresh.
	check(t, s.CreateSession(ctx, model.Session{ID: "hash-3", UserID: u.ID, AuthTime: now, ExpiresAt: now.Add(time.Hour),
		ConnectionID: "conn-1", Upstream: []byte("sealed-1")}))
	if got := must(s.GetSession(ctx, "hash-3", now)); got.ConnectionID != "conn-1" || string(got.Upstream) != "sealed-1" {
		t.Errorf("connection/upstream round trip: %+v", got)
	}
	check(t, s.SetSessionUpstream(ctx, "hash-3", []byte("sealed-2")))
	if got := must(s.GetActiveSession(ctx, "hash-3", now, now.Add(-time.Hour))); got.ConnectionID != "conn-1" || string(got.Upstream) != "sealed-2" {
		t.Errorf("GetActiveSession after SetSessionUpstream: %+v", got)
	}
	if got := must(s.GetSession(ctx, "hash-2", now)); got.ConnectionID != "" || got.Upstream != nil {
		t.Errorf("password session has upstream state: %+v", got)
	}
	if err := s.SetSessionUpstream(ctx, "nope", []byte("x")); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("SetSessionUpstream of no session: %v", err)
	}
	check(t, s.DeleteSession(ctx, "hash-3"))
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
