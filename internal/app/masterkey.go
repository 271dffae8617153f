package app

import (
	"encoding/base64"
	"errors"
	"log/slog"
	"strings"

	"github.com/sesame-sso/sesame/internal/config"
)

// errNoMasterKey stops `serve` on PostgreSQL without a master key: the
// signing keys would sit in plain text in a database that backups, replicas
// and DBAs read. --insecure-plaintext-keys is the explicit opt-out.
var errNoMasterKey = errors.New("SESAME_MASTER_KEY is not set: on PostgreSQL the signing keys must be stored encrypted " +
	"(set SESAME_MASTER_KEY to 32 random bytes in base64, e.g. openssl rand -base64 32, " +
	"or start with --insecure-plaintext-keys to store them in plain text)")

// masterKey reads SESAME_MASTER_KEY (32 bytes, base64), which seals the
// signing keys at rest (internal/seal). Without it: PostgreSQL refuses
// to start unless insecure is set; SQLite starts with a loud warning.
func masterKey(cfg config.Config, env Env, log *slog.Logger, insecure bool) ([]byte, error) {
	if master, err := readMasterKey(env); err != nil || master != nil {
		return master, err
	}
	postgres := strings.HasPrefix(cfg.DatabaseURL(), "postgres")
	switch {
	case postgres && !insecure:
		return nil, errNoMasterKey
	case postgres:
		log.Warn("INSECURE: --insecure-plaintext-keys: the OIDC signing keys are stored unencrypted in PostgreSQL; anyone who reads the database or a backup can sign tokens. Set SESAME_MASTER_KEY.")
	default:
		log.Warn("INSECURE: SESAME_MASTER_KEY is not set: the OIDC signing keys are stored unencrypted in the SQLite database; anyone who reads the data directory or a backup can sign tokens. Set SESAME_MASTER_KEY (32 random bytes, base64).")
	}
	return nil, nil
}

// readMasterKey reads SESAME_MASTER_KEY (32 bytes, base64); nil when unset.
func readMasterKey(env Env) ([]byte, error) {
	v, ok := env.Getenv("SESAME_MASTER_KEY")
	if !ok || v == "" {
		return nil, nil
	}
	master, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(master) != 32 {
		return nil, errors.New("SESAME_MASTER_KEY must be 32 bytes in base64 (e.g. openssl rand -base64 32)")
	}
	return master, nil
}
