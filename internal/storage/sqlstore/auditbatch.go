package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/sesame-sso/sesame/internal/model"
)

// auditBatchRows bounds the rows of one INSERT (9 parameters each: far
// below SQLite's and PostgreSQL's parameter limits).
const auditBatchRows = 500

// AppendAuditBatch implements storage.AuditBatcher: multi-row INSERTs in
// one transaction.
func (s *Store) AppendAuditBatch(ctx context.Context, events []model.AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	args := make([]any, 0, 9*min(len(events), auditBatchRows))
	for _, e := range events {
		if err := checkAudit(e); err != nil {
			return err
		}
	}
	return s.inTx(ctx, func(tx *Store) error {
		for start := 0; start < len(events); start += auditBatchRows {
			chunk := events[start:min(start+auditBatchRows, len(events))]
			args = args[:0]
			var q strings.Builder
			q.WriteString(`INSERT INTO audit_log (at, actor_id, action, target_type, target_id, context_id, source_ip, outcome, details) VALUES `)
			for i, e := range chunk {
				if i > 0 {
					q.WriteString(", ")
				}
				if tx.rb.d == dialectSQLite {
					// Anonymous parameters: SQLite looks numbered ones up
					// by name, which grows with the square of the count.
					q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
				} else {
					q.WriteString("(" + placeholders(len(args)+1, 9) + ")")
				}
				var err error
				if args, err = s.auditArgs(args, e); err != nil {
					return err
				}
			}
			// Not through the prepared-statement cache: the text varies
			// with the batch size.
			text := q.String()
			if tx.rb.d != dialectSQLite {
				text = tx.rb.rebind(text)
			}
			if _, err := tx.q.ExecContext(ctx, text, args...); err != nil {
				return fmt.Errorf("append audit batch: %w", mapErr(err))
			}
		}
		return nil
	})
}
