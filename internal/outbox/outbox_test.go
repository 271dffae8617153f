package outbox_test

import (
	"context"
	"encoding/json"

	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/message"
	"github.com/sesame-sso/sesame/internal/message/sms"
	"github.com/sesame-sso/sesame/internal/message/smtp"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/outbox"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
	"github.com/sesame-sso/sesame/internal/testutil/mailtest"
	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
)

var ctx = context.Background()

// forBackends runs fn on SQLite and PostgreSQL; open returns another
// Store (another node) on the same database.
func forBackends(t *testing.T, fn func(t *testing.T, open func() storage.Storage)) {
	for _, b := range []string{"sqlite", "postgres"} {
		t.Run(b, func(t *testing.T) {
			var url string
			if b == "sqlite" {
				url = "sqlite://" + filepath.Join(t.TempDir(), "sesame.db")
			} else {
				url = pgtest.DSN(t)
			}
			fn(t, func() storage.Storage {
				st, err := sqlstore.Open(ctx, url, sqlstore.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				return st
			})
		})
	}
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newClock() *clock { return &clock{t: time.Now().UTC().Truncate(time.Millisecond)} }

func enqueue(t *testing.T, st storage.Storage, q *outbox.Queue, req outbox.Request) string {
	t.Helper()
	var id string
	err := st.InTx(ctx, func(tx storage.Storage) error {
		var err error
		id, err = q.Enqueue(ctx, tx, req)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func runOnce(t *testing.T, w *outbox.Worker) int {
	t.Helper()
	n, err := w.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func status(t *testing.T, st storage.Storage, id string) storage.OutboxMessage {
	t.Helper()
	m, err := st.GetMessage(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func smtpSender(ms *mailtest.Server, mode string) *smtp.Sender {
	return smtp.New(smtp.Config{Host: "127.0.0.1", Port: ms.Port(), TLS: mode, From: "sesame@example.com", FromName: "Sesame",
		Username: ms.User, Password: ms.Pass, Timeout: 5 * time.Second})
}

// TestEmailInUsersLanguage: a password reset goes out over SMTP (each TLS
// mode, with AUTH where TLS protects it) in the user's language, English
// when the language has no template (R-MSG-1, R-MSG-2).
func TestEmailInUsersLanguage(t *testing.T) {
	forBackends(t, func(t *testing.T, open func() storage.Storage) {
		st := open()
		for _, mode := range []string{smtp.TLSNone, smtp.TLSStartTLS, smtp.TLSImplicit} {
			t.Run(mode, func(t *testing.T) {
				ms := mailtest.New(t)
				if mode != smtp.TLSNone {
					ms.User, ms.Pass = "mailer", "s3cret"
				}
				ms.Start(mode)
				s := smtpSender(ms, mode)
				if mode != smtp.TLSNone {
					s = smtp.New(smtp.Config{Host: "127.0.0.1", Port: ms.Port(), TLS: mode, From: "sesame@example.com", Username: ms.User, Password: ms.Pass,
						Timeout: 5 * time.Second, TLSConfig: ms.TLSConfig()})
				}
				c := newClock()
				q := outbox.NewQueue(nil, c.now)
				w := outbox.NewWorker(st, map[string]outbox.Sender{storage.ChannelEmail: s}, outbox.Options{Owner: "n1", Now: c.now})
				idDE := enqueue(t, st, q, outbox.Request{Type: message.PasswordReset,
					To:   outbox.Recipient{UserID: "u1", Name: "Jürgen", Email: "juergen@example.com", Language: "de-CH"},
					Data: map[string]string{"Login": "telco/juergen", "Link": "https://sso.example.com/reset?t=abc", "ExpiresIn": "30 Minuten"}})
				idES := enqueue(t, st, q, outbox.Request{Type: message.OTPEmail,
					To:   outbox.Recipient{UserID: "u2", Name: "Ana", Email: "ana@example.com", Language: "es"},
					Data: map[string]string{"Code": "493817", "ExpiresIn": "5 minutes"}})
				if n := runOnce(t, w); n != 2 {
					t.Fatalf("claimed %d", n)
				}
				got := ms.Received()
				if len(got) != 2 {
					t.Fatalf("received %d mails", len(got))
				}
				if mode != smtp.TLSNone && got[0].User != "mailer" {
					t.Errorf("not authenticated: %q", got[0].User)
				}
				byRcpt := map[string]mailtest.Parsed{}
				for _, r := range got {
					if len(r.Rcpt) != 1 || r.From != "sesame@example.com" {
						t.Errorf("envelope: from %q rcpt %v", r.From, r.Rcpt)
					}
					byRcpt[r.Rcpt[0]] = mailtest.Parse(t, r.Raw)
				}
				de := byRcpt["juergen@example.com"]
				if de.Subject != "Passwort zurücksetzen" || de.ContentLanguage != "de" ||
					!strings.Contains(de.Text, "Hallo Jürgen") || !strings.Contains(de.Text, "https://sso.example.com/reset?t=abc") ||
					!strings.Contains(de.HTML, `href="https://sso.example.com/reset?t=abc"`) {
					t.Errorf("German reset mail: %+v", de)
				}
				es := byRcpt["ana@example.com"]
				if es.Subject != "Your sign-in code" || es.ContentLanguage != "en" || !strings.Contains(es.Text, "493817") {
					t.Errorf("fallback mail: %+v", es)
				}
				for _, id := range []string{idDE, idES} {
					if m := status(t, st, id); m.Status != storage.MessageSent || m.Text != "" {
						t.Errorf("after sending: %s %q", m.Status, m.Text)
					}
				}
				if n := runOnce(t, w); n != 0 {
					t.Errorf("sent messages claimed again: %d", n)
				}
			})
		}
	})
}

// TestSMTPDownThenBack: with the SMTP server down the message stays
// queued with a backoff; a new worker (a restarted node) delivers it once
// the server is back, exactly once (R-MSG-2).
func TestSMTPDownThenBack(t *testing.T) {
	forBackends(t, func(t *testing.T, open func() storage.Storage) {
		st := open()
		ms := mailtest.New(t) // not started: connection refused
		c := newClock()
		q := outbox.NewQueue(nil, c.now)
		opts := outbox.Options{Owner: "n1", Now: c.now, Backoff: time.Minute, MaxAttempts: 5}
		w := outbox.NewWorker(st, map[string]outbox.Sender{storage.ChannelEmail: smtpSender(ms, smtp.TLSNone)}, opts)
		id := enqueue(t, st, q, outbox.Request{Type: message.Welcome, To: outbox.Recipient{Name: "Bo", Email: "bo@example.com"},
			Data: map[string]string{"Login": "bo", "Link": "https://sso.example.com/welcome"}})
		runOnce(t, w)
		m := status(t, st, id)
		if m.Status != storage.MessageQueued || m.Attempts != 1 || m.LastError == "" || !m.NextAttempt.Equal(c.now().Add(time.Minute)) {
			t.Fatalf("after a failed attempt: %+v", m)
		}
		// Not due yet: nothing claimed.
		if n := runOnce(t, w); n != 0 {
			t.Fatalf("claimed before the backoff: %d", n)
		}
		// Second failure: the backoff doubles.
		c.add(time.Minute)
		runOnce(t, w)
		if m := status(t, st, id); m.Attempts != 2 || !m.NextAttempt.Equal(c.now().Add(2*time.Minute)) {
			t.Fatalf("second backoff: %+v", m)
		}
		// The server comes back; the node restarted: a new worker on a new
		// store of the same database delivers.
		ms.Start(smtp.TLSNone)
		c.add(2 * time.Minute)
		st2 := open()
		w2 := outbox.NewWorker(st2, map[string]outbox.Sender{storage.ChannelEmail: smtpSender(ms, smtp.TLSNone)}, outbox.Options{Owner: "n1-restarted", Now: c.now})
		runOnce(t, w2)
		if got := ms.Received(); len(got) != 1 || got[0].Rcpt[0] != "bo@example.com" || mailtest.Parse(t, got[0].Raw).Subject != "Welcome" {
			t.Fatalf("after the server came back: %+v", got)
		}
		if m := status(t, st, id); m.Status != storage.MessageSent || m.Attempts != 3 {
			t.Errorf("final: %+v", m)
		}
	})
}

// TestCrashedWorkerLeaseExpires: a node that claimed a message and died
// (no finish) does not lose it: after the lease another worker sends it.
func TestCrashedWorkerLeaseExpires(t *testing.T) {
	forBackends(t, func(t *testing.T, open func() storage.Storage) {
		st := open()
		ms := mailtest.New(t)
		ms.Start(smtp.TLSNone)
		c := newClock()
		id := enqueue(t, st, outbox.NewQueue(nil, c.now), outbox.Request{Type: message.AccountLocked,
			To: outbox.Recipient{Name: "Cy", Email: "cy@example.com", Language: "fr"}, Data: map[string]string{"Login": "cy", "Until": "12:00"}})
		if got, err := st.ClaimMessages(ctx, "dead-node", c.now(), c.now().Add(5*time.Minute), 10); err != nil || len(got) != 1 {
			t.Fatalf("claim: %v %v", got, err)
		}
		w := outbox.NewWorker(open(), map[string]outbox.Sender{storage.ChannelEmail: smtpSender(ms, smtp.TLSNone)}, outbox.Options{Owner: "n2", Now: c.now})
		if n := runOnce(t, w); n != 0 {
			t.Fatalf("a leased message was taken: %d", n)
		}
		c.add(5 * time.Minute)
		runOnce(t, w)
		got := ms.Received()
		if len(got) != 1 || mailtest.Parse(t, got[0].Raw).Subject != "Votre compte est verrouillé" {
			t.Fatalf("received: %+v", got)
		}
		if m := status(t, st, id); m.Status != storage.MessageSent {
			t.Errorf("status %s", m.Status)
		}
	})
}

// TestMaxAttemptsFailedAndAudited: a message that never goes out ends
// failed after MaxAttempts, with an audit entry (R-MSG-2).
func TestMaxAttemptsFailedAndAudited(t *testing.T) {
	forBackends(t, func(t *testing.T, open func() storage.Storage) {
		st := open()
		ms := mailtest.New(t) // never started
		c := newClock()
		w := outbox.NewWorker(st, map[string]outbox.Sender{storage.ChannelEmail: smtpSender(ms, smtp.TLSNone)},
			outbox.Options{Owner: "n1", Now: c.now, MaxAttempts: 3, Backoff: time.Second, MaxBackoff: time.Hour})
		id := enqueue(t, st, outbox.NewQueue(nil, c.now), outbox.Request{Type: message.PasswordChanged, To: outbox.Recipient{UserID: "u9", Email: "dee@example.com"},
			Data: map[string]string{"Login": "dee", "Time": "noon"}})
		for i := 0; i < 3; i++ {
			runOnce(t, w)
			c.add(time.Hour)
		}
		m := status(t, st, id)
		if m.Status != storage.MessageFailed || m.Attempts != 3 || m.Text != "" {
			t.Fatalf("after 3 attempts: %+v", m)
		}
		ev, _, err := st.ListAudit(ctx, model.AuditFilter{Action: "message.failed", Page: model.Page{Limit: 10}})
		if err != nil || len(ev) != 1 || ev[0].TargetID != "u9" || ev[0].Details["messageId"] != id {
			t.Fatalf("audit: %+v %v", ev, err)
		}
	})
}

// TestHeaderInjectionThroughName: a user's name with CR/LF cannot add a
// header or a recipient; an address with CR/LF is refused at Enqueue.
func TestHeaderInjectionThroughName(t *testing.T) {
	forBackends(t, func(t *testing.T, open func() storage.Storage) {
		st := open()
		ms := mailtest.New(t)
		ms.Start(smtp.TLSNone)
		c := newClock()
		q := outbox.NewQueue(nil, c.now)
		// The subject carries the name too.
		tm := message.NewTemplates(st)
		if _, err := tm.Put(ctx, "admin", "", message.Welcome, "en", message.Template{Subject: "Welcome {{.Name}}", Text: "Hi {{.Name}} {{.Link}}"}); err != nil {
			t.Fatal(err)
		}
		evil := "Eve\r\nBcc: victim@evil.example\r\nX-Injected: 1"
		enqueue(t, st, q, outbox.Request{Type: message.Welcome, To: outbox.Recipient{Name: evil, Email: "eve@example.com"}, Data: map[string]string{"Link": "l"}})
		w := outbox.NewWorker(st, map[string]outbox.Sender{storage.ChannelEmail: smtpSender(ms, smtp.TLSNone)}, outbox.Options{Owner: "n1", Now: c.now})
		runOnce(t, w)
		got := ms.Received()
		if len(got) != 1 || len(got[0].Rcpt) != 1 || got[0].Rcpt[0] != "eve@example.com" {
			t.Fatalf("envelope: %+v", got)
		}
		p := mailtest.Parse(t, got[0].Raw)
		if p.Header.Get("Bcc") != "" || p.Header.Get("X-Injected") != "" || strings.Contains(p.Subject, "\n") {
			t.Errorf("header injected: %q", got[0].Raw)
		}
		if !strings.HasPrefix(p.Subject, "Welcome Eve") {
			t.Errorf("subject %q", p.Subject)
		}
		for _, addr := range []string{"eve@example.com\r\nBcc: victim@evil.example", "Eve <eve@example.com>", "a@b.example, c@d.example"} {
			err := st.InTx(ctx, func(tx storage.Storage) error {
				_, err := q.Enqueue(ctx, tx, outbox.Request{Type: message.Welcome, To: outbox.Recipient{Email: addr}})
				return err
			})
			if model.ErrorCode(err) != model.EINVALID {
				t.Errorf("address %q: %v", addr, err)
			}
		}
		// Defence in depth: the sender refuses a row with a line break.
		if _, err := smtpSender(ms, smtp.TLSNone).Build(storage.OutboxMessage{To: "eve@example.com", ToName: "a\nBcc: x@y.example"}); !outbox.IsPermanent(err) {
			t.Errorf("Build accepted a name with a line break: %v", err)
		}
	})
}

// TestUndeliverableSkipped: virtual marketplace addresses (seed 002) are
// never sent to; the message is recorded as skipped and audited.
func TestUndeliverableSkipped(t *testing.T) {
	forBackends(t, func(t *testing.T, open func() storage.Storage) {
		st := open()
		ms := mailtest.New(t)
		ms.Start(smtp.TLSNone)
		c := newClock()
		q := outbox.NewQueue([]string{"*@marketplace.invalid"}, c.now)
		id := enqueue(t, st, q, outbox.Request{Type: message.OTPEmail, To: outbox.Recipient{UserID: "u5", Email: "usr-8f3a@Marketplace.invalid"},
			Data: map[string]string{"Code": "111111"}})
		w := outbox.NewWorker(st, map[string]outbox.Sender{storage.ChannelEmail: smtpSender(ms, smtp.TLSNone)}, outbox.Options{Owner: "n1", Now: c.now})
		if n := runOnce(t, w); n != 0 || len(ms.Received()) != 0 {
			t.Fatalf("an undeliverable address was sent to: %d %v", n, ms.Received())
		}
		if m := status(t, st, id); m.Status != storage.MessageSkipped || m.Text != "" {
			t.Errorf("status: %+v", m)
		}
		ev, _, err := st.ListAudit(ctx, model.AuditFilter{Action: "message.skipped", Page: model.Page{Limit: 10}})
		if err != nil || len(ev) != 1 || ev[0].TargetID != "u5" {
			t.Fatalf("audit: %+v %v", ev, err)
		}
	})
}

// TestMarkedAddressSkipped: a user whose email is marked as a virtual
// address (model.User.EmailUndeliverable, set by a marketplace
// connection, seed 002) gets no password-reset mail although no pattern
// matches the address: recorded as skipped and audited with the reason;
// the same mail to an unmarked user is sent.
func TestMarkedAddressSkipped(t *testing.T) {
	forBackends(t, func(t *testing.T, open func() storage.Storage) {
		st := open()
		ms := mailtest.New(t)
		ms.Start(smtp.TLSNone)
		c := newClock()
		q := outbox.NewQueue([]string{"*@marketplace.invalid"}, c.now)
		user := func(id, email string, virtual bool) model.User {
			return model.User{ID: id, Person: model.Person{FirstName: "Mia", Email: email}, EmailUndeliverable: virtual}
		}
		reset := func(u model.User) string {
			return enqueue(t, st, q, outbox.Request{Type: message.PasswordReset, To: outbox.UserRecipient(u),
				Data: map[string]string{"Link": "https://sso.example.com/r/abc"}})
		}
		virtual := reset(user("u-virtual", "usr-1.cld-1@mail.vagalam.example", true))
		real := reset(user("u-real", "mia@example.com", false))
		w := outbox.NewWorker(st, map[string]outbox.Sender{storage.ChannelEmail: smtpSender(ms, smtp.TLSNone)}, outbox.Options{Owner: "n1", Now: c.now})
		if n := runOnce(t, w); n != 1 {
			t.Fatalf("%d messages sent, want 1", n)
		}
		if got := ms.Received(); len(got) != 1 || got[0].Rcpt[0] != "mia@example.com" {
			t.Fatalf("received %+v, want only mia@example.com", got)
		}
		if m := status(t, st, virtual); m.Status != storage.MessageSkipped || m.Text != "" || m.LastError != "virtual address" {
			t.Errorf("virtual: %+v", m)
		}
		if m := status(t, st, real); m.Status != storage.MessageSent {
			t.Errorf("real: %+v", m)
		}
		ev, _, err := st.ListAudit(ctx, model.AuditFilter{Action: "message.skipped", Page: model.Page{Limit: 10}})
		if err != nil || len(ev) != 1 || ev[0].TargetID != "u-virtual" || ev[0].Details["reason"] != "virtual address" || ev[0].Details["type"] != string(message.PasswordReset) {
			t.Fatalf("audit: %+v %v", ev, err)
		}
	})
}

// TestSMSGateway: an OTP SMS reaches the gateway stub with number, text
// and language; a non-2xx answer is retried (R-MSG-2, issue 9 §4.3).
func TestSMSGateway(t *testing.T) {
	forBackends(t, func(t *testing.T, open func() storage.Storage) {
		st := open()
		type got struct{ To, Text, Language, Auth string }
		var (
			mu    sync.Mutex
			recv  []got
			fails = 1
		)
		gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			if fails > 0 {
				fails--
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
			var g got
			b, _ := io.ReadAll(r.Body)
			if err := json.Unmarshal(b, &g); err != nil || r.Header.Get("Content-Type") != "application/json" {
				http.Error(w, fmt.Sprintf("bad body %q: %v", b, err), http.StatusBadRequest)
				return
			}
			g.Auth = r.Header.Get("X-Api-Key")
			recv = append(recv, g)
		}))
		defer gw.Close()
		sender, err := sms.New(sms.Config{URL: gw.URL, AuthHeader: "X-Api-Key", AuthValue: "k-123",
			Body: `{"To": {{.To}}, "Text": {{.Text}}, "Language": {{.Language}}}`})
		if err != nil {
			t.Fatal(err)
		}
		c := newClock()
		w := outbox.NewWorker(st, map[string]outbox.Sender{storage.ChannelSMS: sender}, outbox.Options{Owner: "n1", Now: c.now, Backoff: time.Second})
		id := enqueue(t, st, outbox.NewQueue(nil, c.now), outbox.Request{Type: message.OTPSMS,
			To: outbox.Recipient{Phone: "+41791234567", Language: "fr", Email: "ignored@example.com"}, Data: map[string]string{"Code": "\"829104", "ExpiresIn": "5 min"}})
		runOnce(t, w)
		if m := status(t, st, id); m.Status != storage.MessageQueued || !strings.Contains(m.LastError, "503") {
			t.Fatalf("after a 503: %+v", m)
		}
		c.add(time.Second)
		runOnce(t, w)
		mu.Lock()
		defer mu.Unlock()
		if len(recv) != 1 || recv[0].To != "+41791234567" || recv[0].Language != "fr" || recv[0].Auth != "k-123" ||
			recv[0].Text != "Votre code de connexion : \"829104 (valable 5 min)" {
			t.Fatalf("gateway got %+v", recv)
		}
		if m := status(t, st, id); m.Status != storage.MessageSent {
			t.Errorf("status %s", m.Status)
		}
		// A number that is not one is refused at Enqueue.
		err = st.InTx(ctx, func(tx storage.Storage) error {
			_, err := outbox.NewQueue(nil, c.now).Enqueue(ctx, tx, outbox.Request{Type: message.OTPSMS, To: outbox.Recipient{Phone: "+41 79\n123"}})
			return err
		})
		if model.ErrorCode(err) != model.EINVALID {
			t.Errorf("bad number: %v", err)
		}
	})
}

// TestTwoNodesDeliverOnce: two workers on two stores of one database
// (two nodes) send N messages; each is delivered exactly once (R-MSG-2).
func TestTwoNodesDeliverOnce(t *testing.T) {
	forBackends(t, func(t *testing.T, open func() storage.Storage) {
		st := open()
		ms := mailtest.New(t)
		ms.Start(smtp.TLSNone)
		c := newClock()
		q := outbox.NewQueue(nil, c.now)
		const n = 40
		for i := 0; i < n; i++ {
			enqueue(t, st, q, outbox.Request{Type: message.OTPEmail, To: outbox.Recipient{Email: fmt.Sprintf("u%02d@example.com", i)}, Data: map[string]string{"Code": "1"}})
		}
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for _, node := range []string{"node-a", "node-b"} {
			w := outbox.NewWorker(open(), map[string]outbox.Sender{storage.ChannelEmail: smtpSender(ms, smtp.TLSNone)}, outbox.Options{Owner: node, Now: c.now, Batch: 3})
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					k, err := w.RunOnce(ctx)
					if err != nil {
						errs <- err
						return
					}
					if k == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, r := range ms.Received() {
			count[r.Rcpt[0]]++
		}
		for i := 0; i < n; i++ {
			if a := fmt.Sprintf("u%02d@example.com", i); count[a] != 1 {
				t.Errorf("%s received %d times", a, count[a])
			}
		}
		if l, _ := st.ListMessages(ctx, storage.MessageSent, 100); len(l) != n {
			t.Errorf("%d sent of %d", len(l), n)
		}
	})
}

// TestRunStopsWithContext: Run returns when its context ends (serve's
// shutdown).
func TestRunStopsWithContext(t *testing.T) {
	forBackends(t, func(t *testing.T, open func() storage.Storage) {
		w := outbox.NewWorker(open(), nil, outbox.Options{Owner: "n1", Poll: time.Hour})
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { w.Run(cctx); close(done) }()
		cancel()
		<-done
	})
}

// TestEnqueueCommitsWithTheChange: a message enqueued in a transaction
// that fails is gone with the change that caused it; one that commits is
// there with it (R-MSG-2).
func TestEnqueueCommitsWithTheChange(t *testing.T) {
	forBackends(t, func(t *testing.T, open func() storage.Storage) {
		st := open()
		q := outbox.NewQueue(nil, nil)
		change := func(fail bool) error {
			return st.InTx(ctx, func(tx storage.Storage) error {
				if err := tx.AppendAudit(ctx, model.AuditEvent{Time: time.Now(), Action: "user.password_reset_requested", TargetID: "u1", Outcome: model.OutcomeSuccess}); err != nil {
					return err
				}
				if _, err := q.Enqueue(ctx, tx, outbox.Request{Type: message.PasswordReset, To: outbox.Recipient{UserID: "u1", Email: "u1@example.com"},
					Data: map[string]string{"Link": "https://sso.example.com/r"}}); err != nil {
					return err
				}
				if fail {
					return model.Invalid("", "the change failed")
				}
				return nil
			})
		}
		if err := change(true); model.ErrorCode(err) != model.EINVALID {
			t.Fatal(err)
		}
		if l, _ := st.ListMessages(ctx, "", 10); len(l) != 0 {
			t.Fatalf("a message outlived its rolled-back change: %+v", l)
		}
		if err := change(false); err != nil {
			t.Fatal(err)
		}
		ev, _, _ := st.ListAudit(ctx, model.AuditFilter{Action: "user.password_reset_requested", Page: model.Page{Limit: 10}})
		if l, _ := st.ListMessages(ctx, storage.MessageQueued, 10); len(l) != 1 || len(ev) != 1 {
			t.Fatalf("committed change: %d messages, %d events", len(l), len(ev))
		}
	})
}

// TestWakeSendsWithoutWaitingForThePoll: a worker pausing for an hour
// sends at once when woken after the commit (a user waits for the code).
func TestWakeSendsWithoutWaitingForThePoll(t *testing.T) {
	forBackends(t, func(t *testing.T, open func() storage.Storage) {
		st := open()
		ms := mailtest.New(t)
		ms.Start(smtp.TLSNone)
		w := outbox.NewWorker(st, map[string]outbox.Sender{storage.ChannelEmail: smtpSender(ms, smtp.TLSNone)}, outbox.Options{Owner: "n1", Poll: time.Hour})
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { w.Run(cctx); close(done) }()
		defer func() { cancel(); <-done }()
		for i := range 2 {
			enqueue(t, st, outbox.NewQueue(nil, nil), outbox.Request{Type: message.OTPEmail, To: outbox.Recipient{Email: fmt.Sprintf("w%d@example.com", i)}, Data: map[string]string{"Code": "1"}})
			w.Wake()
			deadline := time.Now().Add(30 * time.Second)
			for len(ms.Received()) <= i && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if len(ms.Received()) != i+1 {
				t.Fatalf("message %d not sent after Wake", i)
			}
		}
	})
}
