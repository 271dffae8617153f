// Package pgtest gives each test a fresh, empty PostgreSQL schema on the
// server named by SESAME_TEST_POSTGRES_DSN (scripts/test.sh sets it, starting
// a throwaway cluster when needed). Under CI=true a missing server fails the
// test; elsewhere the test is skipped with the same message.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
)

const missing = "PostgreSQL is required: set SESAME_TEST_POSTGRES_DSN or install postgresql (initdb/pg_ctl) and run ./scripts/test.sh, which starts a throwaway cluster"

// DSN returns a URL whose connections all use a new schema, dropped at the
// end of the test.
func DSN(t testing.TB) string {
	t.Helper()
	base, db := server(t)
	defer db.Close()
	schema := "t_" + randomName()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA "`+schema+`"`); err != nil {
		t.Fatalf("pgtest: create schema (is PostgreSQL at %s up?): %v", base, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec(`DROP SCHEMA "` + schema + `" CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("pgtest: bad SESAME_TEST_POSTGRES_DSN: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// server returns SESAME_TEST_POSTGRES_DSN and a pool on it; without one it
// skips the test, or fails it under CI=true.
func server(t testing.TB) (string, *sql.DB) {
	t.Helper()
	base := os.Getenv("SESAME_TEST_POSTGRES_DSN")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(missing)
		}
		t.Skip(missing)
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return base, db
}

// randomName is 12 random hex digits for schema and database names.
func randomName() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
