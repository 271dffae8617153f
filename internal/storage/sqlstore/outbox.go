package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/sesame-sso/sesame/internal/storage"
)

// The outbox (R-MSG-2). A claim is one UPDATE … RETURNING over the due
// rows: on PostgreSQL the rows are picked with FOR UPDATE SKIP LOCKED, so
// concurrent workers on several nodes take disjoint sets without waiting
// for each other; on SQLite the single writer (wlock) serialises claims.
// The lease (lease_owner, lease_until) keeps a claimed message from other
// workers until it is finished or the lease runs out (a crashed node).

const outboxCols = `id, channel, kind, user_id, recipient, recipient_name, language, subject, text_body, html_body,
	status, attempts, next_attempt, lease_owner, lease_until, last_error, created_at, done_at`

func scanOutbox(sc interface{ Scan(...any) error }) (storage.OutboxMessage, error) {
	var (
		m                          storage.OutboxMessage
		next, lease, created, done int64
	)
	err := sc.Scan(&m.ID, &m.Channel, &m.Kind, &m.UserID, &m.To, &m.ToName, &m.Language, &m.Subject, &m.Text, &m.HTML,
		&m.Status, &m.Attempts, &next, &m.LeaseOwner, &lease, &m.LastError, &created, &done)
	if err != nil {
		return m, err
	}
	m.NextAttempt, m.CreatedAt = fromMicros(next), fromMicros(created)
	if lease > 0 {
		m.LeaseUntil = fromMicros(lease)
	}
	if done > 0 {
		m.DoneAt = fromMicros(done)
	}
	return m, nil
}

// EnqueueMessage implements storage.Outbox.
func (s *Store) EnqueueMessage(ctx context.Context, m storage.OutboxMessage) error {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.now()
	}
	var done int64
	if !m.DoneAt.IsZero() {
		done = micros(m.DoneAt)
	}
	_, err := s.exec(ctx, `INSERT INTO outbox (`+outboxCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, '', 0, $14, $15, $16)`,
		m.ID, m.Channel, m.Kind, m.UserID, m.To, m.ToName, m.Language, m.Subject, m.Text, m.HTML,
		m.Status, m.Attempts, micros(m.NextAttempt), m.LastError, micros(m.CreatedAt), done)
	if err != nil {
		return fmt.Errorf("enqueue message: %w", err)
	}
	return nil
}

// ClaimMessages implements storage.Outbox.
func (s *Store) ClaimMessages(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]storage.OutboxMessage, error) {
	lock := ""
	if s.rb.d == dialectPostgres {
		lock = ` FOR UPDATE SKIP LOCKED`
	}
	defer s.wlock()()
	// The outer WHERE repeats the due condition: PostgreSQL re-checks it on
	// a row another claimer updated meanwhile.
	q := s.rb.rebind(`UPDATE outbox SET lease_owner = $1, lease_until = $2, attempts = attempts + 1
		WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt <= $3 AND lease_until <= $3
			ORDER BY next_attempt LIMIT $4` + lock + `)
		AND status = 'queued' AND lease_until <= $3
		RETURNING ` + outboxCols)
	rows, err := s.q.QueryContext(ctx, q, owner, micros(leaseUntil), micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim messages: %w", mapErr(err))
	}
	defer rows.Close()
	var out []storage.OutboxMessage
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			return nil, fmt.Errorf("claim messages: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim messages: %w", mapErr(err))
	}
	return out, nil
}

// FinishMessage implements storage.Outbox. Final states erase the bodies:
// one-time codes and reset links do not stay in the database.
func (s *Store) FinishMessage(ctx context.Context, id, owner, status string, next time.Time, lastErr string) (bool, error) {
	var (
		res sql.Result
		err error
	)
	if status == storage.MessageQueued {
		res, err = s.exec(ctx, `UPDATE outbox SET status = $3, next_attempt = $4, last_error = $5, lease_owner = '', lease_until = 0
			WHERE id = $1 AND lease_owner = $2`, id, owner, status, micros(next), lastErr)
	} else {
		res, err = s.exec(ctx, `UPDATE outbox SET status = $3, done_at = $4, last_error = $5, lease_owner = '', lease_until = 0,
			text_body = '', html_body = '' WHERE id = $1 AND lease_owner = $2`, id, owner, status, micros(next), lastErr)
	}
	if err != nil {
		return false, fmt.Errorf("finish message: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("finish message: %w", err)
	}
	return n == 1, nil
}

// GetMessage implements storage.Outbox.
func (s *Store) GetMessage(ctx context.Context, id string) (storage.OutboxMessage, error) {
	m, err := scanOutbox(s.queryRow(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = $1`, id))
	if err != nil {
		return m, fmt.Errorf("message %q: %w", id, mapErr(err))
	}
	return m, nil
}

// ListMessages implements storage.Outbox.
func (s *Store) ListMessages(ctx context.Context, status string, limit int) ([]storage.OutboxMessage, error) {
	rows, err := s.query(ctx, `SELECT `+outboxCols+` FROM outbox WHERE ($1 = '' OR status = $1) ORDER BY created_at, id LIMIT $2`, status, limit)
	if err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	defer rows.Close()
	var out []storage.OutboxMessage
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			return nil, fmt.Errorf("list messages: %w", err)
		}
		out = append(out, m)
	}
	return out, mapErr(rows.Err())
}

// CountMessages implements storage.Outbox (index outbox_due leads with status).
func (s *Store) CountMessages(ctx context.Context, status string) (int, error) {
	var n int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM outbox WHERE status = $1`, status).Scan(&n); err != nil {
		return 0, fmt.Errorf("count messages: %w", mapErr(err))
	}
	return n, nil
}
