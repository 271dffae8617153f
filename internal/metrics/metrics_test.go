package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sesame-sso/sesame/internal/version"
)

// TestRouteLabels: the label is the mux pattern, never the raw path, so
// ids and garbage paths cannot grow the series without bound.
func TestRouteLabels(t *testing.T) {
	m := New(prometheus.NewRegistry(), version.Info{Version: "v1", Commit: "c", GoVersion: "go1"})
	m.ExactPaths("/oauth2/token")
	mux := http.NewServeMux()
	ok := func(http.ResponseWriter, *http.Request) {}
	mux.HandleFunc("GET /api/v1/users/{id}", ok)
	mux.HandleFunc("/oauth2/", ok)
	for _, c := range []struct{ method, path, route string }{
		{"GET", "/api/v1/users/0b6c9a52", "/api/v1/users/{id}"},
		{"GET", "/api/v1/users/another-id", "/api/v1/users/{id}"},
		{"POST", "/oauth2/token", "/oauth2/token"},
		{"POST", "/oauth2/whatever-an-attacker-sends", "/oauth2/"},
		{"GET", "/no/such/page", "unmatched"},
	} {
		r := httptest.NewRequest(c.method, c.path, nil)
		mux.ServeHTTP(httptest.NewRecorder(), r)
		if got := m.Route(r); got != c.route {
			t.Errorf("%s %s: route %q, want %q", c.method, c.path, got, c.route)
		}
		m.Request(r, 200, time.Millisecond)
	}
	if n := testutil.ToFloat64(m.requests.WithLabelValues("/api/v1/users/{id}", "GET", "200")); n != 2 {
		t.Errorf("two reads of different users counted as %v under the pattern", n)
	}
	if got := methodLabel("BREW"); got != "OTHER" {
		t.Errorf("unknown method label %q", got)
	}
	m.Request(httptest.NewRequest("POST", "/x", nil), 429, time.Millisecond)
	if n := testutil.ToFloat64(m.throttled.WithLabelValues("unmatched", "429")); n != 1 {
		t.Errorf("throttled: %v", n)
	}
	if n, err := testutil.GatherAndCount(m.reg, "sesame_build_info"); err != nil || n != 1 {
		t.Errorf("build info: %d %v", n, err)
	}
}

// TestNilMetrics: a nil *Metrics does nothing (packages hold one that is
// nil in tests).
func TestNilMetrics(t *testing.T) {
	var m *Metrics
	m.Login("pwd", "success")
	m.TokenIssued("client_credentials")
	m.CASTicket("issue", "success")
	m.HashWait(time.Second, false)
	m.GaugeFunc("x", "x", func() float64 { return 1 })
	m.ExactPaths("/x")
	m.Request(httptest.NewRequest("GET", "/", nil), 200, 0)
	if !strings.Contains(m.Route(httptest.NewRequest("GET", "/", nil)), "unmatched") {
		t.Error("route of an unrouted request")
	}
}
