package config

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/clientip"
)

// Throttle configures brute-force protection (R-PWD-3, issue 8 item 4) and
// the password hasher's queue. Durations are Go durations ("15m").
type Throttle struct {
	// TrustedProxies are the CIDRs (or addresses) of reverse proxies whose
	// X-Forwarded-For names the client; from anyone else it is ignored.
	TrustedProxies []string `yaml:"trustedProxies"`
	// AccountFreeFailures failures per account cost no delay; each further
	// one doubles the delay from BaseDelay up to MaxDelay; after
	// AccountLockAfter the account is locked for LockDuration.
	AccountFreeFailures int `yaml:"accountFreeFailures"`
	AccountLockAfter    int `yaml:"accountLockAfter"`
	// The same per source address (IPv6: per /64).
	SourceFreeFailures int    `yaml:"sourceFreeFailures"`
	SourceLockAfter    int    `yaml:"sourceLockAfter"`
	BaseDelay          string `yaml:"baseDelay"`
	MaxDelay           string `yaml:"maxDelay"`
	LockDuration       string `yaml:"lockDuration"`
	// Window: counters without a failure for this long start again.
	Window string `yaml:"window"`
	// AuditFailuresPerSource failed logins per source and window get a
	// full audit row; after that one summary row per 100 failures.
	AuditFailuresPerSource int `yaml:"auditFailuresPerSource"`
	// HasherQueue verifications may wait for a hashing slot, at most
	// HasherPerSource of them (running or waiting) from one source, each
	// for at most HasherWait; beyond that the answer is 503.
	HasherQueue     int    `yaml:"hasherQueue"`
	HasherPerSource int    `yaml:"hasherPerSource"`
	HasherWait      string `yaml:"hasherWait"`

	envErrs []error
}

// DefaultThrottle is the default brute-force tuning.
func DefaultThrottle() Throttle {
	return Throttle{AccountFreeFailures: 3, AccountLockAfter: 10, SourceFreeFailures: 20, SourceLockAfter: 200,
		BaseDelay: "1s", MaxDelay: "1m", LockDuration: "15m", Window: "1h", AuditFailuresPerSource: 20,
		HasherQueue: 64, HasherPerSource: 16, HasherWait: "3s"}
}

// ThrottleEnv lists the brute-force environment overrides and their keys.
var ThrottleEnv = map[string]string{
	"SESAME_TRUSTED_PROXIES":        "throttle.trustedProxies (comma-separated)",
	"SESAME_THROTTLE_LOCK_AFTER":    "throttle.accountLockAfter",
	"SESAME_THROTTLE_LOCK_DURATION": "throttle.lockDuration",
	"SESAME_HASHER_QUEUE":           "throttle.hasherQueue",
}

func (c *Config) applyThrottleEnv(env func(string) (string, bool)) {
	if env == nil {
		env = os.LookupEnv
	}
	t := &c.Throttle
	if v, ok := env("SESAME_TRUSTED_PROXIES"); ok {
		t.TrustedProxies = nil
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				t.TrustedProxies = append(t.TrustedProxies, p)
			}
		}
	}
	if v, ok := env("SESAME_THROTTLE_LOCK_DURATION"); ok {
		t.LockDuration = v
	}
	for name, dst := range map[string]*int{"SESAME_THROTTLE_LOCK_AFTER": &t.AccountLockAfter, "SESAME_HASHER_QUEUE": &t.HasherQueue} {
		if v, ok := env(name); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.envErrs = append(t.envErrs, fmt.Errorf("%s: %q is not a number", name, v))
				continue
			}
			*dst = n
		}
	}
}

// Durations parses the throttle durations (validated by Validate).
func (t Throttle) Durations() (baseDelay, maxDelay, lock, window, hasherWait time.Duration) {
	p := func(s string) time.Duration { d, _ := time.ParseDuration(s); return d }
	return p(t.BaseDelay), p(t.MaxDelay), p(t.LockDuration), p(t.Window), p(t.HasherWait)
}

// Proxies parses TrustedProxies (validated by Validate).
func (t Throttle) Proxies() []netip.Prefix {
	ps, _ := clientip.ParsePrefixes(t.TrustedProxies)
	return ps
}

func (t Throttle) validate() error {
	errs := append([]error(nil), t.envErrs...)
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("throttle.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if _, err := clientip.ParsePrefixes(t.TrustedProxies); err != nil {
		bad("trustedProxies", "%v", err)
	}
	for key, v := range map[string]int{"accountFreeFailures": t.AccountFreeFailures, "sourceFreeFailures": t.SourceFreeFailures} {
		if v < 0 || v > 1000 {
			bad(key, "must be between 0 and 1000")
		}
	}
	for key, v := range map[string]int{"accountLockAfter": t.AccountLockAfter, "sourceLockAfter": t.SourceLockAfter} {
		if v < 1 || v > 100000 {
			bad(key, "must be between 1 and 100000")
		}
	}
	if t.AccountLockAfter <= t.AccountFreeFailures {
		bad("accountLockAfter", "must be greater than accountFreeFailures")
	}
	if t.SourceLockAfter <= t.SourceFreeFailures {
		bad("sourceLockAfter", "must be greater than sourceFreeFailures")
	}
	for key, v := range map[string]string{"baseDelay": t.BaseDelay, "maxDelay": t.MaxDelay, "lockDuration": t.LockDuration, "window": t.Window, "hasherWait": t.HasherWait} {
		if d, err := time.ParseDuration(v); err != nil || d <= 0 || d > 24*time.Hour {
			bad(key, "%q is not a duration between 0 and 24h", v)
		}
	}
	base, maxD, lock, window, _ := t.Durations()
	if base > maxD {
		bad("maxDelay", "must be at least baseDelay")
	}
	if window < lock || window < maxD {
		bad("window", "must be at least lockDuration and maxDelay")
	}
	if t.AuditFailuresPerSource < 1 || t.AuditFailuresPerSource > 100000 {
		bad("auditFailuresPerSource", "must be between 1 and 100000")
	}
	if t.HasherQueue < 1 || t.HasherQueue > 100000 {
		bad("hasherQueue", "must be between 1 and 100000")
	}
	if t.HasherPerSource < 1 || t.HasherPerSource > 1000 {
		bad("hasherPerSource", "must be between 1 and 1000")
	}
	return errors.Join(errs...)
}
