package login

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/web"
)

// StepPasswordChange asks for a new password right after the first factor
// when an admin reset the password (model.User.PasswordMustChange, issue
// 9 §2.3) or it expired (password.maxAge, counted from PasswordSetAt).
const StepPasswordChange StepID = "password_change"

// PasswordChangeStep is the forced password change (issue 9 §1).
type PasswordChangeStep struct {
	Svc   *directory.Service
	Pages *web.Pages
	// MaxAge: a password older than this must be changed (0: never).
	MaxAge time.Duration
	// Now is the clock (the directory's when nil).
	Now func() time.Time
	// Notify queues the password_changed message in the change's
	// transaction (R-MSG-2); nil sends none.
	Notify directory.Notify
	// Wake makes the outbox send now, after the change committed (nil:
	// at its next poll).
	Wake func()
}

// ID implements Step.
func (p *PasswordChangeStep) ID() StepID { return StepPasswordChange }

func (p *PasswordChangeStep) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return p.Svc.Now()
}

// Due implements Step: once a local user is identified by a password, and
// until this step passed, when the password must change or expired.
func (p *PasswordChangeStep) Due(_ context.Context, a *Attempt) (bool, error) {
	f := a.Flow
	if f.UserID == "" || f.Passed(StepPasswordChange) || !f.Passed(StepPassword) || a.User.Kind != model.KindLocal {
		return false, nil
	}
	return a.User.PasswordMustChange || directory.PasswordExpired(a.User, p.MaxAge, p.now()), nil
}

type passwordChangePage struct {
	Form
	Login   string
	Reason  i18n.Msg
	Error   i18n.Msg
	Reasons []i18n.Msg
}

// Show implements Step.
func (p *PasswordChangeStep) Show(w http.ResponseWriter, r *http.Request, a *Attempt) error {
	d := passwordChangePage{Form: a.Form(), Login: a.User.LoginName, Reason: i18n.M("pwchange.reason.expired"), Error: a.Problem}
	if a.User.PasswordMustChange {
		d.Reason = i18n.M("pwchange.reason.forced")
	}
	if a.Problem.Key == "pwchange.error.policy" {
		// The reasons of a refused password (the form posted now).
		d.Reasons = PolicyReasons(p.Svc.PasswordPolicy().Check(r.PostForm.Get("new"), subjectOf(a.User)))
	}
	p.Pages.Render(w, r, a.StatusOr(http.StatusOK), "password_change", d)
	return nil
}

// Submit implements Step.
func (p *PasswordChangeStep) Submit(_ http.ResponseWriter, r *http.Request, a *Attempt) (Outcome, error) {
	pw, again := r.PostForm.Get("new"), r.PostForm.Get("confirm")
	if m, ok := checkNewPassword(p.Svc, pw, again, a.User); !ok {
		a.Fail(http.StatusBadRequest, m)
		return Retry, nil
	}
	err := p.Svc.ChangePasswordAtLogin(r.Context(), a.User, pw, p.Notify)
	switch {
	case errors.Is(err, directory.ErrSamePassword):
		a.Fail(http.StatusBadRequest, i18n.M("pwchange.error.same"))
		return Retry, nil
	case errors.Is(err, model.ErrStale), model.ErrorCode(err) == model.ECONFLICT:
		// The password changed meanwhile (an admin, another tab) or the
		// user can no longer log in: this login is over.
		a.Fail(http.StatusConflict, i18n.M("login.expired"))
		return Abort, nil
	case err != nil:
		return Retry, err
	}
	if p.Wake != nil {
		p.Wake()
	}
	a.Flow.Pass(StepPasswordChange)
	return Passed, nil
}

// checkNewPassword checks a new password typed twice against the policy
// for u: the problem to show when it cannot be used.
func checkNewPassword(svc *directory.Service, pw, again string, u model.User) (i18n.Msg, bool) {
	switch {
	case pw == "" || again == "":
		return i18n.M("pwchange.error.missing"), false
	case len(pw) > 4*password.MaxBytes:
		return i18n.M("pwchange.rule.too_long", svc.PasswordPolicy().MaxLength), false
	case pw != again:
		return i18n.M("pwchange.error.mismatch"), false
	case len(svc.PasswordPolicy().Check(pw, subjectOf(u))) > 0:
		return i18n.M("pwchange.error.policy"), false
	}
	return i18n.Msg{}, true
}

// PolicyReasons translates the policy's violations (issue 9 §2.1: messages
// that say what is wrong) into the page's language.
func PolicyReasons(v []password.Violation) []i18n.Msg {
	out := make([]i18n.Msg, 0, len(v))
	for _, x := range v {
		if x.Limit > 0 {
			out = append(out, i18n.M("pwchange.rule."+x.Code, x.Limit))
			continue
		}
		out = append(out, i18n.M("pwchange.rule."+x.Code))
	}
	return out
}

func subjectOf(u model.User) password.Subject {
	return password.Subject{LoginName: u.LoginName, Email: u.Person.Email}
}
