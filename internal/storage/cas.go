package storage

import (
	"context"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// CAS holds CAS tickets (CAS 3.0 §3).
type CAS interface {
	// CAS tickets: ConsumeTicket removes and returns the ticket in one step,
	// so a ticket validates at most once even across nodes; an expired
	// ticket is consumed and reported as ErrNotFound.
	CreateTicket(ctx context.Context, t model.Ticket) error
	ConsumeTicket(ctx context.Context, id string, now time.Time) (model.Ticket, error)
	// GetTicket reads a ticket that has not expired at now without
	// consuming it (CAS proxy-granting tickets are used many times).
	GetTicket(ctx context.Context, id string, now time.Time) (model.Ticket, error)
}
