package app

import (
	"log/slog"

	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// newHasher builds the password hasher with the configured queue limits
// (R-PWD-3).
func newHasher(cfg config.Config) *password.Hasher {
	_, _, _, _, wait := cfg.Throttle.Durations()
	return password.NewLimited(password.DefaultParams, password.Limits{QueueSize: cfg.Throttle.HasherQueue,
		PerSource: cfg.Throttle.HasherPerSource, Wait: wait})
}

// newLimiter builds the brute-force limiter from the configuration.
func newLimiter(st storage.Storage, cfg config.Config, log *slog.Logger) *throttle.Limiter {
	t := cfg.Throttle
	base, maxDelay, lock, window, _ := t.Durations()
	return throttle.New(st, throttle.Config{
		Account:   throttle.Policy{Free: t.AccountFreeFailures, LockAfter: t.AccountLockAfter},
		Source:    throttle.Policy{Free: t.SourceFreeFailures, LockAfter: t.SourceLockAfter},
		BaseDelay: base, MaxDelay: maxDelay, LockDuration: lock, Window: window,
		AuditFull: t.AuditFailuresPerSource, AuditEvery: 100,
	}, log)
}
