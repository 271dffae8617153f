package login

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/fault"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/message"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/outbox"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/throttle"
	"github.com/sesame-sso/sesame/web"
)

// PasswordMail queues the password messages (R-MSG-1) through the outbox
// in the caller's transaction (R-MSG-2).
type PasswordMail struct {
	Queue *outbox.Queue
	// Issuer is the external URL the reset link starts with.
	Issuer string
	// Pages gives the catalogs the link's lifetime is written with, in
	// the recipient's language (nil: English minutes).
	Pages *web.Pages
}

func recipient(u model.User) outbox.Recipient {
	// The name is user input: the outbox keeps it out of headers unencoded
	// (header injection through names, issue 9 "Bad input").
	return outbox.UserRecipient(u)
}

// Changed queues password_changed for u (a user without an email gets
// none).
func (m PasswordMail) Changed(ctx context.Context, tx storage.Storage, u model.User) error {
	if u.Person.Email == "" {
		return nil
	}
	_, err := m.Queue.Enqueue(ctx, tx, outbox.Request{Type: message.PasswordChanged, To: recipient(u),
		Data: map[string]string{"Login": u.LoginName, "Time": time.Now().UTC().Format("2006-01-02 15:04 UTC")}})
	return err
}

// Reset queues password_reset with the link for token, valid for ttl.
func (m PasswordMail) Reset(ctx context.Context, tx storage.Storage, u model.User, token string, ttl time.Duration) error {
	link := strings.TrimSuffix(m.Issuer, "/") + "/password/reset?token=" + url.QueryEscape(token)
	mins := int(ttl.Round(time.Minute) / time.Minute)
	expires := fmt.Sprintf("%d min", max(mins, 1))
	if m.Pages != nil {
		// The same words as the one-time code mails (otp.minutes), in the
		// recipient's language (R-2FA-4 / issue 9 §5).
		b := m.Pages.Bundle()
		expires = duration(b.Localizer(b.Match(u.Person.Language, "", "")), time.Duration(max(mins, 1))*time.Minute)
	}
	_, err := m.Queue.Enqueue(ctx, tx, outbox.Request{Type: message.PasswordReset, To: recipient(u),
		Data: map[string]string{"Login": u.LoginName, "Link": link, "ExpiresIn": expires}})
	return err
}

// DefaultForgotFloor is the least time the forgot page takes to answer a
// request, whatever it did: sending a link (a transaction, a rendered
// message) and not sending one (an audit row) then look the same from
// outside (R-PWD-2). It is well above the work a link costs (see
// docs/BENCHMARKS.md for the measured figures).
const DefaultForgotFloor = 400 * time.Millisecond

// PasswordPages serves forgot password and the reset link (R-PWD-2):
// GET/POST /password/forgot, GET/POST /password/reset and
// GET /password/reset/done.
type PasswordPages struct {
	Svc   *directory.Service
	Pages *web.Pages
	Log   *slog.Logger
	Mail  PasswordMail
	// Wake makes the outbox send now (nil: at its next poll).
	Wake func()
	// TTL is how long a link works (default 30m).
	TTL time.Duration
	// Floor is the least time a forgot request takes (default
	// DefaultForgotFloor; tests may lower it).
	Floor time.Duration
	// Limiter bounds forgot requests per account and source (nil: none),
	// so nobody floods a mailbox.
	Limiter *throttle.Limiter
	// Sleep waits (tests: instant); nil: a timer.
	Sleep func(ctx context.Context, d time.Duration)
}

// Register mounts the routes.
func (p *PasswordPages) Register(mux *http.ServeMux) {
	if p.TTL <= 0 {
		p.TTL = 30 * time.Minute
	}
	if p.Floor <= 0 {
		p.Floor = DefaultForgotFloor
	}
	if p.Wake == nil {
		p.Wake = func() {}
	}
	if p.Sleep == nil {
		p.Sleep = func(ctx context.Context, d time.Duration) {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
			}
		}
	}
	mux.HandleFunc("GET /password/forgot", p.forgotForm)
	mux.HandleFunc("POST /password/forgot", p.forgot)
	mux.HandleFunc("GET /password/reset", p.resetForm)
	mux.HandleFunc("POST /password/reset", p.reset)
	mux.HandleFunc("GET /password/reset/done", p.done)
}

type forgotPage struct {
	Tenant string
	Back   string
	Error  i18n.Msg
}

func backToLogin(tenant string) string {
	if tenant == "" {
		return "/login"
	}
	return "/login?" + url.Values{"tenant": {tenant}}.Encode()
}

func (p *PasswordPages) forgotForm(w http.ResponseWriter, r *http.Request) {
	t := tenantParam(r.URL.Query().Get("tenant"))
	p.Pages.Render(w, r, http.StatusOK, "password_forgot", forgotPage{Tenant: t, Back: backToLogin(t)})
}

func (p *PasswordPages) unavailable(w http.ResponseWriter, r *http.Request, what string, err error) {
	fault.Log(r.Context(), p.Log, what, err)
	TryAgain(w, r, p.Pages)
}

// forgot handles a request for a link. Whatever the account — unknown,
// inactive, delegated, without email, over its request budget, or one
// that gets a link — the page, its status and (through Floor) its timing
// are the same.
func (p *PasswordPages) forgot(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		p.Pages.Render(w, r, http.StatusBadRequest, "message", web.Message{Title: i18n.M("msg.bad_request.title"), Message: i18n.M("msg.bad_form"), Link: "/password/forgot", LinkText: i18n.M("link.back_to_sign_in")})
		return
	}
	tenant := tenantParam(r.PostForm.Get("tenant"))
	typed := strings.TrimSpace(r.PostForm.Get("login"))
	if typed == "" || len(typed) > 400 {
		p.Pages.Render(w, r, http.StatusBadRequest, "password_forgot", forgotPage{Tenant: tenant, Back: backToLogin(tenant), Error: i18n.M("pwforgot.error.missing")})
		return
	}
	ctx := r.Context()
	if err := p.request(ctx, tenant, typed); err != nil {
		p.unavailable(w, r, "password reset request", err)
		return
	}
	if wait := p.Floor - time.Since(start); wait > 0 {
		p.Sleep(ctx, wait)
	}
	p.Pages.Render(w, r, http.StatusOK, "message", web.Message{Title: i18n.M("pwforgot.sent.title"),
		Message: i18n.M("pwforgot.sent", int(p.TTL/time.Minute)), Link: backToLogin(tenant), LinkText: i18n.M("link.back_to_sign_in")})
}

// request does the work of one forgot request: find the account, count
// the request against it and the source (every request counts, a link or
// not), and send a link when the account may have one.
func (p *PasswordPages) request(ctx context.Context, tenant, typed string) error {
	u, found, err := p.Svc.FindResetUser(ctx, tenant, typed)
	if err != nil {
		return err
	}
	key := "r:" + tenant + "/" + strings.ToLower(typed)
	if found {
		key = "r:" + u.ID
	}
	at, err := p.Limiter.Check(ctx, key)
	var lim *throttle.Limited
	if errors.As(err, &lim) {
		// Over budget: nothing is sent, the answer is the same.
		p.Log.Info("password reset request throttled", "user", u.ID)
		return nil
	}
	if err != nil {
		return err
	}
	if err := p.Limiter.Fail(ctx, at); err != nil {
		return err
	}
	res, err := p.Svc.RequestPasswordReset(ctx, u, found, p.TTL, func(ctx context.Context, tx storage.Storage, u model.User, token string, _ time.Time) error {
		return p.Mail.Reset(ctx, tx, u, token, p.TTL)
	})
	if err != nil {
		return err
	}
	if res.Sent {
		p.Wake()
	}
	return nil
}

type resetPage struct {
	Token, Login string
	Error        i18n.Msg
	Reasons      []i18n.Msg
}

func (p *PasswordPages) invalid(w http.ResponseWriter, r *http.Request) {
	p.Pages.Render(w, r, http.StatusBadRequest, "message", web.Message{Title: i18n.M("pwreset.invalid.title"),
		Message: i18n.M("pwreset.invalid"), Link: "/password/forgot", LinkText: i18n.M("pwreset.again")})
}

// linkUser reads the link's user: false when the page was answered.
func (p *PasswordPages) linkUser(w http.ResponseWriter, r *http.Request, token string) (model.User, bool) {
	u, err := p.Svc.ResetLinkUser(r.Context(), token)
	switch {
	case errors.Is(err, directory.ErrResetLink):
		p.invalid(w, r)
		return u, false
	case err != nil:
		p.unavailable(w, r, "password reset link", err)
		return u, false
	}
	return u, true
}

func (p *PasswordPages) resetForm(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	u, ok := p.linkUser(w, r, token)
	if !ok {
		return
	}
	r = r.WithContext(i18n.WithUserLanguage(r.Context(), u.Person.Language))
	p.Pages.Render(w, r, http.StatusOK, "password_reset", resetPage{Token: token, Login: u.LoginName})
}

func (p *PasswordPages) reset(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		p.Pages.Render(w, r, http.StatusBadRequest, "message", web.Message{Title: i18n.M("msg.bad_request.title"), Message: i18n.M("msg.bad_form"), Link: "/password/forgot", LinkText: i18n.M("pwreset.again")})
		return
	}
	token := r.PostForm.Get("token")
	u, ok := p.linkUser(w, r, token)
	if !ok {
		return
	}
	r = r.WithContext(i18n.WithUserLanguage(r.Context(), u.Person.Language))
	pw := r.PostForm.Get("new")
	if m, ok := checkNewPassword(p.Svc, pw, r.PostForm.Get("confirm"), u); !ok {
		d := resetPage{Token: token, Login: u.LoginName, Error: m}
		if m.Key == "pwchange.error.policy" {
			d.Reasons = PolicyReasons(p.Svc.PasswordPolicy().Check(pw, subjectOf(u)))
		}
		p.Pages.Render(w, r, http.StatusBadRequest, "password_reset", d)
		return
	}
	_, err := p.Svc.ResetPasswordWithLink(r.Context(), token, pw, p.Mail.Changed)
	switch {
	case errors.Is(err, directory.ErrResetLink):
		// Used by a concurrent request, or expired meanwhile.
		p.invalid(w, r)
		return
	case model.ErrorCode(err) == model.EINVALID:
		p.Pages.Render(w, r, http.StatusBadRequest, "password_reset", resetPage{Token: token, Login: u.LoginName, Error: i18n.M("pwchange.error.policy"),
			Reasons: PolicyReasons(p.Svc.PasswordPolicy().Check(pw, subjectOf(u)))})
		return
	case err != nil:
		p.unavailable(w, r, "password reset", err)
		return
	}
	p.Wake()
	http.Redirect(w, r, "/password/reset/done", http.StatusSeeOther)
}

// done is where a reset sends the browser (PRG): the way to the login
// page.
func (p *PasswordPages) done(w http.ResponseWriter, r *http.Request) {
	p.Pages.Render(w, r, http.StatusOK, "message", web.Message{Title: i18n.M("pwreset.done.title"),
		Message: i18n.M("pwreset.done"), Link: "/login", LinkText: i18n.M("link.sign_in_again")})
}
