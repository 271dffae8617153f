package loadtest_test

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/loadtest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestLogin runs the login scenario against a real Sesame: every counted
// login went GET /login → its form → 303 to the return URL with a session
// cookie, each in a fresh cookie jar, over the pool's users.
func TestLogin(t *testing.T) {
	env := sesametest.New(t, "sqlite")
	rep, err := loadtest.Run(context.Background(), loadtest.Config{URL: env.Server.URL, Admin: adminFlag(), Scenario: "login",
		Duration: time.Second, Warmup: 200 * time.Millisecond, Concurrency: 4, Users: 6, Timeout: 10 * time.Second}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 1 {
		t.Fatalf("results: %+v", rep.Results)
	}
	r := rep.Results[0]
	if r.Count == 0 || r.PerSecond <= 0 || r.Unit != "logins" {
		t.Errorf("no throughput: %+v", r)
	}
	if r.Errors != 0 || r.WarmupErrors != 0 {
		t.Errorf("%d errors, %d during warm-up: %v", r.Errors, r.WarmupErrors, r.ErrorSamples)
	}
	if len(r.Steps) != 2 || r.Steps[1].Name != "POST /login" || r.Steps[1].Latency.P50 <= 0 {
		t.Errorf("steps: %+v", r.Steps)
	}
	if !strings.Contains(r.Note, "6 users") {
		t.Errorf("note: %q", r.Note)
	}
	// The pool is cleaned up: no load user is left active.
	var users struct {
		Items []struct {
			LoginName, Status string
		} `json:"items"`
	}
	env.Admin().Must(200, "GET", "/api/v1/users?limit=200", nil).JSON(t, &users)
	for _, u := range users.Items {
		if strings.HasPrefix(u.LoginName, "load-") && u.Status == "active" {
			t.Errorf("user %s left behind", u.LoginName)
		}
	}
}

// freePort is a loopback address nothing listens on (for the sink).
func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestLoginOTPRealServer runs login-otp against a real Sesame whose outbox mails
// the one-time codes to the load command's SMTP sink: every counted login
// went password → code page → the code from the real mail → 303 to the
// return URL with a session.
func TestLoginOTPRealServer(t *testing.T) {
	sink := freePort(t)
	env := sesametest.NewWith(t, "sqlite", sesametest.Options{SMTPAddr: sink})
	rep, err := loadtest.Run(context.Background(), loadtest.Config{URL: env.Server.URL, Admin: adminFlag(), Scenario: "login-otp",
		Duration: 2 * time.Second, Warmup: 0, Concurrency: 2, Users: 2, Timeout: 10 * time.Second,
		SMTPSink: sink, CodeWait: 10 * time.Second}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results[0]
	if r.Count == 0 || r.Errors != 0 {
		t.Fatalf("want logins and no errors, got %+v", r)
	}
	if len(r.Steps) != 5 || r.Steps[3].Name != "code mail" || r.Steps[3].Latency.P50 <= 0 {
		t.Errorf("steps: %+v", r.Steps)
	}
}
