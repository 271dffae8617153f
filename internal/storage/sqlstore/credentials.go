package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Second-factor credentials (R-2FA-*, storage.Credentials). The single-use
// rules are decided here: a challenge is updated under its row lock (SQLite
// write transactions hold the database lock from BEGIN), a TOTP step and a
// recovery code by one conditional UPDATE.

const otpCols = `id, user_id, channel, purpose, code_hash, attempts, max_attempts, sends, sent_at, created_at, expires_at, used_at`

func scanOTP(sc interface{ Scan(...any) error }) (storage.OTPChallenge, error) {
	var (
		c                        storage.OTPChallenge
		sent, created, exp, used int64
	)
	if err := sc.Scan(&c.ID, &c.UserID, &c.Channel, &c.Purpose, &c.CodeHash, &c.Attempts, &c.MaxAttempts, &c.Sends,
		&sent, &created, &exp, &used); err != nil {
		return c, mapErr(err)
	}
	c.SentAt, c.CreatedAt, c.ExpiresAt = fromMicros(sent), fromMicros(created), fromMicros(exp)
	if used > 0 {
		c.UsedAt = fromMicros(used)
	}
	return c, nil
}

func optMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

// CreateOTPChallenge implements storage.Credentials.
func (s *Store) CreateOTPChallenge(ctx context.Context, c storage.OTPChallenge) error {
	if c.ID == "" || c.UserID == "" || len(c.CodeHash) == 0 || c.MaxAttempts < 1 {
		return model.Invalid("", "an OTP challenge needs an id, a user, a code hash and an attempt limit")
	}
	if _, err := s.exec(ctx, `INSERT INTO otp_challenges (`+otpCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		c.ID, c.UserID, c.Channel, c.Purpose, c.CodeHash, c.Attempts, c.MaxAttempts, c.Sends,
		micros(c.SentAt), micros(c.CreatedAt), micros(c.ExpiresAt), optMicros(c.UsedAt)); err != nil {
		return fmt.Errorf("create otp challenge: %w", mapErr(err))
	}
	return nil
}

// GetOTPChallenge implements storage.Credentials.
func (s *Store) GetOTPChallenge(ctx context.Context, id string) (storage.OTPChallenge, error) {
	c, err := scanOTP(s.queryRow(ctx, `SELECT `+otpCols+` FROM otp_challenges WHERE id = $1`, id))
	if err != nil {
		return c, fmt.Errorf("otp challenge: %w", err)
	}
	return c, nil
}

// UpdateOTPChallenge implements storage.Credentials.
func (s *Store) UpdateOTPChallenge(ctx context.Context, id string, fn func(storage.OTPChallenge) (storage.OTPChallenge, error)) (storage.OTPChallenge, error) {
	var out storage.OTPChallenge
	err := s.inTx(ctx, func(tx *Store) error {
		old, err := scanOTP(tx.queryRow(ctx, `SELECT `+otpCols+` FROM otp_challenges WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return fmt.Errorf("otp challenge: %w", err)
		}
		c, err := fn(old)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE otp_challenges SET code_hash = $2, attempts = $3, sends = $4, sent_at = $5,
			expires_at = $6, used_at = $7 WHERE id = $1`,
			id, c.CodeHash, c.Attempts, c.Sends, micros(c.SentAt), micros(c.ExpiresAt), optMicros(c.UsedAt)); err != nil {
			return fmt.Errorf("update otp challenge: %w", err)
		}
		c.ID, c.UserID, c.Channel, c.Purpose, c.MaxAttempts, c.CreatedAt = old.ID, old.UserID, old.Channel, old.Purpose, old.MaxAttempts, old.CreatedAt
		out = c
		return nil
	})
	return out, err
}

// PurgeOTPChallenges implements storage.Credentials.
func (s *Store) PurgeOTPChallenges(ctx context.Context, before time.Time) (int, error) {
	res, err := s.exec(ctx, `DELETE FROM otp_challenges WHERE expires_at < $1`, micros(before))
	if err != nil {
		return 0, fmt.Errorf("purge otp challenges: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// PutTOTP implements storage.Credentials.
func (s *Store) PutTOTP(ctx context.Context, e storage.TOTPEnrolment) error {
	if e.UserID == "" || len(e.Secret) == 0 {
		return model.Invalid("", "a TOTP enrolment needs a user and a secret")
	}
	if _, err := s.exec(ctx, `INSERT INTO totp_enrolments (user_id, secret, confirmed_at, last_step, created_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id) DO UPDATE SET secret = $2, confirmed_at = $3, last_step = $4, created_at = $5`,
		e.UserID, e.Secret, optMicros(e.ConfirmedAt), e.LastStep, micros(e.CreatedAt)); err != nil {
		return fmt.Errorf("put totp: %w", mapErr(err))
	}
	return nil
}

// GetTOTP implements storage.Credentials.
func (s *Store) GetTOTP(ctx context.Context, userID string) (storage.TOTPEnrolment, error) {
	var (
		e                  storage.TOTPEnrolment
		confirmed, created int64
	)
	err := s.queryRow(ctx, `SELECT user_id, secret, confirmed_at, last_step, created_at FROM totp_enrolments WHERE user_id = $1`, userID).
		Scan(&e.UserID, &e.Secret, &confirmed, &e.LastStep, &created)
	if err != nil {
		return e, fmt.Errorf("totp enrolment: %w", mapErr(err))
	}
	e.CreatedAt = fromMicros(created)
	if confirmed > 0 {
		e.ConfirmedAt = fromMicros(confirmed)
	}
	return e, nil
}

// ConfirmTOTP implements storage.Credentials.
func (s *Store) ConfirmTOTP(ctx context.Context, userID string, step int64, now time.Time) error {
	res, err := s.exec(ctx, `UPDATE totp_enrolments SET confirmed_at = $2, last_step = $3 WHERE user_id = $1 AND confirmed_at = 0`,
		userID, micros(now), step)
	if err != nil {
		return fmt.Errorf("confirm totp: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	if _, err := s.GetTOTP(ctx, userID); err != nil {
		return err
	}
	return fmt.Errorf("totp enrolment: %w", model.ErrReused)
}

// UseTOTPStep implements storage.Credentials: one conditional UPDATE, so
// of two requests with codes of one time step exactly one succeeds.
func (s *Store) UseTOTPStep(ctx context.Context, userID string, step int64) error {
	res, err := s.exec(ctx, `UPDATE totp_enrolments SET last_step = $2 WHERE user_id = $1 AND confirmed_at > 0 AND last_step < $2`,
		userID, step)
	if err != nil {
		return fmt.Errorf("use totp step: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	e, err := s.GetTOTP(ctx, userID)
	if err != nil {
		return err
	}
	if e.ConfirmedAt.IsZero() {
		return fmt.Errorf("totp enrolment not confirmed: %w", model.ErrNotFound)
	}
	return fmt.Errorf("totp step %d: %w", step, model.ErrReused)
}

// DeleteTOTP implements storage.Credentials.
func (s *Store) DeleteTOTP(ctx context.Context, userID string) error {
	if _, err := s.exec(ctx, `DELETE FROM totp_enrolments WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete totp: %w", err)
	}
	return nil
}

// ReplaceRecoveryCodes implements storage.Credentials.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes [][]byte, now time.Time) error {
	return s.inTx(ctx, func(tx *Store) error {
		if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
			return fmt.Errorf("replace recovery codes: %w", err)
		}
		for _, h := range hashes {
			if _, err := tx.exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)`,
				userID, h, micros(now)); err != nil {
				return fmt.Errorf("replace recovery codes: %w", mapErr(err))
			}
		}
		return nil
	})
}

// UseRecoveryCode implements storage.Credentials.
func (s *Store) UseRecoveryCode(ctx context.Context, userID string, hash []byte, now time.Time) error {
	res, err := s.exec(ctx, `UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at = 0`,
		userID, hash, micros(now))
	if err != nil {
		return fmt.Errorf("use recovery code: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("recovery code: %w", model.ErrNotFound)
	}
	return nil
}

// RecoveryCodesLeft implements storage.Credentials.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	var n int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at = 0`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("recovery codes left: %w", err)
	}
	return n, nil
}

// SetTOTPPolicy implements storage.Credentials.
func (s *Store) SetTOTPPolicy(ctx context.Context, userID, policy string) error {
	var err error
	if policy == "" {
		_, err = s.exec(ctx, `DELETE FROM totp_policies WHERE user_id = $1`, userID)
	} else {
		_, err = s.exec(ctx, `INSERT INTO totp_policies (user_id, policy) VALUES ($1, $2)
			ON CONFLICT (user_id) DO UPDATE SET policy = $2`, userID, policy)
	}
	if err != nil {
		return fmt.Errorf("set totp policy: %w", mapErr(err))
	}
	return nil
}

// TOTPPolicy implements storage.Credentials.
func (s *Store) TOTPPolicy(ctx context.Context, userID string) (string, error) {
	var p string
	err := s.queryRow(ctx, `SELECT policy FROM totp_policies WHERE user_id = $1`, userID).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("totp policy: %w", err)
	}
	return p, nil
}
