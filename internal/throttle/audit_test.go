package throttle_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// TestFailedLoginsAudited (issue 8 item 15): every failed login is audited
// with its source — up to the source's budget; beyond it summary rows
// carry the count, so one source cannot grow the audit table at will.
func TestFailedLoginsAudited(t *testing.T) {
	cfg := throttle.DefaultConfig()
	cfg.Account = throttle.Policy{Free: 1000, LockAfter: 10000}
	cfg.Source = throttle.Policy{Free: 1000, LockAfter: 10000}
	cfg.AuditFull, cfg.AuditEvery = 5, 10
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, cfg, sesametest.Options{ClientIP: loopback})
			for i := 0; i < 30; i++ {
				if st, _, _ := f.login(t, attacker, fmt.Sprintf("user%d", i), "wrong-password-x"); st != http.StatusUnauthorized {
					t.Fatalf("attempt %d: %d", i, st)
				}
			}
			rows := audits(t, f, "login")
			if len(rows) != 5 {
				t.Fatalf("%d full failed-login rows for 30 failures, want the budget of 5: %+v", len(rows), rows)
			}
			first := rows[len(rows)-1] // newest first
			if first.Outcome != "failure" || first.SourceIP != attacker || first.Details["loginName"] != "user0" {
				t.Errorf("failed login row: %+v", first)
			}
			sums := audits(t, f, "login.summary")
			var counts []string
			for _, s := range sums {
				counts = append(counts, fmt.Sprint(s.Details["failuresFromSource"]))
			}
			if strings.Join(counts, ",") != "30,20,10" {
				t.Errorf("summary rows: %v", counts)
			}
			// Another source has its own budget: its failure is audited.
			f.login(t, "203.0.113.50", "carol", "wrong-password-x")
			if rows := audits(t, f, "login"); len(rows) != 6 || rows[0].SourceIP != "203.0.113.50" {
				t.Errorf("another source's failure: %+v", rows[0])
			}
			// HTTP Basic failures share the budget.
			f.basic(t, attacker, "carol", "wrong-password-x")
			if rows := audits(t, f, "api.login"); len(rows) != 0 {
				t.Errorf("over budget, yet a full row: %+v", rows)
			}
			f.basic(t, "203.0.113.51", "carol", "wrong-password-x")
			if rows := audits(t, f, "api.login"); len(rows) != 1 || rows[0].SourceIP != "203.0.113.51" {
				t.Errorf("api login failure: %+v", rows)
			}
		})
	}
}

// TestUnknownLoginSameWork: a login with an unknown name costs the same
// hashing work as a wrong password for a known one (no enumeration by
// timing) — counted, not timed.
func TestUnknownLoginSameWork(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, throttle.DefaultConfig(), sesametest.Options{ClientIP: loopback})
			w0 := f.env.Hasher.Work()
			f.login(t, attacker, "carol", "wrong-password-x")
			w1 := f.env.Hasher.Work()
			f.login(t, attacker, "no-such-user", "wrong-password-x")
			w2 := f.env.Hasher.Work()
			known, unknown := w1.Cost-w0.Cost, w2.Cost-w1.Cost
			if known == 0 || known != unknown || w1.Runs-w0.Runs != 1 || w2.Runs-w1.Runs != 1 {
				t.Errorf("hash work: known user %d (%d runs), unknown %d (%d runs)", known, w1.Runs-w0.Runs, unknown, w2.Runs-w1.Runs)
			}
		})
	}
}

// TestAPIRefusesPasswordHash (issue 8 item 3): an admin cannot plant a
// password hash (with costly parameters) through the API: 400 naming the
// field.
func TestAPIRefusesPasswordHash(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, throttle.DefaultConfig(), sesametest.Options{})
			for _, hash := range []string{
				"$argon2id$v=19$m=4194304,t=100,p=255$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U",
				"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U",
			} {
				r := f.env.Admin().Do("POST", "/api/v1/users", map[string]any{"loginName": "planted", "domain": "ENTERPRISE",
					"contexts": []string{f.env.RootID}, "status": "active", "passwordHash": hash})
				if m := r.Map(t); r.Status != http.StatusBadRequest || m["field"] != "passwordHash" || !strings.Contains(fmt.Sprint(m["detail"]), "sesame apply") {
					t.Errorf("passwordHash through the API: %d %s", r.Status, r.Body)
				}
			}
		})
	}
}
