package conformance

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// testMessageTemplates: template overrides per type and language (R-MSG-1).
func testMessageTemplates(t *testing.T, s storage.Storage) {
	if _, err := s.GetMessageTemplate(ctx, "welcome", "de"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("missing override: %v", err)
	}
	at := time.Now().UTC().Truncate(time.Millisecond)
	check(t, s.PutMessageTemplate(ctx, storage.MessageTemplate{Type: "welcome", Language: "de", Subject: "Hallo", Text: "T1", UpdatedAt: at, UpdatedBy: "u1"}))
	check(t, s.PutMessageTemplate(ctx, storage.MessageTemplate{Type: "welcome", Language: "de", Subject: "Willkommen", Text: "T2", HTML: "<p>T2</p>", UpdatedAt: at, UpdatedBy: "u2"}))
	check(t, s.PutMessageTemplate(ctx, storage.MessageTemplate{Type: "otp_sms", Language: "en", Subject: "", Text: "{{.Code}}", UpdatedAt: at}))
	got := must(s.GetMessageTemplate(ctx, "welcome", "de"))
	if got.Subject != "Willkommen" || got.Text != "T2" || got.HTML != "<p>T2</p>" || got.UpdatedBy != "u2" || !got.UpdatedAt.Equal(at) {
		t.Errorf("after replace: %+v", got)
	}
	list := must(s.ListMessageTemplates(ctx))
	if len(list) != 2 || list[0].Type != "otp_sms" || list[1].Type != "welcome" {
		t.Errorf("list: %+v", list)
	}
	if !must(s.DeleteMessageTemplate(ctx, "welcome", "de")) {
		t.Error("delete reported no override")
	}
	if must(s.DeleteMessageTemplate(ctx, "welcome", "de")) {
		t.Error("second delete reported an override")
	}
	if _, err := s.GetMessageTemplate(ctx, "welcome", "de"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("deleted override: %v", err)
	}
}

func queued(id string, at time.Time) storage.OutboxMessage {
	return storage.OutboxMessage{ID: id, Channel: storage.ChannelEmail, Kind: "welcome", To: id + "@example.com",
		Subject: "s", Text: "body " + id, Status: storage.MessageQueued, NextAttempt: at, CreatedAt: at}
}

// testOutbox: enqueue in a transaction, claim with a lease, retry, finish
// (R-MSG-2).
func testOutbox(t *testing.T, s storage.Storage) {
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	// A message enqueued in a transaction that rolls back does not exist.
	boom := errors.New("boom")
	if err := s.InTx(ctx, func(tx storage.Storage) error {
		check(t, tx.EnqueueMessage(ctx, queued("m0", t0)))
		return boom
	}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	check(t, s.InTx(ctx, func(tx storage.Storage) error { return tx.EnqueueMessage(ctx, queued("m1", t0)) }))
	check(t, s.EnqueueMessage(ctx, queued("m2", t0.Add(time.Minute))))
	if _, err := s.GetMessage(ctx, "m0"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("rolled back message: %v", err)
	}
	if n := must(s.CountMessages(ctx, storage.MessageQueued)); n != 2 {
		t.Fatalf("queued messages counted: %d, want 2", n)
	}

	// Only due messages are claimed; a claim counts an attempt and leases.
	got := must(s.ClaimMessages(ctx, "w1", t0, t0.Add(time.Minute), 10))
	if len(got) != 1 || got[0].ID != "m1" || got[0].Attempts != 1 || got[0].LeaseOwner != "w1" || got[0].Text != "body m1" {
		t.Fatalf("claim: %+v", got)
	}
	// Leased: another worker gets nothing until the lease ends.
	if got := must(s.ClaimMessages(ctx, "w2", t0.Add(30*time.Second), t0.Add(2*time.Minute), 10)); len(got) != 0 {
		t.Fatalf("leased message claimed again: %+v", got)
	}
	// The lease ran out (w1 died): w2 takes m1 and m2, w1 can no longer finish.
	got = must(s.ClaimMessages(ctx, "w2", t0.Add(time.Minute), t0.Add(2*time.Minute), 10))
	if len(got) != 2 || got[0].ID != "m1" || got[0].Attempts != 2 {
		t.Fatalf("claim after lease end: %+v", got)
	}
	check(t, errIf(!must(s.FinishMessage(ctx, "m2", "w2", storage.MessageFailed, t0.Add(time.Minute), "550 no such user")), "failure not recorded"))
	if m := must(s.GetMessage(ctx, "m2")); m.Status != storage.MessageFailed || m.Text != "" || m.LastError != "550 no such user" {
		t.Errorf("failed message: %+v", m)
	}
	if must(s.FinishMessage(ctx, "m1", "w1", storage.MessageSent, t0, "")) {
		t.Error("a worker without the lease finished a message")
	}
	// Retry later; then sent.
	if !must(s.FinishMessage(ctx, "m1", "w2", storage.MessageQueued, t0.Add(5*time.Minute), "smtp down")) {
		t.Fatal("retry not recorded")
	}
	if got := must(s.ClaimMessages(ctx, "w1", t0.Add(4*time.Minute), t0.Add(6*time.Minute), 10)); len(got) != 0 {
		t.Fatalf("claimed before its next attempt: %+v", got)
	}
	m := must(s.GetMessage(ctx, "m1"))
	if m.Status != storage.MessageQueued || m.LastError != "smtp down" || m.LeaseOwner != "" || !m.NextAttempt.Equal(t0.Add(5*time.Minute)) {
		t.Errorf("after retry: %+v", m)
	}
	got = must(s.ClaimMessages(ctx, "w1", t0.Add(5*time.Minute), t0.Add(6*time.Minute), 10))
	if len(got) != 1 || got[0].ID != "m1" || got[0].Attempts != 3 {
		t.Fatalf("claim of the retry: %+v", got)
	}
	check(t, errIf(!must(s.FinishMessage(ctx, "m1", "w1", storage.MessageSent, t0.Add(5*time.Minute), "")), "sent not recorded"))
	m = must(s.GetMessage(ctx, "m1"))
	if m.Status != storage.MessageSent || m.Text != "" || !m.DoneAt.Equal(t0.Add(5*time.Minute)) {
		t.Errorf("sent message: %+v", m)
	}
	if got := must(s.ClaimMessages(ctx, "w1", t0.Add(time.Hour), t0.Add(2*time.Hour), 10)); len(got) != 0 {
		t.Errorf("a sent message was claimed: %+v", got)
	}
	if l := must(s.ListMessages(ctx, storage.MessageSent, 10)); len(l) != 1 || l[0].ID != "m1" {
		t.Errorf("list sent: %+v", l)
	}
	if l := must(s.ListMessages(ctx, "", 10)); len(l) != 2 {
		t.Errorf("list all: %+v", l)
	}
	if q, f := must(s.CountMessages(ctx, storage.MessageQueued)), must(s.CountMessages(ctx, storage.MessageFailed)); q != 0 || f != 1 {
		t.Errorf("counted %d queued, %d failed; want 0, 1", q, f)
	}
}

func errIf(cond bool, msg string) error {
	if cond {
		return errors.New(msg)
	}
	return nil
}

// testOutboxClaimRace: concurrent claimers (several nodes' workers) each
// get a disjoint set; every message is claimed exactly once (R-MSG-2).
func testOutboxClaimRace(t *testing.T, s storage.Storage) {
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	const n = 60
	for i := 0; i < n; i++ {
		check(t, s.EnqueueMessage(ctx, queued(fmt.Sprintf("race-%02d", i), t0)))
	}
	var (
		mu     sync.Mutex
		seen   = map[string]string{}
		wg     sync.WaitGroup
		errs   = make(chan error, 4*n)
		owners = []string{"node-a", "node-b", "node-c", "node-d"}
	)
	for _, owner := range owners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := s.ClaimMessages(ctx, owner, t0, t0.Add(time.Hour), 3)
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					if prev, dup := seen[m.ID]; dup {
						errs <- fmt.Errorf("%s claimed by %s and %s", m.ID, prev, owner)
					}
					seen[m.ID] = owner
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(seen) != n {
		t.Errorf("claimed %d of %d messages", len(seen), n)
	}
}
