package login

import (
	"net/http"
	"net/url"
)

// Request is what a protocol asks of a login (Begin).
type Request struct {
	// Return is the local URL to come back to (SafeReturn applies).
	Return string
	// Tenant is the tenant slug of the login page (issue 8, item 7).
	Tenant string
	// UILocales are the app's preferred languages (OIDC ui_locales).
	UILocales string
	// WantContext is the context the app named (R-SSO-5).
	WantContext string
	// For names the protocol request that needs a new login even with a
	// live session (prompt=login, max_age, CAS renew): the session this
	// login starts carries it (Session.LoginFor), and the protocol accepts
	// only that session for that request.
	For string
	// Connection preselects the connection of the first factor
	// (delegated login, /sso/{context}); the IdP step checks it belongs
	// to Tenant.
	Connection string
}

// Begin starts a new login for a protocol request and sends the browser
// to its first page. The page's URL still carries the return URL (and
// tenant, ui_locales), so a login page opened from a bookmark or another
// tab starts a login of its own.
func (h *Handler) Begin(w http.ResponseWriter, r *http.Request, req Request) {
	ret := SafeReturn(req.Return)
	f := &Flow{Return: ret, Tenant: tenantParam(req.Tenant), UILocales: truncate(req.UILocales, 256), WantContext: req.WantContext, For: req.For,
		ConnectionID: req.Connection}
	if f.WantContext == "" {
		f.WantContext = contextFromReturn(ret)
	}
	if err := h.flows.create(r.Context(), w, f); err != nil {
		h.Unavailable(w, r, "start login", err)
		return
	}
	q := url.Values{"return": {ret}}
	if f.Tenant != "" {
		q.Set("tenant", f.Tenant)
	}
	if f.UILocales != "" {
		q.Set("ui_locales", f.UILocales)
	}
	http.Redirect(w, r, "/login?"+q.Encode(), http.StatusSeeOther)
}
