package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/app"
)

// scrape reads the management listener's /metrics and returns the sum of
// the series whose name and labels start with series (0 when absent).
func scrape(t *testing.T, management string) func(series string) float64 {
	t.Helper()
	resp, err := http.Get(management + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, b)
	}
	text := string(b)
	return func(series string) float64 {
		if series == "" {
			t.Log(text)
		}
		var sum float64
		for _, line := range strings.Split(text, "\n") {
			if !strings.HasPrefix(line, series) || strings.HasPrefix(line, "#") {
				continue
			}
			v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			if err != nil {
				t.Fatalf("metric line %q: %v", line, err)
			}
			sum += v
		}
		return sum
	}
}

// TestManagementListenerMetricsMove: the management listener serves
// /metrics, /healthz and /readyz off the public address; a failed and a
// successful sign-in, a client-credentials token and a CAS ticket make
// their series move.
func TestManagementListenerMetricsMove(t *testing.T) {
	const adminPW = "slate-harbor-quill-123"
	s := serveAll(t, []string{"--data-dir", t.TempDir()}, map[string]string{"SESAME_BOOTSTRAP_ADMIN_PASSWORD": adminPW})
	for _, p := range []string{"/healthz", "/readyz"} {
		if code, _ := get(t, s.management+p, "", ""); code != 200 {
			t.Fatalf("management %s: %d", p, code)
		}
	}
	if code, _ := get(t, s.base+"/metrics", "", ""); code == 200 {
		t.Fatal("/metrics is served on the public listener")
	}
	before := scrape(t, s.management)
	if before(`sesame_build_info{`) != 1 || !strings.Contains(s.stderr.String(), "sesame starting") {
		t.Fatalf("no build info: %v / %s", before(`sesame_build_info{`), s.stderr.String())
	}
	for _, name := range []string{`go_sql_open_connections{db_name="main"}`, "sesame_outbox_queued_messages", "sesame_password_hash_queue_depth", "go_goroutines"} {
		if before(name) == 0 && !strings.Contains(name, "queue") {
			t.Errorf("%s is not exported (or zero)", name)
		}
	}

	// A wrong password on the admin API, then set-up as the admin.
	if code, _ := get(t, s.base+"/api/v1/me", "admin", "wrong-password-here"); code != 401 {
		t.Fatalf("wrong password: %d", code)
	}
	admin := adminClient(t, s.base, adminPW)
	roots := admin("GET", "/api/v1/contexts?type=root", nil)
	root := roots["items"].([]any)[0].(map[string]any)["id"].(string)
	acct := admin("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": root})["id"].(string)
	dana := admin("POST", "/api/v1/users", map[string]any{"loginName": "dana", "domain": "ENTERPRISE", "contexts": []string{acct},
		"status": "active", "password": "velvet-summit-crane-123", "person": map[string]string{"email": "dana@acme.example"}})["id"].(string)
	machine := admin("POST", "/api/v1/clients", map[string]any{"name": "Machine", "module": "portal", "protocol": "oidc", "grantTypes": []string{"client_credentials"}})
	service := "https://app.example/cas/home"
	admin("POST", "/api/v1/clients", map[string]any{"name": "Legacy", "module": "portal", "protocol": "cas", "servicePatterns": []string{"https://app.example/cas/*"}})

	// A client-credentials token.
	req, _ := http.NewRequest("POST", s.base+"/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(machine["id"].(string)), url.QueryEscape(machine["secret"].(string)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("token: %v %v", resp, err)
	}
	resp.Body.Close()

	// A browser sign-in through CAS: the password login, then a ticket.
	loc := signIn(t, browserFor("https://app.example"), s.base, s.base+"/cas/login?service="+url.QueryEscape(service), "dana", "velvet-summit-crane-123")
	if loc.Query().Get("ticket") == "" {
		t.Fatalf("no CAS ticket after the login: %v", loc)
	}

	after := scrape(t, s.management)
	for series, want := range map[string]float64{
		`sesame_logins_total{method="api_basic",outcome="failure"}`:                       1,
		`sesame_logins_total{method="pwd",outcome="success"}`:                             1,
		`sesame_tokens_issued_total{grant="client_credentials"}`:                          1,
		`sesame_cas_tickets_total{event="issue",outcome="success"}`:                       1,
		`sesame_http_requests_total{method="POST",route="/oauth2/token",status="200"}`:    1,
		`sesame_http_request_duration_seconds_count{method="POST",route="/oauth2/token"}`: 1,
		`sesame_http_requests_total{method="GET",route="/api/v1/me",status="401"}`:        1,
		`sesame_password_hash_wait_seconds_count{result="admitted"}`:                      3, // wrong, admin calls, dana
	} {
		got := after(series) - before(series)
		if strings.Contains(series, "hash_wait") {
			if got < want {
				t.Errorf("%s moved by %v, want at least %v", series, got, want)
			}
			continue
		}
		if got != want {
			t.Errorf("%s moved by %v, want %v", series, got, want)
		}
	}
	// Ids in paths make no new series: the label is the route pattern.
	admin("GET", "/api/v1/users/"+dana, nil)
	if got := scrape(t, s.management)(`sesame_http_requests_total{method="GET",route="/api/v1/users/{id}",status="200"}`); got != 1 {
		t.Errorf("user read counted under its pattern %v times", got)
	}
}

// adminClient calls the admin API as the bootstrap admin; a non-2xx answer
// fails the test.
func adminClient(t *testing.T, base, pw string) func(method, path string, body any) map[string]any {
	return func(method, path string, body any) map[string]any {
		t.Helper()
		var r io.Reader
		if body != nil {
			buf, _ := json.Marshal(body)
			r = bytes.NewReader(buf)
		}
		req, _ := http.NewRequest(method, base+path, r)
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth("admin", pw)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		if resp.StatusCode/100 != 2 {
			t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, m)
		}
		return m
	}
}

// TestVersion: `sesame version` and `--version` print the version, the
// commit and the Go version from the build information.
func TestVersion(t *testing.T) {
	for _, arg := range []string{"version", "--version"} {
		var out bytes.Buffer
		if code := app.Main(context.Background(), app.Env{Args: []string{arg}, Stdout: &out, Stderr: io.Discard}); code != 0 {
			t.Fatalf("%s: exit %d", arg, code)
		}
		if !regexp.MustCompile(`^sesame \S+ \(commit \S+, go1\.\d+`).MatchString(out.String()) {
			t.Errorf("%s printed %q", arg, out.String())
		}
	}
}
