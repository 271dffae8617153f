package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sesame-sso/sesame/internal/model"
)

// AppendAudit implements storage.Storage.
func (s *Store) AppendAudit(ctx context.Context, e model.AuditEvent) error {
	if e.Action == "" || e.Outcome == "" {
		return model.Invalid("action", "audit events need an action and an outcome")
	}
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	details := ""
	if len(e.Details) > 0 {
		b, err := json.Marshal(e.Details)
		if err != nil {
			return fmt.Errorf("audit details: %w", err)
		}
		details = string(b)
	}
	_, err := s.exec(ctx, `INSERT INTO audit_log (at, actor_id, action, target_type, target_id, context_id, source_ip, outcome, details)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		micros(e.Time), e.ActorID, e.Action, e.TargetType, e.TargetID, e.ContextID, e.SourceIP, e.Outcome, details)
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

// ListAudit implements storage.Storage; newest first.
func (s *Store) ListAudit(ctx context.Context, f model.AuditFilter) ([]model.AuditEvent, bool, error) {
	f.Page = f.Page.Normalize()
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.ActorID != "" {
		where = append(where, `actor_id = `+arg(f.ActorID))
	}
	if f.TargetID != "" {
		where = append(where, `target_id = `+arg(f.TargetID))
	}
	if f.Action != "" {
		where = append(where, `action = `+arg(f.Action))
	}
	if !f.Since.IsZero() {
		where = append(where, `at >= `+arg(micros(f.Since)))
	}
	if !f.Until.IsZero() {
		where = append(where, `at < `+arg(micros(f.Until)))
	}
	if f.ContextIDs != nil {
		if len(f.ContextIDs) == 0 {
			return nil, false, nil
		}
		ps := make([]string, len(f.ContextIDs))
		for i, c := range f.ContextIDs {
			ps[i] = arg(c)
		}
		where = append(where, `context_id IN (`+strings.Join(ps, ", ")+`)`)
	}
	if f.Within != nil {
		var ors []string
		for _, w := range f.Within {
			_, path, err := s.getContext(ctx, w, false)
			if err != nil {
				continue
			}
			ors = append(ors, `(c.path >= `+arg(path)+` AND c.path < `+arg(path+"~")+`)`)
		}
		if len(ors) == 0 {
			return nil, false, nil
		}
		where = append(where, `EXISTS (SELECT 1 FROM contexts c WHERE c.id = audit_log.context_id AND (`+strings.Join(ors, " OR ")+`))`)
	}
	q := `SELECT id, at, actor_id, action, target_type, target_id, context_id, source_ip, outcome, details FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += ` ORDER BY id DESC LIMIT ` + arg(f.Page.Limit+1) + ` OFFSET ` + arg(f.Page.Offset)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	var out []model.AuditEvent
	for rows.Next() {
		var (
			e       model.AuditEvent
			at      int64
			details string
		)
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.Action, &e.TargetType, &e.TargetID, &e.ContextID, &e.SourceIP, &e.Outcome, &details); err != nil {
			return nil, false, fmt.Errorf("list audit: %w", err)
		}
		e.Time = fromMicros(at)
		if details != "" {
			if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
				return nil, false, fmt.Errorf("audit %d details: %w", e.ID, err)
			}
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("list audit: %w", err)
	}
	more := len(out) > f.Page.Limit
	if more {
		out = out[:f.Page.Limit]
	}
	return out, more, nil
}
