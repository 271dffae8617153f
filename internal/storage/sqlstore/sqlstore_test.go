package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/storage/conformance"
	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
)

func newSQLite(t *testing.T) storage.Storage {
	st, err := sqlstore.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "sesame.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newPostgres(t *testing.T) storage.Storage {
	st, err := sqlstore.Open(context.Background(), pgtest.DSN(t), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestSQLite(t *testing.T)              { conformance.RunTests(t, newSQLite) }
func TestSQLiteConcurrency(t *testing.T)   { conformance.RunConcurrencyTests(t, newSQLite) }
func TestPostgres(t *testing.T)            { conformance.RunTests(t, newPostgres) }
func TestPostgresConcurrency(t *testing.T) { conformance.RunConcurrencyTests(t, newPostgres) }
