package directory

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Protocol audit events (R-OPS-4: token issue, client authentication,
// CAS tickets, theft signals) happen on the hot token paths. Writing each
// one in its own transaction would cost a commit per token (a WAL flush on
// PostgreSQL, the single write lock on SQLite) — far more than the 5 % the
// token benchmarks may lose. So they go through auditQueue: the request
// appends to a bounded in-memory queue and returns; one writer goroutine,
// started when events are waiting and gone when the queue is empty,
// gathers events for up to auditLinger (or until auditBatchTarget are
// waiting) and writes them with one multi-row INSERT in one transaction
// (storage.AuditBatcher). Nothing is dropped silently: a full queue makes
// the caller write its event itself (back-pressure), a batch that cannot be
// written is logged event by event at ERROR (the events hold no secrets),
// and shutdown flushes the queue (Service.FlushAudit). A crash of the
// process loses at most the events of the last auditLinger.

// auditQueueMax bounds the events waiting in memory; auditBatchTarget
// wakes the writer early; auditLinger is how long the writer gathers.
const (
	auditQueueMax    = 8192
	auditBatchTarget = 512
	auditLinger      = 50 * time.Millisecond
	// auditBatchMax bounds one write (one transaction).
	auditBatchMax = 2048
)

type auditQueue struct {
	store storage.Storage
	log   *slog.Logger

	mu      sync.Mutex
	idle    *sync.Cond // signalled when the writer stops
	pending []model.AuditEvent
	running bool
	kick    chan struct{} // ends the writer's gathering early
	// flushers counts callers of flush waiting: the writer stops gathering.
	flushers int
}

func newAuditQueue(st storage.Storage, log *slog.Logger) *auditQueue {
	q := &auditQueue{store: st, log: log, kick: make(chan struct{}, 1)}
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
	full := len(q.pending) >= auditBatchTarget
	q.mu.Unlock()
	if full {
		q.wake()
	}
}

func (q *auditQueue) wake() {
	select {
	case q.kick <- struct{}{}:
	default:
	}
}

func (q *auditQueue) drain() {
	for {
		// Gather: one transaction for everything that arrives meanwhile,
		// unless a flush is waiting or the batch is big enough already.
		q.mu.Lock()
		urgent := q.flushers > 0 || len(q.pending) >= auditBatchTarget
		q.mu.Unlock()
		if !urgent {
			t := time.NewTimer(auditLinger)
			select {
			case <-t.C:
			case <-q.kick:
			}
			t.Stop()
		}
		q.mu.Lock()
		n := min(len(q.pending), auditBatchMax)
		batch := slices.Clone(q.pending[:n])
		q.pending = q.pending[n:]
		if len(q.pending) == 0 {
			q.pending = nil // let the array go
		}
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
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := q.store.AppendAuditBatch(ctx, batch)
	if err == nil {
		return
	}
	q.log.ErrorContext(ctx, "audit events could not be stored; logged here instead", "count", len(batch), "err", err)
	for _, e := range batch {
		q.log.ErrorContext(ctx, "audit event", "time", e.Time, "action", e.Action, "outcome", e.Outcome, "actor", e.ActorID,
			"targetType", e.TargetType, "target", e.TargetID, "context", e.ContextID, "ip", e.SourceIP, "details", e.Details)
	}
}

// flush waits until every queued event is written (or logged), waking
// the writer instead of waiting out its gathering.
func (q *auditQueue) flush() {
	q.mu.Lock()
	q.flushers++
	for q.running {
		q.mu.Unlock()
		q.wake()
		q.mu.Lock()
		if q.running {
			q.idle.Wait()
		}
	}
	q.flushers--
	q.mu.Unlock()
}
