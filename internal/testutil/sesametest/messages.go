package sesametest

import (
	"bytes"
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/app"
	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/message/sms"
	"github.com/sesame-sso/sesame/internal/message/smtp"
	"github.com/sesame-sso/sesame/internal/outbox"
	"github.com/sesame-sso/sesame/internal/server"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/testutil/mailtest"
)

// TestMasterKey seals TOTP secrets and keys code hashes in tests.
var TestMasterKey = bytes.Repeat([]byte{7}, 32)

// messaging wires the outbox, its worker and the second factors the way
// `sesame serve` does (internal/app), from opts; it returns the server
// options to add and the running worker (nil without a sender).
func messaging(t testing.TB, st storage.Storage, opts Options) (server.Options, *outbox.Worker, app.SecondFactor) {
	t.Helper()
	tf := config.DefaultTwoFactor()
	if opts.TwoFactor != nil {
		tf = *opts.TwoFactor
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	sf, err := app.NewSecondFactor(tf, st, TestMasterKey, now)
	if err != nil {
		t.Fatalf("second factor: %v", err)
	}
	so := server.Options{Outbox: outbox.NewQueue(config.DefaultMessages().Undeliverable, nil), Codes: sf.Codes, TOTP: sf.TOTP}
	senders := map[string]outbox.Sender{}
	if opts.Mail != nil {
		senders[storage.ChannelEmail] = smtp.New(smtp.Config{Host: "127.0.0.1", Port: opts.Mail.Port(), TLS: "none",
			From: "sesame@example.com", FromName: "Sesame", Timeout: 5 * time.Second})
	}
	if opts.Mail == nil && opts.SMTPAddr != "" {
		host, port, err := net.SplitHostPort(opts.SMTPAddr)
		if err != nil {
			t.Fatalf("SMTPAddr: %v", err)
		}
		p, _ := strconv.Atoi(port)
		senders[storage.ChannelEmail] = smtp.New(smtp.Config{Host: host, Port: p, TLS: "none",
			From: "sesame@example.com", FromName: "Sesame", Timeout: 5 * time.Second})
	}
	if opts.SMSURL != "" {
		g, err := sms.New(sms.Config{URL: opts.SMSURL, AuthValue: "Bearer test-sms-token", Timeout: 5 * time.Second})
		if err != nil {
			t.Fatalf("sms gateway: %v", err)
		}
		senders[storage.ChannelSMS] = g
	}
	if len(senders) == 0 {
		return so, nil, sf
	}
	w := outbox.NewWorker(st, senders, outbox.Options{Owner: t.Name(), Poll: 50 * time.Millisecond, Backoff: 200 * time.Millisecond,
		MaxBackoff: time.Second, Lease: 10 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	so.WakeOutbox = w.Wake
	return so, w, sf
}

// mailServer is the type tests hand in Options.Mail.
type mailServer = *mailtest.Server
