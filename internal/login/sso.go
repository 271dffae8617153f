package login

import (
	"errors"
	"net/http"

	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/identity"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/web"
)

// sso is GET /sso/{context_id}: a per-company sign-on URL (R-PRT-1,
// seed 004). It starts a login on the login page of the context's tenant
// that lands in that context (Flow.WantContext; the context choice is
// skipped when the user may act there). The tenant's connection is used
// when it has exactly one enabled connection, or the one named by
// ?connection=; otherwise the login page offers the tenant's
// connections and the password. ?return= is a local URL (SafeReturn;
// default /).
func (h *Handler) sso(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("context_id")
	notFound := func() {
		h.Pages.Render(w, r, http.StatusNotFound, "message", web.Message{Title: i18n.M("msg.bad_request.title"),
			Message: i18n.M("idp.error.sso_context"), Link: "/login", LinkText: i18n.M("link.back_to_sign_in")})
	}
	if !model.PlausibleID(id) {
		notFound()
		return
	}
	cx, err := h.Svc.Reader().GetContext(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		notFound()
		return
	}
	if err != nil {
		h.Unavailable(w, r, "load context", err)
		return
	}
	tenant, err := h.Svc.Reader().GetContext(ctx, cx.TenantID)
	if err != nil {
		h.Unavailable(w, r, "load tenant", err)
		return
	}
	conns, err := h.Svc.LoginConnections(ctx, tenant.ID)
	if err != nil {
		h.Unavailable(w, r, "load connections", err)
		return
	}
	conn := ""
	if want := r.URL.Query().Get("connection"); want != "" {
		for _, c := range conns {
			if c.ID == want {
				conn = c.ID
			}
		}
		if conn == "" {
			notFound()
			return
		}
	} else if len(conns) == 1 {
		conn = conns[0].ID
	}
	slug := tenant.Slug
	if slug == identity.RootSlug {
		slug = ""
	}
	h.Begin(w, r, Request{Return: r.URL.Query().Get("return"), Tenant: slug, WantContext: cx.ID, Connection: conn,
		UILocales: r.URL.Query().Get("ui_locales")})
}
