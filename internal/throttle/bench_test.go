package throttle_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// BenchmarkRefusal is what an attempt over budget costs: one read of two
// counters, no hashing. BenchmarkFailure is a counted failure within the free
// failures (two UPSERTs: account and source).
func BenchmarkRefusal(b *testing.B) { benchBackends(b, refusal) }
func BenchmarkFailure(b *testing.B) { benchBackends(b, failure) }

func benchBackends(b *testing.B, fn func(*testing.B, storage.Storage)) {
	b.Run("sqlite", func(b *testing.B) {
		st, err := sqlstore.Open(context.Background(), "sqlite://"+filepath.Join(b.TempDir(), "s.db"), sqlstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		fn(b, st)
	})
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv("SESAME_TEST_POSTGRES_DSN") == "" {
			b.Skip("SESAME_TEST_POSTGRES_DSN not set")
		}
		st, err := sqlstore.Open(context.Background(), pgtest.DSN(b), sqlstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		fn(b, st)
	})
}

func refusal(b *testing.B, st storage.Storage) {
	ctx := clientip.With(context.Background(), "198.51.100.7")
	cfg := throttle.DefaultConfig()
	l := throttle.New(st, cfg, nil)
	acct := throttle.LoginKey("victim")
	for i := 0; i < cfg.Account.LockAfter; i++ {
		a, _ := l.Check(ctx, acct)
		_ = l.Fail(ctx, a)
	}
	var lim *throttle.Limited
	for b.Loop() {
		if _, err := l.Check(ctx, acct); !errors.As(err, &lim) {
			b.Fatalf("not refused: %v", err)
		}
	}
}

func failure(b *testing.B, st storage.Storage) {
	ctx := clientip.With(context.Background(), "198.51.100.7")
	cfg := throttle.DefaultConfig()
	cfg.Account = throttle.Policy{Free: 1 << 30, LockAfter: 1 << 30}
	cfg.Source = cfg.Account
	l := throttle.New(st, cfg, nil)
	a, err := l.Check(ctx, throttle.LoginKey("victim"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := l.Fail(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
}
