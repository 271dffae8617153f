package conformance

import (
	"errors"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// testSessionActivity: the idle timeout (issue 8 item 13) next to the
// absolute one, and bumps bounded to one write per interval.
func testSessionActivity(t *testing.T, s storage.Storage) {
	root, u := ssoUser(t, s)
	start := time.Now().UTC().Truncate(time.Millisecond)
	check(t, s.CreateSession(ctx, model.Session{ID: "idle-1", UserID: u.ID, ContextID: root.ID, AuthTime: start, ExpiresAt: start.Add(8 * time.Hour)}))
	idle := 30 * time.Minute
	at := func(d time.Duration) (time.Time, time.Time) { return start.Add(d), start.Add(d - idle) }

	// Fresh: never touched, live since auth_time.
	now, since := at(10 * time.Minute)
	if got := must(s.GetActiveSession(ctx, "idle-1", now, since)); got.UserID != u.ID || !got.LastSeen.IsZero() {
		t.Errorf("fresh session: %+v", got)
	}
	// Idle past the timeout without a touch: refused.
	now, since = at(31 * time.Minute)
	if _, err := s.GetActiveSession(ctx, "idle-1", now, since); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("idle session returned: %v", err)
	}
	// A touch at 20 min keeps it alive until 50 min.
	check(t, s.TouchSession(ctx, "idle-1", start.Add(20*time.Minute), start.Add(19*time.Minute)))
	now, since = at(49 * time.Minute)
	if got := must(s.GetActiveSession(ctx, "idle-1", now, since)); !got.LastSeen.Equal(start.Add(20 * time.Minute)) {
		t.Errorf("LastSeen after touch: %v", got.LastSeen)
	}
	// A second touch inside the interval writes nothing.
	check(t, s.TouchSession(ctx, "idle-1", start.Add(20*time.Minute+30*time.Second), start.Add(20*time.Minute+30*time.Second-time.Minute)))
	if got := must(s.GetActiveSession(ctx, "idle-1", now, since)); !got.LastSeen.Equal(start.Add(20 * time.Minute)) {
		t.Errorf("a touch within the interval wrote: %v", got.LastSeen)
	}
	now, since = at(51 * time.Minute)
	if _, err := s.GetActiveSession(ctx, "idle-1", now, since); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("session idle since the touch returned: %v", err)
	}
	// The absolute timeout holds however active the session is.
	check(t, s.TouchSession(ctx, "idle-1", start.Add(8*time.Hour-time.Minute), start.Add(8*time.Hour-2*time.Minute)))
	now, since = at(8*time.Hour + time.Second)
	if _, err := s.GetActiveSession(ctx, "idle-1", now, since); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("expired session returned: %v", err)
	}
	// Unknown ids.
	if _, err := s.GetActiveSession(ctx, "nope", start, start.Add(-idle)); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown session: %v", err)
	}
	check(t, s.TouchSession(ctx, "nope", start, start))
}
