package app_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestServeThrottles: `sesame serve` runs the brute-force limiter with the
// configured thresholds (env) and believes X-Forwarded-For from the
// configured trusted proxies only (R-PWD-3).
func TestServeThrottles(t *testing.T) {
	url, stderr, _ := serve(t, []string{"--data-dir", t.TempDir()}, map[string]string{
		"SESAME_BOOTSTRAP_ADMIN_PASSWORD": "a-chosen-root-passphrase", "SESAME_TRUSTED_PROXIES": "127.0.0.1",
		"SESAME_THROTTLE_LOCK_AFTER": "4"})
	call := func(pw, xff string) *http.Response {
		req, _ := http.NewRequest("GET", url+"/api/v1/me", nil)
		req.SetBasicAuth("admin", pw)
		req.Header.Set("X-Forwarded-For", xff)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := call("a-chosen-root-passphrase", "203.0.113.1"); r.StatusCode != http.StatusOK {
		t.Fatalf("admin: %d", r.StatusCode)
	}
	for i := 0; i < 4; i++ { // three free failures, the fourth locks
		if r := call("wrong-password", "198.51.100.7"); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, r.StatusCode)
		}
	}
	if r := call("a-chosen-root-passphrase", "203.0.113.1"); r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("the right password on the locked account: %d", r.StatusCode)
	}
	if !strings.Contains(stderr.String(), "client=198.51.100.7") {
		t.Errorf("the trusted proxy's X-Forwarded-For was not used: %s", stderr.String())
	}
}
