package directory

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/catalog"
	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/identity"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/internal/storage"
)

// setAt is when a password was set: now when there is one.
func setAt(hash string, now time.Time) time.Time {
	if hash == "" {
		return time.Time{}
	}
	return now
}

// ErrSamePassword: a forced or expired password is replaced by the same
// one (issue 9 §1: the change step refuses the current password).
var ErrSamePassword = model.Errorf(model.EINVALID, "password", "must differ from the current password")

// ErrResetLink is the one answer to a reset link that is unknown, used,
// expired, or whose user can no longer log in (R-PWD-2).
var ErrResetLink = model.Errorf(model.ENOTFOUND, "token", "the link is invalid, has expired or was used already")

// PasswordExpired reports whether u's password is older than maxAge (0:
// passwords never expire). A password whose set time is unknown (set
// before it was recorded) counts from the user's creation.
func PasswordExpired(u model.User, maxAge time.Duration, now time.Time) bool {
	if maxAge <= 0 || u.Kind != model.KindLocal {
		return false
	}
	from := u.PasswordSetAt
	if from.IsZero() {
		from = u.CreatedAt
	}
	return !from.IsZero() && now.Sub(from) >= maxAge
}

// Notify queues a message about u in tx (the outbox, R-MSG-2), so the
// message commits with the change that causes it.
type Notify func(ctx context.Context, tx storage.Storage, u model.User) error

// ChangePasswordAtLogin replaces a local user's password during a login that
// asks for a new one (an admin reset or an expired password, issue 9 §1):
// the policy applies, the current password is refused, the hash is stored
// with PasswordSetAt and PasswordMustChange cleared, the user's other
// sessions and refresh tokens end, pending reset links die, and notify
// queues the password_changed message — one transaction. Audited as
// user.password_change by the user.
func (s *Service) ChangePasswordAtLogin(ctx context.Context, u model.User, pw string, notify Notify) error {
	defer s.users.forget()
	if err := s.checkPassword(pw, subjectOf(u)); err != nil {
		return err
	}
	if u.PasswordHash != "" && s.hasher.Verify(ctx, u.PasswordHash, pw) == nil {
		return ErrSamePassword
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	a := Actor{User: u, IP: clientip.From(ctx)}
	var ended []endedSession
	err = s.tx(ctx, func(st storage.Storage) error {
		cur, err := st.UpdateUser(ctx, u.ID, func(x model.User) (model.User, error) {
			if x.Kind != model.KindLocal || x.Status != model.StatusActive {
				return x, model.Errorf(model.ECONFLICT, "status", "the user can no longer log in")
			}
			if x.PasswordHash != u.PasswordHash {
				// Changed meanwhile (an admin, another tab): this login's
				// view is stale.
				return x, model.ErrStale
			}
			x.PasswordHash, x.PasswordSetAt, x.PasswordMustChange = hash, s.now(), false
			return x, nil
		})
		if err != nil {
			return err
		}
		if ended, err = s.endCredentials(ctx, st, u.ID); err != nil {
			return err
		}
		if notify != nil {
			if err := notify(ctx, st, cur); err != nil {
				return err
			}
		}
		return s.audit(ctx, st, a, "user.password_change", "user", u.ID, firstContext(u), map[string]any{"sessionsEnded": len(ended)})
	})
	if err == nil {
		s.notifyEnded(ctx, ended)
	}
	return err
}

// endCredentials ends what the old password let anyone start: the user's
// sessions and refresh tokens, the access tokens of the user's grants, and
// pending reset links.
func (s *Service) endCredentials(ctx context.Context, st storage.Storage, id string) ([]endedSession, error) {
	ended, err := endUserSessions(ctx, st, id)
	if err != nil {
		return nil, err
	}
	if err := s.revokeUserGrants(ctx, st, id); err != nil {
		return nil, err
	}
	if err := st.DeleteUserPasswordResets(ctx, id); err != nil {
		return nil, err
	}
	return ended, nil
}

// tempPasswordAlphabet has no look-alikes (0/O, 1/l/I).
const tempPasswordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// tempPassword is 20 characters from tempPasswordAlphabet (≈ 116 bits).
func tempPassword() (string, error) {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("temporary password: %w", err)
	}
	out := make([]byte, len(b))
	for i, x := range b {
		// 256 % 56 != 0: the first 32 letters are a little likelier; at
		// 20 characters that is still over 110 bits.
		out[i] = tempPasswordAlphabet[int(x)%len(tempPasswordAlphabet)]
	}
	return string(out), nil
}

// AccountReset is the answer of ResetAccount.
type AccountReset struct {
	// TemporaryPassword is shown in this answer only; the user must
	// replace it at the next login.
	TemporaryPassword string `json:"temporaryPassword" doc:"The new random temporary password; shown in this answer only; the user must replace it at the next login." example:"Vq7t-Rk2m-9xWp-Lb4s"`
	SessionsEnded     int    `json:"sessionsEnded" doc:"How many of the user's SSO sessions were ended." example:"2"`
}

// ResetAccount "resets the account" (issue 9 §2.3, seed 003): a new
// random temporary password the user must change at the next login, the
// user's authenticator app and recovery codes removed and, where TOTP is
// allowed for the user, a new one asked for at the next login
// (TOTPMustEnrol, login step totp-enrol), sessions, refresh tokens,
// access tokens and reset links ended — one transaction, audited as user.account_reset. It needs
// the password reset right and "2FA settings - Modify" on the user (the
// temporary password is known to the admin: removing the second factor
// too must not be open to an admin who may only reset passwords).
func (s *Service) ResetAccount(ctx context.Context, a Actor, id string) (AccountReset, error) {
	defer s.users.forget()
	var (
		pw  string
		err error
	)
	for range 5 {
		if pw, err = tempPassword(); err != nil {
			return AccountReset{}, err
		}
		if len(s.PasswordPolicy().Check(pw, password.Subject{})) == 0 {
			break
		}
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return AccountReset{}, fmt.Errorf("hash password: %w", err)
	}
	var ended []endedSession
	err = s.tx(ctx, func(st storage.Storage) error {
		u, err := s.visibleUser(ctx, st, a, id)
		if err != nil {
			return err
		}
		if err := s.authorizeOnUser(ctx, st, a, rightPasswordReset, u); err != nil {
			return err
		}
		if err := s.authorizeOnUser(ctx, st, a, catalog.TwoFactorSettingsModify, u); err != nil {
			return err
		}
		if err := s.checkPassword(pw, subjectOf(u)); err != nil {
			return err
		}
		if _, err := st.UpdateUser(ctx, id, func(x model.User) (model.User, error) {
			if x.Kind != model.KindLocal {
				return x, model.Invalid("password", "delegated users reset their account at their identity provider")
			}
			if x.Status == model.StatusDeleted {
				return x, model.Errorf(model.ECONFLICT, "status", "a deleted user cannot be changed")
			}
			// A new password and, where authenticator apps are allowed, a
			// new authenticator at the next login (seed 003).
			x.PasswordHash, x.PasswordSetAt, x.PasswordMustChange, x.TOTPMustEnrol = hash, s.now(), true, true
			return x, nil
		}); err != nil {
			return err
		}
		if err := st.DeleteTOTP(ctx, id); err != nil && !errors.Is(err, model.ErrNotFound) {
			return err
		}
		if err := st.ReplaceRecoveryCodes(ctx, id, nil, s.now()); err != nil {
			return err
		}
		if ended, err = s.endCredentials(ctx, st, id); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "user.account_reset", "user", id, firstContext(u), map[string]any{"sessionsEnded": len(ended)})
	})
	if err != nil {
		return AccountReset{}, err
	}
	s.notifyEnded(ctx, ended)
	return AccountReset{TemporaryPassword: pw, SessionsEnded: len(ended)}, nil
}

// ResetToken hashes a reset link's token for storage (hex SHA-256).
func ResetToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// SendReset queues the password_reset message for u with the link's
// token in tx.
type SendReset func(ctx context.Context, tx storage.Storage, u model.User, token string, expires time.Time) error

// ResetRequest says what RequestPasswordReset did; the forgot page answers
// the same whatever it says (no enumeration), it is for the audit and the
// tests.
type ResetRequest struct {
	// Sent: a link was stored and its message queued.
	Sent bool
	// Reason when not sent: "unknown", "inactive", "delegated",
	// "no_email", "ambiguous".
	Reason string
}

// FindResetUser resolves what was typed on the forgot page (R-PWD-2): a
// login name ("name" or "slug/name", scoped to the page's tenant like the
// login page) or an email address of a user of that tenant. found is false
// for no or several matches.
func (s *Service) FindResetUser(ctx context.Context, tenantSlug, typed string) (model.User, bool, error) {
	typed = strings.TrimSpace(typed)
	if typed == "" || len(typed) > 400 || strings.ContainsAny(typed, "\x00\r\n") {
		return model.User{}, false, nil
	}
	if strings.Contains(typed, "@") && !strings.Contains(typed, "/") {
		slug := tenantSlug
		if slug == "" {
			slug = identity.RootSlug
		}
		t, err := s.store.TenantBySlug(ctx, slug)
		if errors.Is(err, model.ErrNotFound) {
			return model.User{}, false, nil
		}
		if err != nil {
			return model.User{}, false, err
		}
		ids, err := s.store.UserIDsByEmail(ctx, t.ID, typed, 2)
		if err != nil {
			return model.User{}, false, err
		}
		if len(ids) == 1 {
			u, err := s.store.GetUser(ctx, ids[0])
			if errors.Is(err, model.ErrNotFound) {
				return model.User{}, false, nil
			}
			return u, err == nil, err
		}
		// No user, or an address shared by several (then the login name
		// is needed): nothing is sent.
		return model.User{}, false, nil
	}
	login := typed
	if tenantSlug != "" && !strings.Contains(login, "/") {
		login = tenantSlug + "/" + login
	}
	slug, name, scoped := identity.SplitLogin(login)
	if !scoped {
		slug = identity.RootSlug
	}
	if name == "" {
		return model.User{}, false, nil
	}
	u, err := s.store.UserBySlugLogin(ctx, slug, name)
	if errors.Is(err, model.ErrNotFound) {
		return model.User{}, false, nil
	}
	return u, err == nil, err
}

// RequestPasswordReset handles a forgot-password request for u (found by
// FindResetUser; found false for none): an active local user with an
// email gets a single-use link — a random 256-bit token, only its SHA-256
// stored, valid for ttl — and send queues its message in the same
// transaction (R-PWD-2). Everyone else gets nothing; the request is
// audited either way (user.password_reset_request, outcome failure with
// the reason when nothing was sent). The caller answers the same page in
// every case.
func (s *Service) RequestPasswordReset(ctx context.Context, u model.User, found bool, ttl time.Duration, send SendReset) (ResetRequest, error) {
	var r ResetRequest
	switch {
	case !found:
		r.Reason = "unknown"
	case u.Status != model.StatusActive:
		r.Reason = "inactive"
	case u.Kind != model.KindLocal:
		// Delegated users set their password at their IdP (issue 9 §2.3).
		r.Reason = "delegated"
	case u.Person.Email == "":
		r.Reason = "no_email"
	}
	var tok [32]byte
	if _, err := rand.Read(tok[:]); err != nil {
		return r, fmt.Errorf("reset token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(tok[:])
	now := s.now()
	ev := model.AuditEvent{Time: now, Action: "user.password_reset_request", TargetType: "user", TargetID: u.ID,
		SourceIP: clientip.From(ctx), Outcome: model.OutcomeSuccess}
	if r.Reason != "" {
		// Same work as a real request: one audited write.
		ev.Outcome, ev.Details = model.OutcomeFailure, map[string]any{"reason": r.Reason}
		return r, s.store.AppendAudit(ctx, ev)
	}
	err := s.tx(ctx, func(st storage.Storage) error {
		expires := now.Add(ttl)
		if err := st.CreatePasswordReset(ctx, storage.PasswordReset{TokenHash: ResetToken(token), UserID: u.ID, CreatedAt: now, ExpiresAt: expires}); err != nil {
			return err
		}
		if err := send(ctx, st, u, token, expires); err != nil {
			return err
		}
		ev.ContextID = firstContext(u)
		return st.AppendAudit(ctx, ev)
	})
	if err != nil {
		return r, err
	}
	r.Sent = true
	return r, nil
}

// ResetLinkUser returns the user of a live reset link (the reset page's
// GET): ErrResetLink when the link is unknown, used or expired or its user
// can no longer log in with a password.
func (s *Service) ResetLinkUser(ctx context.Context, token string) (model.User, error) {
	if token == "" || len(token) > 100 {
		return model.User{}, ErrResetLink
	}
	r, err := s.store.GetPasswordReset(ctx, ResetToken(token), s.now())
	if errors.Is(err, model.ErrNotFound) {
		return model.User{}, ErrResetLink
	}
	if err != nil {
		return model.User{}, err
	}
	u, err := s.store.GetUser(ctx, r.UserID)
	if errors.Is(err, model.ErrNotFound) {
		return model.User{}, ErrResetLink
	}
	if err != nil {
		return model.User{}, err
	}
	if u.Kind != model.KindLocal || u.Status != model.StatusActive {
		return model.User{}, ErrResetLink
	}
	return u, nil
}

// ResetPasswordWithLink sets the password through a reset link (R-PWD-2):
// the policy applies (checked before the link is spent), the link is
// consumed atomically (single use across nodes), and like an admin reset
// the user's sessions, refresh tokens, access tokens and other links end;
// PasswordMustChange is cleared, PasswordSetAt set, and notify queues the
// password_changed message — one transaction, audited as
// user.password_reset_link by the user.
func (s *Service) ResetPasswordWithLink(ctx context.Context, token, pw string, notify Notify) (model.User, error) {
	defer s.users.forget()
	u, err := s.ResetLinkUser(ctx, token)
	if err != nil {
		return u, err
	}
	if err := s.checkPassword(pw, subjectOf(u)); err != nil {
		return u, err
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return u, fmt.Errorf("hash password: %w", err)
	}
	var ended []endedSession
	err = s.tx(ctx, func(st storage.Storage) error {
		r, err := st.ConsumePasswordReset(ctx, ResetToken(token), s.now())
		if errors.Is(err, model.ErrNotFound) {
			return ErrResetLink
		}
		if err != nil {
			return err
		}
		cur, err := st.UpdateUser(ctx, r.UserID, func(x model.User) (model.User, error) {
			if x.Kind != model.KindLocal || x.Status != model.StatusActive {
				return x, ErrResetLink
			}
			x.PasswordHash, x.PasswordSetAt, x.PasswordMustChange = hash, s.now(), false
			return x, nil
		})
		if err != nil {
			return err
		}
		if ended, err = s.endCredentials(ctx, st, r.UserID); err != nil {
			return err
		}
		if notify != nil {
			if err := notify(ctx, st, cur); err != nil {
				return err
			}
		}
		u = cur
		return s.audit(ctx, st, Actor{User: cur, IP: clientip.From(ctx)}, "user.password_reset_link", "user", cur.ID, firstContext(cur),
			map[string]any{"sessionsEnded": len(ended)})
	})
	if err != nil {
		return u, err
	}
	s.notifyEnded(ctx, ended)
	return u, nil
}

// Now is the directory's clock (password expiry is counted with it).
func (s *Service) Now() time.Time { return s.now() }

// TOTPEnrolled records that userID confirmed a new authenticator app
// (login step or account page): the "set one up at the next login" flag of
// an account reset is cleared. Audited as the user.
func (s *Service) TOTPEnrolled(ctx context.Context, userID string) error {
	defer s.users.forget()
	return s.tx(ctx, func(st storage.Storage) error {
		u, err := st.UpdateUser(ctx, userID, func(x model.User) (model.User, error) {
			x.TOTPMustEnrol = false
			return x, nil
		})
		if err != nil {
			return err
		}
		return s.audit(ctx, st, Actor{User: u, IP: clientip.From(ctx)}, "user.totp_enrolled", "user", userID, firstContext(u), nil)
	})
}
