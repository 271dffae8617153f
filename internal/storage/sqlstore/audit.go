package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sesame-sso/sesame/internal/model"
)

// AppendAudit implements storage.Storage.
func (s *Store) AppendAudit(ctx context.Context, e model.AuditEvent) error {
	if err := checkAudit(e); err != nil {
		return err
	}
	args, err := s.auditArgs(nil, e)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, `INSERT INTO audit_log (at, actor_id, action, target_type, target_id, context_id, source_ip, outcome, details)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, args...)
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

func checkAudit(e model.AuditEvent) error {
	if e.Action == "" || e.Outcome == "" {
		return model.Invalid("action", "audit events need an action and an outcome")
	}
	return nil
}

// auditArgs appends the nine column values of e (time defaulted to now,
// details as JSON) to args.
func (s *Store) auditArgs(args []any, e model.AuditEvent) ([]any, error) {
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	details := ""
	if len(e.Details) > 0 {
		b, err := json.Marshal(e.Details)
		if err != nil {
			return args, fmt.Errorf("audit details: %w", err)
		}
		details = string(b)
	}
	return append(args, micros(e.Time), e.ActorID, e.Action, e.TargetType, e.TargetID, e.ContextID, e.SourceIP, e.Outcome, details), nil
}

// ListAudit implements storage.Storage; newest first.
func (s *Store) ListAudit(ctx context.Context, af model.AuditFilter) ([]model.AuditEvent, bool, error) {
	af.Page = af.Page.Normalize()
	var f filter
	for _, c := range [][2]string{{"actor_id", af.ActorID}, {"target_id", af.TargetID}, {"action", af.Action}, {"outcome", af.Outcome}} {
		if c[1] != "" {
			f.add(c[0] + ` = ` + f.arg(c[1]))
		}
	}
	if !af.Since.IsZero() {
		f.add(`at >= ` + f.arg(micros(af.Since)))
	}
	if !af.Until.IsZero() {
		f.add(`at < ` + f.arg(micros(af.Until)))
	}
	if af.ContextIDs != nil {
		if len(af.ContextIDs) == 0 {
			return nil, false, nil
		}
		f.add(`context_id IN ` + f.list(af.ContextIDs))
	}
	if af.Within != nil {
		cond, ok, err := s.subtree(ctx, &f, "c.path", af.Within)
		if err != nil || !ok {
			return nil, false, err
		}
		f.add(`EXISTS (SELECT 1 FROM contexts c WHERE c.id = audit_log.context_id AND ` + cond + `)`)
	}
	rows, err := s.query(ctx, f.sql(`SELECT id, at, actor_id, action, target_type, target_id, context_id, source_ip, outcome, details FROM audit_log`, "id DESC", af.Page), f.args...)
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
	out, more := page(out, af.Page)
	return out, more, nil
}
