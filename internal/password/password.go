package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	"github.com/sesame-sso/sesame/internal/clientip"
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	KeyLen  uint32
	SaltLen int
}

// DefaultParams follow OWASP's argon2id recommendation (19 MiB, t=2, p=1).
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}

// ErrMismatch is returned when a password does not match its hash.
var ErrMismatch = errors.New("password does not match")

// Work counts the hashing a Hasher has done: Runs computations, and Cost in
// KiB·passes for argon2id (m·t) plus 2^cost for bcrypt. Tests assert on it
// (an unknown login costs what a known one costs) instead of on wall time.
type Work struct {
	Runs, Cost int64
}

// Hasher hashes and verifies passwords, a bounded number at a time, with a
// bounded, fair queue (queue.go).
type Hasher struct {
	p     Params
	sched *scheduler
	// dummy is verified against when the user does not exist, so timing does
	// not reveal whether a login name is known.
	dummy string
	runs  atomic.Int64
	cost  atomic.Int64
	// idKey is argon2.IDKey (replaced in tests to observe admission order).
	idKey func(pw, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte
	// onWait is told how long each verification waited for its slot
	// (SetWaitObserver; nil: nobody).
	onWait func(d time.Duration, refused bool)
}

// SetWaitObserver installs f, told after every verification's wait for a
// hashing slot how long it waited and whether it was refused (the
// metrics' hashing-queue wait). Set before use.
func (h *Hasher) SetWaitObserver(f func(d time.Duration, refused bool)) { h.onWait = f }

// New returns a Hasher with params, allowing concurrency hashes at once
// (GOMAXPROCS when <= 0) and the default queue limits.
func New(p Params, concurrency int) *Hasher {
	return NewLimited(p, Limits{Concurrency: concurrency})
}

// NewLimited returns a Hasher with params and queue limits.
func NewLimited(p Params, l Limits) *Hasher {
	h := &Hasher{p: p, sched: newScheduler(l.withDefaults(runtime.GOMAXPROCS(0))), idKey: argon2.IDKey}
	h.dummy = h.hash([]byte("sesame-dummy-password"))
	h.runs.Store(0)
	h.cost.Store(0)
	return h
}

// Work returns the hashing done so far.
func (h *Hasher) Work() Work { return Work{Runs: h.runs.Load(), Cost: h.cost.Load()} }

func (h *Hasher) argon(pw, salt []byte, p Params, keyLen uint32) []byte {
	h.runs.Add(1)
	h.cost.Add(int64(p.Memory) * int64(p.Time))
	return h.idKey(pw, salt, p.Time, p.Memory, p.Threads, keyLen)
}

func (h *Hasher) hash(pw []byte) string {
	salt := make([]byte, h.p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	key := h.argon(pw, salt, h.p, h.p.KeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.p.Memory, h.p.Time, h.p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key))
}

// source is the fairness unit of a request: its client address (/64 for
// IPv6), "" for internal callers.
func source(ctx context.Context) string { return clientip.Source(clientip.From(ctx)) }

// Hash returns the PHC string of pw.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	src := source(ctx)
	if err := h.sched.acquire(ctx, src); err != nil {
		return "", err
	}
	defer h.sched.release(src)
	return h.hash([]byte(pw)), nil
}

// Verify checks pw against a stored hash. An empty phc (no password set, or
// unknown user) is checked against a dummy hash and always fails, costing
// the same work as a real check. A hash outside the accepted band (Check)
// never verifies. ErrBusy: the hasher could not take the work in time.
func (h *Hasher) Verify(ctx context.Context, phc, pw string) error {
	src := source(ctx)
	start := time.Now()
	err := h.sched.acquire(ctx, src)
	if h.onWait != nil {
		h.onWait(time.Since(start), err != nil)
	}
	if err != nil {
		return err
	}
	defer h.sched.release(src)
	if phc == "" {
		_ = h.verify(h.dummy, []byte(pw))
		return ErrMismatch
	}
	return h.verify(phc, []byte(pw))
}

func (h *Hasher) verify(phc string, pw []byte) error {
	if isBcrypt(phc) {
		cost, err := h.checkBcrypt(phc)
		if err != nil {
			return err
		}
		h.runs.Add(1)
		h.cost.Add(1 << cost)
		if bcrypt.CompareHashAndPassword([]byte(phc), pw) != nil {
			return ErrMismatch
		}
		return nil
	}
	p, salt, key, err := Parse(phc)
	if err != nil {
		return err
	}
	if err := h.checkArgon(p); err != nil {
		return err
	}
	got := h.argon(pw, salt, p, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return ErrMismatch
	}
	return nil
}

// Parse decodes an argon2id PHC string (syntax only; Check also applies the
// accepted parameter band).
func Parse(phc string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("not an argon2id PHC string")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errors.New("unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, errors.New("bad argon2id parameters")
	}
	if p.Memory < 8 || p.Memory > 4*1024*1024 || p.Time < 1 || p.Time > 100 || p.Threads < 1 {
		return p, nil, nil, errors.New("argon2id parameters out of range")
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil || len(salt) < 8 || len(salt) > 64 {
		return p, nil, nil, errors.New("bad salt")
	}
	key, err := enc.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, errors.New("bad key")
	}
	return p, salt, key, nil
}

// Generate returns a random password of n characters (for bootstrap).
func Generate(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
