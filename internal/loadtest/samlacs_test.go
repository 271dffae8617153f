package loadtest_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/loadtest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestSAMLACS runs the command's saml-acs scenario for one second against
// a real Sesame on SQLite: every counted consume was a signed IdP-initiated
// response answered 303 to /login; the users it names were created just
// in time in the run's tenant; the connection is gone afterwards and the
// users it created are deleted.
func TestSAMLACS(t *testing.T) {
	env := sesametest.New(t, "sqlite")
	var out, errOut bytes.Buffer
	code := loadtest.Main([]string{"-url", env.Server.URL, "-admin", adminFlag(), "-scenario", "saml-acs",
		"-d", "1s", "-warmup", "200ms", "-c", "4", "-users", "6", "-json"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out.String(), errOut.String())
	}
	var rep loadtest.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("stdout is not one JSON report: %v\n%s", err, out.String())
	}
	if len(rep.Results) != 1 || rep.Results[0].Scenario != "saml-acs" {
		t.Fatalf("want one saml-acs result, got %+v", rep.Results)
	}
	r := rep.Results[0]
	if r.Count == 0 || r.PerSecond <= 0 || r.Unit != "consumes" {
		t.Errorf("no throughput: %+v\n%s", r, errOut.String())
	}
	if r.Errors != 0 || r.WarmupErrors != 0 || r.PoolRanOut {
		t.Errorf("%d errors, %d during warm-up, pool ran out %v: %v\n%s", r.Errors, r.WarmupErrors, r.PoolRanOut, r.ErrorSamples, errOut.String())
	}
	// -users 6 with 4 workers: 8 subjects, two per worker.
	if !strings.Contains(r.Note, "response signed") || !strings.Contains(r.Note, "8 users") {
		t.Errorf("note: %q", r.Note)
	}

	var tenants struct {
		Items []struct{ ID, Name string } `json:"items"`
	}
	env.Admin().Must(200, "GET", "/api/v1/contexts?type=tenant", nil).JSON(t, &tenants)
	tenant := ""
	for _, c := range tenants.Items {
		if strings.HasPrefix(c.Name, "Load test SAML ") {
			tenant = c.ID
		}
	}
	if tenant == "" {
		t.Fatalf("no load test tenant among %+v (it stays while its users do)", tenants.Items)
	}
	var users struct {
		Items []struct{ Status string } `json:"items"`
	}
	env.Admin().Must(200, "GET", "/api/v1/users?limit=100&contextId="+tenant, nil).JSON(t, &users)
	if len(users.Items) != 8 {
		t.Errorf("%d users in the tenant, want the 8 created just in time", len(users.Items))
	}
	for _, u := range users.Items {
		if u.Status == "active" {
			t.Errorf("a user created by the run is still active")
		}
	}
	var conns struct {
		Items []struct{ Name string } `json:"items"`
	}
	env.Admin().Must(200, "GET", "/api/v1/connections", nil).JSON(t, &conns)
	for _, c := range conns.Items {
		if strings.HasPrefix(c.Name, "Load test") {
			t.Errorf("connection %q left behind", c.Name)
		}
	}
}

func TestSAMLUsage(t *testing.T) {
	for _, args := range [][]string{
		{"-scenario", "saml-acs", "-admin", "a:b", "-saml-sign", "none"},
		{"-scenario", "saml-acs", "-admin", "a:b", "-saml-pool", "-1"},
		{"-scenario", "saml-acs", "-admin", "a:b", "-d", "5m"},
	} {
		var out, errOut bytes.Buffer
		if code := loadtest.Main(args, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "saml") {
			t.Errorf("%q: exit %d, want 2 naming the SAML flag (%s)", args, code, errOut.String())
		}
	}
}
