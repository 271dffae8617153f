package login

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/sesame-sso/sesame/internal/authn"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/throttle"
	"github.com/sesame-sso/sesame/internal/totp"
	"github.com/sesame-sso/sesame/web"
)

// StepTOTP is the code of an authenticator app (RFC 6238, issue 9 §3.2),
// or one of the user's recovery codes.
const StepTOTP StepID = "totp"

// TOTPStep asks a user with an active authenticator app (TOTP allowed for
// the user and a confirmed enrolment: totp.Authenticator.Active) for its
// code. It replaces the one-time code step for that user (one second
// factor per login). A code's time step is accepted once (RFC 6238 §5.2:
// a replay is refused, also across nodes — the store decides); a recovery
// code works once. Every wrong guess is charged to the user's
// second-factor budget of the brute-force limiter (R-PWD-3,
// authn.GuardSecondFactor), so guessing is bounded across logins, nodes
// and sources.
type TOTPStep struct {
	TOTP  *totp.Authenticator
	Authn *authn.Service
	Pages *web.Pages
}

// ID implements Step.
func (s *TOTPStep) ID() StepID { return StepTOTP }

// Due implements Step.
func (s *TOTPStep) Due(ctx context.Context, a *Attempt) (bool, error) {
	f := a.Flow
	if s.TOTP == nil || f.UserID == "" || f.Passed(StepTOTP) || f.Passed(StepOTP) || f.Passed(StepTOTPEnrol) ||
		// A login through a connection: the IdP authenticated (and does
		// MFA); Sesame asks for no second factor of its own (issue 10).
		f.Passed(StepIdP) {
		return false, nil
	}
	return s.TOTP.Active(ctx, a.User)
}

type totpPage struct {
	Form
	Error i18n.Msg
}

// Show implements Step.
func (s *TOTPStep) Show(w http.ResponseWriter, r *http.Request, a *Attempt) error {
	s.Pages.Render(w, r, a.StatusOr(http.StatusOK), "totp", totpPage{Form: a.Form(), Error: a.Problem})
	return nil
}

// isTOTPCode reports a six-digit authenticator code (spaces allowed);
// anything else is read as a recovery code.
func isTOTPCode(code string) bool {
	code = strings.ReplaceAll(code, " ", "")
	return len(code) == 6 && strings.Trim(code, "0123456789") == ""
}

// Submit implements Step.
func (s *TOTPStep) Submit(_ http.ResponseWriter, r *http.Request, a *Attempt) (Outcome, error) {
	ctx := r.Context()
	code := strings.TrimSpace(r.PostForm.Get("code"))
	if code == "" || len(code) > 64 {
		a.Fail(http.StatusBadRequest, i18n.M("totp.error.missing"))
		return Retry, nil
	}
	method := "totp"
	if !isTOTPCode(code) {
		method = "recovery"
	}
	err := s.Authn.GuardSecondFactor(ctx, a.User.ID, method, func() (bool, error) {
		var err error
		if method == "totp" {
			err = s.TOTP.Verify(ctx, a.User.ID, code)
		} else {
			err = s.TOTP.UseRecoveryCode(ctx, a.User.ID, code)
		}
		// A replayed code is counted too: to the limiter it is a guess.
		return errors.Is(err, totp.ErrWrongCode) || errors.Is(err, totp.ErrReplay) || errors.Is(err, totp.ErrRecoveryCode), err
	})
	var lim *throttle.Limited
	switch {
	case err == nil:
		if method == "recovery" {
			s.Authn.AuditLogin(context.WithoutCancel(ctx), a.User.ID, clientIP(r), model.OutcomeSuccess,
				map[string]any{"step": string(StepTOTP), "note": "a recovery code was used"})
		}
		// RFC 8176: "otp" — a one-time password (the app's code, or a
		// single-use recovery code); Flow.Pass adds "mfa".
		a.Flow.Pass(StepTOTP, "otp")
		return Passed, nil
	case errors.As(err, &lim):
		a.Fail(http.StatusTooManyRequests, i18n.M("secondfactor.error.throttled", lim.RetryAfterSeconds()))
	case errors.Is(err, totp.ErrReplay):
		a.Fail(http.StatusUnauthorized, i18n.M("totp.error.replay"))
	case errors.Is(err, totp.ErrWrongCode):
		a.Fail(http.StatusUnauthorized, i18n.M("totp.error.wrong"))
	case errors.Is(err, totp.ErrRecoveryCode):
		a.Fail(http.StatusUnauthorized, i18n.M("totp.error.recovery"))
	case errors.Is(err, totp.ErrNotEnrolled):
		// Removed by an admin meanwhile (a lost phone): start again, the
		// login then asks for what is configured now.
		a.Fail(http.StatusConflict, i18n.M("totp.error.removed"))
		return Abort, nil
	default:
		return Retry, err
	}
	return Retry, nil
}
