package config

import (
	"io"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path"
	"strings"
	"text/template"
	"time"
)

// SMTP is the mail server the outbox sends email through (R-MSG-2); empty
// host: no email is sent (messages stay queued).
type SMTP struct {
	// Host and Port of the SMTP server; no host: no email is sent.
	Host string `yaml:"host"`
	Port int    `yaml:"port"`
	// TLS is starttls (default, required), tls (implicit, port 465) or
	// none (only for a loopback host).
	TLS      string `yaml:"tls"`
	Username string `yaml:"username"`
	// PasswordEnv names the environment variable holding the password
	// (default SESAME_SMTP_PASSWORD); passwords are not written in YAML.
	PasswordEnv string `yaml:"passwordEnv"`
	// Password is read from PasswordEnv by Load.
	Password string `yaml:"-"`
	From     string `yaml:"from"`
	FromName string `yaml:"fromName"`
	Timeout  string `yaml:"timeout"`
}

// SMS is the HTTP gateway the outbox sends SMS through (R-MSG-2); empty
// URL: no SMS is sent.
type SMS struct {
	// URL of the SMS gateway (POSTed to); empty: no SMS is sent.
	URL string `yaml:"url"`
	// AuthHeader carries the credential (default Authorization); its value
	// comes from the environment variable AuthValueEnv (default
	// SESAME_SMS_AUTH).
	AuthHeader   string `yaml:"authHeader"`
	AuthValueEnv string `yaml:"authValueEnv"`
	AuthValue    string `yaml:"-"`
	// Body is a text/template with {{.To}}, {{.Text}}, {{.Language}}, each
	// already encoded for ContentType (JSON: a quoted string).
	Body        string `yaml:"body"`
	ContentType string `yaml:"contentType"`
	Timeout     string `yaml:"timeout"`
}

// Messages tunes the outbox worker (R-MSG-2).
type Messages struct {
	// Undeliverable are address patterns (path.Match, case-insensitive)
	// never sent to: virtual marketplace addresses (seed 002).
	Undeliverable []string `yaml:"undeliverable"`
	MaxAttempts   int      `yaml:"maxAttempts"`
	// Backoff after the first failure, doubled per attempt up to MaxBackoff.
	Backoff    string `yaml:"backoff"`
	MaxBackoff string `yaml:"maxBackoff"`
	// Poll is the pause of an idle worker.
	Poll string `yaml:"poll"`
}

var (
	defaultSMTP     = SMTP{Port: 587, TLS: "starttls", PasswordEnv: "SESAME_SMTP_PASSWORD", Timeout: "30s"}
	defaultSMS      = SMS{AuthHeader: "Authorization", AuthValueEnv: "SESAME_SMS_AUTH", ContentType: "application/json", Timeout: "10s"}
	defaultMessages = Messages{Undeliverable: []string{"*@*.invalid", "*@invalid"}, MaxAttempts: 8, Backoff: "30s", MaxBackoff: "1h", Poll: "2s"}
)

// DefaultMessages is the messages section's default (undeliverable
// patterns, retries).
func DefaultMessages() Messages {
	m := defaultMessages
	m.Undeliverable = append([]string(nil), defaultMessages.Undeliverable...)
	return m
}

// applyMessagesEnv reads the SMTP password and the SMS gateway credential
// from the environment variables the config names.
func (c *Config) applyMessagesEnv(env func(string) (string, bool)) {
	if env == nil {
		env = os.LookupEnv
	}
	if v, ok := env(c.SMTP.PasswordEnv); ok && c.SMTP.PasswordEnv != "" {
		c.SMTP.Password = v
	}
	if v, ok := env(c.SMS.AuthValueEnv); ok && c.SMS.AuthValueEnv != "" {
		c.SMS.AuthValue = v
	}
	for name, p := range map[string]*string{"SESAME_SMTP_HOST": &c.SMTP.Host, "SESAME_SMTP_FROM": &c.SMTP.From, "SESAME_SMS_URL": &c.SMS.URL} {
		if v, ok := env(name); ok {
			*p = v
		}
	}
}

// Durations parses the worker's durations (validated by Validate).
func (m Messages) Durations() (backoff, maxBackoff, poll time.Duration) {
	p := func(s string) time.Duration { d, _ := time.ParseDuration(s); return d }
	return p(m.Backoff), p(m.MaxBackoff), p(m.Poll)
}

// TimeoutDuration parses Timeout.
func (s SMTP) TimeoutDuration() time.Duration { d, _ := time.ParseDuration(s.Timeout); return d }

// TimeoutDuration parses Timeout.
func (s SMS) TimeoutDuration() time.Duration { d, _ := time.ParseDuration(s.Timeout); return d }

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c Config) validateMessages(bad func(key, format string, args ...any)) {
	duration := func(key, v string, min time.Duration) {
		if d, err := time.ParseDuration(v); err != nil || d < min {
			bad(key, "%q is not a duration of at least %s", v, min)
		}
	}
	if s := c.SMTP; s.Host != "" {
		if strings.ContainsAny(s.Host, " /:\r\n") {
			bad("smtp.host", "%q is not a host name", s.Host)
		}
		if s.Port < 1 || s.Port > 65535 {
			bad("smtp.port", "%d is not a port", s.Port)
		}
		switch s.TLS {
		case "starttls", "tls":
		case "none":
			if !loopback(s.Host) {
				bad("smtp.tls", "none is only allowed for a loopback host (tests); use starttls or tls")
			}
		default:
			bad("smtp.tls", "%q is not one of starttls, tls, none", s.TLS)
		}
		if a, err := mail.ParseAddress(s.From); err != nil || a.Address != s.From {
			bad("smtp.from", "%q is not one plain email address", s.From)
		}
		if strings.ContainsAny(s.FromName, "\r\n") {
			bad("smtp.fromName", "must be one line")
		}
		if s.Username != "" && s.Password == "" {
			bad("smtp.passwordEnv", "smtp.username is set but the environment variable %q is empty or unset", s.PasswordEnv)
		}
		duration("smtp.timeout", s.Timeout, time.Second)
	}
	if s := c.SMS; s.URL != "" {
		u, err := url.Parse(s.URL)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			bad("sms.url", "%q is not an absolute http(s) URL", s.URL)
		case u.Scheme == "http" && !loopback(u.Hostname()):
			bad("sms.url", "must be https (http only for a loopback host)")
		}
		if s.Body != "" {
			t, err := template.New("body").Option("missingkey=error").Parse(s.Body)
			if err == nil {
				err = t.Execute(io.Discard, struct{ To, Text, Language string }{})
			}
			if err != nil {
				bad("sms.body", "%v (placeholders: {{.To}}, {{.Text}}, {{.Language}})", err)
			}
		}
		if strings.ContainsAny(s.AuthHeader+s.AuthValue+s.ContentType, "\r\n") {
			bad("sms.authHeader", "header names and values must be one line")
		}
		duration("sms.timeout", s.Timeout, 100*time.Millisecond)
	}
	m := c.Messages
	for _, p := range m.Undeliverable {
		if _, err := path.Match(p, ""); err != nil {
			bad("messages.undeliverable", "%q is not a pattern: %v", p, err)
		}
	}
	if m.MaxAttempts < 1 || m.MaxAttempts > 100 {
		bad("messages.maxAttempts", "must be between 1 and 100")
	}
	duration("messages.backoff", m.Backoff, time.Second)
	duration("messages.maxBackoff", m.MaxBackoff, time.Second)
	duration("messages.poll", m.Poll, 100*time.Millisecond)
}
