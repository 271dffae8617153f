package app_test

import (
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracev1 "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// otlpReceiver is an OTLP/HTTP trace receiver (the collector's
// /v1/traces endpoint, protobuf encoding) keeping the spans it gets.
type otlpReceiver struct {
	mu    sync.Mutex
	spans []*tracev1.Span
}

func (o *otlpReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var req collectortrace.ExportTraceServiceRequest
	if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" || proto.Unmarshal(b, &req) != nil {
		http.Error(w, "not an OTLP/HTTP protobuf trace export", http.StatusBadRequest)
		return
	}
	o.mu.Lock()
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			o.spans = append(o.spans, ss.Spans...)
		}
	}
	o.mu.Unlock()
	out, _ := proto.Marshal(&collectortrace.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func (o *otlpReceiver) all() []*tracev1.Span {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]*tracev1.Span(nil), o.spans...)
}

// TestTracingExportsALoginsSpans: with tracing.endpoint set, a sign-in
// through CAS and a logout are exported over OTLP/HTTP: the login's server
// span with its database statements as children in the same trace, the
// CAS single-logout call as an outbound client span carrying the trace
// context to the app; the request's log lines name its trace.
func TestTracingExportsALoginsSpans(t *testing.T) {
	rcv := &otlpReceiver{}
	collector := httptest.NewServer(rcv)
	defer collector.Close()
	var sloTraceparent string
	var sloMu sync.Mutex
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" { // CAS single logout
			sloMu.Lock()
			sloTraceparent = r.Header.Get("Traceparent")
			sloMu.Unlock()
		}
	}))
	defer app.Close()
	const adminPW = "slate-harbor-quill-123"
	s := serveAll(t, []string{"--data-dir", t.TempDir()}, map[string]string{"SESAME_BOOTSTRAP_ADMIN_PASSWORD": adminPW,
		"SESAME_TRACING_ENDPOINT": collector.URL + "/v1/traces"})
	admin := adminClient(t, s.base, adminPW)
	roots := admin("GET", "/api/v1/contexts?type=root", nil)
	root := roots["items"].([]any)[0].(map[string]any)["id"].(string)
	acct := admin("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": root})["id"].(string)
	admin("POST", "/api/v1/users", map[string]any{"loginName": "dana", "domain": "ENTERPRISE", "contexts": []string{acct},
		"status": "active", "password": "velvet-summit-crane-123", "person": map[string]string{"email": "dana@acme.example"}})
	service := app.URL + "/cas/home"
	admin("POST", "/api/v1/clients", map[string]any{"name": "Legacy", "module": "portal", "protocol": "cas", "servicePatterns": []string{app.URL + "/cas/*"}})

	browser := browserFor(app.URL)
	// casRequest: the last hop, /cas/login issuing the ticket after the login.
	loc, casRequest := signInID(t, browser, s.base, s.base+"/cas/login?service="+url.QueryEscape(service), "dana", "velvet-summit-crane-123")
	if loc.Query().Get("ticket") == "" {
		t.Fatalf("no ticket: %v", loc)
	}
	sesametest.Logout(t, browser, s.base, "/logout")
	s.stop() // flushes the batch of spans

	spans := rcv.all()
	var login *tracev1.Span
	for _, sp := range spans {
		if sp.Name == "POST /login" && sp.Kind == tracev1.Span_SPAN_KIND_SERVER {
			login = sp
		}
	}
	if login == nil {
		t.Fatalf("no server span for POST /login among %d spans", len(spans))
	}
	if !hasAttr(login, "http.response.status_code", "303") || !hasAttr(login, "http.route", "/login") {
		t.Errorf("login span attributes: %v", login.Attributes)
	}
	var dbChildren, outbound int
	for _, sp := range spans {
		if string(sp.TraceId) == string(login.TraceId) && string(sp.ParentSpanId) == string(login.SpanId) && strings.HasPrefix(sp.Name, "db ") {
			dbChildren++
			if !hasAttr(sp, "db.system.name", "sqlite") {
				t.Errorf("db span without the database: %v", sp.Attributes)
			}
		}
		if sp.Kind == tracev1.Span_SPAN_KIND_CLIENT && strings.HasPrefix(sp.Name, "HTTP POST") {
			outbound++
			sloMu.Lock()
			if !strings.Contains(sloTraceparent, hex.EncodeToString(sp.TraceId)) {
				t.Errorf("single logout sent traceparent %q, span trace %x", sloTraceparent, sp.TraceId)
			}
			sloMu.Unlock()
		}
	}
	if dbChildren == 0 {
		t.Error("the login's database statements have no spans under the request's span")
	}
	if outbound != 1 {
		t.Errorf("outbound single-logout spans: %d, want 1", outbound)
	}
	// The request's log lines carry its request id and its trace id.
	traces := map[string]string{}
	for _, sp := range spans {
		if sp.Kind == tracev1.Span_SPAN_KIND_SERVER {
			traces[hex.EncodeToString(sp.TraceId)] = sp.Name
		}
	}
	found := false
	for _, line := range strings.Split(s.stderr.String(), "\n") {
		if !strings.Contains(line, "request_id="+casRequest) {
			continue
		}
		found = true
		m := regexp.MustCompile(`trace_id=(\w+)`).FindStringSubmatch(line)
		if m == nil || traces[m[1]] != "GET /cas/login" {
			t.Errorf("log line of the ticket request without its trace: %s", line)
		}
	}
	if !found {
		t.Errorf("no log line names request %s", casRequest)
	}
}

func hasAttr(sp *tracev1.Span, key, want string) bool {
	for _, a := range sp.Attributes {
		if a.Key != key {
			continue
		}
		if a.Value.GetStringValue() == want || strconv.FormatInt(a.Value.GetIntValue(), 10) == want {
			return true
		}
	}
	return false
}
