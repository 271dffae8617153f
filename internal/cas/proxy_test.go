package cas_test

import (
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	casclient "gopkg.in/cas.v2"

	"github.com/sesame-sso/sesame/internal/cas"
	"github.com/sesame-sso/sesame/internal/session"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
	"github.com/sesame-sso/sesame/web"
)

// callbackApp is a service that receives proxy-granting tickets at /cb
// (CAS 3.0 §2.5.4) and answers with status (200 when zero).
type callbackApp struct {
	srv    *httptest.Server
	url    string // base URL, ending in "/"
	mu     sync.Mutex
	got    map[string]string // pgtIou → pgtId
	query  url.Values        // the last callback's parameters
	status int
}

func newCallbackApp(t *testing.T) *callbackApp {
	a := &callbackApp{got: map[string]string{}}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		defer a.mu.Unlock()
		q := r.URL.Query()
		a.query = q
		if iou, id := q.Get("pgtIou"), q.Get("pgtId"); iou != "" {
			a.got[iou] = id
		}
		switch {
		case a.status == http.StatusFound:
			http.Redirect(w, r, "https://evil.example/steal", http.StatusFound)
		case a.status != 0:
			w.WriteHeader(a.status)
		}
	}))
	t.Cleanup(a.srv.Close)
	a.url = a.srv.URL + "/"
	return a
}

// pgt is what the callback received with iou.
func (a *callbackApp) pgt(iou string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.got[iou]
}

func (a *callbackApp) lastQuery() url.Values {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.query
}

type proxyFixture struct {
	*fixture
	portal, backend *callbackApp
	// httpOther is a plain-http, non-loopback URL registered for the portal
	// (a development client: clients.PlainHTTP).
	httpOther string
}

// setupProxy registers a portal that proxies to a back-end service, both
// able to receive proxy-granting tickets.
func setupProxy(t *testing.T, backend string) *proxyFixture {
	f := &proxyFixture{fixture: setup(t, backend, sesametest.Options{}), portal: newCallbackApp(t), backend: newCallbackApp(t)}
	f.httpOther = "http://portal.example.com/"
	ad := f.env.Admin()
	ad.ID("POST", "/api/v1/clients", map[string]any{"name": "Proxy portal", "module": "portal", "protocol": "cas",
		"servicePatterns": []string{f.portal.url + "*", f.httpOther + "*"}, "development": true})
	ad.ID("POST", "/api/v1/clients", map[string]any{"name": "Back end", "module": "cas", "protocol": "cas", "servicePatterns": []string{f.backend.url + "*"}})
	return f
}

// casGet asks Sesame and returns the raw answer.
func casGet(t *testing.T, f *fixture, path string, params url.Values) string {
	t.Helper()
	return get(t, http.DefaultClient, f.env.Server.URL+path+"?"+params.Encode())
}

// validateXML validates through the independent client library's parser.
func validateXML(t *testing.T, f *fixture, path string, params url.Values) (*casclient.AuthenticationResponse, string) {
	t.Helper()
	page := casGet(t, f, path, params)
	r, err := casclient.ParseServiceResponse([]byte(page))
	if err != nil {
		var ae *casclient.AuthenticationError
		if errors.As(err, &ae) {
			return nil, ae.Code
		}
		t.Fatalf("%s: %v: %s", path, err, page)
	}
	return r, ""
}

type proxyAnswer struct {
	Success *struct {
		Ticket string `xml:"proxyTicket"`
	} `xml:"proxySuccess"`
	Failure *struct {
		Code string `xml:"code,attr"`
		Msg  string `xml:",chardata"`
	} `xml:"proxyFailure"`
}

// proxyTicket asks /cas/proxy (§2.7) for a PT; it returns the PT or the
// failure code.
func proxyTicket(t *testing.T, f *fixture, pgt, target string) (pt, code string) {
	t.Helper()
	page := casGet(t, f, "/cas/proxy", url.Values{"pgt": {pgt}, "targetService": {target}})
	var a proxyAnswer
	if err := xml.Unmarshal([]byte(page), &a); err != nil {
		t.Fatalf("/cas/proxy: %v: %s", err, page)
	}
	switch {
	case a.Success != nil && strings.HasPrefix(a.Success.Ticket, "PT-"):
		return a.Success.Ticket, ""
	case a.Failure != nil:
		return "", a.Failure.Code
	}
	t.Fatalf("/cas/proxy: %s", page)
	return "", ""
}

// getPGT validates a fresh service ticket of the portal with pgtUrl and
// returns the PGT the callback received.
func getPGT(t *testing.T, f *proxyFixture, c *http.Client, pgtURL string) string {
	t.Helper()
	svc := f.portal.url + "app"
	r, code := validateXML(t, f.fixture, "/cas/serviceValidate", url.Values{"service": {svc}, "ticket": {ticketFor(t, f.fixture, c, svc, "")}, "pgtUrl": {pgtURL}})
	if r == nil || !strings.HasPrefix(r.ProxyGrantingTicket, "PGTIOU-") {
		t.Fatalf("validation with pgtUrl: %q %+v", code, r)
	}
	pgt := f.portal.pgt(r.ProxyGrantingTicket)
	if !strings.HasPrefix(pgt, "PGT-") {
		t.Fatalf("the callback did not receive a PGT for %s", r.ProxyGrantingTicket)
	}
	return pgt
}

// TestProxyAuthentication: the portal obtains a PGT through its callback,
// trades it for proxy tickets to a back end, which validates them and sees
// the proxy chain; the back end proxies further; logout ends every PGT.
func TestProxyAuthentication(t *testing.T) {
	forBackends(t, func(t *testing.T, backend string) {
		f := setupProxy(t, backend)
		c := browser(t)
		portalCB := f.portal.url + "cb?app=portal"
		pgt := getPGT(t, f, c, portalCB)
		if q := f.portal.lastQuery(); q.Get("app") != "portal" {
			t.Errorf("the callback URL's own parameters were not kept: %v", q)
		}

		target := f.backend.url + "api/orders"
		pt, code := proxyTicket(t, f.fixture, pgt, target)
		if code != "" {
			t.Fatalf("/proxy: %s", code)
		}
		// /serviceValidate refuses proxy tickets (§2.5) without using them up.
		if _, code := validateXML(t, f.fixture, "/cas/serviceValidate", url.Values{"service": {target}, "ticket": {pt}}); code != "INVALID_TICKET" {
			t.Errorf("PT at /serviceValidate: %q", code)
		}
		if page := casGet(t, f.fixture, "/cas/validate", url.Values{"service": {target}, "ticket": {pt}}); page != "no\n\n" {
			t.Errorf("PT at /validate: %q", page)
		}
		r, code := validateXML(t, f.fixture, "/cas/p3/proxyValidate", url.Values{"service": {target}, "ticket": {pt}})
		if r == nil || r.User != f.carol || r.Attributes.Get("module") != "cas" || len(r.Proxies) != 1 || r.Proxies[0] != portalCB {
			t.Fatalf("PT validation: %q %+v", code, r)
		}
		// A PT is single-use (§3.2.1).
		if _, code := validateXML(t, f.fixture, "/cas/proxyValidate", url.Values{"service": {target}, "ticket": {pt}}); code != "INVALID_TICKET" {
			t.Errorf("PT reuse: %q", code)
		}
		// A PT for another service fails and is gone (§2.5.1 via §2.6).
		pt, _ = proxyTicket(t, f.fixture, pgt, target)
		if _, code := validateXML(t, f.fixture, "/cas/proxyValidate", url.Values{"service": {f.backend.url + "other"}, "ticket": {pt}}); code != "INVALID_SERVICE" {
			t.Errorf("PT for another service: %q", code)
		}
		if _, code := validateXML(t, f.fixture, "/cas/proxyValidate", url.Values{"service": {target}, "ticket": {pt}}); code != "INVALID_TICKET" {
			t.Errorf("PT after a failed validation: %q", code)
		}
		// Service tickets validate at /proxyValidate too, without proxies.
		svc := f.portal.url + "app"
		if r, code := validateXML(t, f.fixture, "/cas/proxyValidate", url.Values{"service": {svc}, "ticket": {ticketFor(t, f.fixture, c, svc, "")}}); r == nil || len(r.Proxies) != 0 {
			t.Errorf("ST at /proxyValidate: %q %+v", code, r)
		}

		// The back end proxies further: the chain grows, most recent first.
		pt, _ = proxyTicket(t, f.fixture, pgt, target)
		backendCB := f.backend.url + "cb"
		r, code = validateXML(t, f.fixture, "/cas/proxyValidate", url.Values{"service": {target}, "ticket": {pt}, "pgtUrl": {backendCB}})
		if r == nil || r.ProxyGrantingTicket == "" {
			t.Fatalf("PT validation with pgtUrl: %q %+v", code, r)
		}
		pgt2 := f.backend.pgt(r.ProxyGrantingTicket)
		pt2, code := proxyTicket(t, f.fixture, pgt2, f.app1URL+"report")
		if code != "" {
			t.Fatalf("/proxy with the second PGT: %s", code)
		}
		page := casGet(t, f.fixture, "/cas/proxyValidate", url.Values{"service": {f.app1URL + "report"}, "ticket": {pt2}, "format": {"JSON"}})
		if !strings.Contains(page, `"proxies":["`+backendCB+`","`+portalCB+`"]`) {
			t.Errorf("two-proxy chain: %s", page)
		}

		// /proxy answers JSON too.
		if page := casGet(t, f.fixture, "/cas/proxy", url.Values{"pgt": {pgt}, "targetService": {target}, "format": {"JSON"}}); !strings.Contains(page, `"proxySuccess":{"proxyTicket":"PT-`) {
			t.Errorf("JSON /proxy: %s", page)
		}
		// Logout ends the SSO session and with it every PGT (§3.3).
		sesametest.Logout(t, c, f.env.Server.URL, "/cas/logout")
		for _, g := range []string{pgt, pgt2} {
			if _, code := proxyTicket(t, f.fixture, g, target); code != "INVALID_TICKET" {
				t.Errorf("PGT after logout: %q", code)
			}
		}
	})
}

// TestProxyCallbackRules: a PGT goes only to an https (or loopback) URL
// registered for the application that validates, and only when it answers
// 200; otherwise validation fails and the ticket is used up.
func TestProxyCallbackRules(t *testing.T) {
	forBackends(t, func(t *testing.T, backend string) {
		f := setupProxy(t, backend)
		c := browser(t)
		svc := f.portal.url + "app"
		closed := httptest.NewServer(http.NotFoundHandler())
		closedURL := closed.URL + "/"
		closed.Close()
		for _, tc := range []struct {
			name, pgtURL, code string
			status             int
		}{
			{"unregistered", "https://evil.example/cb", "INVALID_PROXY_CALLBACK", 0},
			{"look-alike host", strings.TrimSuffix(f.portal.url, "/") + ".evil.example/cb", "INVALID_PROXY_CALLBACK", 0},
			{"user info", strings.Replace(f.portal.url, "http://", "http://evil.example@", 1) + "cb", "INVALID_PROXY_CALLBACK", 0},
			{"encoded slash", f.portal.url + "..%2fcb", "INVALID_PROXY_CALLBACK", 0},
			{"plain http off loopback", f.httpOther + "cb", "INVALID_PROXY_CALLBACK", 0},
			{"not a URL", "javascript:alert(1)", "INVALID_PROXY_CALLBACK", 0},
			{"another application", f.backend.url + "cb", "UNAUTHORIZED_SERVICE_PROXY", 0},
			{"callback answers 404", f.portal.url + "cb", "INVALID_PROXY_CALLBACK", http.StatusNotFound},
			{"callback answers 500", f.portal.url + "cb", "INVALID_PROXY_CALLBACK", http.StatusInternalServerError},
			{"callback redirects", f.portal.url + "cb", "INVALID_PROXY_CALLBACK", http.StatusFound},
			{"oversized", f.portal.url + "cb?" + strings.Repeat("a", 3000), "INVALID_REQUEST", 0},
		} {
			f.portal.mu.Lock()
			f.portal.status = tc.status
			f.portal.got = map[string]string{}
			f.portal.mu.Unlock()
			tk := ticketFor(t, f.fixture, c, svc, "")
			r, code := validateXML(t, f.fixture, "/cas/serviceValidate", url.Values{"service": {svc}, "ticket": {tk}, "pgtUrl": {tc.pgtURL}})
			if r != nil || code != tc.code {
				t.Errorf("%s: %q %+v, want %s", tc.name, code, r, tc.code)
			}
			// A malformed request (INVALID_REQUEST) is refused before the
			// ticket is looked at; any other failure uses the ticket up.
			if _, code := validateXML(t, f.fixture, "/cas/serviceValidate", url.Values{"service": {svc}, "ticket": {tk}}); code != "INVALID_TICKET" && tc.code != "INVALID_REQUEST" {
				t.Errorf("%s: the ticket survived: %q", tc.name, code)
			}
			// A PGT that reached a failing callback was withdrawn.
			f.portal.mu.Lock()
			got := f.portal.got
			f.portal.mu.Unlock()
			for _, pgt := range got {
				if _, code := proxyTicket(t, f.fixture, pgt, f.backend.url+"api"); code != "INVALID_TICKET" {
					t.Errorf("%s: the PGT delivered to a failing callback works: %q", tc.name, code)
				}
			}
		}
		// An unreachable callback: registered, but nobody listens.
		f.env.Admin().ID("POST", "/api/v1/clients", map[string]any{"name": "Gone", "module": "portal", "protocol": "cas", "servicePatterns": []string{closedURL + "*"}})
		tk := ticketFor(t, f.fixture, c, closedURL+"app", "")
		if _, code := validateXML(t, f.fixture, "/cas/serviceValidate", url.Values{"service": {closedURL + "app"}, "ticket": {tk}, "pgtUrl": {closedURL + "cb"}}); code != "INVALID_PROXY_CALLBACK" {
			t.Errorf("unreachable callback: %q", code)
		}
	})
}

// TestProxyEndpointErrors: /proxy (§2.7.3) refuses missing, oversized and
// unknown tickets, non-PGT tickets and services the user may not enter.
func TestProxyEndpointErrors(t *testing.T) {
	forBackends(t, func(t *testing.T, backend string) {
		f := setupProxy(t, backend)
		c := browser(t)
		pgt := getPGT(t, f, c, f.portal.url+"cb")
		target := f.backend.url + "api"
		st := ticketFor(t, f.fixture, c, target, "")
		for _, tc := range []struct{ name, pgt, target, code string }{
			{"no pgt", "", target, "INVALID_REQUEST"},
			{"no target", pgt, "", "INVALID_REQUEST"},
			{"oversized pgt", "PGT-" + strings.Repeat("A", 1000), target, "INVALID_REQUEST"},
			{"oversized target", pgt, target + strings.Repeat("a", 3000), "INVALID_REQUEST"},
			{"unknown pgt", "PGT-" + session.Token(), target, "INVALID_TICKET"},
			{"service ticket as pgt", st, target, "INVALID_TICKET"},
			{"service ticket renamed", "PGT-" + strings.TrimPrefix(st, "ST-"), target, "INVALID_TICKET"},
			{"unregistered target", pgt, "https://evil.example/", "UNAUTHORIZED_SERVICE"},
			{"look-alike target", pgt, strings.TrimSuffix(f.backend.url, "/") + ".evil.example/", "UNAUTHORIZED_SERVICE"},
			{"module denied (R-MOD-2)", pgt, f.rmService, "UNAUTHORIZED_SERVICE"},
		} {
			if pt, code := proxyTicket(t, f.fixture, tc.pgt, tc.target); code != tc.code {
				t.Errorf("%s: %q %q, want %s", tc.name, pt, code, tc.code)
			}
		}
		// The PGT is not a service ticket either.
		if _, code := validateXML(t, f.fixture, "/cas/proxyValidate", url.Values{"service": {f.portal.url + "cb"}, "ticket": {pgt}}); code != "INVALID_TICKET" {
			t.Errorf("PGT at /proxyValidate: %q", code)
		}
		// Deactivating the user ends the PGT.
		f.env.Admin().Must(200, "POST", "/api/v1/users/"+f.carol+"/deactivate", nil)
		if _, code := proxyTicket(t, f.fixture, pgt, target); code != "INVALID_TICKET" {
			t.Errorf("PGT of a deactivated user: %q", code)
		}
	})
}

// TestRequireHTTPSCallbacks: with the option set, even a loopback callback
// must use https.
func TestRequireHTTPSCallbacks(t *testing.T) {
	t.Parallel()
	f := setupProxy(t, "sqlite")
	pages, err := web.NewPages()
	if err != nil {
		t.Fatal(err)
	}
	h := &cas.Handler{Svc: f.env.Svc, Authn: f.env.Svc.Authn(), Store: f.env.Store, Sessions: &session.Manager{Store: f.env.Store}, Pages: pages,
		Log: slog.New(slog.DiscardHandler), RequireHTTPSCallbacks: true}
	mux := http.NewServeMux()
	h.Register(mux)
	strict := httptest.NewServer(mux)
	t.Cleanup(strict.Close)
	svc := f.portal.url + "app"
	tk := ticketFor(t, f.fixture, browser(t), svc, "")
	page := get(t, http.DefaultClient, strict.URL+"/cas/serviceValidate?"+url.Values{"service": {svc}, "ticket": {tk}, "pgtUrl": {f.portal.url + "cb"}}.Encode())
	if !strings.Contains(page, `code="INVALID_PROXY_CALLBACK"`) || len(f.portal.got) != 0 {
		t.Errorf("loopback http callback under RequireHTTPSCallbacks: %s", page)
	}
}

// TestProxyCallbackFailureLogsNoPGT: when the callback cannot be reached,
// the log names the registered callback URL but never the URL Sesame
// called, which carries the proxy-granting ticket (pgtId): whoever reads
// the log could otherwise act as the user at every back end.
func TestProxyCallbackFailureLogsNoPGT(t *testing.T) {
	forBackends(t, func(t *testing.T, backend string) {
		f := setupProxy(t, backend)
		pages, err := web.NewPages()
		if err != nil {
			t.Fatal(err)
		}
		var logs syncBuffer
		h := &cas.Handler{Svc: f.env.Svc, Authn: f.env.Svc.Authn(), Store: f.env.Store, Sessions: &session.Manager{Store: f.env.Store}, Pages: pages,
			Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
		mux := http.NewServeMux()
		h.Register(mux)
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		closed := httptest.NewServer(http.NotFoundHandler())
		closedURL := closed.URL + "/"
		closed.Close()
		f.env.Admin().ID("POST", "/api/v1/clients", map[string]any{"name": "Gone", "module": "portal", "protocol": "cas", "servicePatterns": []string{closedURL + "*"}})
		c := browser(t)
		for _, cb := range []string{closedURL + "cb", f.portal.url + "cb"} {
			f.portal.mu.Lock()
			f.portal.status = http.StatusInternalServerError
			f.portal.mu.Unlock()
			svc := strings.TrimSuffix(cb, "cb") + "app"
			tk := ticketFor(t, f.fixture, c, svc, "")
			page := get(t, http.DefaultClient, srv.URL+"/cas/serviceValidate?"+url.Values{"service": {svc}, "ticket": {tk}, "pgtUrl": {cb}}.Encode())
			if !strings.Contains(page, `code="INVALID_PROXY_CALLBACK"`) {
				t.Fatalf("failing callback %s: %s", cb, page)
			}
		}
		out := logs.String()
		if !strings.Contains(out, "cas proxy callback failed") {
			t.Fatalf("no log line for the failed callback: %s", out)
		}
		if strings.Contains(out, "pgtId") || strings.Contains(out, "PGT-") || strings.Contains(out, "pgtIou") {
			t.Errorf("the log carries the proxy-granting ticket:\n%s", out)
		}
	})
}

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
