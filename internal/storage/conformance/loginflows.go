package conformance

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// testLoginFlows: a login in progress round-trips, expires, and its
// updates are compare-and-swap on the version (DESIGN note 1).
func testLoginFlows(t *testing.T, s storage.Storage) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	f := storage.LoginFlow{ID: "flow-1", Version: 1, State: []byte(`{"return":"/"}`), CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
	check(t, s.CreateLoginFlow(ctx, f))
	if err := s.CreateLoginFlow(ctx, f); err == nil {
		t.Error("a second flow with the same id was stored")
	}
	got := must(s.GetLoginFlow(ctx, "flow-1", now))
	if got.Version != 1 || string(got.State) != `{"return":"/"}` || !got.CreatedAt.Equal(now) || !got.ExpiresAt.Equal(f.ExpiresAt) {
		t.Errorf("round trip: %+v", got)
	}
	if _, err := s.GetLoginFlow(ctx, "flow-1", now.Add(11*time.Minute)); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("expired flow returned: %v", err)
	}
	if _, err := s.GetLoginFlow(ctx, "nope", now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown flow: %v", err)
	}
	v := must(s.UpdateLoginFlow(ctx, "flow-1", 1, []byte(`{"user":"u1"}`), now.Add(20*time.Minute)))
	if v != 2 {
		t.Errorf("new version %d, want 2", v)
	}
	got = must(s.GetLoginFlow(ctx, "flow-1", now))
	if got.Version != 2 || string(got.State) != `{"user":"u1"}` || !got.ExpiresAt.Equal(now.Add(20*time.Minute)) {
		t.Errorf("after update: %+v", got)
	}
	if _, err := s.UpdateLoginFlow(ctx, "flow-1", 1, []byte(`{"user":"evil"}`), now.Add(time.Hour)); !errors.Is(err, model.ErrStale) {
		t.Errorf("update of a stale version: %v, want ErrStale", err)
	}
	if got := must(s.GetLoginFlow(ctx, "flow-1", now)); string(got.State) != `{"user":"u1"}` {
		t.Errorf("a stale update was written: %s", got.State)
	}
	if _, err := s.UpdateLoginFlow(ctx, "nope", 1, nil, now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("update of an unknown flow: %v", err)
	}
	if err := s.DeleteLoginFlow(ctx, "flow-1", 1); !errors.Is(err, model.ErrStale) {
		t.Errorf("delete of a stale version: %v, want ErrStale", err)
	}
	check(t, s.DeleteLoginFlow(ctx, "flow-1", 2))
	if err := s.DeleteLoginFlow(ctx, "flow-1", 2); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	if _, err := s.GetLoginFlow(ctx, "flow-1", now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("deleted flow returned: %v", err)
	}
	// Purge drops what expired, keeps what did not.
	check(t, s.CreateLoginFlow(ctx, storage.LoginFlow{ID: "old", Version: 1, State: []byte("{}"), CreatedAt: now, ExpiresAt: now.Add(time.Minute)}))
	check(t, s.CreateLoginFlow(ctx, storage.LoginFlow{ID: "new", Version: 1, State: []byte("{}"), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	if n := must(s.PurgeLoginFlows(ctx, now.Add(2*time.Minute))); n != 1 {
		t.Errorf("purged %d flows, want 1", n)
	}
	must(s.GetLoginFlow(ctx, "new", now))
	check(t, s.PurgeExpired(ctx, now.Add(2*time.Hour)))
	if _, err := s.GetLoginFlow(ctx, "new", now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("PurgeExpired kept an expired flow: %v", err)
	}
}

// loginFlowRace: concurrent updates and finishes of one version — a double
// submit on two nodes — let exactly one through.
func loginFlowRace(t *testing.T, s storage.Storage) {
	now := time.Now().UTC()
	for round := range 5 {
		id := "race-" + string(rune('a'+round))
		check(t, s.CreateLoginFlow(ctx, storage.LoginFlow{ID: id, Version: 7, State: []byte("{}"), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
		const n = 8
		var (
			wg              sync.WaitGroup
			mu              sync.Mutex
			updated, failed int
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				if i%2 == 0 {
					_, err = s.UpdateLoginFlow(ctx, id, 7, []byte(`{"w":1}`), now.Add(time.Hour))
				} else {
					err = s.DeleteLoginFlow(ctx, id, 7)
				}
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					updated++
				case errors.Is(err, model.ErrStale), errors.Is(err, model.ErrNotFound):
					failed++
				default:
					t.Errorf("unexpected error: %v", err)
				}
			}()
		}
		wg.Wait()
		if updated != 1 || failed != n-1 {
			t.Errorf("round %d: %d writers won, %d lost; want exactly one winner", round, updated, failed)
		}
	}
}
