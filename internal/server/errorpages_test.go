package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

func fetch(t *testing.T, method, u string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// TestErrorPagesForPeople: a mistyped address, a wrong method and an
// authorization request that cannot go back to its app end in styled,
// translated pages with a way on; API clients get RFC 9457 problems; the
// API's own answers are left alone.
func TestErrorPagesForPeople(t *testing.T) {
	e := sesametest.New(t, "sqlite")
	base := e.Server.URL

	resp, body := fetch(t, "GET", base+"/no/such/page", "Accept", browserAccept, "Accept-Language", "de")
	if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(body, "Seite nicht gefunden") || !strings.Contains(body, `href="/"`) || !strings.Contains(body, "Zur Startseite") {
		t.Errorf("404 page: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	resp, body = fetch(t, "DELETE", base+"/login", "Accept", browserAccept)
	if resp.StatusCode != 405 || !strings.Contains(body, "cannot be opened this way") || resp.Header.Get("Allow") == "" {
		t.Errorf("405 page: %d Allow=%q\n%s", resp.StatusCode, resp.Header.Get("Allow"), body)
	}
	// An unknown client: zitadel/oidc cannot redirect and answers in
	// plain text; the person sees a page, the developer the reason.
	q := url.Values{"client_id": {"no-such-client"}, "redirect_uri": {"https://app.example/cb"}, "response_type": {"code"}, "scope": {"openid"}}
	resp, body = fetch(t, "GET", base+"/oauth2/authorize?"+q.Encode(), "Accept", browserAccept, "Accept-Language", "fr")
	if resp.StatusCode != 400 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(body, "inutilisable") || !strings.Contains(body, "<code>") || strings.Contains(body, "root context") {
		t.Errorf("authorize error page: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}

	// API clients: JSON problems.
	for _, c := range []struct{ method, path, accept string }{
		{"GET", "/no/such/page", "application/json"},
		{"GET", "/api/v1/no-such-resource", browserAccept},
		{"DELETE", "/healthz", ""},
		{"GET", "/no/such/page", "*/*"}, // curl
	} {
		resp, body = fetch(t, c.method, base+c.path, "Accept", c.accept)
		var p map[string]any
		if resp.Header.Get("Content-Type") != "application/problem+json" || json.Unmarshal([]byte(body), &p) != nil || p["status"] == nil {
			t.Errorf("%s %s: %d %s %s", c.method, c.path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	// The API's own 404 (a route that exists) is its own problem.
	r := e.Admin().Do("GET", "/api/v1/users/00000000-0000-0000-0000-000000000000", nil)
	if r.Status != 404 || strings.Contains(string(r.Body), "no endpoint") {
		t.Errorf("the API's own 404 was replaced: %d %s", r.Status, r.Body)
	}
}
