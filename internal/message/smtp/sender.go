package smtp

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/sesame-sso/sesame/internal/outbox"
	"github.com/sesame-sso/sesame/internal/storage"
)

// TLS modes.
const (
	TLSStartTLS = "starttls" // STARTTLS required (RFC 3207)
	TLSImplicit = "tls"      // TLS from the first byte (RFC 8314 §3.3)
	TLSNone     = "none"     // plain text: only for loopback test servers
)

// Config is how to reach the SMTP server.
type Config struct {
	Host string
	Port int
	// TLS is TLSStartTLS, TLSImplicit or TLSNone.
	TLS                string
	Username, Password string
	// From is the sender address, FromName its display name.
	From, FromName string
	// Timeout bounds connecting and each command (default 30 s); it must
	// stay below the outbox lease.
	Timeout time.Duration
	// TLSConfig overrides the TLS settings (tests: a private CA).
	TLSConfig *tls.Config
}

// Sender sends outbox emails.
type Sender struct{ c Config }

// New returns a sender for c.
func New(c Config) *Sender {
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	return &Sender{c: c}
}

var _ outbox.Sender = (*Sender)(nil)

func (s *Sender) client() (*mail.Client, error) {
	opts := []mail.Option{mail.WithPort(s.c.Port), mail.WithTimeout(s.c.Timeout)}
	switch s.c.TLS {
	case TLSImplicit:
		opts = append(opts, mail.WithSSL())
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	tc := s.c.TLSConfig
	if tc == nil {
		tc = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tc = tc.Clone()
	if tc.ServerName == "" {
		tc.ServerName = s.c.Host
	}
	opts = append(opts, mail.WithTLSConfig(tc))
	if s.c.Username != "" {
		// Autodiscovery offers no cleartext mechanism without TLS; on a
		// loopback server (TLSNone, config validation) PLAIN is used.
		auth := mail.SMTPAuthAutoDiscover
		if s.c.TLS == TLSNone {
			auth = mail.SMTPAuthPlain
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(s.c.Username), mail.WithPassword(s.c.Password))
	}
	return mail.NewClient(s.c.Host, opts...)
}

// hasBreak reports a CR, LF or other control character: such a value
// would start a new header line.
func hasBreak(v string) bool {
	return strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// Build turns an outbox row into a MIME message.
func (s *Sender) Build(m storage.OutboxMessage) (*mail.Msg, error) {
	for _, v := range []string{m.To, m.ToName, m.Subject, m.Language} {
		if hasBreak(v) {
			return nil, outbox.Permanent(fmt.Errorf("smtp: message %s: a header value contains a line break or control character", m.ID))
		}
	}
	msg := mail.NewMsg()
	if err := msg.FromFormat(s.c.FromName, s.c.From); err != nil {
		return nil, outbox.Permanent(fmt.Errorf("smtp: from: %w", err))
	}
	if err := msg.AddToFormat(m.ToName, m.To); err != nil {
		return nil, outbox.Permanent(fmt.Errorf("smtp: to: %w", err))
	}
	msg.Subject(m.Subject)
	if m.Language != "" {
		msg.SetGenHeader(mail.HeaderContentLang, m.Language)
	}
	msg.SetMessageID()
	msg.SetDate()
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// Send implements outbox.Sender: connection and server errors are
// temporary (the outbox retries), a message that cannot be built is not.
func (s *Sender) Send(ctx context.Context, m storage.OutboxMessage) error {
	msg, err := s.Build(m)
	if err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return outbox.Permanent(fmt.Errorf("smtp: client: %w", err))
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp: send to %s:%d: %w", s.c.Host, s.c.Port, err)
	}
	return nil
}
