package conformance

import (
	"fmt"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/storage"
)

// testThrottle: brute-force counters (R-PWD-3) count, restart after the
// window, move their times only forward, reset and purge.
func testThrottle(t *testing.T, s storage.Storage) {
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	old := t0.Add(-time.Hour)
	for i := 1; i <= 3; i++ {
		st := must(s.ThrottleHit(ctx, "a:alice", t0.Add(time.Duration(i)*time.Second), old))
		if st.Hits != i || !st.LastHit.Equal(t0.Add(time.Duration(i)*time.Second)) || !st.NotBefore.IsZero() || !st.LockedUntil.IsZero() {
			t.Fatalf("hit %d: %+v", i, st)
		}
	}
	check(t, s.ThrottleBlock(ctx, "a:alice", t0.Add(time.Minute), time.Time{}))
	check(t, s.ThrottleBlock(ctx, "a:alice", t0.Add(time.Second), t0.Add(time.Hour)))
	sts := must(s.ThrottleStates(ctx, "a:alice", "s:unknown"))
	if len(sts) != 1 || sts[0].Key != "a:alice" || sts[0].Hits != 3 || !sts[0].NotBefore.Equal(t0.Add(time.Minute)) ||
		!sts[0].LockedUntil.Equal(t0.Add(time.Hour)) {
		t.Errorf("states after block (times only move forward): %+v", sts)
	}
	// A hit after the window starts the count again.
	if st := must(s.ThrottleHit(ctx, "a:alice", t0.Add(2*time.Hour), t0.Add(time.Hour))); st.Hits != 1 {
		t.Errorf("hit after the window: %+v", st)
	}
	check(t, s.ThrottleReset(ctx, "a:alice"))
	if sts := must(s.ThrottleStates(ctx, "a:alice")); len(sts) != 0 {
		t.Errorf("after reset: %+v", sts)
	}
	must(s.ThrottleHit(ctx, "s:old", old, old.Add(-time.Hour)))
	must(s.ThrottleHit(ctx, "s:locked", old, old.Add(-time.Hour)))
	check(t, s.ThrottleBlock(ctx, "s:locked", time.Time{}, t0.Add(time.Hour)))
	must(s.ThrottleHit(ctx, "s:new", t0, old))
	if n := must(s.PurgeThrottle(ctx, t0.Add(-time.Minute))); n != 1 {
		t.Errorf("purged %d, want 1 (the old unlocked counter)", n)
	}
	if sts := must(s.ThrottleStates(ctx, "s:old", "s:locked", "s:new")); len(sts) != 2 {
		t.Errorf("after purge: %+v", sts)
	}
	if sts := must(s.ThrottleStates(ctx)); len(sts) != 0 {
		t.Errorf("no keys: %+v", sts)
	}
}

// throttleRace: N concurrent failures on one key are counted exactly N
// times (the limiter's budget cannot be overrun by parallel guesses).
func throttleRace(t *testing.T, s storage.Storage) {
	const n = 40
	now := time.Now()
	wins := raceWins(t, n, nil, func(i int) error {
		_, err := s.ThrottleHit(ctx, "a:target", now.Add(time.Duration(i)*time.Microsecond), now.Add(-time.Hour))
		return err
	})
	if wins != n {
		t.Fatalf("%d of %d hits succeeded", wins, n)
	}
	sts := must(s.ThrottleStates(ctx, "a:target"))
	if len(sts) != 1 || sts[0].Hits != n {
		t.Errorf("%d concurrent failures counted as %s", n, fmt.Sprint(sts))
	}
}
