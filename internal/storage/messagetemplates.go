package storage

import (
	"context"
	"time"
)

// MessageTemplate is an administrator's override of a shipped message
// template for one type and language (R-MSG-1).
type MessageTemplate struct {
	Type, Language string
	Subject        string
	Text           string
	// HTML is the optional HTML body of an email ("" = text only).
	HTML      string
	UpdatedAt time.Time
	UpdatedBy string
}

// MessageTemplates stores the overrides; the defaults ship with the binary
// (internal/message).
type MessageTemplates interface {
	// PutMessageTemplate creates or replaces the override for t.Type and t.Language.
	PutMessageTemplate(ctx context.Context, t MessageTemplate) error
	// GetMessageTemplate returns the override or model.ErrNotFound.
	GetMessageTemplate(ctx context.Context, typ, language string) (MessageTemplate, error)
	// ListMessageTemplates lists every override, by type and language.
	ListMessageTemplates(ctx context.Context) ([]MessageTemplate, error)
	// DeleteMessageTemplate removes the override (back to the default); it
	// reports whether there was one.
	DeleteMessageTemplate(ctx context.Context, typ, language string) (bool, error)
}
