package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/sesame-sso/sesame/internal/storage"
)

// Brute-force counters (R-PWD-3): one row per key, counted by an UPSERT so
// concurrent failures on several nodes are all counted.

const throttleCols = `key, hits, last_hit, not_before, locked_until`

func scanThrottle(sc interface{ Scan(...any) error }) (storage.ThrottleState, error) {
	var (
		t                    storage.ThrottleState
		last, notBef, locked int64
	)
	if err := sc.Scan(&t.Key, &t.Hits, &last, &notBef, &locked); err != nil {
		return t, err
	}
	t.LastHit = fromMicros(last)
	if notBef > 0 {
		t.NotBefore = fromMicros(notBef)
	}
	if locked > 0 {
		t.LockedUntil = fromMicros(locked)
	}
	return t, nil
}

// ThrottleHit implements storage.Throttle.
func (s *Store) ThrottleHit(ctx context.Context, key string, now, resetBefore time.Time) (storage.ThrottleState, error) {
	defer s.wlock()()
	q := s.rb.rebind(`INSERT INTO throttle (` + throttleCols + `) VALUES ($1, 1, $2, 0, 0)
		ON CONFLICT (key) DO UPDATE SET
			hits = CASE WHEN throttle.last_hit < $3 THEN 1 ELSE throttle.hits + 1 END,
			last_hit = $2
		RETURNING ` + throttleCols)
	t, err := scanThrottle(s.q.QueryRowContext(ctx, q, key, micros(now), micros(resetBefore)))
	if err != nil {
		return t, fmt.Errorf("throttle hit: %w", mapErr(err))
	}
	return t, nil
}

// ThrottleBlock implements storage.Throttle.
func (s *Store) ThrottleBlock(ctx context.Context, key string, notBefore, lockedUntil time.Time) error {
	opt := func(t time.Time) int64 {
		if t.IsZero() {
			return 0
		}
		return micros(t)
	}
	_, err := s.exec(ctx, `UPDATE throttle SET
		not_before = CASE WHEN not_before > $2 THEN not_before ELSE $2 END,
		locked_until = CASE WHEN locked_until > $3 THEN locked_until ELSE $3 END
		WHERE key = $1`, key, opt(notBefore), opt(lockedUntil))
	if err != nil {
		return fmt.Errorf("throttle block: %w", err)
	}
	return nil
}

// ThrottleStates implements storage.Throttle.
func (s *Store) ThrottleStates(ctx context.Context, keys ...string) ([]storage.ThrottleState, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	var f filter
	rows, err := s.query(ctx, `SELECT `+throttleCols+` FROM throttle WHERE key IN `+f.list(keys), f.args...)
	if err != nil {
		return nil, fmt.Errorf("throttle states: %w", err)
	}
	defer rows.Close()
	var out []storage.ThrottleState
	for rows.Next() {
		t, err := scanThrottle(rows)
		if err != nil {
			return nil, fmt.Errorf("throttle states: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ThrottleReset implements storage.Throttle.
func (s *Store) ThrottleReset(ctx context.Context, key string) error {
	if _, err := s.exec(ctx, `DELETE FROM throttle WHERE key = $1`, key); err != nil {
		return fmt.Errorf("throttle reset: %w", err)
	}
	return nil
}

// PurgeThrottle implements storage.Throttle.
func (s *Store) PurgeThrottle(ctx context.Context, before time.Time) (int, error) {
	res, err := s.exec(ctx, `DELETE FROM throttle WHERE last_hit < $1 AND locked_until < $1`, micros(before))
	if err != nil {
		return 0, fmt.Errorf("purge throttle: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
