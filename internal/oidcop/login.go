package oidcop

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sesame-sso/sesame/internal/fault"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/login"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/web"
)

func (p *Provider) page(w http.ResponseWriter, r *http.Request, status int, title, msg i18n.Msg) {
	p.pages.Render(w, r, status, "message", web.Message{Title: title, Message: msg})
}

// login is where op sends the browser after storing an authorization
// request (op.Client.LoginURL): with a live SSO session the request
// completes at once (R-SSO-1: no second prompt); otherwise the browser goes
// through the login page's steps and comes back here.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id := q.Get("id")
	if id == "" || len(id) > 64 || !storable(id) {
		p.page(w, r, http.StatusBadRequest, i18n.M("msg.bad_request.title"), i18n.M("oidc.link_incomplete"))
		return
	}
	ctx := r.Context()
	var (
		ar  model.AuthRequest
		err error
	)
	if created, ok := ctx.Value(createdKey{}).(*model.AuthRequest); ok && created.ID == id {
		ar = *created // stored by this very exchange (see Provider.intercept)
	} else {
		ar, err = p.store.GetAuthRequest(ctx, id, p.now())
	}
	if model.ErrorCode(err) == model.ENOTFOUND {
		p.page(w, r, http.StatusBadRequest, i18n.M("oidc.expired.title"), i18n.M("oidc.expired"))
		return
	}
	if err != nil {
		fault.Log(ctx, p.log, "load auth request", err)
		login.TryAgain(w, r, p.pages)
		return
	}
	// The pages from here on, and the login page, speak the language the
	// app asked for (ui_locales, OIDC Core §3.1.2.1; issue 9 §5).
	uiLocales := strings.Join(ar.UILocales, " ")
	r = r.WithContext(i18n.WithUILocales(ctx, uiLocales))
	c, err := p.oidcClient(ctx, ar.ClientID)
	if fault.Storage(err) {
		fault.Log(ctx, p.log, "load client", err)
		login.TryAgain(w, r, p.pages)
		return
	}
	if err != nil {
		p.page(w, r, http.StatusBadRequest, i18n.M("msg.app_not_allowed.title"), i18n.M("oidc.app_gone"))
		return
	}
	areq := &authRequest{m: ar, module: c.Module}
	s, u, ok, err := p.sessions.Lookup(r)
	if err != nil {
		// Not "no session": a login prompt now would be wrong (issue 8
		// item 23).
		fault.Log(ctx, p.log, "session lookup", err)
		login.TryAgain(w, r, p.pages)
		return
	}
	now := p.now()
	// prompt=login and an exceeded max_age force a new login (OIDC Core
	// §3.1.2.1): only a session whose login was started for this very
	// request answers it (login.Request.For) — no time window.
	force := slices.Contains(ar.Prompt, oidc.PromptLogin) ||
		(ok && ar.MaxAge != nil && now.Sub(s.AuthTime) > time.Duration(*ar.MaxAge)*time.Second)
	loginFor := "oidc:" + ar.ID
	fresh := ok && s.LoginFor == loginFor
	if ok && (!force || fresh) {
		p.complete(w, r, areq, c, s, u)
		return
	}
	if slices.Contains(ar.Prompt, oidc.PromptNone) {
		op.AuthRequestError(w, r, areq, oidc.ErrLoginRequired().WithDescription("no SSO session"), p.op)
		return
	}
	back := url.Values{"id": {id}}
	if ar.WantContext != "" {
		back.Set("context", ar.WantContext)
	}
	req := login.Request{Return: pathLogin + "?" + back.Encode(), UILocales: uiLocales, WantContext: ar.WantContext}
	if force {
		req.For = loginFor
	}
	p.Login(w, r, req)
}

// complete binds the authenticated user to the request, after the module
// entry check (R-MOD-2/3: a refused login ends in access_denied, never a
// code), and answers with the authorization code (RFC 6749 §4.1.2).
func (p *Provider) complete(w http.ResponseWriter, r *http.Request, areq *authRequest, c model.Client, s model.Session, u model.User) {
	ctx := r.Context()
	ctxID := s.ContextID
	if want := areq.m.WantContext; want != "" {
		// R-SSO-5 / R-PRT-1: a login URL may name the context (a partner
		// lands in a customer's context below their account).
		allowed, err := p.svc.Rights().CanActIn(ctx, u, want)
		if err != nil {
			fault.Log(ctx, p.log, "switch context", err)
			op.AuthRequestError(w, r, areq, oidc.ErrServerError(), p.op)
			return
		}
		if !allowed {
			op.AuthRequestError(w, r, areq, oidc.ErrAccessDenied().WithDescription("you may not act in the requested context"), p.op)
			return
		}
		ctxID = want
	}
	allowed, reason, err := p.svc.Rights().ModuleAccess(ctx, u, c.Module, ctxID)
	if err != nil {
		fault.Log(ctx, p.log, "module access", err)
		op.AuthRequestError(w, r, areq, oidc.ErrServerError(), p.op)
		return
	}
	if !allowed {
		op.AuthRequestError(w, r, areq, oidc.ErrAccessDenied().WithDescription("%s", reason), p.op)
		return
	}
	// The authenticated request is written together with its code
	// (opStorage.SaveAuthCode): one write instead of two.
	m := areq.m
	amr := s.AMR
	if len(amr) == 0 {
		amr = []string{"pwd"} // a session from before amr was recorded
	}
	m.UserID, m.SessionID, m.ContextID, m.AuthTime, m.AMR, m.Done = u.ID, s.ID, ctxID, s.AuthTime, amr, true
	ctx = context.WithValue(ctx, completedKey{}, &m)
	op.AuthResponse(&authRequest{m: m, module: c.Module}, p.op, w, r.WithContext(op.ContextWithIssuer(ctx, p.issuer)))
}

// completedKey passes the authenticated request from complete to
// SaveAuthCode through op.AuthResponse.
type completedKey struct{}

// createdKey carries the authorization request stored during an authorize
// exchange to the hand-off served in the same exchange.
type createdKey struct{}
