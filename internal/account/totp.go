package account

import (
	"context"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/totp"
)

// totpView is the authenticator section of the account page.
type totpView struct {
	// Allowed: the section is shown (totp.Authenticator.Allowed).
	Allowed   bool
	Enrolled  bool
	CodesLeft int
	Error     i18n.Msg
}

func (h *Handler) totpView(ctx context.Context, u model.User, v totpView) (totpView, error) {
	if h.TOTP == nil {
		return v, nil
	}
	var err error
	if v.Allowed, err = h.TOTP.Allowed(ctx, u); err != nil || !v.Allowed {
		return v, err
	}
	if v.Enrolled, err = h.TOTP.Enrolled(ctx, u.ID); err != nil || !v.Enrolled {
		return v, err
	}
	v.CodesLeft, err = h.TOTP.RecoveryCodesLeft(ctx, u.ID)
	return v, err
}

// enrolData is the enrolment page (account_totp): the QR code, the secret
// for typing in, and the form for the first code.
type enrolData struct {
	CSRF string
	// QR is the QR code as a data: URL (the page's CSP allows data:
	// images, nothing else).
	QR     template.URL
	Secret string
	Error  i18n.Msg
}

// codesData is the page showing recovery codes (account_codes) — the only
// time they are ever shown (only their hashes are stored).
type codesData struct {
	Codes []string
}

// allowed answers 403 unless u may use an authenticator app.
func (h *Handler) allowed(w http.ResponseWriter, r *http.Request, q req) bool {
	if h.TOTP == nil {
		h.message(w, r, http.StatusForbidden, "account.totp.title", "account.totp.not_allowed")
		return false
	}
	ok, err := h.TOTP.Allowed(r.Context(), q.u)
	if err != nil {
		h.unavailable(w, r, "account: totp allowed", err)
		return false
	}
	if !ok {
		h.message(w, r, http.StatusForbidden, "account.totp.title", "account.totp.not_allowed")
	}
	return ok
}

// showEnrolment renders the enrolment page for e.
func (h *Handler) showEnrolment(w http.ResponseWriter, r *http.Request, status int, e totp.Enrolment, problem i18n.Msg) {
	h.Pages.Render(w, r, status, "account_totp", enrolData{CSRF: h.Sessions.CSRFToken(r),
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QRPNG)), Secret: e.Secret, Error: problem})
}

// enrolTOTP is POST /account/totp/enrol: a new secret (replacing an
// unconfirmed one), shown as a QR code and as text (issue 9 §3.2).
func (h *Handler) enrolTOTP(w http.ResponseWriter, r *http.Request, q req) {
	if !h.allowed(w, r, q) {
		return
	}
	e, err := h.TOTP.Enrol(r.Context(), q.u, q.u.LoginName)
	switch {
	case errors.Is(err, totp.ErrEnrolled):
		h.render(w, r, q, http.StatusConflict, pageData{TOTP: totpView{Error: i18n.M("account.totp.error.enrolled")}})
		return
	case err != nil:
		h.unavailable(w, r, "account: totp enrol", err)
		return
	}
	h.showEnrolment(w, r, http.StatusOK, e, i18n.Msg{})
}

// confirmTOTP is POST /account/totp/confirm: the first code from the app
// makes the enrolment active; the recovery codes are shown on this answer
// and never again (a reload posts again and is refused: the enrolment is
// confirmed already).
func (h *Handler) confirmTOTP(w http.ResponseWriter, r *http.Request, q req) {
	if !h.allowed(w, r, q) {
		return
	}
	ctx := r.Context()
	code := strings.TrimSpace(r.PostForm.Get("code"))
	if len(code) > 32 {
		code = ""
	}
	codes, err := h.TOTP.Confirm(ctx, q.u.ID, code)
	switch {
	case errors.Is(err, totp.ErrWrongCode):
		// The same secret again: the app the user set up stays valid.
		e, perr := h.TOTP.Pending(ctx, q.u.ID, q.u.LoginName)
		if perr != nil {
			h.unavailable(w, r, "account: totp pending", perr)
			return
		}
		h.showEnrolment(w, r, http.StatusBadRequest, e, i18n.M("account.totp.error.code"))
		return
	case errors.Is(err, totp.ErrEnrolled):
		h.render(w, r, q, http.StatusConflict, pageData{TOTP: totpView{Error: i18n.M("account.totp.error.confirmed")}})
		return
	case errors.Is(err, totp.ErrNotEnrolled):
		h.render(w, r, q, http.StatusConflict, pageData{TOTP: totpView{Error: i18n.M("account.totp.error.no_enrolment")}})
		return
	case err != nil:
		h.unavailable(w, r, "account: totp confirm", err)
		return
	}
	// Clears an account reset's "set one up at the next login" and audits.
	if err := h.Svc.TOTPEnrolled(ctx, q.u.ID); err != nil {
		h.Log.Warn("account: record totp enrolment", "err", err)
	}
	h.Pages.Render(w, r, http.StatusOK, "account_codes", codesData{Codes: codes})
}

// removeTOTP is POST /account/totp/remove: with the current password (see
// doc.go), the authenticator and its recovery codes go.
func (h *Handler) removeTOTP(w http.ResponseWriter, r *http.Request, q req) {
	fail := func(m i18n.Msg, status int) { h.render(w, r, q, status, pageData{TOTP: totpView{Error: m}}) }
	if r.PostForm.Get("password") == "" {
		fail(i18n.M("account.totp.error.password"), http.StatusBadRequest)
		return
	}
	if !h.checkPassword(w, r, q, r.PostForm.Get("password"), fail) {
		return
	}
	if h.TOTP == nil {
		h.message(w, r, http.StatusForbidden, "account.totp.title", "account.totp.not_allowed")
		return
	}
	if err := h.TOTP.Remove(r.Context(), q.u.ID); err != nil {
		h.unavailable(w, r, "account: totp remove", err)
		return
	}
	h.Svc.AuditSelf(r.Context(), q.u.ID, "user.totp_removed", nil)
	done(w, r, "totp_removed")
}

// regenerateCodes is POST /account/totp/recovery: with the current
// password, a new set of recovery codes replaces the old one and is shown
// once.
func (h *Handler) regenerateCodes(w http.ResponseWriter, r *http.Request, q req) {
	if !h.allowed(w, r, q) {
		return
	}
	fail := func(m i18n.Msg, status int) { h.render(w, r, q, status, pageData{TOTP: totpView{Error: m}}) }
	if r.PostForm.Get("password") == "" {
		fail(i18n.M("account.totp.error.password"), http.StatusBadRequest)
		return
	}
	if !h.checkPassword(w, r, q, r.PostForm.Get("password"), fail) {
		return
	}
	codes, err := h.TOTP.RegenerateRecoveryCodes(r.Context(), q.u.ID)
	switch {
	case errors.Is(err, totp.ErrNotEnrolled):
		fail(i18n.M("account.totp.error.no_enrolment"), http.StatusConflict)
		return
	case err != nil:
		h.unavailable(w, r, "account: recovery codes", err)
		return
	}
	h.Svc.AuditSelf(r.Context(), q.u.ID, "user.recovery_codes_regenerated", nil)
	h.Pages.Render(w, r, http.StatusOK, "account_codes", codesData{Codes: codes})
}
