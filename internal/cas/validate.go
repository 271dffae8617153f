package cas

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/sesame-sso/sesame/internal/fault"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/session"
)

// Error codes of CAS 3.0 §2.5.3 and §2.7.3.
const (
	codeInvalidRequest           = "INVALID_REQUEST"
	codeInvalidTicket            = "INVALID_TICKET"
	codeInvalidService           = "INVALID_SERVICE"
	codeInvalidProxyCallback     = "INVALID_PROXY_CALLBACK"
	codeUnauthorizedServiceProxy = "UNAUTHORIZED_SERVICE_PROXY"
	codeUnauthorizedService      = "UNAUTHORIZED_SERVICE"
	codeInternal                 = "INTERNAL_ERROR"
)

// Parameter limits: longer values are refused with INVALID_REQUEST.
const (
	maxTicketLen = 256
	maxURLLen    = 2048
)

// failure is an answer to the CAS client; any other error is an internal
// one, logged and answered with INTERNAL_ERROR.
type failure struct{ code, msg string }

func (f failure) Error() string { return f.code + ": " + f.msg }

func asFailure(err error) failure {
	var f failure
	if errors.As(err, &f) {
		return f
	}
	return failure{codeInternal, "the request could not be completed"}
}

// shorten quotes at most the start of a ticket in messages.
func shorten(ticket string) string {
	if len(ticket) > 12 {
		return ticket[:12] + "…"
	}
	return ticket
}

// check consumes the ticket and checks it against service (§2.5.1): the
// ticket is gone after this call whatever the outcome. Proxy tickets are
// accepted only by /proxyValidate (§2.5: /serviceValidate MUST NOT accept
// them, and says why).
func (h *Handler) check(r *http.Request, proxy bool) (model.Ticket, model.User, error) {
	q := r.URL.Query()
	service, ticket := q.Get("service"), q.Get("ticket")
	if service == "" || ticket == "" {
		return model.Ticket{}, model.User{}, failure{codeInvalidRequest, "service and ticket are required"}
	}
	if len(ticket) > maxTicketLen || len(service) > maxURLLen || len(q.Get("pgtUrl")) > maxURLLen {
		return model.Ticket{}, model.User{}, failure{codeInvalidRequest, "parameter too long"}
	}
	if !proxy && strings.HasPrefix(ticket, "PT-") {
		return model.Ticket{}, model.User{}, failure{codeInvalidTicket, "ticket " + shorten(ticket) + " is a proxy ticket: validate it at /proxyValidate"}
	}
	if !strings.HasPrefix(ticket, "ST-") && !(proxy && strings.HasPrefix(ticket, "PT-")) {
		return model.Ticket{}, model.User{}, failure{codeInvalidTicket, "ticket " + shorten(ticket) + " not recognized"}
	}
	t, err := h.Store.ConsumeTicket(r.Context(), session.Hash(ticket), h.now())
	if errors.Is(err, model.ErrNotFound) || (err == nil && t.Kind != ticket[:2]) {
		return t, model.User{}, failure{codeInvalidTicket, "ticket " + shorten(ticket) + " not recognized"}
	}
	if err != nil {
		return t, model.User{}, fmt.Errorf("validate: %w", err)
	}
	if t.Service != service {
		// §2.5.1: a ticket for another service fails and stays consumed.
		return t, model.User{}, failure{codeInvalidService, "ticket was not issued for this service"}
	}
	if isTrue(q.Get("renew")) && !t.Renewed {
		return t, model.User{}, failure{codeInvalidTicket, "ticket did not come from a fresh login (renew)"}
	}
	u, err := h.Svc.User(r.Context(), t.UserID)
	if err != nil || u.Status != model.StatusActive {
		return t, model.User{}, failure{codeInvalidTicket, "the user can no longer sign in"}
	}
	// A ticket dies with the SSO session it came from (logout,
	// deactivation, password reset), as a PGT does: deleting the session
	// deletes its tickets (migration 00017), so reactivating the user
	// cannot revive one (R-USR-1) and ConsumeTicket above no longer finds it.
	return t, u, nil
}

// validateV1 is CAS 1.0 /validate (§2.4): "yes\nuser\n" or "no\n\n". It
// knows nothing of proxies.
func (h *Handler) validateV1(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	t, u, err := h.check(r, false)
	h.auditValidation(r, t, err)
	var user string
	if err == nil {
		user, err = h.principal(r.Context(), t, u)
	}
	if err != nil {
		h.logFailure(err)
		_, _ = w.Write([]byte("no\n\n"))
		return
	}
	_, _ = w.Write([]byte("yes\n" + user + "\n"))
}

func (h *Handler) logFailure(err error) {
	var f failure
	if !errors.As(err, &f) {
		// A validation its client cancelled is not an operator's problem.
		fault.Log(context.Background(), h.Log, "cas", err)
	}
}

// attributes released to services (R-SSO-4).
func (h *Handler) attributes(r *http.Request, t model.Ticket, u model.User) map[string]string {
	client, _ := h.Svc.Client(r.Context(), t.ClientID)
	return map[string]string{
		"userId": u.ID, "loginName": u.LoginName, "firstName": u.Person.FirstName, "lastName": u.Person.LastName,
		"email": u.Person.Email, "tenantId": u.TenantID, "contextId": t.ContextID, "module": client.Module,
		"isFromNewLogin": fmt.Sprint(t.Renewed), "authenticationDate": h.now().UTC().Format("2006-01-02T15:04:05Z"),
	}
}

// success is an authenticationSuccess answer (§2.5.2, §2.6.2).
type success struct {
	user    string
	attrs   map[string]string
	pgtIOU  string   // with pgtUrl (§2.5.4)
	proxies []string // a proxy ticket's chain, most recent first
}

// serviceValidate is /serviceValidate, /proxyValidate and their /p3
// versions (§2.5, §2.6, §2.8); format=JSON answers JSON (§2.5.1). With
// pgtUrl the answer carries a PGTIOU (§2.5.4).
func (h *Handler) serviceValidate(proxy, v3 bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		asJSON := strings.EqualFold(r.URL.Query().Get("format"), "JSON")
		t, u, err := h.check(r, proxy)
		h.auditValidation(r, t, err)
		var iou, user string
		if err == nil {
			user, err = h.principal(r.Context(), t, u)
		}
		if err == nil {
			if pgtURL := r.URL.Query().Get("pgtUrl"); pgtURL != "" {
				iou, err = h.grantPGT(r.Context(), t, pgtURL)
			}
		}
		if err != nil {
			h.logFailure(err)
			writeFailure(w, asJSON, "authenticationFailure", asFailure(err))
			return
		}
		_ = v3 // v2 and v3 release the same attributes (most v2 clients read them too)
		writeSuccess(w, asJSON, success{user: user, attrs: h.attributes(r, t, u), pgtIOU: iou, proxies: t.Proxies})
	}
}

func writeSuccess(w http.ResponseWriter, asJSON bool, s success) {
	if asJSON {
		m := map[string]any{"user": s.user, "attributes": s.attrs}
		if s.pgtIOU != "" {
			m["proxyGrantingTicket"] = s.pgtIOU
		}
		if len(s.proxies) > 0 {
			m["proxies"] = s.proxies
		}
		writeJSON(w, map[string]any{"serviceResponse": map[string]any{"authenticationSuccess": m}})
		return
	}
	var b bytes.Buffer
	b.WriteString(`<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">` + "\n  <cas:authenticationSuccess>\n    <cas:user>")
	_ = xml.EscapeText(&b, []byte(s.user))
	b.WriteString("</cas:user>\n    <cas:attributes>\n")
	keys := make([]string, 0, len(s.attrs))
	for k := range s.attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString("      <cas:" + k + ">")
		_ = xml.EscapeText(&b, []byte(s.attrs[k]))
		b.WriteString("</cas:" + k + ">\n")
	}
	b.WriteString("    </cas:attributes>\n")
	if s.pgtIOU != "" {
		b.WriteString("    <cas:proxyGrantingTicket>" + s.pgtIOU + "</cas:proxyGrantingTicket>\n")
	}
	if len(s.proxies) > 0 {
		b.WriteString("    <cas:proxies>\n")
		for _, p := range s.proxies {
			b.WriteString("      <cas:proxy>")
			_ = xml.EscapeText(&b, []byte(p))
			b.WriteString("</cas:proxy>\n")
		}
		b.WriteString("    </cas:proxies>\n")
	}
	b.WriteString("  </cas:authenticationSuccess>\n</cas:serviceResponse>\n")
	writeXML(w, b.Bytes())
}

// writeFailure answers an authenticationFailure (§2.5.2) or proxyFailure
// (§2.7.2) with its code.
func writeFailure(w http.ResponseWriter, asJSON bool, element string, f failure) {
	if asJSON {
		writeJSON(w, map[string]any{"serviceResponse": map[string]any{element: map[string]string{"code": f.code, "description": f.msg}}})
		return
	}
	var b bytes.Buffer
	b.WriteString(`<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">` + "\n")
	b.WriteString(`  <cas:` + element + ` code="` + f.code + `">`)
	_ = xml.EscapeText(&b, []byte(f.msg))
	b.WriteString("</cas:" + element + ">\n</cas:serviceResponse>\n")
	writeXML(w, b.Bytes())
}

func writeXML(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = w.Write(b)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
