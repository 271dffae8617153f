package cas

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sesame-sso/sesame/internal/login"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/session"
	"github.com/sesame-sso/sesame/web"
)

// logout is §2.3 /logout: end the SSO session, tell the services, then go
// to service when it is registered. A GET with a live session asks the user
// first (login.ConfirmLogout); the confirmation posts back here.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	var fields []web.Field
	if svc := r.URL.Query().Get("service"); svc != "" && len(svc) <= maxURLLen {
		fields = []web.Field{{Name: "service", Value: svc}}
	}
	if login.ConfirmLogout(h.Pages, h.Sessions, w, r, "/cas/logout", fields) {
		return
	}
	if h.EndSession != nil {
		// The server's logout: every protocol's apps are told (R-SSO-7).
		h.EndSession(w, r)
	} else if s, _, ok := h.Sessions.Current(r); ok {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), sloTimeout)
		defer cancel()
		svcs, err := h.Store.SessionServices(ctx, s.ID)
		if err != nil {
			h.Log.ErrorContext(r.Context(), "session services", "err", err)
		}
		h.Sessions.End(w, r)
		h.SingleLogout(ctx, s, svcs)
		h.Authn.AuditLogout(ctx, s.UserID, "")
	} else {
		h.Sessions.End(w, r)
	}
	if svc := r.FormValue("service"); svc != "" {
		if _, err := h.Svc.FindCASService(r.Context(), svc); err == nil {
			http.Redirect(w, r, svc, http.StatusSeeOther)
			return
		}
	}
	h.Pages.Render(w, r, http.StatusOK, "message", login.SignedOut())
}

// sloTimeout bounds the single logout calls of one logout.
const sloTimeout = 5 * time.Second

// SingleLogout POSTs a logout request (CAS 3.0 Appendix C) to every CAS
// service the ended session obtained a ticket for: to the client's logout
// URL when set, else to the service URL itself. Failures are logged, not
// retried.
func (h *Handler) SingleLogout(ctx context.Context, s model.Session, svcs []model.SessionService) {
	client := h.HTTP
	if client == nil {
		client = &http.Client{Timeout: sloTimeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	var wg sync.WaitGroup
	for _, ss := range svcs {
		c, err := h.Store.GetClient(ctx, ss.ClientID)
		if err != nil || c.Protocol != model.ProtocolCAS {
			continue
		}
		target := ss.Service
		if c.LogoutURL != "" {
			target = c.LogoutURL
		}
		wg.Add(1)
		go func(target, ticket string) {
			defer wg.Done()
			var b bytes.Buffer
			b.WriteString(`<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="` + session.Token() + `" Version="2.0" IssueInstant="` + h.now().UTC().Format("2006-01-02T15:04:05Z") + `">`)
			b.WriteString(`<saml:NameID>@NOT_USED@</saml:NameID><samlp:SessionIndex>`)
			_ = xml.EscapeText(&b, []byte(ticket))
			b.WriteString(`</samlp:SessionIndex></samlp:LogoutRequest>`)
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(url.Values{"logoutRequest": {b.String()}}.Encode()))
			if err != nil {
				return
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := client.Do(req)
			if err != nil {
				h.Log.Warn("cas single logout failed", "target", target, "err", err)
				return
			}
			resp.Body.Close()
		}(target, ss.Ticket)
	}
	wg.Wait()
}
