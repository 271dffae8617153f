package sqlstore

import (
	"context"
	"fmt"

	"github.com/sesame-sso/sesame/internal/storage"
)

// Message template overrides (R-MSG-1).

const msgTemplateCols = `type, language, subject, text_body, html_body, updated_at, updated_by`

func scanMsgTemplate(sc interface{ Scan(...any) error }) (storage.MessageTemplate, error) {
	var (
		t  storage.MessageTemplate
		at int64
	)
	err := sc.Scan(&t.Type, &t.Language, &t.Subject, &t.Text, &t.HTML, &at, &t.UpdatedBy)
	t.UpdatedAt = fromMicros(at)
	return t, err
}

// PutMessageTemplate implements storage.MessageTemplates.
func (s *Store) PutMessageTemplate(ctx context.Context, t storage.MessageTemplate) error {
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = s.now()
	}
	_, err := s.exec(ctx, `INSERT INTO message_templates (`+msgTemplateCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (type, language) DO UPDATE SET subject = $3, text_body = $4, html_body = $5, updated_at = $6, updated_by = $7`,
		t.Type, t.Language, t.Subject, t.Text, t.HTML, micros(t.UpdatedAt), t.UpdatedBy)
	if err != nil {
		return fmt.Errorf("put message template: %w", err)
	}
	return nil
}

// GetMessageTemplate implements storage.MessageTemplates.
func (s *Store) GetMessageTemplate(ctx context.Context, typ, language string) (storage.MessageTemplate, error) {
	t, err := scanMsgTemplate(s.queryRow(ctx, `SELECT `+msgTemplateCols+` FROM message_templates WHERE type = $1 AND language = $2`, typ, language))
	if err != nil {
		return t, fmt.Errorf("message template %s/%s: %w", typ, language, mapErr(err))
	}
	return t, nil
}

// ListMessageTemplates implements storage.MessageTemplates.
func (s *Store) ListMessageTemplates(ctx context.Context) ([]storage.MessageTemplate, error) {
	rows, err := s.query(ctx, `SELECT `+msgTemplateCols+` FROM message_templates ORDER BY type, language`)
	if err != nil {
		return nil, fmt.Errorf("list message templates: %w", err)
	}
	defer rows.Close()
	var out []storage.MessageTemplate
	for rows.Next() {
		t, err := scanMsgTemplate(rows)
		if err != nil {
			return nil, fmt.Errorf("list message templates: %w", err)
		}
		out = append(out, t)
	}
	return out, mapErr(rows.Err())
}

// DeleteMessageTemplate implements storage.MessageTemplates.
func (s *Store) DeleteMessageTemplate(ctx context.Context, typ, language string) (bool, error) {
	res, err := s.exec(ctx, `DELETE FROM message_templates WHERE type = $1 AND language = $2`, typ, language)
	if err != nil {
		return false, fmt.Errorf("delete message template: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("delete message template: %w", err)
	}
	return n > 0, nil
}
