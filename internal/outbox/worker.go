package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Sender delivers one message on its channel. An error wrapped with
// Permanent is not retried.
type Sender interface {
	Send(ctx context.Context, m storage.OutboxMessage) error
}

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks err as not worth retrying (a refused recipient, a
// message that cannot be built).
func Permanent(err error) error { return permanent{err} }

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool { var p permanent; return errors.As(err, &p) }

// Options tune a Worker; zero values take the defaults.
type Options struct {
	// Owner names this worker in leases (node id); required to be unique.
	Owner string
	// Poll is the pause between claims when nothing is due (default 2 s).
	Poll time.Duration
	// Lease is how long a claimed message is kept from other workers
	// (default 5 min); it must exceed a sender's timeout.
	Lease time.Duration
	// Batch is the number of messages claimed at once (default 20).
	Batch int
	// MaxAttempts: after this many failed attempts the message is failed
	// (default 8).
	MaxAttempts int
	// Backoff is the delay after the first failure, doubled after each
	// further one up to MaxBackoff (defaults 30 s and 1 h).
	Backoff, MaxBackoff time.Duration
	Now                 func() time.Time
	Logger              *slog.Logger
}

// Worker sends queued messages (R-MSG-2).
type Worker struct {
	store   storage.Storage
	senders map[string]Sender
	o       Options
	wake    chan struct{}
}

// NewWorker returns a worker sending through senders (by channel:
// storage.ChannelEmail, storage.ChannelSMS). Messages of a channel without
// a sender stay queued.
func NewWorker(st storage.Storage, senders map[string]Sender, o Options) *Worker {
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	if o.Lease <= 0 {
		o.Lease = 5 * time.Minute
	}
	if o.Batch <= 0 {
		o.Batch = 20
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.Backoff <= 0 {
		o.Backoff = 30 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Worker{store: st, senders: senders, o: o, wake: make(chan struct{}, 1)}
}

// Run sends until ctx ends: it claims a batch, sends it, and pauses for
// Poll when nothing was due. It returns when ctx is done (a message being
// sent then is left leased and retried after the lease).
func (w *Worker) Run(ctx context.Context) {
	for {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.o.Logger.Warn("outbox: claim failed", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(w.o.Poll):
		case <-w.wake:
		}
	}
}

// Wake makes Run claim now instead of after its pause: call it after
// committing a transaction that enqueued a message someone waits for (a
// one-time code). Other nodes' workers find it at their next poll.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// RunOnce claims one batch of due messages and sends them; it returns how
// many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	now := w.o.Now().UTC()
	msgs, err := w.store.ClaimMessages(ctx, w.o.Owner, now, now.Add(w.o.Lease), w.o.Batch)
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	for _, m := range msgs {
		if err := w.deliver(ctx, m); err != nil {
			return len(msgs), err
		}
	}
	return len(msgs), nil
}

func (w *Worker) deliver(ctx context.Context, m storage.OutboxMessage) error {
	s, ok := w.senders[m.Channel]
	var err error
	if !ok {
		err = fmt.Errorf("no %s sender configured", m.Channel)
	} else {
		err = s.Send(ctx, m)
	}
	now := w.o.Now().UTC()
	if err == nil {
		_, ferr := w.store.FinishMessage(ctx, m.ID, w.o.Owner, storage.MessageSent, now, "")
		return ferr
	}
	if ctx.Err() != nil {
		return ctx.Err() // shutting down: the lease runs out, another attempt follows
	}
	msg := err.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	if !IsPermanent(err) && m.Attempts < w.o.MaxAttempts {
		next := now.Add(w.backoff(m.Attempts))
		w.o.Logger.Info("outbox: send failed, will retry", "id", m.ID, "channel", m.Channel, "attempt", m.Attempts, "next", next, "err", err)
		_, ferr := w.store.FinishMessage(ctx, m.ID, w.o.Owner, storage.MessageQueued, next, msg)
		return ferr
	}
	w.o.Logger.Warn("outbox: message failed", "id", m.ID, "channel", m.Channel, "attempts", m.Attempts, "err", err)
	return w.store.InTx(ctx, func(tx storage.Storage) error {
		held, err := tx.FinishMessage(ctx, m.ID, w.o.Owner, storage.MessageFailed, now, msg)
		if err != nil || !held {
			return err
		}
		return tx.AppendAudit(ctx, model.AuditEvent{Time: now, Action: "message.failed", TargetType: "user", TargetID: m.UserID,
			Outcome: model.OutcomeFailure, Details: map[string]any{"messageId": m.ID, "type": m.Kind, "channel": m.Channel,
				"attempts": m.Attempts, "error": msg}})
	})
}

// backoff is the delay after the attempt-th failure: Backoff·2^(attempt-1),
// at most MaxBackoff.
func (w *Worker) backoff(attempt int) time.Duration {
	d := w.o.Backoff
	for i := 1; i < attempt && d < w.o.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, w.o.MaxBackoff)
}
