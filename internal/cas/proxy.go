package cas

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/clients"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/session"
)

// Proxy authentication: a service validating a ticket names a callback
// (pgtUrl, CAS 3.0 §2.5.4); Sesame hands it a proxy-granting ticket there
// (§3.3) and returns the matching IOU (§3.4) in the validation answer; the
// service then trades the PGT at /proxy (§2.7) for proxy tickets (§3.2) for
// back-end services, which validate them at /proxyValidate (§2.6) and see
// the chain of proxies.

// callbackTimeout bounds one proxy callback.
const callbackTimeout = 5 * time.Second

// maxProxyChain bounds how deep proxies may proxy each other.
const maxProxyChain = 8

// checkCallback applies §2.5.4 step 1 to a pgtUrl: an absolute https URL
// (http only to a loopback host, unless RequireHTTPSCallbacks), registered
// as a service URL of the very application the ticket was issued to. An
// application cannot have another one receive proxy-granting tickets.
func (h *Handler) checkCallback(ctx context.Context, pgtURL string, t model.Ticket) error {
	u, err := clients.ParseURL(pgtURL)
	if err != nil {
		return failure{codeInvalidProxyCallback, "pgtUrl " + err.Error()}
	}
	if u.Scheme != "https" && (h.RequireHTTPSCallbacks || !clients.IsLoopback(u.Hostname())) {
		return failure{codeInvalidProxyCallback, "pgtUrl must be an https URL"}
	}
	c, err := h.Svc.FindCASService(ctx, pgtURL)
	if err != nil {
		return failure{codeInvalidProxyCallback, "pgtUrl is not a registered service URL"}
	}
	if c.ID != t.ClientID {
		return failure{codeUnauthorizedServiceProxy, "pgtUrl belongs to another application than the ticket"}
	}
	if len(t.Proxies) >= maxProxyChain {
		return failure{codeUnauthorizedServiceProxy, "the proxy chain is too long"}
	}
	return nil
}

// grantPGT runs the proxy callback for a validated ticket t and returns the
// PGTIOU for the validation answer (§2.5.4). The PGT lives as long as the
// SSO session it descends from; if the callback does not answer 200 the PGT
// is withdrawn and validation fails (§2.5.4 steps 1 and 3).
func (h *Handler) grantPGT(ctx context.Context, t model.Ticket, pgtURL string) (string, error) {
	if err := h.checkCallback(ctx, pgtURL, t); err != nil {
		return "", err
	}
	now := h.now()
	s, err := h.Store.GetSession(ctx, t.SessionID, now)
	if errors.Is(err, model.ErrNotFound) {
		return "", failure{codeInvalidTicket, "the single sign-on session of this ticket has ended"}
	}
	if err != nil {
		return "", fmt.Errorf("proxy-granting ticket: session: %w", err)
	}
	pgt, iou := newTicket("PGT"), newTicket("PGTIOU")
	rec := model.Ticket{ID: session.Hash(pgt), Kind: model.TicketProxyGranting, Service: pgtURL, ClientID: t.ClientID,
		UserID: t.UserID, SessionID: t.SessionID, ContextID: t.ContextID, ExpiresAt: s.ExpiresAt,
		Proxies: append([]string{pgtURL}, t.Proxies...)}
	if err := h.Store.CreateTicket(ctx, rec); err != nil {
		return "", fmt.Errorf("proxy-granting ticket: %w", err)
	}
	if err := h.callback(ctx, pgtURL, pgt, iou); err != nil {
		h.Log.Warn("cas proxy callback failed", "pgtUrl", pgtURL, "err", err)
		if _, err := h.Store.ConsumeTicket(context.WithoutCancel(ctx), rec.ID, now); err != nil && !errors.Is(err, model.ErrNotFound) {
			h.Log.ErrorContext(ctx, "withdraw proxy-granting ticket", "err", err)
		}
		return "", failure{codeInvalidProxyCallback, "the proxy callback did not accept the proxy-granting ticket"}
	}
	return iou, nil
}

// callback GETs pgtUrl with pgtId and pgtIou added to its own parameters,
// which are kept as they are (§2.5.4 step 2). Redirects are not followed:
// the PGT goes to the registered URL or nowhere.
func (h *Handler) callback(ctx context.Context, pgtURL, pgt, iou string) error {
	sep := "?"
	if strings.Contains(pgtURL, "?") {
		sep = "&"
	}
	target := pgtURL + sep + "pgtId=" + pgt + "&pgtIou=" + iou // both are URL-safe tokens
	ctx, cancel := context.WithTimeout(ctx, callbackTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("proxy callback request: %w", withoutURL(err))
	}
	client := &http.Client{Timeout: callbackTimeout}
	if h.HTTP != nil {
		c := *h.HTTP
		client = &c
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("proxy callback: %w", withoutURL(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("proxy callback answered %d", resp.StatusCode)
	}
	return nil
}

// withoutURL drops the URL net/http puts into its errors: the callback URL
// Sesame called carries the PGT (pgtId) and must not reach a log.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// proxy is §2.7 /proxy: a proxy ticket for targetService in exchange for a
// PGT. The PGT stays valid; the PT is single-use like a service ticket.
func (h *Handler) proxy(w http.ResponseWriter, r *http.Request) {
	asJSON := strings.EqualFold(r.URL.Query().Get("format"), "JSON")
	pt, err := h.proxyTicket(r)
	if err != nil {
		h.logFailure(err)
		writeFailure(w, asJSON, "proxyFailure", asFailure(err))
		return
	}
	if asJSON {
		writeJSON(w, map[string]any{"serviceResponse": map[string]any{"proxySuccess": map[string]string{"proxyTicket": pt}}})
		return
	}
	writeXML(w, []byte(`<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">`+"\n  <cas:proxySuccess>\n    <cas:proxyTicket>"+
		pt+"</cas:proxyTicket>\n  </cas:proxySuccess>\n</cas:serviceResponse>\n"))
}

func (h *Handler) proxyTicket(r *http.Request) (string, error) {
	ctx, q, now := r.Context(), r.URL.Query(), h.now()
	pgt, target := q.Get("pgt"), q.Get("targetService")
	if pgt == "" || target == "" {
		return "", failure{codeInvalidRequest, "'pgt' and 'targetService' parameters are both required"}
	}
	if len(pgt) > maxTicketLen || len(target) > maxURLLen {
		return "", failure{codeInvalidRequest, "parameter too long"}
	}
	if !strings.HasPrefix(pgt, "PGT-") {
		return "", failure{codeInvalidTicket, "ticket " + shorten(pgt) + " not recognized"}
	}
	g, err := h.Store.GetTicket(ctx, session.Hash(pgt), now)
	if errors.Is(err, model.ErrNotFound) || (err == nil && g.Kind != model.TicketProxyGranting) {
		return "", failure{codeInvalidTicket, "ticket " + shorten(pgt) + " not recognized"}
	}
	if err != nil {
		return "", fmt.Errorf("proxy: %w", err)
	}
	// A PGT dies with its SSO session (logout, deactivation).
	if _, err := h.Store.GetSession(ctx, g.SessionID, now); errors.Is(err, model.ErrNotFound) {
		return "", failure{codeInvalidTicket, "ticket " + shorten(pgt) + " not recognized"}
	} else if err != nil {
		return "", fmt.Errorf("proxy: session: %w", err)
	}
	u, err := h.Svc.User(ctx, g.UserID)
	if err != nil || u.Status != model.StatusActive {
		return "", failure{codeInvalidTicket, "the user can no longer sign in"}
	}
	client, err := h.Svc.FindCASService(ctx, target)
	if err != nil {
		return "", failure{codeUnauthorizedService, "targetService is not a registered service"}
	}
	ok, reason, err := h.Svc.Rights().ModuleAccess(ctx, u, client.Module, g.ContextID)
	if err != nil {
		return "", fmt.Errorf("proxy: module access: %w", err)
	}
	if !ok {
		return "", failure{codeUnauthorizedService, "the user may not use " + client.Name + ": " + reason}
	}
	pt := newTicket("PT")
	if err := h.Store.CreateTicket(ctx, model.Ticket{ID: session.Hash(pt), Kind: model.TicketProxy, Service: target,
		ClientID: client.ID, UserID: u.ID, SessionID: g.SessionID, ContextID: g.ContextID, ExpiresAt: now.Add(h.ttl()),
		Proxies: g.Proxies}); err != nil {
		return "", fmt.Errorf("proxy ticket: %w", err)
	}
	return pt, nil
}
