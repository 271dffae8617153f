package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// GetActiveSession implements storage.SessionActivity: one indexed read
// that applies both the absolute (expires_at) and the idle timeout.
func (s *Store) GetActiveSession(ctx context.Context, id string, now, idleSince time.Time) (model.Session, error) {
	var (
		ss                model.Session
		auth, until, seen int64
		amr               string
	)
	err := s.queryRow(ctx, `SELECT id, user_id, context_id, auth_time, expires_at, source_ip, last_seen_at, amr, login_for, connection_id, upstream FROM sso_sessions
		WHERE id = $1 AND expires_at > $2 AND (last_seen_at > $3 OR auth_time > $3)`,
		id, micros(now), micros(idleSince)).Scan(&ss.ID, &ss.UserID, &ss.ContextID, &auth, &until, &ss.SourceIP, &seen, &amr, &ss.LoginFor, &ss.ConnectionID, &ss.Upstream)
	if errors.Is(err, sql.ErrNoRows) {
		return ss, fmt.Errorf("session: %w", model.ErrNotFound)
	}
	if err != nil {
		return ss, fmt.Errorf("get active session: %w", err)
	}
	ss.AuthTime, ss.ExpiresAt, ss.AMR = fromMicros(auth), fromMicros(until), splitAMR(amr)
	if seen > 0 {
		ss.LastSeen = fromMicros(seen)
	}
	return ss, nil
}

// TouchSession implements storage.SessionActivity.
func (s *Store) TouchSession(ctx context.Context, id string, at, notBefore time.Time) error {
	if _, err := s.exec(ctx, `UPDATE sso_sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at <= $3 AND auth_time <= $3`,
		id, micros(at), micros(notBefore)); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}
