package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// CreateLoginFlow implements storage.LoginFlows.
func (s *Store) CreateLoginFlow(ctx context.Context, f storage.LoginFlow) error {
	if _, err := s.exec(ctx, `INSERT INTO login_flows (id, version, state, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		f.ID, f.Version, string(f.State), micros(f.CreatedAt), micros(f.ExpiresAt)); err != nil {
		return fmt.Errorf("create login flow: %w", err)
	}
	return nil
}

// GetLoginFlow implements storage.LoginFlows.
func (s *Store) GetLoginFlow(ctx context.Context, id string, now time.Time) (storage.LoginFlow, error) {
	var (
		f          storage.LoginFlow
		state      string
		cr, expiry int64
	)
	err := s.queryRow(ctx, `SELECT id, version, state, created_at, expires_at FROM login_flows WHERE id = $1 AND expires_at > $2`,
		id, micros(now)).Scan(&f.ID, &f.Version, &state, &cr, &expiry)
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("login flow: %w", model.ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("get login flow: %w", err)
	}
	f.State, f.CreatedAt, f.ExpiresAt = []byte(state), fromMicros(cr), fromMicros(expiry)
	return f, nil
}

// UpdateLoginFlow implements storage.LoginFlows: one conditional UPDATE,
// so of two writers holding the same version exactly one matches.
func (s *Store) UpdateLoginFlow(ctx context.Context, id string, version int64, state []byte, expiresAt time.Time) (int64, error) {
	res, err := s.exec(ctx, `UPDATE login_flows SET version = version + 1, state = $3, expires_at = $4 WHERE id = $1 AND version = $2`,
		id, version, string(state), micros(expiresAt))
	if err != nil {
		return 0, fmt.Errorf("update login flow: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return version + 1, nil
	}
	return 0, s.flowMiss(ctx, id)
}

// DeleteLoginFlow implements storage.LoginFlows.
func (s *Store) DeleteLoginFlow(ctx context.Context, id string, version int64) error {
	res, err := s.exec(ctx, `DELETE FROM login_flows WHERE id = $1 AND version = $2`, id, version)
	if err != nil {
		return fmt.Errorf("delete login flow: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	return s.flowMiss(ctx, id)
}

// flowMiss tells why a conditional write matched no row.
func (s *Store) flowMiss(ctx context.Context, id string) error {
	var one int
	err := s.queryRow(ctx, `SELECT 1 FROM login_flows WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("login flow: %w", model.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("login flow: %w", err)
	}
	return fmt.Errorf("login flow: %w", model.ErrStale)
}

// PurgeLoginFlows implements storage.LoginFlows.
func (s *Store) PurgeLoginFlows(ctx context.Context, before time.Time) (int, error) {
	res, err := s.exec(ctx, `DELETE FROM login_flows WHERE expires_at < $1`, micros(before))
	if err != nil {
		return 0, fmt.Errorf("purge login flows: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
