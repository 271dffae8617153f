package account

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/message"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/outbox"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/internal/storage"
)

// passwordView is the password form's state after a refused change.
type passwordView struct {
	// Errors say what is wrong (one per broken rule).
	Errors []i18n.Msg
}

// changePassword is POST /account/password (R-PWD-1).
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request, q req) {
	if q.u.Kind != model.KindLocal {
		// Delegated users change it at their IdP; the form is not shown.
		h.message(w, r, http.StatusForbidden, "account.password.title", "account.password.delegated")
		return
	}
	cur, pw, again := r.PostForm.Get("current"), r.PostForm.Get("new"), r.PostForm.Get("confirm")
	fail := func(status int, msgs ...i18n.Msg) {
		h.render(w, r, q, status, pageData{Password: passwordView{Errors: msgs}})
	}
	switch {
	case cur == "" || pw == "":
		fail(http.StatusBadRequest, i18n.M("account.password.error.missing"))
		return
	case len(cur) > password.MaxBytes:
		fail(http.StatusBadRequest, i18n.M("account.password.error.current"))
		return
	case pw != again:
		fail(http.StatusBadRequest, i18n.M("account.password.error.mismatch"))
		return
	case pw == cur:
		fail(http.StatusBadRequest, i18n.M("account.password.error.same"))
		return
	}
	// The policy first (cheap, no hashing, and says nothing about the
	// current password): a message per broken rule (issue 9 §2.1).
	pol := h.Svc.PasswordPolicy()
	if v := pol.Check(pw, password.Subject{LoginName: q.u.LoginName, Email: q.u.Person.Email}); len(v) > 0 {
		fail(http.StatusBadRequest, policyMessages(pol, v)...)
		return
	}
	if !h.checkPassword(w, r, q, cur, func(m i18n.Msg, status int) { fail(status, m) }) {
		return
	}
	ctx := r.Context()
	err := h.Svc.ChangeOwnPassword(ctx, q.u.ID, q.s.ID, pw, h.passwordChangedMail)
	switch {
	case model.ErrorCode(err) == model.EINVALID:
		// The policy changed between the two checks, or the user became
		// delegated meanwhile.
		fail(http.StatusBadRequest, i18n.M("account.password.error.refused"))
		return
	case err != nil:
		h.unavailable(w, r, "account: change password", err)
		return
	}
	if h.WakeOutbox != nil {
		h.WakeOutbox()
	}
	done(w, r, "password")
}

// checkPassword re-checks the signed-in user's current password under the
// brute-force limiter (R-PWD-3). On a wrong or throttled password it calls
// fail with the message and status and returns false; a store failure or a
// busy hasher answers 503.
func (h *Handler) checkPassword(w http.ResponseWriter, r *http.Request, q req, pw string, fail func(i18n.Msg, int)) bool {
	ctx := r.Context()
	err := h.Authn.CheckPassword(ctx, q.u.ID, pw)
	if err == nil {
		return true
	}
	switch model.ErrorCode(err) {
	case model.EUNAUTHORIZED:
		h.Authn.AuditFailedLoginOf(ctx, "account.password_check", "user", q.u.ID, nil)
		fail(i18n.M("account.password.error.current"), http.StatusForbidden)
		return false
	case model.ETOOMANY:
		// Over the budget: refused before any hashing, and said so (the
		// user is signed in; there is no account to hide).
		fail(i18n.M("account.password.error.throttled"), http.StatusTooManyRequests)
		return false
	}
	h.unavailable(w, r, "account: check password", err)
	return false
}

// policyMessages translates the broken rules.
func policyMessages(p password.Policy, v []password.Violation) []i18n.Msg {
	out := make([]i18n.Msg, 0, len(v))
	for _, x := range v {
		switch x.Code {
		case password.CodeTooShort:
			out = append(out, i18n.M("account.policy.too_short", p.MinLength))
		case password.CodeTooLong:
			out = append(out, i18n.M("account.policy.too_long", p.MaxLength))
		case password.CodeContainsLogin:
			out = append(out, i18n.M("account.policy.contains_login"))
		case password.CodeContainsEmail:
			out = append(out, i18n.M("account.policy.contains_email"))
		case password.CodeCommon:
			out = append(out, i18n.M("account.policy.common"))
		default:
			out = append(out, i18n.M("account.password.error.refused"))
		}
	}
	return out
}

// passwordChangedMail queues the password_changed email (R-MSG-1) in the
// change's transaction (R-MSG-2), in the user's language. A user without
// a usable address gets none: that must not block the change.
func (h *Handler) passwordChangedMail(ctx context.Context, st storage.Storage, u model.User) error {
	if h.Outbox == nil || strings.TrimSpace(u.Person.Email) == "" {
		return nil
	}
	to := outbox.UserRecipient(u)
	if to.Name == "" {
		to.Name = u.LoginName
	}
	_, err := h.Outbox.Enqueue(ctx, st, outbox.Request{Type: message.PasswordChanged,
		To:   to,
		Data: map[string]string{"Login": u.LoginName, "Time": h.now().UTC().Format("2006-01-02 15:04 UTC")}})
	var me *model.Error
	if errors.As(err, &me) && me.Code == model.EINVALID && me.Field == "to" {
		h.Log.Warn("password changed: no mail to an unusable address", "user", u.ID, "err", err)
		return nil
	}
	return err
}
