package otp

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Answers of Verify and Resend; each carries a model code, so a page or an
// API maps them without knowing this package.
var (
	// ErrWrongCode: the code does not match; the user may try again.
	ErrWrongCode = model.Errorf(model.EINVALID, "code", "the code is wrong")
	// ErrExpired: the code's lifetime is over; ask for a new one.
	ErrExpired = model.Errorf(model.EINVALID, "code", "the code has expired, ask for a new one")
	// ErrUsed: the code was accepted once already (R-2FA-2).
	ErrUsed = model.Errorf(model.ECONFLICT, "code", "the code has been used")
	// ErrTooManyAttempts: the challenge is dead after MaxAttempts guesses.
	ErrTooManyAttempts = model.Errorf(model.ETOOMANY, "code", "too many wrong codes, ask for a new one")
	// ErrCooldown: a resend came before the cool-down ended.
	ErrCooldown = model.Errorf(model.ETOOMANY, "code", "a new code can be sent a little later")
	// ErrTooManySends: the challenge's code was sent MaxSends times.
	ErrTooManySends = model.Errorf(model.ETOOMANY, "code", "no more codes can be sent for this login")
	// ErrSMSBlocked: the mode needs an SMS, the user's number does not
	// match the MSISDN pattern (R-2FA-3) and no other channel is left.
	ErrSMSBlocked = model.Errorf(model.EFORBIDDEN, "phone", "the SMS was blocked: the phone number is not allowed to receive codes")
	// ErrNoDestination: the user has no address for the mode's channels.
	ErrNoDestination = model.Errorf(model.EINVALID, "twoFactor", "the user has no email address or phone number to send a code to")
	// ErrNotFound: no such challenge for this user and purpose.
	ErrNotFound = model.Errorf(model.ENOTFOUND, "challenge", "no such code challenge")
)

// Message is one code to deliver; Send hands it to the outbox.
type Message struct {
	ChallengeID string
	UserID      string
	// Channel is ChannelSMS (To is the MSISDN) or ChannelEmail.
	Channel  string
	To       string
	Language string // the user's preferred language (R-2FA-4), "" = default
	Purpose  string
	Code     string
	// ExpiresAt: when the code stops working (for the message text).
	ExpiresAt time.Time
}

// Send delivers m — typically an outbox row written in tx, so the message is
// committed with the challenge (R-MSG-2). An error rolls the challenge back.
type Send func(ctx context.Context, tx storage.Storage, m Message) error

// Issued says what Issue or Resend did.
type Issued struct {
	ChallengeID string
	// Sent lists the channels a code went to.
	Sent []string
	// SMSBlocked: an SMS was due but the number does not match the MSISDN
	// pattern (R-2FA-3); the page says so.
	SMSBlocked bool
	ExpiresAt  time.Time
}

// Codes issues and verifies one-time codes.
type Codes struct {
	Settings Settings
	// Key keys the code HMAC (e.g. derived from the master key), so a
	// reader of the database cannot test the 10^digits codes offline;
	// without it the HMAC is keyed by the challenge id only.
	Key []byte
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (c *Codes) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// hash is HMAC-SHA-256 over the challenge id and the code: a code is bound to
// its challenge, and only the hash is stored.
func (c *Codes) hash(challengeID, code string) []byte {
	m := hmac.New(sha256.New, append(append([]byte(nil), c.Key...), challengeID...))
	m.Write([]byte(code))
	return m.Sum(nil)
}

// newCode returns a uniformly random code of the configured digits
// (R-2FA-2: at least 6).
func (c *Codes) newCode() (string, error) {
	d := max(c.Settings.Digits, 6)
	n, err := rand.Int(rand.Reader, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d)), nil))
	if err != nil {
		return "", fmt.Errorf("otp: random code: %w", err)
	}
	return fmt.Sprintf("%0*d", d, n), nil
}

// destinations resolves the mode's channels for u: an SMS only to a number
// matching the MSISDN pattern (else blocked), an email to the user's address.
func (c *Codes) destinations(u model.User, mode string) (map[string]string, bool, error) {
	to, blocked := map[string]string{}, false
	for _, ch := range channels(mode) {
		switch ch {
		case ChannelSMS:
			if n := c.Settings.SMSNumber(u.Person.Phone); n != "" {
				to[ch] = n
			} else {
				blocked = true
			}
		case ChannelEmail:
			if u.Person.Email != "" {
				to[ch] = u.Person.Email
			}
		}
	}
	switch {
	case len(to) > 0:
		return to, blocked, nil
	case blocked:
		return nil, true, ErrSMSBlocked
	}
	return nil, false, ErrNoDestination
}

// Issue creates a challenge for u in mode (Settings.Mode when empty) for
// purpose ("login"), and sends its code on every channel of the mode that
// has a destination, through send in tx.
func (c *Codes) Issue(ctx context.Context, tx storage.Storage, u model.User, mode, purpose string, send Send) (Issued, error) {
	if mode == "" {
		mode = c.Settings.Mode(u)
	}
	if channels(mode) == nil {
		return Issued{}, model.Invalid("twoFactor", "no one-time codes in mode %q", mode)
	}
	to, blocked, err := c.destinations(u, mode)
	if err != nil {
		return Issued{SMSBlocked: blocked}, err
	}
	code, err := c.newCode()
	if err != nil {
		return Issued{}, err
	}
	now := c.now().UTC()
	ch := storage.OTPChallenge{ID: uuid.NewString(), UserID: u.ID, Channel: mode, Purpose: purpose, MaxAttempts: max(c.Settings.MaxAttempts, 1),
		Sends: 1, SentAt: now, CreatedAt: now, ExpiresAt: now.Add(c.Settings.TTL)}
	ch.CodeHash = c.hash(ch.ID, code)
	if err := tx.CreateOTPChallenge(ctx, ch); err != nil {
		return Issued{}, fmt.Errorf("otp: issue: %w", err)
	}
	return c.send(ctx, tx, u, ch, to, blocked, code, send)
}

func (c *Codes) send(ctx context.Context, tx storage.Storage, u model.User, ch storage.OTPChallenge, to map[string]string, blocked bool, code string, send Send) (Issued, error) {
	out := Issued{ChallengeID: ch.ID, SMSBlocked: blocked, ExpiresAt: ch.ExpiresAt}
	for _, name := range channels(ch.Channel) {
		dest, ok := to[name]
		if !ok {
			continue
		}
		if err := send(ctx, tx, Message{ChallengeID: ch.ID, UserID: u.ID, Channel: name, To: dest, Language: u.Person.Language,
			Purpose: ch.Purpose, Code: code, ExpiresAt: ch.ExpiresAt}); err != nil {
			return Issued{}, fmt.Errorf("otp: send %s: %w", name, err)
		}
		out.Sent = append(out.Sent, name)
	}
	return out, nil
}

// normalize drops spaces and dashes users type into codes; anything longer
// than a code can be is cut (it is wrong anyway, and counted).
func normalize(code string) string {
	code = strings.NewReplacer(" ", "", "-", "").Replace(code)
	if len(code) > 16 {
		code = code[:16]
	}
	return code
}

// Verify checks code against the challenge for userID and purpose: another
// user's or another purpose's challenge is "not found" (and not counted);
// every guess is counted; at MaxAttempts the challenge is dead; expired
// codes are refused; the right code works once (the check and the
// consumption happen under the challenge's lock: of concurrent correct
// guesses exactly one succeeds). The comparison is constant-time.
func (c *Codes) Verify(ctx context.Context, st storage.Credentials, userID, challengeID, purpose, code string) error {
	if uuid.Validate(challengeID) != nil {
		return ErrNotFound // hostile ids (NUL, invalid UTF-8) never reach the store
	}
	now := c.now().UTC()
	code = normalize(code)
	var matched bool
	out, err := st.UpdateOTPChallenge(ctx, challengeID, func(ch storage.OTPChallenge) (storage.OTPChallenge, error) {
		switch {
		case ch.UserID != userID || ch.Purpose != purpose:
			return ch, ErrNotFound
		case !ch.UsedAt.IsZero():
			return ch, ErrUsed
		case ch.Attempts >= ch.MaxAttempts:
			return ch, ErrTooManyAttempts
		case !now.Before(ch.ExpiresAt):
			return ch, ErrExpired
		}
		ch.Attempts++
		if hmac.Equal(c.hash(ch.ID, code), ch.CodeHash) {
			matched, ch.UsedAt = true, now
		}
		return ch, nil
	})
	switch {
	case errors.Is(err, model.ErrNotFound):
		return ErrNotFound
	case err != nil:
		return err
	case matched:
		return nil
	case out.Attempts >= out.MaxAttempts:
		return ErrTooManyAttempts
	}
	return ErrWrongCode
}

// Resend sends a new code for the challenge (the old code stops working, the
// lifetime starts again, guesses already made still count) once the
// cool-down since the last send has passed, at most MaxSends times.
func (c *Codes) Resend(ctx context.Context, tx storage.Storage, u model.User, challengeID string, send Send) (Issued, error) {
	if uuid.Validate(challengeID) != nil {
		return Issued{}, ErrNotFound
	}
	now := c.now().UTC()
	code, err := c.newCode()
	if err != nil {
		return Issued{}, err
	}
	var (
		to      map[string]string
		blocked bool
	)
	ch, err := tx.UpdateOTPChallenge(ctx, challengeID, func(ch storage.OTPChallenge) (storage.OTPChallenge, error) {
		switch {
		case ch.UserID != u.ID:
			return ch, ErrNotFound
		case !ch.UsedAt.IsZero():
			return ch, ErrUsed
		case ch.Attempts >= ch.MaxAttempts:
			return ch, ErrTooManyAttempts
		case ch.Sends >= max(c.Settings.MaxSends, 1):
			return ch, ErrTooManySends
		case now.Before(ch.SentAt.Add(c.Settings.ResendCooldown)):
			return ch, ErrCooldown
		}
		var err error
		if to, blocked, err = c.destinations(u, ch.Channel); err != nil {
			return ch, err
		}
		ch.CodeHash, ch.Sends, ch.SentAt, ch.ExpiresAt = c.hash(ch.ID, code), ch.Sends+1, now, now.Add(c.Settings.TTL)
		return ch, nil
	})
	if errors.Is(err, model.ErrNotFound) {
		return Issued{}, ErrNotFound
	}
	if err != nil {
		return Issued{SMSBlocked: blocked}, err
	}
	return c.send(ctx, tx, u, ch, to, blocked, code, send)
}

// RetryAt is when a resend of ch will be accepted.
func (c *Codes) RetryAt(ch storage.OTPChallenge) time.Time {
	return ch.SentAt.Add(c.Settings.ResendCooldown)
}
