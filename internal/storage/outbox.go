package storage

import (
	"context"
	"time"
)

// Outbox message channels (R-MSG-2).
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// Outbox message states.
const (
	// MessageQueued: waiting to be sent (again) at NextAttempt.
	MessageQueued = "queued"
	// MessageSent: handed to the SMTP server or SMS gateway.
	MessageSent = "sent"
	// MessageFailed: gave up after the last attempt or a permanent error.
	MessageFailed = "failed"
	// MessageSkipped: never sent, the address is marked undeliverable.
	MessageSkipped = "skipped"
)

// OutboxMessage is one rendered email or SMS waiting in the outbox table
// (R-MSG-2): written in the transaction of the change that causes it,
// sent by the outbox worker of any node.
type OutboxMessage struct {
	ID      string
	Channel string // ChannelEmail or ChannelSMS
	// Kind is the message template type (password_reset, otp_sms, …).
	Kind   string
	UserID string
	// To is the email address or the phone number; ToName the display
	// name of an email recipient.
	To, ToName string
	Language   string
	Subject    string
	Text, HTML string
	Status     string
	// Attempts counts the claims so far (a claim is an attempt, so a node
	// that dies while sending still uses one up).
	Attempts    int
	NextAttempt time.Time
	// LeaseOwner/LeaseUntil: the worker that claimed the message and until
	// when no other worker may claim it.
	LeaseOwner string
	LeaseUntil time.Time
	LastError  string
	CreatedAt  time.Time
	// DoneAt: when it was sent, failed or skipped (zero while queued).
	DoneAt time.Time
}

// Outbox is the message queue table (R-MSG-2). Claims are atomic across
// nodes: a message is claimed by one worker at a time.
type Outbox interface {
	// EnqueueMessage stores m (ID, Channel, To, Status and NextAttempt set
	// by the caller). Call it on the transaction's Storage, so the message
	// commits or rolls back with the change that causes it.
	EnqueueMessage(ctx context.Context, m OutboxMessage) error
	// ClaimMessages leases up to limit queued messages due at now (next
	// attempt reached, no live lease) to owner until leaseUntil, counting
	// one attempt each, and returns them. Two concurrent claimers never
	// receive the same message while its lease lasts.
	ClaimMessages(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]OutboxMessage, error)
	// FinishMessage ends owner's lease on id: status is MessageQueued (retry
	// at next) or a final state (done at next, bodies erased). It reports
	// false when owner no longer holds the lease.
	FinishMessage(ctx context.Context, id, owner, status string, next time.Time, lastErr string) (bool, error)
	// GetMessage reads one message.
	GetMessage(ctx context.Context, id string) (OutboxMessage, error)
	// ListMessages lists messages in a state ("" = every state), oldest first.
	ListMessages(ctx context.Context, status string, limit int) ([]OutboxMessage, error)
	// CountMessages counts the messages in a state (the outbox depth the
	// metrics show for MessageQueued).
	CountMessages(ctx context.Context, status string) (int, error)
}
