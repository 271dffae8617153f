package login

import (
	"context"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/totp"
	"github.com/sesame-sso/sesame/web"
)

// StepTOTPEnrol sets up a new authenticator app during the login after an
// admin "reset the account" (seed 003, issue 9 §2.3): the reset removed the
// old one and asks for a new one at the next login, where TOTP is allowed
// for the user.
const StepTOTPEnrol StepID = "totp-enrol"

// TOTPEnrolStep shows the QR code and secret of a new enrolment, takes a
// first code from the app (RFC 6238) and then shows the recovery codes
// once (AfterPass). The confirming code proves the factor, so this login
// needs no further second factor (amr "otp").
type TOTPEnrolStep struct {
	TOTP  *totp.Authenticator
	Svc   *directory.Service
	Pages *web.Pages
}

var _ AfterPass = (*TOTPEnrolStep)(nil)

// ID implements Step.
func (s *TOTPEnrolStep) ID() StepID { return StepTOTPEnrol }

// Due implements Step: the user must enrol, may use TOTP and has no
// confirmed app (enrolled elsewhere meanwhile: nothing left to do).
func (s *TOTPEnrolStep) Due(ctx context.Context, a *Attempt) (bool, error) {
	f := a.Flow
	if s.TOTP == nil || f.UserID == "" || !a.User.TOTPMustEnrol || f.Passed(StepTOTPEnrol) ||
		// A login through a connection: the IdP authenticated (and does
		// MFA); Sesame asks for no second factor of its own (issue 10).
		f.Passed(StepIdP) {
		return false, nil
	}
	allowed, err := s.TOTP.Allowed(ctx, a.User)
	if err != nil || !allowed {
		return false, err
	}
	enrolled, err := s.TOTP.Enrolled(ctx, a.User.ID)
	return !enrolled, err
}

type totpEnrolPage struct {
	Form
	QR     template.URL
	Secret string
	Error  i18n.Msg
}

// Show implements Step: the pending enrolment again when there is one
// (a reload or a wrong code keeps the app the user already set up).
func (s *TOTPEnrolStep) Show(w http.ResponseWriter, r *http.Request, a *Attempt) error {
	ctx := r.Context()
	e, err := s.TOTP.Pending(ctx, a.User.ID, a.User.LoginName)
	if errors.Is(err, totp.ErrNotEnrolled) {
		e, err = s.TOTP.Enrol(ctx, a.User, a.User.LoginName)
	}
	if err != nil {
		return err
	}
	s.Pages.Render(w, r, a.StatusOr(http.StatusOK), "totp_enrol", totpEnrolPage{Form: a.Form(),
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QRPNG)), Secret: e.Secret, Error: a.Problem})
	return nil
}

// Submit implements Step.
func (s *TOTPEnrolStep) Submit(_ http.ResponseWriter, r *http.Request, a *Attempt) (Outcome, error) {
	ctx := r.Context()
	code := strings.ReplaceAll(strings.TrimSpace(r.PostForm.Get("code")), " ", "")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		a.Fail(http.StatusBadRequest, i18n.M("totpenrol.error.code"))
		return Retry, nil
	}
	codes, err := s.TOTP.Confirm(ctx, a.User.ID, code)
	switch {
	case errors.Is(err, totp.ErrWrongCode), errors.Is(err, totp.ErrNotEnrolled):
		a.Fail(http.StatusBadRequest, i18n.M("totpenrol.error.code"))
		return Retry, nil
	case err != nil:
		return Retry, err
	}
	if err := s.Svc.TOTPEnrolled(ctx, a.User.ID); err != nil {
		return Retry, err
	}
	a.Flow.Pass(StepTOTPEnrol, "otp")
	a.Carry = codes
	return Passed, nil
}

type totpCodesPage struct {
	Codes []string
	Next  string
}

// AfterPass implements AfterPass: the recovery codes, shown this once.
func (s *TOTPEnrolStep) AfterPass(w http.ResponseWriter, r *http.Request, a *Attempt) bool {
	codes, ok := a.Carry.([]string)
	if !ok {
		return false
	}
	s.Pages.Render(w, r, http.StatusOK, "totp_enrol_codes", totpCodesPage{Codes: codes, Next: a.Next()})
	return true
}
