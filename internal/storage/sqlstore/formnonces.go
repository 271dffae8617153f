package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// ClaimFormNonce implements storage.FormNonces: the primary key decides
// (ON CONFLICT DO NOTHING keeps a PostgreSQL transaction usable).
func (s *Store) ClaimFormNonce(ctx context.Context, nonce string, expires time.Time) (bool, error) {
	res, err := s.exec(ctx, `INSERT INTO form_nonces (nonce, result, expires_at) VALUES ($1, '', $2) ON CONFLICT (nonce) DO NOTHING`,
		nonce, micros(expires))
	if err != nil {
		return false, fmt.Errorf("claim form nonce: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim form nonce: %w", err)
	}
	return n == 1, nil
}

// SetFormNonceResult implements storage.FormNonces.
func (s *Store) SetFormNonceResult(ctx context.Context, nonce, result string) error {
	if _, err := s.exec(ctx, `UPDATE form_nonces SET result = $2 WHERE nonce = $1`, nonce, result); err != nil {
		return fmt.Errorf("set form nonce result: %w", err)
	}
	return nil
}

// FormNonceResult implements storage.FormNonces.
func (s *Store) FormNonceResult(ctx context.Context, nonce string) (string, error) {
	var out string
	if err := s.queryRow(ctx, `SELECT result FROM form_nonces WHERE nonce = $1`, nonce).Scan(&out); err != nil {
		if errors.Is(mapErr(err), model.ErrNotFound) {
			return "", notFound("form nonce", nonce)
		}
		return "", fmt.Errorf("form nonce result: %w", err)
	}
	return out, nil
}

// ReleaseFormNonce implements storage.FormNonces.
func (s *Store) ReleaseFormNonce(ctx context.Context, nonce string) error {
	if _, err := s.exec(ctx, `DELETE FROM form_nonces WHERE nonce = $1`, nonce); err != nil {
		return fmt.Errorf("release form nonce: %w", err)
	}
	return nil
}
