package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// BackupSQLite writes a consistent copy of the SQLite database at rawURL
// to the new file to, while servers may be using it: VACUUM INTO reads
// the database in one read transaction (WAL mode lets writers go on) and
// writes a compacted, self-contained copy (no -wal file needed). A copy
// is restored by putting it at dataDir/sesame.db of a stopped (or new)
// server. PostgreSQL is backed up with pg_dump (docs/deploy.md).
func BackupSQLite(ctx context.Context, rawURL, to string) error {
	if strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://") {
		return errors.New("the database is PostgreSQL: back it up with pg_dump (docs/deploy.md, \"Backup and restore\")")
	}
	dsn, err := sqliteDSN(rawURL)
	if err != nil {
		return err
	}
	path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite://"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no database to back up: %w", err)
	}
	abs, err := filepath.Abs(to)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("%s exists: the backup is written to a new file", to)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, abs); err != nil {
		_ = os.Remove(abs)
		return fmt.Errorf("backup: %w", err)
	}
	return os.Chmod(abs, 0o600)
}
