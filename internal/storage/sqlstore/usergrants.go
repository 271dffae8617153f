package sqlstore

import (
	"context"
	"fmt"

	"github.com/sesame-sso/sesame/internal/model"
)

// UserGrants implements storage.UserGrantStore.
func (s *Store) UserGrants(ctx context.Context, userID string) ([]model.Grant, error) {
	return s.listGrants(ctx, "user_id", userID)
}

// listGrants lists the grants whose column (session_id or user_id, both
// indexed) equals value, ordered by id.
func (s *Store) listGrants(ctx context.Context, column, value string) ([]model.Grant, error) {
	if column != "session_id" && column != "user_id" {
		return nil, fmt.Errorf("list grants: unknown column %q", column)
	}
	rows, err := s.query(ctx, `SELECT id, client_id, user_id, session_id, expires_at FROM oauth_grants WHERE `+column+` = $1 ORDER BY id`, value)
	if err != nil {
		return nil, fmt.Errorf("list grants by %s: %w", column, err)
	}
	defer rows.Close()
	var out []model.Grant
	for rows.Next() {
		var (
			g   model.Grant
			exp int64
		)
		if err := rows.Scan(&g.ID, &g.ClientID, &g.UserID, &g.SessionID, &exp); err != nil {
			return nil, err
		}
		g.ExpiresAt = fromMicros(exp)
		out = append(out, g)
	}
	return out, rows.Err()
}
