package storetest

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
)

// Each runs fn in parallel subtests "sqlite" and "postgres", each with a
// fresh, migrated store.
func Each(t *testing.T, fn func(t *testing.T, st storage.Storage)) {
	t.Helper()
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			url := "sqlite://" + filepath.Join(t.TempDir(), "sesame.db")
			if backend == "postgres" {
				url = pgtest.DSN(t)
			}
			st, err := sqlstore.Open(t.Context(), url, sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			fn(t, st)
		})
	}
}

// User creates an active local user at root (creating root and its domain
// on first use) with the given person data.
func User(t testing.TB, st storage.Storage, login string, p model.Person) model.User {
	t.Helper()
	ctx := t.Context()
	root, err := st.RootContext(ctx)
	if errors.Is(err, model.ErrNotFound) {
		root, err = st.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"})
		if err == nil {
			err = st.UpsertDomain(ctx, model.UserDomain{Name: "D", Kind: model.KindLocal, Placement: model.PlacementRoot})
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, model.User{LoginName: login, TenantID: root.ID, Domain: "D", Kind: model.KindLocal,
		Status: model.StatusActive, Contexts: []string{root.ID}, Person: p})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Clock is a settable clock for code lifetimes and time steps.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now reads the clock.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Add moves the clock forward by d.
func (c *Clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Race runs fn n times concurrently and returns how many calls succeeded;
// an error other than lost (the losers' expected answer) fails the test.
func Race(t *testing.T, n int, lost error, fn func() error) int {
	t.Helper()
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- fn() }()
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, lost):
			t.Errorf("unexpected: %v", err)
		}
	}
	return ok
}
