package config

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration.
type Config struct {
	Server   Server   `yaml:"server"`
	Database Database `yaml:"database"`
	// DataDir holds the SQLite database (sesame.db) when database.url is
	// empty; created on the first start.
	DataDir  string   `yaml:"dataDir"`
	Log      Log      `yaml:"log"`
	Admin    Admin    `yaml:"admin"`
	OIDC     OIDC     `yaml:"oidc"`
	Session  Session  `yaml:"session"`
	Throttle Throttle `yaml:"throttle"`

	// TwoFactor: second factor (twofactor.go).
	TwoFactor TwoFactor `yaml:"twofactor"`
	SMTP      SMTP      `yaml:"smtp"`
	SMS       SMS       `yaml:"sms"`
	Messages  Messages  `yaml:"messages"`
	Password  Password  `yaml:"password"`
	// Federation: delegated login to customers' IdPs (federation.go).
	Federation Federation `yaml:"federation"`
	// Tracing: OpenTelemetry spans sent to a collector (tracing.go).
	Tracing Tracing `yaml:"tracing"`

	// src is where the file's keys were and what was wrong in it
	// (source.go); nil without a file.
	src *source
}

// OIDC configures the OAuth 2.0 / OpenID Connect provider. Durations are
// Go durations ("10m", "720h"); a client's own lifetimes win.
type OIDC struct {
	// SigningAlg is RS256 (default) or ES256.
	SigningAlg string `yaml:"signingAlg"`
	// KeyRotation is how long one signing key signs.
	KeyRotation string `yaml:"keyRotation"`
	AccessTTL   string `yaml:"accessTokenTTL"`
	RefreshTTL  string `yaml:"refreshTokenTTL"`
}

// Durations parses the OIDC durations (validated by Validate).
func (o OIDC) Durations() (rotation, access, refresh time.Duration) {
	p := func(s string) time.Duration { d, _ := time.ParseDuration(s); return d }
	return p(o.KeyRotation), p(o.AccessTTL), p(o.RefreshTTL)
}

// Server is the HTTP listener.
type Server struct {
	// Addr is the host:port the HTTP listener binds (behind a TLS reverse
	// proxy in production: see docs/deploy.md).
	Addr string `yaml:"addr"`
	// ExternalURL is how users and apps reach the server (the issuer);
	// default http:// + Addr.
	ExternalURL string `yaml:"externalURL"`
	// MaxBodyBytes bounds request bodies.
	MaxBodyBytes int64 `yaml:"maxBodyBytes"`
	// ManagementAddr is the management listener (/metrics, /healthz,
	// /readyz), kept off the public address; "off" disables it.
	ManagementAddr string `yaml:"managementAddr"`
}

// Database selects the store: a postgres:// URL, or empty for SQLite in DataDir.
type Database struct {
	// URL is postgres://user:pass@host:5432/db?sslmode=… for PostgreSQL
	// (several nodes), sqlite://PATH, or empty for SQLite in dataDir.
	URL string `yaml:"url"`
}

// Log configures slog.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is text (key=value lines) or json (one object per line).
	Format string `yaml:"format"`
}

// Admin configures the bootstrap administrator.
type Admin struct {
	// Login of the bootstrap admin created on first start.
	Login string `yaml:"login"`
}

// Default returns the zero-config defaults.
func Default() Config {
	return Config{
		Server:   Server{Addr: "127.0.0.1:8080", MaxBodyBytes: 1 << 20, ManagementAddr: "127.0.0.1:9090"},
		DataDir:  "data",
		Log:      Log{Level: "info", Format: "text"},
		Admin:    Admin{Login: "admin"},
		OIDC:     OIDC{SigningAlg: "RS256", KeyRotation: "720h", AccessTTL: "10m", RefreshTTL: "720h"},
		Session:  defaultSession,
		Throttle: DefaultThrottle(),

		TwoFactor: DefaultTwoFactor(),
		SMTP:      defaultSMTP, SMS: defaultSMS, Messages: defaultMessages,
		Password:   DefaultPassword(),
		Federation: DefaultFederation(),
		Tracing:    DefaultTracing(),
	}
}

// Load reads path (if not empty) over the defaults and applies env.
func Load(path string, env func(string) (string, bool)) (Config, error) {
	c := Default()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("config: %w", err)
		}
		src, err := decodeFile(path, b, &c)
		if err != nil {
			return c, fmt.Errorf("config %s: %w", path, err)
		}
		c.src = src
	}
	c.applyEnv(env)
	c.applyThrottleEnv(env)
	c.applyTwoFactorEnv(env)
	c.applyMessagesEnv(env)
	c.applyPasswordEnv(env)
	c.applyFederationEnv(env)
	c.applyTracingEnv(env)
	return c, nil
}

// Decode parses YAML strictly into c.
func Decode(r io.Reader, c *Config) error {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// Env lists the environment overrides and the key each sets.
var Env = map[string]string{
	"SESAME_SERVER_ADDR":      "server.addr",
	"SESAME_EXTERNAL_URL":     "server.externalURL",
	"SESAME_MANAGEMENT_ADDR":  "server.managementAddr",
	"SESAME_DATABASE_URL":     "database.url",
	"SESAME_DATA_DIR":         "dataDir",
	"SESAME_LOG_LEVEL":        "log.level",
	"SESAME_LOG_FORMAT":       "log.format",
	"SESAME_ADMIN_LOGIN":      "admin.login",
	"SESAME_OIDC_SIGNING_ALG": "oidc.signingAlg",

	"SESAME_SESSION_ABSOLUTE_TIMEOUT": "session.absoluteTimeout",
	"SESAME_SESSION_IDLE_TIMEOUT":     "session.idleTimeout",
}

func (c *Config) applyEnv(env func(string) (string, bool)) {
	if env == nil {
		env = os.LookupEnv
	}
	set := map[string]*string{
		"server.addr":           &c.Server.Addr,
		"server.externalURL":    &c.Server.ExternalURL,
		"server.managementAddr": &c.Server.ManagementAddr,
		"database.url":          &c.Database.URL,
		"dataDir":               &c.DataDir,
		"log.level":             &c.Log.Level,
		"log.format":            &c.Log.Format,
		"admin.login":           &c.Admin.Login,
		"oidc.signingAlg":       &c.OIDC.SigningAlg,

		"session.absoluteTimeout": &c.Session.AbsoluteTimeout,
		"session.idleTimeout":     &c.Session.IdleTimeout,
	}
	for name, key := range Env {
		if v, ok := env(name); ok {
			*set[key] = v
		}
	}
}

// Validate returns every problem, one line each, naming the key — with
// the file and line when the key came from the configuration file —
// together with the unknown keys and wrongly typed values of the file.
func (c Config) Validate() error {
	var errs []error
	if c.src != nil {
		errs = append(errs, c.src.problems...)
	}
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if _, port, err := net.SplitHostPort(c.Server.Addr); err != nil || port == "" {
		bad("server.addr", "%q is not host:port", c.Server.Addr)
	}
	if a := c.Server.ManagementAddr; a != "off" {
		if _, port, err := net.SplitHostPort(a); err != nil || port == "" {
			bad("server.managementAddr", "%q is not host:port or off", a)
		} else if a == c.Server.Addr && port != "0" {
			bad("server.managementAddr", "must differ from server.addr (metrics stay off the public listener)")
		}
	}
	if c.Server.ExternalURL != "" {
		u, err := url.Parse(c.Server.ExternalURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("server.externalURL", "%q is not an absolute http(s) URL", c.Server.ExternalURL)
		}
	}
	if c.Server.MaxBodyBytes < 1024 || c.Server.MaxBodyBytes > 64<<20 {
		bad("server.maxBodyBytes", "must be between 1024 and 67108864")
	}
	if u := c.Database.URL; u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") &&
		!strings.HasPrefix(u, "sqlite://") && !strings.HasPrefix(u, "file:") {
		bad("database.url", "must be a postgres:// URL, a sqlite:// path, or empty for SQLite in dataDir")
	}
	if c.Database.URL == "" && strings.TrimSpace(c.DataDir) == "" {
		bad("dataDir", "is required when database.url is empty")
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", "%q is not one of text, json", c.Log.Format)
	}
	if c.OIDC.SigningAlg != "RS256" && c.OIDC.SigningAlg != "ES256" {
		bad("oidc.signingAlg", "%q is not one of RS256, ES256", c.OIDC.SigningAlg)
	}
	for key, v := range map[string]string{"oidc.keyRotation": c.OIDC.KeyRotation, "oidc.accessTokenTTL": c.OIDC.AccessTTL, "oidc.refreshTokenTTL": c.OIDC.RefreshTTL} {
		if d, err := time.ParseDuration(v); err != nil || d < time.Minute {
			bad(key, "%q is not a duration of at least 1m", v)
		}
	}
	if d, _ := time.ParseDuration(c.OIDC.AccessTTL); d > 24*time.Hour {
		bad("oidc.accessTokenTTL", "must be at most 24h")
	}
	c.Session.validate(bad)
	if strings.TrimSpace(c.Admin.Login) == "" {
		bad("admin.login", "is required")
	}
	errs = append(errs, c.Throttle.validate())
	envErrs := c.TwoFactor.validate(bad)
	errs = append(errs, envErrs...)
	c.validateMessages(bad)
	errs = append(errs, c.Password.validate(bad)...)
	c.Federation.validate(bad)
	c.Tracing.validate(bad)
	return c.src.locate(errs)
}

// DatabaseURL is the store location: database.url, or SQLite in dataDir.
func (c Config) DatabaseURL() string {
	if c.Database.URL != "" {
		return c.Database.URL
	}
	return "sqlite://" + filepath.Join(c.DataDir, "sesame.db")
}

// Issuer is the external URL without a trailing slash.
func (c Config) Issuer() string {
	if c.Server.ExternalURL != "" {
		return strings.TrimRight(c.Server.ExternalURL, "/")
	}
	return "http://" + c.Server.Addr
}
