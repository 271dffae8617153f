package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
)

// backup writes a consistent copy of the SQLite database while serve may
// be running (sqlstore.BackupSQLite); restore = the copy as
// dataDir/sesame.db of a stopped or new server (docs/deploy.md).
func backup(ctx context.Context, env Env, args []string) error {
	c := newFlags("backup", env)
	to := c.fs.String("to", "", "file to write the backup to (must not exist)")
	if err := c.parse(args); err != nil {
		return err
	}
	if *to == "" {
		return errors.New("--to FILE is required")
	}
	cfg, err := c.load(env)
	if err != nil {
		return err
	}
	if err := sqlstore.BackupSQLite(ctx, cfg.DatabaseURL(), *to); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backup written to %s\n", *to)
	return nil
}
