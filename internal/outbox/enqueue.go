package outbox

import (
	"context"
	"fmt"
	"net/mail"
	"path"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-sso/sesame/internal/message"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Recipient is who a message goes to.
type Recipient struct {
	UserID string
	// Name is the display name of an email recipient (user input: never
	// put into a header unencoded).
	Name string
	// Email or Phone, depending on the message type's channel.
	Email, Phone string
	// Language is the user's preference ("" = English).
	Language string
	// Undeliverable: the user's email is marked as a virtual address
	// (model.User.EmailUndeliverable, seed 002): an email is never sent.
	Undeliverable bool
}

// UserRecipient is u as a recipient: name, email (with its
// undeliverable mark), phone and language.
func UserRecipient(u model.User) Recipient {
	return Recipient{UserID: u.ID, Name: strings.TrimSpace(u.Person.FirstName + " " + u.Person.LastName),
		Email: u.Person.Email, Phone: u.Person.Phone, Language: u.Person.Language, Undeliverable: u.EmailUndeliverable}
}

// Request is one message to send.
type Request struct {
	Type message.Type
	To   Recipient
	// Data fills the type's placeholders (message.Placeholders); Name is
	// set from To.Name when absent.
	Data map[string]string
}

// Queue renders and enqueues messages.
type Queue struct {
	// undeliverable are glob patterns (path.Match, lower case) of
	// addresses never sent to, e.g. "*@marketplace.invalid".
	undeliverable []string
	now           func() time.Time
}

// NewQueue returns a queue that skips addresses matching undeliverable.
func NewQueue(undeliverable []string, now func() time.Time) *Queue {
	if now == nil {
		now = time.Now
	}
	ps := make([]string, len(undeliverable))
	for i, p := range undeliverable {
		ps[i] = strings.ToLower(p)
	}
	return &Queue{undeliverable: ps, now: now}
}

// Undeliverable reports whether addr matches a pattern of addresses that
// must never receive mail (seed 002: virtual addresses are ids, not
// mailboxes).
func (q *Queue) Undeliverable(addr string) bool {
	a := strings.ToLower(strings.TrimSpace(addr))
	for _, p := range q.undeliverable {
		if ok, _ := path.Match(p, a); ok {
			return true
		}
	}
	return false
}

// Enqueue renders req in the recipient's language and writes it to the
// outbox through tx — the Storage of the transaction making the change
// that causes the message, so both commit or neither (R-MSG-2). A message
// to an undeliverable address — a configured pattern, or an address
// marked on the user (Recipient.Undeliverable) — is stored as skipped,
// with an audit entry, and never sent. It returns the message id.
func (q *Queue) Enqueue(ctx context.Context, tx storage.Storage, req Request) (string, error) {
	channel, to := storage.ChannelEmail, req.To.Email
	if req.Type.IsSMS() {
		channel, to = storage.ChannelSMS, req.To.Phone
	}
	if err := checkRecipient(channel, to); err != nil {
		return "", err
	}
	data := map[string]string{"Name": req.To.Name}
	for k, v := range req.Data {
		data[k] = v
	}
	r, err := message.Render(ctx, tx, req.Type, req.To.Language, data)
	if err != nil {
		return "", err
	}
	now := q.now().UTC()
	m := storage.OutboxMessage{ID: uuid.NewString(), Channel: channel, Kind: string(req.Type), UserID: req.To.UserID,
		To: to, ToName: oneLine(req.To.Name), Language: r.Language, Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		Status: storage.MessageQueued, NextAttempt: now, CreatedAt: now}
	reason := ""
	switch {
	case channel != storage.ChannelEmail:
	case req.To.Undeliverable:
		reason = "virtual address"
	case q.Undeliverable(to):
		reason = "undeliverable address"
	}
	if reason != "" {
		m.Status, m.DoneAt, m.Text, m.HTML, m.LastError = storage.MessageSkipped, now, "", "", reason
		if err := tx.AppendAudit(ctx, model.AuditEvent{Time: now, Action: "message.skipped", TargetType: "user", TargetID: req.To.UserID,
			Outcome: model.OutcomeFailure, Details: map[string]any{"messageId": m.ID, "type": m.Kind, "reason": reason}}); err != nil {
			return "", fmt.Errorf("audit skipped message: %w", err)
		}
	}
	if err := tx.EnqueueMessage(ctx, m); err != nil {
		return "", err
	}
	return m.ID, nil
}

// checkRecipient refuses addresses that could inject headers or are not
// one plain address (header injection through addresses).
func checkRecipient(channel, to string) error {
	if to == "" {
		return model.Invalid("to", "the user has no %s address", channel)
	}
	if strings.ContainsFunc(to, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return model.Invalid("to", "the address contains control characters")
	}
	if channel == storage.ChannelEmail {
		a, err := mail.ParseAddress(to)
		if err != nil || a.Address != to || a.Name != "" {
			return model.Invalid("to", "%q is not one plain email address", to)
		}
		return nil
	}
	digits := strings.TrimPrefix(to, "+")
	if len(digits) < 3 || len(digits) > 20 || strings.Trim(digits, "0123456789") != "" {
		return model.Invalid("to", "%q is not a phone number (E.164)", to)
	}
	return nil
}

// oneLine drops line breaks and other control characters from a display
// name; the SMTP sender encodes what is left.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }), " ")
}
