package login

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/authn"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/message"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/otp"
	"github.com/sesame-sso/sesame/internal/outbox"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/throttle"
	"github.com/sesame-sso/sesame/internal/totp"
	"github.com/sesame-sso/sesame/web"
)

// StepOTP is the one-time code sent by SMS or email (R-2FA-1..5, issue 9
// §3.1).
const StepOTP StepID = "otp"

// otpPurpose is what a login's code proves; a code issued for another
// purpose is never accepted here (otp.Codes.Verify).
const otpPurpose = "login"

// maxChallenges bounds the codes one login issues afresh (a challenge
// killed by wrong guesses, used, or purged, replaced by "send a new
// code"); resends of a live challenge are bounded by twofactor.maxSends.
// Beyond, the user signs in again, and every guess of every login counts
// against the user's second-factor budget (authn.GuardSecondFactor).
const maxChallenges = 3

// Flow data of the OTP step.
const (
	otpChallenge = "otp.challenge" // the challenge id
	otpSent      = "otp.sent"      // channels the code went to, "sms,email"
	otpBlocked   = "otp.blocked"   // "1": the SMS was blocked (R-2FA-3)
	otpIssued    = "otp.issued"    // challenges issued in this login
)

// OTPStep sends a one-time code and checks it. It is due after the first
// factor when otp.Settings.Due says so for the user (the user's own mode,
// else the instance default; "first login only" reads the stored first
// login, R-2FA-5; delegated users never) and the user has no active
// authenticator app: a user with TOTP is asked for that instead (the TOTP
// step), never for both. Once a code was sent the step stays due until it
// is passed, whatever changes meanwhile.
//
// A code is issued when the page is first shown, in one transaction with
// its outbox messages and the flow update (R-MSG-2): a concurrent page
// view (another tab, a double GET) finds the flow moved on and rolls its
// code back, so a login sends one code, not two. The outbox worker is
// woken after the commit.
//
// When no code can be sent — no email address or phone number for the
// mode, or the number does not match the MSISDN pattern and no other
// channel is left (R-2FA-3) — the login is refused (and audited): letting
// it pass would make a missing phone number a way around the second
// factor.
type OTPStep struct {
	Codes *otp.Codes
	// TOTP, when set, is asked whether the user has an authenticator app
	// (then the TOTP step replaces this one).
	TOTP *totp.Authenticator
	// Store is the root store: InTx for the code, its messages and the
	// flow; reads of the challenge.
	Store  storage.Storage
	Outbox *outbox.Queue
	// Wake makes the outbox worker send now (nil: at its next poll).
	Wake func()
	// Authn counts wrong codes against the user's second-factor budget
	// and audits.
	Authn *authn.Service
	Pages *web.Pages
	Log   *slog.Logger
}

// ID implements Step.
func (s *OTPStep) ID() StepID { return StepOTP }

// Due implements Step.
func (s *OTPStep) Due(ctx context.Context, a *Attempt) (bool, error) {
	f := a.Flow
	if s.Codes == nil || f.UserID == "" || f.Passed(StepOTP) || f.Passed(StepTOTP) ||
		// A login through a connection: the IdP authenticated (and does
		// MFA); Sesame asks for no second factor of its own (issue 10).
		f.Passed(StepIdP) {
		return false, nil
	}
	if f.Value(otpChallenge) != "" {
		return true, nil
	}
	if _, due := s.Codes.Settings.Due(a.User); !due {
		return false, nil
	}
	if s.TOTP != nil {
		active, err := s.TOTP.Active(ctx, a.User)
		if err != nil || active {
			return false, err
		}
	}
	return true, nil
}

func (s *OTPStep) now() time.Time {
	if s.Codes.Now != nil {
		return s.Codes.Now()
	}
	return time.Now()
}

// Show implements Step: the first view sends the code.
func (s *OTPStep) Show(w http.ResponseWriter, r *http.Request, a *Attempt) error {
	if a.Flow.Value(otpChallenge) == "" {
		err := s.issue(r, a, false)
		if noCode(err) {
			return s.refuse(w, r, a, err)
		}
		if err != nil {
			return err
		}
	}
	return s.render(w, r, a)
}

// noCode reports an error that means no code can be sent to the user.
func noCode(err error) bool {
	return errors.Is(err, otp.ErrSMSBlocked) || errors.Is(err, otp.ErrNoDestination) ||
		(err != nil && model.ErrorCode(err) == model.EINVALID && !errors.Is(err, otp.ErrExpired) && !errors.Is(err, otp.ErrWrongCode))
}

var errNoMoreCodes = model.Errorf(model.ETOOMANY, "code", "no more codes can be sent for this sign-in")

// issue sends a code: a new challenge (fresh, or the current one is dead)
// or, with resend, a new code for the live challenge (cool-down and
// bounded sends, otp.Codes.Resend). The challenge, its outbox messages and
// the flow commit together.
func (s *OTPStep) issue(r *http.Request, a *Attempt, resend bool) error {
	ctx := r.Context()
	f := a.Flow
	u := s.recipient(a.User)
	send := s.send(r, a.User)
	oldVersion, oldData := f.Version, maps.Clone(f.Data)
	err := s.Store.InTx(ctx, func(tx storage.Storage) error {
		var (
			iss otp.Issued
			err error
		)
		id := f.Value(otpChallenge)
		if resend && id != "" && s.alive(ctx, tx, id, a.User.ID) {
			if iss, err = s.Codes.Resend(ctx, tx, u, id, send); err != nil {
				return err
			}
		} else {
			n, _ := strconv.Atoi(f.Value(otpIssued))
			if n >= maxChallenges {
				return errNoMoreCodes
			}
			if iss, err = s.Codes.Issue(ctx, tx, u, "", otpPurpose, send); err != nil {
				return err
			}
			f.Set(otpIssued, strconv.Itoa(n+1))
		}
		f.Set(otpChallenge, iss.ChallengeID)
		f.Set(otpSent, strings.Join(iss.Sent, ","))
		blocked := ""
		if iss.SMSBlocked {
			blocked = "1"
		}
		f.Set(otpBlocked, blocked)
		return a.SaveIn(ctx, tx)
	})
	if err != nil {
		f.Version, f.Data = oldVersion, oldData
		return err
	}
	if s.Wake != nil {
		s.Wake()
	}
	return nil
}

// alive reports whether the challenge can still take a new code: not
// used, not killed by wrong guesses, the user's (an expired one can: a
// resend starts its lifetime again).
func (s *OTPStep) alive(ctx context.Context, st storage.Storage, id, userID string) bool {
	ch, err := st.GetOTPChallenge(ctx, id)
	return err == nil && ch.UserID == userID && ch.UsedAt.IsZero() && ch.Attempts < ch.MaxAttempts
}

// recipient is u as otp.Codes sees it: an email address the outbox would
// never deliver to (a virtual/placeholder address, seed 002) is no
// address.
func (s *OTPStep) recipient(u model.User) model.User {
	if s.Outbox != nil && u.Person.Email != "" && s.Outbox.Undeliverable(u.Person.Email) {
		u.Person.Email = ""
	}
	return u
}

// send enqueues a code's message (OTPEmail / OTPSMS) in tx, in the
// language of the page (the user's preference, then ui_locales, then
// Accept-Language: issue 9 §5), with the lifetime in words.
func (s *OTPStep) send(r *http.Request, u model.User) otp.Send {
	loc := s.Pages.Localizer(r)
	expires := duration(loc, s.Codes.Settings.TTL)
	return func(ctx context.Context, tx storage.Storage, m otp.Message) error {
		to := outbox.Recipient{UserID: m.UserID, Name: displayName(u), Language: loc.Lang()}
		typ := message.OTPEmail
		if m.Channel == otp.ChannelSMS {
			typ, to.Phone = message.OTPSMS, m.To
		} else {
			to.Email = m.To
			to.Undeliverable = u.EmailUndeliverable && strings.EqualFold(m.To, u.Person.Email)
		}
		_, err := s.Outbox.Enqueue(ctx, tx, outbox.Request{Type: typ, To: to,
			Data: map[string]string{"Login": u.LoginName, "Code": m.Code, "ExpiresIn": expires}})
		return err
	}
}

// duration says d in words ("5 minutes") in loc's language.
func duration(loc *i18n.Localizer, d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		return loc.T("otp.minutes", int(d/time.Minute))
	}
	return loc.T("otp.seconds", int((d+time.Second-1)/time.Second))
}

func displayName(u model.User) string {
	if n := strings.TrimSpace(u.Person.FirstName + " " + u.Person.LastName); n != "" {
		return n
	}
	return u.LoginName
}

// refuse ends a login no code can be sent for, with a page that says why.
func (s *OTPStep) refuse(w http.ResponseWriter, r *http.Request, a *Attempt, cause error) error {
	ctx := r.Context()
	reason, why := "no address", i18n.M("otp.none.no_address")
	if errors.Is(cause, otp.ErrSMSBlocked) {
		reason, why = "sms blocked", i18n.M("otp.none.sms_blocked")
	}
	s.Authn.AuditLogin(context.WithoutCancel(ctx), a.User.ID, clientIP(r), model.OutcomeFailure,
		map[string]any{"step": string(StepOTP), "reason": "no one-time code can be sent: " + reason})
	if err := a.End(ctx, w); err != nil {
		return err
	}
	s.Pages.Render(w, r, http.StatusForbidden, "otp", otpPage{Form: a.Form(), NoCode: why, Restart: restartLink(a.Flow)})
	return nil
}

// OTPSent is one channel a code went to, for the page.
type OTPSent struct {
	// Channel is a catalog message ("by email", "by SMS").
	Channel i18n.Msg
	// To is the masked address.
	To string
}

type otpPage struct {
	Form
	Sent []OTPSent
	// SMSBlocked: the SMS was not sent, the number is not allowed (R-2FA-3).
	SMSBlocked bool
	// NoCode, when set, says why no code can be sent: the login ended.
	NoCode  i18n.Msg
	Restart string
	// ResendIn is the cool-down left in seconds (0: a new code can be
	// asked for now).
	ResendIn int
	// AttemptsLeft is shown after a wrong code.
	AttemptsLeft int
	Error        i18n.Msg
	Notice       i18n.Msg
}

// render shows where the code went and the form.
func (s *OTPStep) render(w http.ResponseWriter, r *http.Request, a *Attempt) error {
	ctx := r.Context()
	f := a.Flow
	p := otpPage{Form: a.Form(), SMSBlocked: f.Value(otpBlocked) == "1", Error: a.Problem, Restart: restartLink(f)}
	status := a.StatusOr(http.StatusOK)
	if a.Problem.Key == keyResent {
		p.Error, p.Notice, status = i18n.Msg{}, a.Problem, http.StatusOK
	}
	for _, ch := range strings.Split(f.Value(otpSent), ",") {
		switch ch {
		case otp.ChannelEmail:
			p.Sent = append(p.Sent, OTPSent{Channel: i18n.M("otp.by_email"), To: maskEmail(a.User.Person.Email)})
		case otp.ChannelSMS:
			p.Sent = append(p.Sent, OTPSent{Channel: i18n.M("otp.by_sms"), To: maskPhone(s.Codes.Settings.SMSNumber(a.User.Person.Phone))})
		}
	}
	ch, err := s.Store.GetOTPChallenge(ctx, f.Value(otpChallenge))
	switch {
	case err == nil:
		if left := s.Codes.RetryAt(ch).Sub(s.now()); left > 0 {
			p.ResendIn = int((left + time.Second - 1) / time.Second)
		}
		if a.Problem.Key == keyWrong {
			p.AttemptsLeft = max(ch.MaxAttempts-ch.Attempts, 0)
		}
	case model.ErrorCode(err) != model.ENOTFOUND:
		return fmt.Errorf("read one-time code: %w", err)
	}
	s.Pages.Render(w, r, status, "otp", p)
	return nil
}

// Catalog keys the page treats specially.
const (
	keyResent = "otp.resent"
	keyWrong  = "otp.error.wrong"
)

// Submit implements Step: the code, or "send a new code".
func (s *OTPStep) Submit(_ http.ResponseWriter, r *http.Request, a *Attempt) (Outcome, error) {
	ctx := r.Context()
	if r.PostForm.Get("resend") != "" {
		return s.resend(r, a)
	}
	id := a.Flow.Value(otpChallenge)
	if id == "" {
		// No code sent yet (the page was never shown): show it now.
		return Retry, nil
	}
	code := strings.TrimSpace(r.PostForm.Get("code"))
	if code == "" || len(code) > 64 {
		a.Fail(http.StatusBadRequest, i18n.M("otp.error.missing"))
		return Retry, nil
	}
	err := s.Authn.GuardSecondFactor(ctx, a.User.ID, "otp", func() (bool, error) {
		err := s.Codes.Verify(ctx, s.Store, a.User.ID, id, otpPurpose, code)
		return errors.Is(err, otp.ErrWrongCode) || errors.Is(err, otp.ErrTooManyAttempts), err
	})
	var lim *throttle.Limited
	switch {
	case err == nil:
		a.Flow.Pass(StepOTP, "otp")
		return Passed, nil
	case errors.As(err, &lim):
		a.Fail(http.StatusTooManyRequests, i18n.M("secondfactor.error.throttled", lim.RetryAfterSeconds()))
	case errors.Is(err, otp.ErrWrongCode):
		a.Fail(http.StatusUnauthorized, i18n.M(keyWrong))
	case errors.Is(err, otp.ErrExpired), errors.Is(err, otp.ErrNotFound):
		a.Fail(http.StatusBadRequest, i18n.M("otp.error.expired"))
	case errors.Is(err, otp.ErrUsed):
		a.Fail(http.StatusConflict, i18n.M("otp.error.used"))
	case errors.Is(err, otp.ErrTooManyAttempts):
		a.Fail(http.StatusTooManyRequests, i18n.M("otp.error.attempts"))
	default:
		return Retry, err
	}
	return Retry, nil
}

// resend sends a new code (R-2FA-1: resend with a cool-down).
func (s *OTPStep) resend(r *http.Request, a *Attempt) (Outcome, error) {
	err := s.issue(r, a, true)
	switch {
	case err == nil:
		a.Fail(http.StatusOK, i18n.M(keyResent))
	case errors.Is(err, otp.ErrCooldown):
		ch, gerr := s.Store.GetOTPChallenge(r.Context(), a.Flow.Value(otpChallenge))
		if gerr != nil {
			return Retry, gerr
		}
		wait := max(int((s.Codes.RetryAt(ch).Sub(s.now())+time.Second-1)/time.Second), 1)
		a.Fail(http.StatusTooManyRequests, i18n.M("otp.error.cooldown", wait))
	case errors.Is(err, otp.ErrTooManySends), errors.Is(err, errNoMoreCodes):
		a.Fail(http.StatusTooManyRequests, i18n.M("otp.error.no_more"))
		return Abort, nil
	case noCode(err):
		why := i18n.M("otp.none.no_address")
		if errors.Is(err, otp.ErrSMSBlocked) {
			why = i18n.M("otp.none.sms_blocked")
		}
		a.Fail(http.StatusForbidden, why)
		return Abort, nil
	default:
		return Retry, err
	}
	return Retry, nil
}

// maskEmail shows enough of an address to recognise it: "c…@acme.example".
func maskEmail(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" {
		return "…"
	}
	r := []rune(local)
	return string(r[0]) + "…@" + domain
}

// maskPhone keeps the country prefix and the last two digits:
// "+41…67".
func maskPhone(n string) string {
	if len(n) < 6 {
		return "…"
	}
	return n[:3] + "…" + n[len(n)-2:]
}
