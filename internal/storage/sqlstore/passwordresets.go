package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// CreatePasswordReset implements storage.PasswordResets.
func (s *Store) CreatePasswordReset(ctx context.Context, r storage.PasswordReset) error {
	if _, err := s.exec(ctx, `INSERT INTO password_resets (token_hash, user_id, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5)`,
		r.TokenHash, r.UserID, micros(r.CreatedAt), micros(r.ExpiresAt), optMicros(r.UsedAt)); err != nil {
		return fmt.Errorf("create password reset: %w", err)
	}
	return nil
}

// GetPasswordReset implements storage.PasswordResets.
func (s *Store) GetPasswordReset(ctx context.Context, tokenHash string, now time.Time) (storage.PasswordReset, error) {
	var (
		r            storage.PasswordReset
		cr, exp, use int64
	)
	err := s.queryRow(ctx, `SELECT token_hash, user_id, created_at, expires_at, used_at FROM password_resets
		WHERE token_hash = $1 AND used_at = 0 AND expires_at > $2`, tokenHash, micros(now)).Scan(&r.TokenHash, &r.UserID, &cr, &exp, &use)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("password reset: %w", model.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("get password reset: %w", err)
	}
	r.CreatedAt, r.ExpiresAt = fromMicros(cr), fromMicros(exp)
	if use > 0 {
		r.UsedAt = fromMicros(use)
	}
	return r, nil
}

// ConsumePasswordReset implements storage.PasswordResets: one conditional
// UPDATE decides which consumer gets the link.
func (s *Store) ConsumePasswordReset(ctx context.Context, tokenHash string, now time.Time) (storage.PasswordReset, error) {
	r, err := s.GetPasswordReset(ctx, tokenHash, now)
	if err != nil {
		return r, err
	}
	res, err := s.exec(ctx, `UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at = 0 AND expires_at > $2`,
		tokenHash, micros(now))
	if err != nil {
		return r, fmt.Errorf("consume password reset: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return storage.PasswordReset{}, fmt.Errorf("password reset: %w", model.ErrNotFound)
	}
	r.UsedAt = now
	return r, nil
}

// DeleteUserPasswordResets implements storage.PasswordResets.
func (s *Store) DeleteUserPasswordResets(ctx context.Context, userID string) error {
	if _, err := s.exec(ctx, `DELETE FROM password_resets WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete password resets: %w", err)
	}
	return nil
}

// UserIDsByEmail implements storage.PasswordResets (index users_email).
func (s *Store) UserIDsByEmail(ctx context.Context, tenantID, email string, limit int) ([]string, error) {
	rows, err := s.query(ctx, `SELECT id FROM users WHERE email_lc = $1 AND tenant_id = $2 ORDER BY id LIMIT $3`,
		strings.ToLower(strings.TrimSpace(email)), tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("users by email: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("users by email: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// PurgePasswordResets implements storage.PasswordResets.
func (s *Store) PurgePasswordResets(ctx context.Context, before time.Time) (int, error) {
	res, err := s.exec(ctx, `DELETE FROM password_resets WHERE expires_at < $1`, micros(before))
	if err != nil {
		return 0, fmt.Errorf("purge password resets: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
