package cas

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/session"
)

// Error codes of CAS 3.0 §2.5.3.
const (
	codeInvalidRequest = "INVALID_REQUEST"
	codeInvalidTicket  = "INVALID_TICKET"
	codeInvalidService = "INVALID_SERVICE"
	codeInternal       = "INTERNAL_ERROR"
)

type failure struct{ code, msg string }

func (f failure) Error() string { return f.code + ": " + f.msg }

// check consumes the ticket and checks it against service (§2.5.1): the
// ticket is gone after this call whatever the outcome.
func (h *Handler) check(r *http.Request, proxy bool) (model.Ticket, model.User, error) {
	q := r.URL.Query()
	service, ticket := q.Get("service"), q.Get("ticket")
	if service == "" || ticket == "" {
		return model.Ticket{}, model.User{}, failure{codeInvalidRequest, "service and ticket are required"}
	}
	if len(ticket) > 256 || len(service) > 2048 {
		return model.Ticket{}, model.User{}, failure{codeInvalidRequest, "parameter too long"}
	}
	shown := ticket
	if len(shown) > 12 {
		shown = shown[:12] + "…"
	}
	if !strings.HasPrefix(ticket, "ST-") && !(proxy && strings.HasPrefix(ticket, "PT-")) {
		return model.Ticket{}, model.User{}, failure{codeInvalidTicket, fmt.Sprintf("ticket %s not recognized", shown)}
	}
	t, err := h.Svc.Store().ConsumeTicket(r.Context(), session.Hash(ticket), h.now())
	if errors.Is(err, model.ErrNotFound) {
		return t, model.User{}, failure{codeInvalidTicket, fmt.Sprintf("ticket %s not recognized", shown)}
	}
	if err != nil {
		return t, model.User{}, err
	}
	if t.Service != service {
		// §2.5.1: a ticket for another service fails and stays consumed.
		return t, model.User{}, failure{codeInvalidService, "ticket was not issued for this service"}
	}
	if isTrue(q.Get("renew")) && !t.Renewed {
		return t, model.User{}, failure{codeInvalidTicket, "ticket did not come from a fresh login (renew)"}
	}
	u, err := h.Svc.Store().GetUser(r.Context(), t.UserID)
	if err != nil || u.Status != model.StatusActive {
		return t, model.User{}, failure{codeInvalidTicket, "the user can no longer sign in"}
	}
	return t, u, nil
}

// validateV1 is CAS 1.0 /validate (§2.4): "yes\nuser\n" or "no\n\n".
func (h *Handler) validateV1(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, u, err := h.check(r, false)
	if err != nil {
		h.logFailure(err)
		_, _ = w.Write([]byte("no\n\n"))
		return
	}
	_, _ = w.Write([]byte("yes\n" + u.LoginName + "\n"))
}

func (h *Handler) logFailure(err error) {
	var f failure
	if !errors.As(err, &f) {
		h.Log.Error("cas validation", "err", err)
	}
}

// attributes released to services (R-SSO-4).
func (h *Handler) attributes(r *http.Request, t model.Ticket, u model.User) map[string]string {
	client, _ := h.Svc.Store().GetClient(r.Context(), t.ClientID)
	return map[string]string{
		"userId": u.ID, "loginName": u.LoginName, "firstName": u.Person.FirstName, "lastName": u.Person.LastName,
		"email": u.Person.Email, "tenantId": u.TenantID, "contextId": t.ContextID, "module": client.Module,
		"isFromNewLogin": fmt.Sprint(t.Renewed), "authenticationDate": h.now().UTC().Format("2006-01-02T15:04:05Z"),
	}
}

// serviceValidate is /serviceValidate, /proxyValidate and their /p3
// versions (§2.5, §2.6, §2.8); format=JSON answers JSON (§2.5.1).
func (h *Handler) serviceValidate(proxy, v3 bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		asJSON := strings.EqualFold(r.URL.Query().Get("format"), "JSON")
		t, u, err := h.check(r, proxy)
		if err != nil {
			h.logFailure(err)
			f, ok := err.(failure)
			if !ok {
				f = failure{codeInternal, "the ticket could not be validated"}
			}
			if asJSON {
				writeJSON(w, map[string]any{"serviceResponse": map[string]any{"authenticationFailure": map[string]string{"code": f.code, "description": f.msg}}})
				return
			}
			var b bytes.Buffer
			b.WriteString(`<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">` + "\n")
			b.WriteString(`  <cas:authenticationFailure code="` + f.code + `">`)
			_ = xml.EscapeText(&b, []byte(f.msg))
			b.WriteString("</cas:authenticationFailure>\n</cas:serviceResponse>\n")
			writeXML(w, b.Bytes())
			return
		}
		attrs := h.attributes(r, t, u)
		if asJSON {
			success := map[string]any{"user": u.LoginName, "attributes": attrs}
			if proxy {
				success["proxies"] = []string{}
			}
			writeJSON(w, map[string]any{"serviceResponse": map[string]any{"authenticationSuccess": success}})
			return
		}
		var b bytes.Buffer
		b.WriteString(`<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">` + "\n  <cas:authenticationSuccess>\n    <cas:user>")
		_ = xml.EscapeText(&b, []byte(u.LoginName))
		b.WriteString("</cas:user>\n    <cas:attributes>\n")
		keys := make([]string, 0, len(attrs))
		for k := range attrs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.WriteString("      <cas:" + k + ">")
			_ = xml.EscapeText(&b, []byte(attrs[k]))
			b.WriteString("</cas:" + k + ">\n")
		}
		b.WriteString("    </cas:attributes>\n  </cas:authenticationSuccess>\n</cas:serviceResponse>\n")
		_ = v3 // v2 and v3 release the same attributes (most v2 clients read them too)
		writeXML(w, b.Bytes())
	}
}

func writeXML(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = w.Write(b)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
