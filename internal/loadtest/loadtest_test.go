package loadtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/loadtest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

func adminFlag() string { return "admin:" + sesametest.AdminPassword }

// TestCAS runs the command itself for one second against a real Sesame
// and reads its -json line.
func TestCAS(t *testing.T) {
	env := sesametest.New(t, "sqlite")
	var out, errOut bytes.Buffer
	code := loadtest.Main([]string{"-url", env.Server.URL, "-admin", adminFlag(), "-scenario", "cas",
		"-d", "1s", "-warmup", "200ms", "-c", "4", "-json"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out.String(), errOut.String())
	}
	var rep loadtest.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("stdout is not one JSON report: %v\n%s", err, out.String())
	}
	if len(rep.Results) != 2 || rep.Results[0].Scenario != "cas" || rep.Results[1].Scenario != "cas-validate" {
		t.Fatalf("want cas and cas-validate results, got %+v", rep.Results)
	}
	for _, r := range rep.Results {
		if r.Count == 0 || r.PerSecond <= 0 {
			t.Errorf("%s: no throughput: %+v\n%s", r.Scenario, r, errOut.String())
		}
		if r.Errors != 0 || r.WarmupErrors != 0 {
			t.Errorf("%s: %d errors, %d outside the measurement: %v", r.Scenario, r.Errors, r.WarmupErrors, r.ErrorSamples)
		}
		if r.Latency.P50 <= 0 || r.Latency.P50 > r.Latency.P90 || r.Latency.P90 > r.Latency.P99 || r.Latency.P99 > r.Latency.Max {
			t.Errorf("%s: percentiles out of order: %+v", r.Scenario, r.Latency)
		}
		if r.Concurrency != 4 {
			t.Errorf("%s: concurrency %d", r.Scenario, r.Concurrency)
		}
	}
	if steps := rep.Results[0].Steps; len(steps) != 2 || steps[1].Name != "cas/serviceValidate" || steps[1].Latency.P50 <= 0 {
		t.Errorf("cas steps: %+v", steps)
	}
	// The table went to stderr.
	if !strings.Contains(errOut.String(), "cas-validate") {
		t.Errorf("no table on stderr:\n%s", errOut.String())
	}
	// Set-up is cleaned up: the run's CAS client is gone.
	var clients struct {
		Items []struct{ Name string } `json:"items"`
	}
	env.Admin().Must(200, "GET", "/api/v1/clients", nil).JSON(t, &clients)
	for _, c := range clients.Items {
		if strings.HasPrefix(c.Name, "Load test") {
			t.Errorf("client %q left behind", c.Name)
		}
	}
}

// runOIDC runs an OIDC scenario against a real Sesame, whose provider
// must be there (nothing is skipped: a missing discovery document fails).
func runOIDC(t *testing.T, scenario string) {
	env := sesametest.New(t, "sqlite")
	rep, err := loadtest.Run(context.Background(), loadtest.Config{URL: env.Server.URL, Admin: adminFlag(), Scenario: scenario,
		Duration: time.Second, Warmup: 200 * time.Millisecond, Concurrency: 4, Timeout: 10 * time.Second, Tokens: 200}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 1 {
		t.Fatalf("results: %+v", rep.Results)
	}
	r := rep.Results[0]
	if r.Count == 0 || r.PerSecond <= 0 {
		t.Errorf("%s: no throughput: %+v", scenario, r)
	}
	if r.Errors != 0 || r.WarmupErrors != 0 {
		t.Errorf("%s: %d errors, %d during warm-up: %v", scenario, r.Errors, r.WarmupErrors, r.ErrorSamples)
	}
}

func TestClientCredentials(t *testing.T) { runOIDC(t, "cc") }
func TestIntrospect(t *testing.T)        { runOIDC(t, "introspect") }

// TestIntrospectMany and TestIntrospectExpired check every answer: active
// for the distinct valid tokens, inactive for the expired ones.
func TestIntrospectMany(t *testing.T)    { runOIDC(t, "introspect-many") }
func TestIntrospectExpired(t *testing.T) { runOIDC(t, "introspect-expired") }
func TestAuthCode(t *testing.T)          { runOIDC(t, "authcode") }

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{"-scenario", "nope", "-admin", "a:b"},
		{"-c", "0", "-admin", "a:b"},
		{"-admin", "nocolon"},
		{"-url", "ftp://x", "-admin", "a:b"},
		{"-admin", "a:b", "extra"},
	} {
		var out, errOut bytes.Buffer
		if code := loadtest.Main(args, &out, &errOut); code != 2 {
			t.Errorf("%q: exit %d, want 2 (%s)", args, code, errOut.String())
		}
	}
}

// TestUnreachable: a server that is not there is a failure to run (exit 1)
// naming the set-up step, not a report of zero throughput.
func TestUnreachable(t *testing.T) {
	var out, errOut bytes.Buffer
	code := loadtest.Main([]string{"-url", "http://127.0.0.1:1", "-admin", "a:b", "-d", "100ms"}, &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "set-up") {
		t.Errorf("exit %d, stderr %s", code, errOut.String())
	}
}
