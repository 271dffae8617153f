package throttle

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Policy is how many failures a key gets.
type Policy struct {
	// Free failures cost no delay.
	Free int
	// LockAfter failures lock the key for Config.LockDuration.
	LockAfter int
}

// Config tunes the limiter.
type Config struct {
	// Account: per user (or unknown login name, or client).
	Account Policy
	// Source: per client address; more generous (NAT, shared proxies).
	Source Policy
	// BaseDelay is the first delay after the free failures; each further
	// failure doubles it, up to MaxDelay.
	BaseDelay, MaxDelay time.Duration
	// LockDuration is how long a lock lasts (unless an admin unlocks).
	LockDuration time.Duration
	// Window: a counter without failures for this long starts again.
	Window time.Duration
	// AuditFull failed-login audit rows per source and window are written
	// in full; after that one summary row every AuditEvery failures.
	AuditFull, AuditEvery int
}

// DefaultConfig is the limiter's default tuning.
func DefaultConfig() Config {
	return Config{
		Account: Policy{Free: 3, LockAfter: 10}, Source: Policy{Free: 20, LockAfter: 200},
		BaseDelay: time.Second, MaxDelay: time.Minute, LockDuration: 15 * time.Minute, Window: time.Hour,
		AuditFull: 20, AuditEvery: 100,
	}
}

// Limited is the answer when a key is over its budget: retry after
// RetryAfter. It unwraps to a model error with code ETOOMANY.
type Limited struct {
	RetryAfter time.Duration
	Locked     bool
}

func (e *Limited) Error() string {
	return fmt.Sprintf("too many failed attempts: try again in %s", e.RetryAfter)
}

// Unwrap makes the error a model.ETOOMANY error.
func (e *Limited) Unwrap() error {
	return model.Errorf(model.ETOOMANY, "", "too many failed attempts: try again later")
}

// RetryAfterSeconds is the Retry-After value (RFC 9110 §10.2.3).
func (e *Limited) RetryAfterSeconds() int {
	return int((e.RetryAfter + time.Second - 1) / time.Second)
}

// Keys of the accounts a failure is counted against.
func UserKey(id string) string          { return "u:" + id }
func LoginKey(login string) string      { return "l:" + strings.ToLower(strings.TrimSpace(login)) }
func ClientKey(id string) string        { return "c:" + id }
func sourceKey(src string) string       { return "s:" + src }
func auditKey(src string) string        { return "f:" + src }
func source(ctx context.Context) string { return clientip.Source(clientip.From(ctx)) }

// SecondFactorKey is the account of a user's second-factor guesses
// (one-time codes, authenticator and recovery codes): apart from UserKey,
// so the password success that precedes every guess does not reset it.
func SecondFactorKey(userID string) string { return "m:" + userID }

// Limiter counts failures and refuses keys over budget. A nil *Limiter
// allows everything (tests and tools that do not throttle).
type Limiter struct {
	st        storage.Storage
	cfg       Config
	log       *slog.Logger
	now       func() time.Time
	lastPurge atomic.Int64
	clean     cleanCache
	onLock    func(ctx context.Context, key string, until time.Time)
}

// SetOnLock installs f, called once when a key's lock begins (the failure
// that reached the policy's LockAfter; the store counts atomically, so one
// node calls it per lock). The server uses it to mail the account_locked
// message (R-PWD-3). Call before serving.
func (l *Limiter) SetOnLock(f func(ctx context.Context, key string, until time.Time)) {
	if l != nil {
		l.onLock = f
	}
}

// UserOfKey returns the user id of a per-user key (UserKey: passwords;
// SecondFactorKey: second-factor codes).
func UserOfKey(key string) (string, bool) {
	for _, p := range []string{"u:", "m:"} {
		if id, ok := strings.CutPrefix(key, p); ok && id != "" {
			return id, true
		}
	}
	return "", false
}

// New returns a Limiter on st.
func New(st storage.Storage, cfg Config, log *slog.Logger) *Limiter {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Limiter{st: st, cfg: cfg, log: log, now: time.Now}
}

// SetClock replaces the clock (tests).
func (l *Limiter) SetClock(now func() time.Time) { l.now = now }

// Attempt is one credential check in progress (from Check to Fail or
// Succeed).
type Attempt struct {
	account, source string
	// dirty: the account has a counter (Succeed resets it).
	dirty bool
}

// Check refuses (with *Limited) an attempt on account from the request's
// source while either is delayed or locked. It only reads (and not even
// that while this node read both keys as not blocked within cleanTTL).
func (l *Limiter) Check(ctx context.Context, account string) (Attempt, error) {
	a := Attempt{account: account, source: source(ctx)}
	if l == nil {
		return a, nil
	}
	now := l.now()
	keys := []string{account}
	if a.source != "" {
		keys = append(keys, sourceKey(a.source))
	}
	var toRead []string
	for _, k := range keys {
		e, ok := l.clean.get(k, now)
		if !ok {
			toRead = append(toRead, k)
		} else if k == account {
			a.dirty = e.hasRow
		}
	}
	if len(toRead) == 0 {
		return a, nil
	}
	sts, err := l.st.ThrottleStates(ctx, toRead...)
	if err != nil {
		return a, fmt.Errorf("throttle check: %w", err)
	}
	hasRow := map[string]bool{}
	var lim *Limited
	for _, st := range sts {
		hasRow[st.Key] = true
		until, locked := st.NotBefore, false
		if st.LockedUntil.After(until) {
			until, locked = st.LockedUntil, true
		}
		if wait := until.Sub(now); wait > 0 {
			hasRow[st.Key] = false // blocked: not cached
			if lim == nil || wait > lim.RetryAfter {
				lim = &Limited{RetryAfter: wait, Locked: locked}
			}
			continue
		}
		l.clean.put(st.Key, cleanEntry{at: now, hasRow: true})
	}
	for _, k := range toRead {
		if _, seen := hasRow[k]; !seen {
			l.clean.put(k, cleanEntry{at: now})
		}
	}
	if _, ok := hasRow[account]; ok {
		a.dirty = true
	}
	if lim != nil {
		return a, lim
	}
	return a, nil
}

// Fail counts a failed attempt against its account and source, setting the
// delay or lock that follows.
func (l *Limiter) Fail(ctx context.Context, a Attempt) error {
	if l == nil {
		return nil
	}
	now := l.now()
	l.clean.drop(a.account, sourceKey(a.source))
	if err := l.hit(ctx, a.account, l.cfg.Account, now); err != nil {
		return err
	}
	if a.source != "" {
		if err := l.hit(ctx, sourceKey(a.source), l.cfg.Source, now); err != nil {
			return err
		}
	}
	l.purge(ctx, now)
	return nil
}

func (l *Limiter) hit(ctx context.Context, key string, p Policy, now time.Time) error {
	st, err := l.st.ThrottleHit(ctx, key, now, now.Add(-l.cfg.Window))
	if err != nil {
		return fmt.Errorf("throttle: %w", err)
	}
	var notBefore, lockedUntil time.Time
	if over := st.Hits - p.Free; over > 0 {
		d := l.cfg.BaseDelay
		for i := 1; i < over && d < l.cfg.MaxDelay; i++ {
			d *= 2
		}
		notBefore = now.Add(min(d, l.cfg.MaxDelay))
	}
	if p.LockAfter > 0 && st.Hits >= p.LockAfter {
		lockedUntil = now.Add(l.cfg.LockDuration)
	}
	if notBefore.IsZero() && lockedUntil.IsZero() {
		return nil
	}
	if err := l.st.ThrottleBlock(ctx, key, notBefore, lockedUntil); err != nil {
		return fmt.Errorf("throttle: %w", err)
	}
	if p.LockAfter > 0 && st.Hits >= p.LockAfter {
		l.audit(ctx, key, "login.lock", map[string]any{"failures": st.Hits, "until": lockedUntil.UTC().Format(time.RFC3339)})
		if st.Hits == p.LockAfter && l.onLock != nil {
			l.onLock(context.WithoutCancel(ctx), key, lockedUntil)
		}
	}
	return nil
}

// Succeed ends an attempt that passed: the account's counter is reset (the
// source's is not: one good account must not launder a source's guesses).
func (l *Limiter) Succeed(ctx context.Context, a Attempt) error {
	if l == nil || !a.dirty {
		return nil
	}
	l.clean.drop(a.account)
	return l.st.ThrottleReset(ctx, a.account)
}

// Unlock lifts the delay and lock of an account (an admin's unlock; the
// caller audits who did it).
func (l *Limiter) Unlock(ctx context.Context, account string) error {
	if l == nil {
		return nil
	}
	l.clean.drop(account)
	return l.st.ThrottleReset(ctx, account)
}

// Locked reports whether account is locked now, and until when.
func (l *Limiter) Locked(ctx context.Context, account string) (time.Time, bool, error) {
	if l == nil {
		return time.Time{}, false, nil
	}
	sts, err := l.st.ThrottleStates(ctx, account)
	if err != nil || len(sts) == 0 {
		return time.Time{}, false, err
	}
	return sts[0].LockedUntil, sts[0].LockedUntil.After(l.now()), nil
}

// AuditBudget decides whether a failed login from the request's source gets
// its own audit row (issue 8 item 15): the first AuditFull per window do;
// after that every AuditEvery-th failure writes one summary row carrying
// the count (summary > 0), and the rest write none.
func (l *Limiter) AuditBudget(ctx context.Context) (write bool, summary int) {
	src := source(ctx)
	if l == nil || src == "" {
		return true, 0
	}
	now := l.now()
	st, err := l.st.ThrottleHit(ctx, auditKey(src), now, now.Add(-l.cfg.Window))
	if err != nil {
		l.log.Warn("audit budget", "err", err)
		return true, 0
	}
	switch {
	case st.Hits <= l.cfg.AuditFull:
		return true, 0
	case l.cfg.AuditEvery > 0 && st.Hits%l.cfg.AuditEvery == 0:
		return true, st.Hits
	}
	return false, 0
}

// audit records a lock (R-OPS-4).
func (l *Limiter) audit(ctx context.Context, key, action string, details map[string]any) {
	kind, id, _ := strings.Cut(key, ":")
	ev := model.AuditEvent{Time: l.now(), Action: action, SourceIP: clientip.From(ctx), Outcome: model.OutcomeDenied, Details: details}
	switch kind {
	case "u":
		ev.TargetType, ev.TargetID = "user", id
	case "m":
		ev.TargetType, ev.TargetID, ev.Details["factor"] = "user", id, "second"
	case "c":
		ev.TargetType, ev.TargetID = "client", id
	case "s":
		ev.TargetType, ev.TargetID = "source", id
	default:
		ev.TargetType, ev.Details["loginName"] = "login", id
	}
	if err := l.st.AppendAudit(context.WithoutCancel(ctx), ev); err != nil {
		l.log.ErrorContext(ctx, "audit lock", "err", err)
	}
}

// purge drops stale counters, at most every ten minutes per node.
func (l *Limiter) purge(ctx context.Context, now time.Time) {
	last := l.lastPurge.Load()
	if now.UnixNano()-last < int64(10*time.Minute) || !l.lastPurge.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	if _, err := l.st.PurgeThrottle(ctx, now.Add(-l.cfg.Window)); err != nil {
		l.log.Warn("purge throttle counters", "err", err)
	}
}
