package pgtest

import (
	"context"
	"database/sql"
	"net/url"
	"testing"
	"time"
)

// Database is a dedicated PostgreSQL database whose connections a test can
// cut off and restore: a real outage of the database a server uses, without
// touching the databases other tests share.
type Database struct {
	// DSN reaches the database.
	DSN   string
	name  string
	admin *sql.DB
	t     testing.TB
}

// NewDatabase creates an empty database, dropped at the end of the test.
// Like DSN, it skips (or fails under CI=true) without a server.
func NewDatabase(t testing.TB) *Database {
	t.Helper()
	base, admin := server(t)
	d := &Database{name: "sesame_outage_" + randomName(), admin: admin, t: t}
	d.exec(`CREATE DATABASE "` + d.name + `"`)
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP DATABASE IF EXISTS "` + d.name + `" WITH (FORCE)`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("pgtest: bad SESAME_TEST_POSTGRES_DSN: %v", err)
	}
	u.Path = "/" + d.name
	d.DSN = u.String()
	return d
}

func (d *Database) exec(q string) {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := d.admin.ExecContext(ctx, q); err != nil {
		d.t.Fatalf("pgtest: %s: %v", q, err)
	}
}

// Stop refuses new connections to the database and terminates the open
// ones, as a database restart does to its clients.
func (d *Database) Stop() {
	d.t.Helper()
	d.exec(`ALTER DATABASE "` + d.name + `" ALLOW_CONNECTIONS false`)
	d.exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '` + d.name + `' AND pid <> pg_backend_pid()`)
}

// Start accepts connections again.
func (d *Database) Start() {
	d.t.Helper()
	d.exec(`ALTER DATABASE "` + d.name + `" ALLOW_CONNECTIONS true`)
}
