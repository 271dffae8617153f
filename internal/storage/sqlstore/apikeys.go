package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-sso/sesame/internal/model"
)

// User API keys (R-SSO-6). The table holds the SHA-256 of each key, never
// the key.

const apiKeyCols = `id, user_id, name, prefix, hash, expires_at, last_used_at, created_at`

func scanAPIKey(sc interface{ Scan(...any) error }) (model.APIKey, error) {
	var (
		k             model.APIKey
		expires, used sql.NullInt64
		created       int64
	)
	if err := sc.Scan(&k.ID, &k.UserID, &k.Name, &k.Prefix, &k.Hash, &expires, &used, &created); err != nil {
		return k, err
	}
	k.ExpiresAt, k.LastUsedAt, k.CreatedAt = fromNullMicros(expires), fromNullMicros(used), fromMicros(created)
	return k, nil
}

// CreateAPIKey implements storage.Storage.
func (s *Store) CreateAPIKey(ctx context.Context, k model.APIKey) (model.APIKey, error) {
	if strings.TrimSpace(k.Name) == "" {
		return k, model.Invalid("name", "is required")
	}
	if len(k.Hash) != 64 {
		return k, model.Invalid("hash", "must be a hex SHA-256")
	}
	if k.ID == "" {
		k.ID = uuid.NewString()
	}
	k.CreatedAt = s.now().UTC()
	k.LastUsedAt = nil
	_, err := s.exec(ctx, `INSERT INTO api_keys (`+apiKeyCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		k.ID, k.UserID, k.Name, k.Prefix, k.Hash, nullMicros(k.ExpiresAt), nullMicros(nil), micros(k.CreatedAt))
	if model.ErrorCode(err) == model.EINVALID {
		return k, model.Invalid("userId", "user %q does not exist", k.UserID)
	}
	if err != nil {
		return k, fmt.Errorf("create api key: %w", err)
	}
	if k.ExpiresAt != nil {
		t := k.ExpiresAt.UTC().Truncate(time.Microsecond)
		k.ExpiresAt = &t
	}
	return k, nil
}

// GetAPIKeyByHash implements storage.Storage.
func (s *Store) GetAPIKeyByHash(ctx context.Context, hash string) (model.APIKey, error) {
	k, err := scanAPIKey(s.queryRow(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return k, fmt.Errorf("api key: %w", model.ErrNotFound)
	}
	if err != nil {
		return k, fmt.Errorf("get api key: %w", err)
	}
	return k, nil
}

// ListAPIKeys implements storage.Storage.
func (s *Store) ListAPIKeys(ctx context.Context, userID string) ([]model.APIKey, error) {
	rows, err := s.query(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	defer rows.Close()
	var out []model.APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, fmt.Errorf("list api keys: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return out, nil
}

// DeleteAPIKey implements storage.Storage.
func (s *Store) DeleteAPIKey(ctx context.Context, userID, id string) error {
	res, err := s.exec(ctx, `DELETE FROM api_keys WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return fmt.Errorf("delete api key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("api key", id)
	}
	return nil
}

// DeleteUserAPIKeys implements storage.Storage.
func (s *Store) DeleteUserAPIKeys(ctx context.Context, userID string) (int, error) {
	res, err := s.exec(ctx, `DELETE FROM api_keys WHERE user_id = $1`, userID)
	if err != nil {
		return 0, fmt.Errorf("delete user api keys: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// TouchAPIKey implements storage.Storage.
func (s *Store) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	if _, err := s.exec(ctx, `UPDATE api_keys SET last_used_at = $1 WHERE id = $2`, micros(at), id); err != nil {
		return fmt.Errorf("touch api key: %w", err)
	}
	return nil
}
