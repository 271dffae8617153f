package directory

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Protocol audit events (R-OPS-4: token issue, client authentication,
// CAS tickets, theft signals) happen on the hot token paths. Writing each
// one in its own transaction would cost a commit per token (a WAL flush on
// PostgreSQL, the single write lock on SQLite), more than the 5 % the token
// benchmarks may lose. So they go through auditQueue: the request appends
// to a bounded in-memory queue and returns; one writer goroutine, started
// when events are waiting and gone when the queue is empty, writes
// everything queued so far in one transaction — the batch grows with the
// load, so the commit cost is shared. Nothing is dropped silently: a full
// queue makes the caller write its event itself (back-pressure), and a
// batch that cannot be written is logged event by event at ERROR (the
// events hold no secrets, so the log may carry them).

// auditQueueMax bounds the events waiting in memory.
const auditQueueMax = 4096

type auditQueue struct {
	store storage.Storage
	log   *slog.Logger

	mu      sync.Mutex
	idle    *sync.Cond // signalled when the writer stops
	pending []model.AuditEvent
	running bool
}

func newAuditQueue(st storage.Storage, log *slog.Logger) *auditQueue {
	q := &auditQueue{store: st, log: log}
	q.idle = sync.NewCond(&q.mu)
	return q
}

// add queues e; with the queue full it writes e at once.
func (q *auditQueue) add(e model.AuditEvent) {
	q.mu.Lock()
	if len(q.pending) >= auditQueueMax {
		q.mu.Unlock()
		q.write([]model.AuditEvent{e})
		return
	}
	q.pending = append(q.pending, e)
	if !q.running {
		q.running = true
		go q.drain()
	}
	q.mu.Unlock()
}

func (q *auditQueue) drain() {
	for {
		q.mu.Lock()
		batch := q.pending
		q.pending = nil
		if len(batch) == 0 {
			q.running = false
			q.idle.Broadcast()
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		q.write(batch)
	}
}

// write stores a batch in one transaction; on failure every event goes to
// the log instead.
func (q *auditQueue) write(batch []model.AuditEvent) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := q.store.InTx(ctx, func(tx storage.Storage) error {
		for _, e := range batch {
			if err := tx.AppendAudit(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		return
	}
	q.log.Error("audit events could not be stored; logged here instead", "count", len(batch), "err", err)
	for _, e := range batch {
		q.log.Error("audit event", "time", e.Time, "action", e.Action, "outcome", e.Outcome, "actor", e.ActorID,
			"targetType", e.TargetType, "target", e.TargetID, "context", e.ContextID, "ip", e.SourceIP, "details", e.Details)
	}
}

// flush waits until every queued event is written (or logged).
func (q *auditQueue) flush() {
	q.mu.Lock()
	for q.running {
		q.idle.Wait()
	}
	q.mu.Unlock()
}
