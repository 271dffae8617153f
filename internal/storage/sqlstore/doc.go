// Package sqlstore implements storage.Storage on SQLite (modernc.org/sqlite,
// the embedded default) and PostgreSQL (pgx via database/sql).
//
// SQL is written once, in PostgreSQL dialect with $N placeholders; for SQLite
// the placeholders are rewritten to ?N (see dialect.go). Migrations are
// embedded, one folder per dialect, applied with goose at Open.
//
// Concurrency: every read-modify-write runs in one transaction. On PostgreSQL
// the row is locked with SELECT … FOR UPDATE; on SQLite the DSN sets
// _txlock=immediate so a write transaction takes the database lock at BEGIN.
package sqlstore
