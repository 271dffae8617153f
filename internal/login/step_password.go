package login

import (
	"context"
	"net/http"
	"strings"

	"github.com/sesame-sso/sesame/internal/authn"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/web"
)

// StepPassword is the first factor for local users: login name and
// password on one page (one round trip). The federation issue puts home
// realm discovery in front of it.
const StepPassword StepID = "password"

// PasswordStep checks the login name and password (R-PWD-3 throttling and
// the hash upgrade are internal/authn's).
type PasswordStep struct {
	Authn *authn.Service
	Pages *web.Pages
	// IdP, when set, offers the tenant's connections on the page
	// (R-FED-5), takes /login?connection=ID and routes an email of a
	// verified connection domain there (home-realm discovery).
	IdP *IdPStep
}

// ID implements Step.
func (p *PasswordStep) ID() StepID { return StepPassword }

// Due implements Step: until a first factor identified the user.
func (p *PasswordStep) Due(_ context.Context, a *Attempt) (bool, error) {
	return a.Flow.UserID == "", nil
}

type formData struct {
	Form
	Return, Username string
	Error            i18n.Msg
	// UILocales are the OIDC ui_locales of the request this login
	// continues (issue 9 §5), carried through the form.
	UILocales string
	// Tenant is the slug of the tenant whose login page this is
	// (/login?tenant=slug): a plain name typed there is that tenant's user
	// (issue 8, item 7). Empty: the root context's.
	Tenant string
	// Connections are the tenant's connections, one button each.
	Connections []ConnectionButton
	// SSOActive: one of them is in the active SSO stage (R-SAML-8): the
	// page leads with the buttons and says passwords are off for most.
	SSOActive bool
}

// Show implements Step.
func (p *PasswordStep) Show(w http.ResponseWriter, r *http.Request, a *Attempt) error {
	f := a.Flow
	if id := r.URL.Query().Get("connection"); r.Method == http.MethodGet && id != "" && a.Problem.IsZero() {
		// /login?connection=ID skips the choice (R-FED-5).
		ok, err := p.IdP.Choose(r.Context(), f, id)
		if err != nil {
			return err
		}
		if ok {
			if err := a.Save(r.Context()); err != nil {
				return err
			}
			a.h.again(w, r, f)
			return nil
		}
		a.Fail(http.StatusNotFound, i18n.M("idp.error.connection"))
	}
	buttons, err := p.IdP.Buttons(r.Context(), f)
	if err != nil {
		return err
	}
	d := formData{Form: a.Form(), Return: f.Return, Tenant: f.Tenant, UILocales: f.UILocales, Error: a.Problem, Connections: buttons}
	for _, b := range buttons {
		d.SSOActive = d.SSOActive || b.Active
	}
	if !a.Problem.IsZero() {
		d.Username = truncate(strings.TrimSpace(r.PostForm.Get("username")), 400)
	}
	p.Pages.Render(w, r, a.StatusOr(http.StatusOK), "login", d)
	return nil
}

// Submit implements Step.
func (p *PasswordStep) Submit(_ http.ResponseWriter, r *http.Request, a *Attempt) (Outcome, error) {
	name, pw := strings.TrimSpace(r.PostForm.Get("username")), r.PostForm.Get("password")
	if id := r.PostForm.Get("connection"); id != "" {
		// A connection button: the IdP step is due next.
		ok, err := p.IdP.Choose(r.Context(), a.Flow, id)
		if err != nil {
			return Retry, err
		}
		if !ok {
			a.Fail(http.StatusBadRequest, i18n.M("idp.error.connection"))
			return Retry, nil
		}
		return Passed, nil
	}
	if pw == "" && len(name) <= 400 {
		// Home-realm discovery (R-FED-5): an email of a verified
		// connection domain, typed without a password, signs in there.
		ok, err := p.IdP.HomeRealm(r.Context(), a.Flow, name)
		if err != nil {
			return Retry, err
		}
		if ok {
			return Passed, nil
		}
	}
	if name == "" || pw == "" || len(name) > 400 || len(pw) > 1024 {
		a.Fail(http.StatusBadRequest, i18n.M("login.error.missing"))
		return Retry, nil
	}
	u, err := p.Authn.Authenticate(r.Context(), authn.ScopedLogin(a.Flow.Tenant, name), pw)
	if err != nil {
		switch model.ErrorCode(err) {
		case model.EUNAUTHORIZED:
			p.Authn.AuditFailedLogin(r.Context(), "login", "user", map[string]any{"loginName": name})
		case model.ETOOMANY:
			// Over the brute-force budget (R-PWD-3): refused before any
			// hashing, with the same page as a wrong password.
		default:
			// A store failure or an overloaded hasher: not the user's
			// fault, never a "wrong password" (issue 8 item 23).
			return Retry, err
		}
		// One message for unknown users, wrong passwords, inactive and
		// locked accounts: no enumeration.
		a.Fail(http.StatusUnauthorized, i18n.M("login.error.invalid"))
		return Retry, nil
	}
	if p.IdP != nil {
		// R-SAML-8 stage 4: the tenant's users sign in through its IdP;
		// administrators with "Identity providers - Manage" keep their
		// password. Checked after the password (nothing learnt without
		// it); the page offers the connection's button.
		e, err := p.IdP.Svc.PasswordEnforcement(r.Context(), u)
		if err != nil {
			return Retry, err
		}
		if e.Forced {
			p.Authn.AuditFailedLoginOf(r.Context(), "login", "user", u.ID, map[string]any{"loginName": name,
				"reason": "sso_enforced", "connection": e.Connection.ID})
			a.Fail(http.StatusForbidden, i18n.M("sso.error.password", e.Connection.Name))
			return Retry, nil
		}
	}
	a.Flow.UserID, a.User = u.ID, u
	a.Flow.Pass(StepPassword, "pwd")
	return Passed, nil
}
