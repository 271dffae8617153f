package password

import (
	"context"
	"sync"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// ErrBusy is returned when the hasher cannot take the work: the queue is
// full, the source already has its share waiting, or the wait exceeded the
// deadline. Callers answer 503 (R-PWD-3: a login storm cannot make normal
// logins wait without bound).
var ErrBusy error = model.Errorf(model.EUNAVAILABLE, "", "too many password checks at once: try again in a moment")

// Limits bound the hasher's work.
type Limits struct {
	// Concurrency is how many hashes run at once (GOMAXPROCS when <= 0).
	Concurrency int
	// QueueSize is how many verifications may wait for a slot (default 64).
	QueueSize int
	// PerSource is how many of one source's verifications may be running
	// or waiting at once (default 16: an office behind one NAT signing in
	// at nine o'clock fits; a flood still leaves 3/4 of the queue to
	// others). Internal callers have no limit.
	PerSource int
	// Wait is the deadline of a queued verification (default 3 s).
	Wait time.Duration
}

func (l Limits) withDefaults(procs int) Limits {
	if l.Concurrency <= 0 {
		l.Concurrency = procs
	}
	if l.QueueSize <= 0 {
		l.QueueSize = 64
	}
	if l.PerSource <= 0 {
		l.PerSource = 16
	}
	if l.Wait <= 0 {
		l.Wait = 3 * time.Second
	}
	return l
}

// scheduler hands hashing slots out fairly: waiters queue per source and a
// freed slot goes to the next source in round-robin order, so one source
// flooding the hasher delays another source's login by at most one turn
// per slot, not by its whole backlog.
type scheduler struct {
	lim    Limits
	mu     sync.Mutex
	free   int
	queued int
	src    map[string]*srcQueue
	ring   []string // sources with waiters, in turn order
}

type srcQueue struct {
	waiters []*waiter
	active  int // running + waiting
}

type waiter struct {
	ready    chan struct{}
	admitted bool
}

func newScheduler(l Limits) *scheduler {
	return &scheduler{lim: l, free: l.Concurrency, src: map[string]*srcQueue{}}
}

// acquire takes a slot for source, waiting in its turn at most lim.Wait.
func (s *scheduler) acquire(ctx context.Context, source string) error {
	s.mu.Lock()
	q := s.src[source]
	if q == nil {
		q = &srcQueue{}
		s.src[source] = q
	}
	// Internal callers (no source: bootstrap, `sesame apply`) have no share.
	if source != "" && q.active >= s.lim.PerSource {
		s.mu.Unlock()
		return ErrBusy
	}
	if s.free > 0 && s.queued == 0 {
		s.free--
		q.active++
		s.mu.Unlock()
		return nil
	}
	if s.queued >= s.lim.QueueSize {
		s.forget(source, q)
		s.mu.Unlock()
		return ErrBusy
	}
	w := &waiter{ready: make(chan struct{})}
	q.waiters = append(q.waiters, w)
	q.active++
	s.queued++
	if len(q.waiters) == 1 {
		s.ring = append(s.ring, source)
	}
	s.mu.Unlock()

	timer := time.NewTimer(s.lim.Wait)
	defer timer.Stop()
	var err error
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-timer.C:
		err = ErrBusy
	}
	s.mu.Lock()
	if w.admitted { // the slot came just as we gave up: pass it on
		s.mu.Unlock()
		s.release(source)
		return err
	}
	for i, x := range q.waiters {
		if x == w {
			q.waiters = append(q.waiters[:i], q.waiters[i+1:]...)
			break
		}
	}
	q.active--
	s.queued--
	if len(q.waiters) == 0 {
		s.dropTurn(source)
	}
	s.forget(source, q)
	s.mu.Unlock()
	return err
}

// release gives the slot to the next source in turn, or frees it.
func (s *scheduler) release(source string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.src[source]; q != nil {
		q.active--
		s.forget(source, q)
	}
	if len(s.ring) == 0 {
		s.free++
		return
	}
	next := s.ring[0]
	s.ring = s.ring[1:]
	q := s.src[next]
	w := q.waiters[0]
	q.waiters = q.waiters[1:]
	if len(q.waiters) > 0 {
		s.ring = append(s.ring, next)
	}
	s.queued--
	w.admitted = true
	close(w.ready)
}

func (s *scheduler) dropTurn(source string) {
	for i, x := range s.ring {
		if x == source {
			s.ring = append(s.ring[:i], s.ring[i+1:]...)
			return
		}
	}
}

func (s *scheduler) forget(source string, q *srcQueue) {
	if q.active == 0 && len(q.waiters) == 0 {
		delete(s.src, source)
	}
}

// waiting reports how many verifications wait for a slot.
func (s *scheduler) waiting() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queued
}

// Reserve takes a hashing slot in the request's turn, as Verify would, for
// work done outside the hasher (tests use it to make the hasher busy);
// call release when done.
func (h *Hasher) Reserve(ctx context.Context) (release func(), err error) {
	src := source(ctx)
	if err := h.sched.acquire(ctx, src); err != nil {
		return nil, err
	}
	return func() { h.sched.release(src) }, nil
}

// Waiting reports how many verifications wait for a slot.
func (h *Hasher) Waiting() int { return h.sched.waiting() }
