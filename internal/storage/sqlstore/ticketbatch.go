package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// ticketBatcher consumes concurrent CAS tickets with one statement (group
// commit): the first caller to find no batch in flight becomes the leader
// and deletes, in one DELETE … RETURNING, every ticket asked for until the
// queue is empty; the others wait for their row. An idle server pays no
// delay; under load the database sees a fraction of the statements. Each
// row is still deleted at most once, so a ticket validates at most once.
type ticketBatcher struct {
	mu      sync.Mutex
	pending []*consumeReq
	running bool
}

type consumeReq struct {
	id   string
	t    model.Ticket
	err  error
	done chan struct{}
}

// maxTicketBatch bounds one statement's IN list.
const maxTicketBatch = 128

// consume returns the ticket with id, deleted, or ErrNotFound.
func (b *ticketBatcher) consume(ctx context.Context, s *Store, id string) (model.Ticket, error) {
	req := &consumeReq{id: id, done: make(chan struct{})}
	b.mu.Lock()
	b.pending = append(b.pending, req)
	lead := !b.running
	b.running = true
	b.mu.Unlock()
	if lead {
		b.lead(ctx, s)
	}
	select {
	case <-req.done:
		return req.t, req.err
	case <-ctx.Done():
		// The leader still finishes the batch; this caller gives up.
		return model.Ticket{}, ctx.Err()
	}
}

func (b *ticketBatcher) lead(ctx context.Context, s *Store) {
	// The batch serves other callers too: it does not end with this one's
	// context.
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for {
		b.mu.Lock()
		n := min(len(b.pending), maxTicketBatch)
		if n == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		batch := b.pending[:n:n]
		b.pending = b.pending[n:]
		b.mu.Unlock()
		s.consumeBatch(bctx, batch)
		for _, r := range batch {
			close(r.done)
		}
	}
}

// consumeBatch deletes the batch's tickets in one statement.
func (s *Store) consumeBatch(ctx context.Context, batch []*consumeReq) {
	args := make([]any, 0, len(batch))
	byID := make(map[string][]*consumeReq, len(batch))
	for _, r := range batch {
		if _, dup := byID[r.id]; !dup {
			args = append(args, r.id)
		}
		byID[r.id] = append(byID[r.id], r)
	}
	fail := func(err error) {
		for _, r := range batch {
			r.err = err
		}
	}
	unlock := s.wlock()
	defer unlock()
	var rows interface {
		Next() bool
		Scan(...any) error
		Close() error
		Err() error
	}
	q := `DELETE FROM cas_tickets WHERE id IN (` + placeholders(1, len(args)) + `) RETURNING ` + ticketCols
	var err error
	if s.eph != nil {
		rows, err = s.eph.QueryContext(ctx, s.rb.rebind(q), args...)
	} else {
		rows, err = s.query(ctx, q, args...)
	}
	if err != nil {
		fail(fmt.Errorf("consume tickets: %w", mapErr(err)))
		return
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			fail(fmt.Errorf("consume tickets: %w", err))
			return
		}
		// Of several callers presenting the same ticket, the first gets it.
		waiting := byID[t.ID]
		waiting[0].t = t
		waiting[0].err = nil
		for _, r := range waiting[1:] {
			r.err = fmt.Errorf("ticket: %w", model.ErrNotFound)
		}
		delete(byID, t.ID)
	}
	if err := rows.Err(); err != nil {
		fail(fmt.Errorf("consume tickets: %w", err))
		return
	}
	for _, rs := range byID {
		for _, r := range rs {
			r.err = fmt.Errorf("ticket: %w", model.ErrNotFound)
		}
	}
}
