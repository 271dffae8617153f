package password

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/clientip"
)

// gated is a hasher whose hashing blocks until the test lets it through,
// reporting which source is hashing: the admission order is observable
// without timing anything.
func gated(t *testing.T, l Limits) (h *Hasher, started chan string, gate chan struct{}) {
	t.Helper()
	h = NewLimited(fast, l)
	started, gate = make(chan string, 100), make(chan struct{})
	real := h.idKey
	h.idKey = func(pw, salt []byte, tm, m uint32, p uint8, n uint32) []byte {
		started <- string(pw)
		<-gate
		return real(pw, salt, tm, m, p, n)
	}
	return h, started, gate
}

func from(ip string) context.Context { return clientip.With(context.Background(), ip) }

func waitQueued(t *testing.T, h *Hasher, n int) {
	t.Helper()
	for i := 0; h.sched.waiting() != n; i++ {
		if i > 5000 {
			t.Fatalf("%d waiting, want %d", h.sched.waiting(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestFairQueue: one source floods the hasher; a login from another source
// is admitted in the next turn, not behind the flood (issue 8 item 4).
func TestFairQueue(t *testing.T) {
	h, started, gate := gated(t, Limits{Concurrency: 1, QueueSize: 64, PerSource: 10, Wait: time.Minute})
	done := make(chan error, 20)
	verify := func(ip, pw string) { done <- h.Verify(from(ip), "", pw) }
	go verify("198.51.100.1", "A0")
	if got := <-started; got != "A0" {
		t.Fatalf("first hash: %q", got)
	}
	for i := 1; i <= 6; i++ {
		go verify("198.51.100.1", fmt.Sprintf("A%d", i))
		waitQueued(t, h, i)
	}
	go verify("203.0.113.5", "B0")
	waitQueued(t, h, 7)
	var order []string
	for i := 0; i < 7; i++ {
		gate <- struct{}{}
		order = append(order, <-started)
	}
	gate <- struct{}{}
	for i := 0; i < 8; i++ {
		if err := <-done; !errors.Is(err, ErrMismatch) {
			t.Fatalf("verify: %v", err)
		}
	}
	want := []string{"A1", "B0", "A2", "A3", "A4", "A5", "A6"}
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("admission order %v, want %v (the other source's login in the next turn)", order, want)
	}
}

// TestQueueBounds: a full queue, a source over its share and an expired
// wait each answer ErrBusy at once instead of piling up.
func TestQueueBounds(t *testing.T) {
	h, started, gate := gated(t, Limits{Concurrency: 1, QueueSize: 2, PerSource: 2, Wait: time.Minute})
	done := make(chan error, 10)
	go func() { done <- h.Verify(from("198.51.100.1"), "", "x") }()
	<-started
	go func() { done <- h.Verify(from("198.51.100.1"), "", "x") }()
	waitQueued(t, h, 1)
	// Same source over its share (1 running + 1 waiting).
	if err := h.Verify(from("198.51.100.1"), "", "x"); !errors.Is(err, ErrBusy) {
		t.Errorf("source over its share: %v", err)
	}
	go func() { done <- h.Verify(from("198.51.100.2"), "", "x") }()
	waitQueued(t, h, 2)
	// Queue full.
	if err := h.Verify(from("198.51.100.3"), "", "x"); !errors.Is(err, ErrBusy) {
		t.Errorf("queue full: %v", err)
	}
	for i := 0; i < 3; i++ {
		gate <- struct{}{}
		if i < 2 {
			<-started
		}
	}
	for i := 0; i < 3; i++ {
		if err := <-done; !errors.Is(err, ErrMismatch) {
			t.Errorf("queued verify: %v", err)
		}
	}
	if n := h.sched.waiting(); n != 0 || len(h.sched.src) != 0 || h.sched.free != 1 {
		t.Errorf("scheduler not back to idle: waiting %d, sources %d, free %d", n, len(h.sched.src), h.sched.free)
	}
}

// TestQueueDeadline: a queued verification gives up after its deadline
// (and a cancelled one at once), leaving no trace in the queue.
func TestQueueDeadline(t *testing.T) {
	h, started, gate := gated(t, Limits{Concurrency: 1, QueueSize: 8, PerSource: 8, Wait: time.Millisecond})
	done := make(chan error, 1)
	go func() { done <- h.Verify(from("198.51.100.1"), "", "x") }()
	<-started
	if err := h.Verify(from("203.0.113.5"), "", "x"); !errors.Is(err, ErrBusy) {
		t.Errorf("expired wait: %v", err)
	}
	ctx, cancel := context.WithCancel(from("203.0.113.6"))
	cancel()
	if err := h.Verify(ctx, "", "x"); err == nil || errors.Is(err, ErrMismatch) {
		t.Errorf("cancelled wait: %v", err)
	}
	gate <- struct{}{}
	<-done
	if h.sched.waiting() != 0 || h.sched.free != 1 || len(h.sched.ring) != 0 {
		t.Errorf("queue keeps a trace: waiting %d free %d ring %v", h.sched.waiting(), h.sched.free, h.sched.ring)
	}
}

// TestInternalCallersHaveNoShare: hashing without a client address
// (bootstrap, `sesame apply`) is not capped per source, only queued.
func TestInternalCallersHaveNoShare(t *testing.T) {
	h, started, gate := gated(t, Limits{Concurrency: 1, QueueSize: 8, PerSource: 1, Wait: time.Minute})
	done := make(chan error, 3)
	for i := 0; i < 3; i++ {
		go func() { done <- h.Verify(context.Background(), "", "x") }()
	}
	for i := 0; i < 3; i++ {
		<-started
		gate <- struct{}{}
	}
	for i := 0; i < 3; i++ {
		if err := <-done; !errors.Is(err, ErrMismatch) {
			t.Errorf("internal verify %d: %v", i, err)
		}
	}
}
