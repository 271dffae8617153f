package throttle_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// TestExponentialDelay: after the free failures each failure doubles the
// "not before" time up to the maximum; the lock follows LockAfter and ends
// by time; a success resets the account but not the source.
func TestExponentialDelay(t *testing.T) {
	ctx := clientip.With(context.Background(), "198.51.100.7")
	st, err := sqlstore.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "s.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := throttle.Config{Account: throttle.Policy{Free: 2, LockAfter: 8}, Source: throttle.Policy{Free: 100, LockAfter: 1000},
		BaseDelay: time.Second, MaxDelay: 10 * time.Second, LockDuration: time.Hour, Window: 2 * time.Hour, AuditFull: 1, AuditEvery: 10}
	l := throttle.New(st, cfg, nil)
	now := time.Unix(1_700_000_000, 0)
	l.SetClock(func() time.Time { return now })
	acct := throttle.LoginKey("Alice")
	var waits []time.Duration
	for i := 0; i < 8; i++ {
		a, err := l.Check(ctx, acct)
		if err != nil {
			t.Fatalf("failure %d refused: %v", i, err)
		}
		if err := l.Fail(ctx, a); err != nil {
			t.Fatal(err)
		}
		_, err = l.Check(ctx, acct)
		var lim *throttle.Limited
		if errors.As(err, &lim) {
			waits = append(waits, lim.RetryAfter)
			now = now.Add(lim.RetryAfter)
		} else {
			waits = append(waits, 0)
		}
	}
	want := []time.Duration{0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, time.Hour}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	if _, err := l.Check(ctx, throttle.LoginKey(" alice ")); err != nil {
		t.Errorf("the lock ended by time, yet: %v", err)
	}
	a, _ := l.Check(ctx, acct)
	if err := l.Succeed(ctx, a); err != nil {
		t.Fatal(err)
	}
	if sts, _ := st.ThrottleStates(ctx, acct, "s:198.51.100.7"); len(sts) != 1 || sts[0].Hits != 8 {
		t.Errorf("after a success: %+v (want only the source's counter)", sts)
	}
}

// TestOtherNodeLockSeenWithinTTL: a node trusts its last "not blocked"
// read of a key for at most a second (no database read on the hot path);
// a lock earned on another node is refused once that has passed, and this
// node's own failures take effect at once.
func TestOtherNodeLockSeenWithinTTL(t *testing.T) {
	ctx := clientip.With(context.Background(), "198.51.100.7")
	st, err := sqlstore.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "s.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := throttle.DefaultConfig()
	cfg.Account = throttle.Policy{Free: 100, LockAfter: 3}
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	a, b := throttle.New(st, cfg, nil), throttle.New(st, cfg, nil)
	a.SetClock(clock)
	b.SetClock(clock)
	acct := throttle.ClientKey("portal")
	if _, err := a.Check(ctx, acct); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		at, _ := b.Check(ctx, acct)
		if err := b.Fail(ctx, at); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Check(ctx, acct); err == nil {
		t.Fatal("node B does not see its own lock")
	}
	now = now.Add(time.Second)
	var lim *throttle.Limited
	if _, err := a.Check(ctx, acct); !errors.As(err, &lim) || !lim.Locked {
		t.Fatalf("node A after a second: %v", err)
	}
}
