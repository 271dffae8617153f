package app

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/google/uuid"

	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/message/sms"
	"github.com/sesame-sso/sesame/internal/message/smtp"
	"github.com/sesame-sso/sesame/internal/outbox"
	"github.com/sesame-sso/sesame/internal/storage"
)

// newOutboxWorker builds the outbox worker (R-MSG-2) from the smtp and
// sms configuration; nil when neither is configured (messages then stay
// queued until a node with a sender runs).
func newOutboxWorker(cfg config.Config, st storage.Storage, log *slog.Logger) (*outbox.Worker, error) {
	senders := map[string]outbox.Sender{}
	if s := cfg.SMTP; s.Host != "" {
		senders[storage.ChannelEmail] = smtp.New(smtp.Config{Host: s.Host, Port: s.Port, TLS: s.TLS, Username: s.Username,
			Password: s.Password, From: s.From, FromName: s.FromName, Timeout: s.TimeoutDuration()})
	}
	if s := cfg.SMS; s.URL != "" {
		g, err := sms.New(sms.Config{URL: s.URL, AuthHeader: s.AuthHeader, AuthValue: s.AuthValue, Body: s.Body,
			ContentType: s.ContentType, Timeout: s.TimeoutDuration()})
		if err != nil {
			return nil, fmt.Errorf("sms: %w", err)
		}
		senders[storage.ChannelSMS] = g
	}
	if len(senders) == 0 {
		return nil, nil
	}
	host, _ := os.Hostname()
	backoff, maxBackoff, poll := cfg.Messages.Durations()
	return outbox.NewWorker(st, senders, outbox.Options{Owner: host + "/" + uuid.NewString(), Poll: poll,
		MaxAttempts: cfg.Messages.MaxAttempts, Backoff: backoff, MaxBackoff: maxBackoff, Logger: log}), nil
}
