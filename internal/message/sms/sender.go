package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/template"
	"time"

	"github.com/sesame-sso/sesame/internal/outbox"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Config is how to reach the gateway.
type Config struct {
	URL string
	// AuthHeader is the header carrying the credentials (default
	// Authorization) and AuthValue its value ("" = none).
	AuthHeader, AuthValue string
	// Body is a text/template with {{.To}}, {{.Text}}, {{.Language}}.
	Body string
	// ContentType of the body (default application/json).
	ContentType string
	// Timeout of one request (default 10 s).
	Timeout time.Duration
	// Client is the HTTP client (default: one with Timeout).
	Client *http.Client
}

// DefaultBody is the body when none is configured.
const DefaultBody = `{"to": {{.To}}, "text": {{.Text}}, "language": {{.Language}}}`

// Sender posts SMS to the gateway.
type Sender struct {
	c    Config
	body *template.Template
}

var _ outbox.Sender = (*Sender)(nil)

// New parses the body template.
func New(c Config) (*Sender, error) {
	if c.Body == "" {
		c.Body = DefaultBody
	}
	if c.ContentType == "" {
		c.ContentType = "application/json"
	}
	if c.AuthHeader == "" {
		c.AuthHeader = "Authorization"
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Client == nil {
		c.Client = &http.Client{Timeout: c.Timeout}
	}
	t, err := ParseBody(c.Body)
	if err != nil {
		return nil, err
	}
	return &Sender{c: c, body: t}, nil
}

// ParseBody parses a gateway body template (config validation).
func ParseBody(body string) (*template.Template, error) {
	t, err := template.New("body").Option("missingkey=error").Parse(body)
	if err != nil {
		return nil, fmt.Errorf("sms body template: %w", err)
	}
	if err := t.Execute(io.Discard, fields{}); err != nil {
		return nil, fmt.Errorf("sms body template: %w", err)
	}
	return t, nil
}

type fields struct{ To, Text, Language string }

// escape encodes each value for the body's content type, so a message
// text cannot change the body's structure.
func (s *Sender) escape(m storage.OutboxMessage) fields {
	enc := func(v string) string { return v }
	switch ct := strings.ToLower(s.c.ContentType); {
	case strings.Contains(ct, "json"):
		enc = func(v string) string { b, _ := json.Marshal(v); return string(b) }
	case strings.Contains(ct, "x-www-form-urlencoded"):
		enc = url.QueryEscape
	}
	return fields{To: enc(m.To), Text: enc(m.Text), Language: enc(m.Language)}
}

// Send implements outbox.Sender: any transport error or non-2xx answer is
// a failure to retry.
func (s *Sender) Send(ctx context.Context, m storage.OutboxMessage) error {
	var b bytes.Buffer
	if err := s.body.Execute(&b, s.escape(m)); err != nil {
		return outbox.Permanent(fmt.Errorf("sms: body: %w", err))
	}
	ctx, cancel := context.WithTimeout(ctx, s.c.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.c.URL, &b)
	if err != nil {
		return outbox.Permanent(fmt.Errorf("sms: request: %w", err))
	}
	req.Header.Set("Content-Type", s.c.ContentType)
	if s.c.AuthValue != "" {
		req.Header.Set(s.c.AuthHeader, s.c.AuthValue)
	}
	resp, err := s.c.Client.Do(req)
	if err != nil {
		return fmt.Errorf("sms: gateway: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("sms: gateway answered %s", resp.Status)
	}
	return nil
}
