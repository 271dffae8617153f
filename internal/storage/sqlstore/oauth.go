package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
)

// CreateAuthRequest implements storage.Storage.
func (s *Store) CreateAuthRequest(ctx context.Context, ar model.AuthRequest) error {
	data, err := json.Marshal(ar)
	if err != nil {
		return fmt.Errorf("encode auth request: %w", err)
	}
	if _, err := s.ephExec(ctx, `INSERT INTO oauth_auth_requests (id, data, expires_at) VALUES ($1, $2, $3)`,
		ar.ID, string(data), micros(ar.ExpiresAt)); err != nil {
		return fmt.Errorf("create auth request: %w", err)
	}
	return nil
}

func decodeAuthRequest(data string) (model.AuthRequest, error) {
	var ar model.AuthRequest
	if err := json.Unmarshal([]byte(data), &ar); err != nil {
		return ar, fmt.Errorf("decode auth request: %w", err)
	}
	return ar, nil
}

// GetAuthRequest implements storage.Storage.
func (s *Store) GetAuthRequest(ctx context.Context, id string, now time.Time) (model.AuthRequest, error) {
	var data string
	err := s.queryRow(ctx, `SELECT data FROM oauth_auth_requests WHERE id = $1 AND expires_at > $2 AND redeemed = 0`, id, micros(now)).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return model.AuthRequest{}, notFound("auth request", id)
	}
	if err != nil {
		return model.AuthRequest{}, fmt.Errorf("get auth request: %w", err)
	}
	return decodeAuthRequest(data)
}

// CompleteAuthRequest implements storage.Storage.
func (s *Store) CompleteAuthRequest(ctx context.Context, ar model.AuthRequest, codeHash string) error {
	data, err := json.Marshal(ar)
	if err != nil {
		return fmt.Errorf("encode auth request: %w", err)
	}
	res, err := s.ephExec(ctx, `UPDATE oauth_auth_requests SET data = $1, code_hash = $2 WHERE id = $3 AND redeemed = 0 AND code_hash IS NULL`,
		string(data), codeHash, ar.ID)
	if err != nil {
		return fmt.Errorf("complete auth request: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("auth request", ar.ID)
	}
	return nil
}

// RedeemAuthCode implements storage.Storage: the UPDATE … RETURNING is
// atomic, so of two concurrent redemptions exactly one wins. It writes the
// grant, whose tokens leave with the answer, so it commits durably on the
// main pool (not the synchronous_commit=off one): after a crash the client
// can still revoke what it was given (issue 8 item 24).
func (s *Store) RedeemAuthCode(ctx context.Context, codeHash string, now, grantUntil time.Time) (model.AuthRequest, error) {
	var ar model.AuthRequest
	var err error
	if s.rb.d == dialectPostgres && s.tx == nil {
		// One round trip: the grant is inserted from the redeemed row.
		var data string
		err = s.queryRow(ctx, `WITH r AS (
				UPDATE oauth_auth_requests SET redeemed = 1 WHERE code_hash = $1 AND redeemed = 0 AND expires_at > $2 RETURNING id, data),
			g AS (
				INSERT INTO oauth_grants (id, client_id, user_id, session_id, expires_at)
				SELECT id, data::json->>'clientId', COALESCE(data::json->>'userId', ''), COALESCE(data::json->>'sessionId', ''), $3 FROM r
				ON CONFLICT (id) DO NOTHING)
			SELECT data FROM r`, codeHash, micros(now), micros(grantUntil)).Scan(&data)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err = errNoRedeem
		case err != nil:
			err = fmt.Errorf("redeem auth code: %w", err)
		default:
			ar, err = decodeAuthRequest(data)
		}
	} else {
		err = s.inTx(ctx, func(tx *Store) error {
			var data string
			err := tx.queryRow(ctx, `UPDATE oauth_auth_requests SET redeemed = 1 WHERE code_hash = $1 AND redeemed = 0 AND expires_at > $2 RETURNING data`,
				codeHash, micros(now)).Scan(&data)
			if errors.Is(err, sql.ErrNoRows) {
				return errNoRedeem
			}
			if err != nil {
				return fmt.Errorf("redeem auth code: %w", err)
			}
			if ar, err = decodeAuthRequest(data); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO oauth_grants (id, client_id, user_id, session_id, expires_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (id) DO NOTHING`, ar.ID, ar.ClientID, ar.UserID, ar.SessionID, micros(grantUntil)); err != nil {
				return fmt.Errorf("record grant: %w", err)
			}
			return nil
		})
	}
	if err == nil {
		return ar, nil
	}
	if !errors.Is(err, errNoRedeem) {
		return model.AuthRequest{}, err
	}
	var (
		data     string
		redeemed bool
	)
	err = s.queryRow(ctx, `SELECT data, redeemed FROM oauth_auth_requests WHERE code_hash = $1`, codeHash).Scan(&data, &redeemed)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !redeemed) {
		return model.AuthRequest{}, fmt.Errorf("auth code: %w", model.ErrNotFound)
	}
	if err != nil {
		return model.AuthRequest{}, fmt.Errorf("redeem auth code: %w", err)
	}
	ar, derr := decodeAuthRequest(data)
	if derr != nil {
		return ar, derr
	}
	return ar, fmt.Errorf("auth code: %w", model.ErrReused)
}

var errNoRedeem = errors.New("no code to redeem")

// DeleteAuthRequest implements storage.Storage. A redeemed request is kept
// until it expires so that a replayed code is recognised (RFC 6749 §4.1.2).
func (s *Store) DeleteAuthRequest(ctx context.Context, id string) error {
	if _, err := s.ephExec(ctx, `DELETE FROM oauth_auth_requests WHERE id = $1 AND redeemed = 0`, id); err != nil {
		return fmt.Errorf("delete auth request: %w", err)
	}
	return nil
}

// GetGrant implements storage.Storage.
func (s *Store) GetGrant(ctx context.Context, id string) (model.Grant, error) {
	var (
		g   model.Grant
		exp int64
	)
	err := s.queryRow(ctx, `SELECT id, client_id, user_id, session_id, expires_at FROM oauth_grants WHERE id = $1`, id).
		Scan(&g.ID, &g.ClientID, &g.UserID, &g.SessionID, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return g, notFound("grant", id)
	}
	if err != nil {
		return g, fmt.Errorf("get grant: %w", err)
	}
	g.ExpiresAt = fromMicros(exp)
	return g, nil
}

// SessionGrants implements storage.Storage.
func (s *Store) SessionGrants(ctx context.Context, sessionID string) ([]model.Grant, error) {
	return s.listGrants(ctx, "session_id", sessionID)
}

// CreateRefreshToken implements storage.Storage.
func (s *Store) CreateRefreshToken(ctx context.Context, rt model.RefreshToken) error {
	data, err := json.Marshal(rt)
	if err != nil {
		return fmt.Errorf("encode refresh token: %w", err)
	}
	if _, err := s.exec(ctx, `INSERT INTO oauth_refresh_tokens (id, family_id, client_id, user_id, session_id, data, used, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, 0, $7)`,
		rt.ID, rt.FamilyID, rt.ClientID, rt.UserID, rt.SessionID, string(data), micros(rt.ExpiresAt)); err != nil {
		return fmt.Errorf("create refresh token: %w", err)
	}
	return nil
}

// GetRefreshToken implements storage.Storage. It returns used tokens too
// (with Used set), so the caller can detect reuse.
func (s *Store) GetRefreshToken(ctx context.Context, id string, now time.Time) (model.RefreshToken, error) {
	var (
		data string
		used bool
	)
	err := s.queryRow(ctx, `SELECT data, used FROM oauth_refresh_tokens WHERE id = $1 AND expires_at > $2`, id, micros(now)).Scan(&data, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return model.RefreshToken{}, fmt.Errorf("refresh token: %w", model.ErrNotFound)
	}
	if err != nil {
		return model.RefreshToken{}, fmt.Errorf("get refresh token: %w", err)
	}
	var rt model.RefreshToken
	if err := json.Unmarshal([]byte(data), &rt); err != nil {
		return rt, fmt.Errorf("decode refresh token: %w", err)
	}
	rt.Used = used
	return rt, nil
}

// UseRefreshToken implements storage.Storage.
func (s *Store) UseRefreshToken(ctx context.Context, id string) error {
	res, err := s.exec(ctx, `UPDATE oauth_refresh_tokens SET used = 1 WHERE id = $1 AND used = 0`, id)
	if err != nil {
		return fmt.Errorf("use refresh token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("refresh token: %w", model.ErrReused)
	}
	return nil
}

// DeleteUserRefreshTokens implements storage.Storage.
func (s *Store) DeleteUserRefreshTokens(ctx context.Context, userID string) error {
	if _, err := s.exec(ctx, `DELETE FROM oauth_refresh_tokens WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete user refresh tokens: %w", err)
	}
	return nil
}

// RevokeGrant implements storage.Storage.
func (s *Store) RevokeGrant(ctx context.Context, grantID string, until time.Time) error {
	return s.inTx(ctx, func(tx *Store) error {
		if _, err := tx.exec(ctx, `DELETE FROM oauth_refresh_tokens WHERE family_id = $1`, grantID); err != nil {
			return fmt.Errorf("revoke grant: %w", err)
		}
		return tx.revoke(ctx, "grant:"+grantID, until)
	})
}

// RevokeTokenID implements storage.Storage.
func (s *Store) RevokeTokenID(ctx context.Context, jti string, until time.Time) error {
	return s.revoke(ctx, "jti:"+jti, until)
}

func (s *Store) revoke(ctx context.Context, id string, until time.Time) error {
	if _, err := s.exec(ctx, `INSERT INTO oauth_revocations (id, expires_at) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at`, id, micros(until)); err != nil {
		return fmt.Errorf("revoke %s: %w", id, err)
	}
	return nil
}

// Revoked implements storage.Storage.
func (s *Store) Revoked(ctx context.Context, now time.Time, grantID, jti string) (bool, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM oauth_revocations WHERE id IN ($1, $2) AND expires_at > $3`,
		"grant:"+grantID, "jti:"+jti, micros(now)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check revocation: %w", err)
	}
	return n > 0, nil
}

const keyCols = `id, algorithm, private_pem, sign_from, sign_until, expires_at`

// ListSigningKeys implements storage.Storage.
func (s *Store) ListSigningKeys(ctx context.Context) ([]model.SigningKey, error) {
	rows, err := s.query(ctx, `SELECT `+keyCols+` FROM signing_keys ORDER BY sign_from, id`)
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	defer rows.Close()
	var out []model.SigningKey
	for rows.Next() {
		var (
			k                   model.SigningKey
			pem                 string
			from, until, expiry int64
		)
		if err := rows.Scan(&k.ID, &k.Algorithm, &pem, &from, &until, &expiry); err != nil {
			return nil, err
		}
		k.PrivatePEM = []byte(pem)
		k.SignFrom, k.SignUntil, k.ExpiresAt = fromMicros(from), fromMicros(until), fromMicros(expiry)
		out = append(out, k)
	}
	return out, rows.Err()
}

// RotateSigningKeys implements storage.Storage: fn runs under an exclusive
// lock on the key table, so nodes starting together agree on one key.
func (s *Store) RotateSigningKeys(ctx context.Context, fn func([]model.SigningKey) ([]model.SigningKey, error)) error {
	return s.inTx(ctx, func(tx *Store) error {
		if tx.rb.d == dialectPostgres {
			if _, err := tx.exec(ctx, `LOCK TABLE signing_keys IN EXCLUSIVE MODE`); err != nil {
				return fmt.Errorf("lock signing keys: %w", err)
			}
		}
		keys, err := tx.ListSigningKeys(ctx)
		if err != nil {
			return err
		}
		add, err := fn(keys)
		if err != nil {
			return err
		}
		for _, k := range add {
			if _, err := tx.exec(ctx, `INSERT INTO signing_keys (`+keyCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
				k.ID, k.Algorithm, string(k.PrivatePEM), micros(k.SignFrom), micros(k.SignUntil), micros(k.ExpiresAt)); err != nil {
				return fmt.Errorf("store signing key: %w", err)
			}
		}
		return nil
	})
}

// PurgeExpired implements storage.Storage.
func (s *Store) PurgeExpired(ctx context.Context, now time.Time) error {
	var errs []string
	for _, table := range []string{"oauth_auth_requests", "oauth_grants", "oauth_refresh_tokens", "oauth_revocations", "signing_keys", "cas_tickets", "sso_sessions", "login_flows", "otp_challenges", "password_resets", "saml_assertions"} {
		if _, err := s.exec(ctx, `DELETE FROM `+table+` WHERE expires_at <= $1`, micros(now)); err != nil {
			errs = append(errs, table+": "+err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("purge expired: %s", strings.Join(errs, "; "))
	}
	return nil
}
