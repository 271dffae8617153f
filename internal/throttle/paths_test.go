package throttle_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// TestSpoofedForwardedFor: a client that is not a trusted proxy cannot
// pick its source with X-Forwarded-For — its own address is counted and
// locked. From a trusted proxy the header is honoured (each client its
// own budget). Over HTTP Basic on the admin API.
func TestSpoofedForwardedFor(t *testing.T) {
	cfg := throttle.DefaultConfig()
	cfg.Account = throttle.Policy{Free: 100, LockAfter: 1000}
	cfg.Source = throttle.Policy{Free: 100, LockAfter: 5}
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			// No trusted proxy: every request is 127.0.0.1, whatever it claims.
			f := setup(t, backend, cfg, sesametest.Options{})
			for i := 0; i < 5; i++ {
				if r := f.basic(t, fmt.Sprintf("203.0.113.%d", i), fmt.Sprintf("nobody%d", i), "wrong-password-x"); r.Status != http.StatusUnauthorized {
					t.Fatalf("guess %d: %d", i, r.Status)
				}
			}
			r := f.basic(t, "203.0.113.99", "nobody99", "wrong-password-x")
			if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
				t.Fatalf("spoofed X-Forwarded-For escaped the source lock: %d %s", r.Status, r.Body)
			}
			// Behind a trusted proxy the same traffic is six clients.
			g := setup(t, backend, cfg, sesametest.Options{ClientIP: loopback})
			for i := 0; i < 10; i++ {
				if r := g.basic(t, fmt.Sprintf("203.0.113.%d", i), fmt.Sprintf("nobody%d", i), "wrong-password-x"); r.Status != http.StatusUnauthorized {
					t.Fatalf("trusted proxy, client %d: %d", i, r.Status)
				}
			}
		})
	}
}

// TestHasherFull: with every hashing slot taken and the queue full, a
// login is answered 503 with Retry-After at once (API) or a "try again"
// page (browser), instead of queueing without bound.
func TestHasherFull(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, throttle.DefaultConfig(), sesametest.Options{ClientIP: loopback,
				HasherLimits: password.Limits{Concurrency: 1, QueueSize: 1, PerSource: 4, Wait: time.Minute}})
			release, err := f.env.Hasher.Reserve(clientip.With(context.Background(), "192.0.2.1"))
			if err != nil {
				t.Fatal(err)
			}
			queued := make(chan int, 1)
			go func() { queued <- f.basic(t, "192.0.2.2", "carol", pw).Status }()
			for i := 0; f.env.Hasher.Waiting() != 1; i++ {
				if i > 5000 {
					t.Fatal("the first login never queued")
				}
				time.Sleep(time.Millisecond)
			}
			r := f.basic(t, "192.0.2.3", "carol", pw)
			if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
				t.Errorf("queue full, API: %d %q %s", r.Status, r.Header.Get("Retry-After"), r.Body)
			}
			if st, ok, page := f.login(t, "192.0.2.4", "carol", pw); st != http.StatusServiceUnavailable || ok || !strings.Contains(page, "try again") {
				t.Errorf("queue full, browser: %d %v", st, ok)
			}
			release()
			if st := <-queued; st != http.StatusOK {
				t.Errorf("the queued login: %d", st)
			}
		})
	}
}

// TestAuthorizeThrottled: POST /api/v1/authorize checks a caller's
// credentials through the same limiter: after the lock even the right
// password is refused (429), counted against the end user's address.
func TestAuthorizeThrottled(t *testing.T) {
	cfg := throttle.DefaultConfig()
	cfg.Account = throttle.Policy{Free: 100, LockAfter: 3}
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := setup(t, backend, cfg, sesametest.Options{ClientIP: loopback})
			pdp := f.env.MachineClient(t, "portal", map[string]any{"policyDecision": true})
			ask := func(pass string) sesametest.Response {
				return f.env.As("", "").Do("POST", "/api/v1/authorize", map[string]any{"module": "portal", "ip": attacker,
					"credentials": map[string]string{"login": "carol", "password": pass}}, "Authorization", "Bearer "+pdp.Token)
			}
			if r := ask(pw); r.Status != http.StatusOK {
				t.Fatalf("before: %d %s", r.Status, r.Body)
			}
			for i := 0; i < 3; i++ {
				if r := ask("wrong-password-x"); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"allow":false`) {
					t.Fatalf("guess %d: %d %s", i, r.Status, r.Body)
				}
			}
			if r := ask(pw); r.Status != http.StatusTooManyRequests {
				t.Errorf("the right password on a locked account: %d %s", r.Status, r.Body)
			}
			locks := audits(t, f, "login.lock")
			if len(locks) != 1 || locks[0].SourceIP != attacker {
				t.Errorf("lock audit (source = the portal's caller): %+v", locks)
			}
		})
	}
}

// TestClientSecretThrottled: the token endpoint's client authentication
// goes through the limiter: after the lock the right secret is refused
// (invalid_client) without being checked.
func TestClientSecretThrottled(t *testing.T) {
	cfg := throttle.DefaultConfig()
	cfg.Account = throttle.Policy{Free: 100, LockAfter: 3}
	// The token endpoint (RFC 6749 §2.3.1) and introspection (RFC 7662 §2.1)
	// authenticate clients the same way, through the same limiter.
	for _, ep := range []struct{ path, form string }{
		{"/oauth2/token", url.Values{"grant_type": {"client_credentials"}}.Encode()},
		{"/oauth2/introspect", url.Values{"token": {"not-a-token"}}.Encode()},
	} {
		for _, backend := range sesametest.Backends {
			t.Run(ep.path+"/"+backend, func(t *testing.T) {
				f := setup(t, backend, cfg, sesametest.Options{ClientIP: loopback})
				c := f.env.Admin().Must(http.StatusCreated, "POST", "/api/v1/clients", map[string]any{"name": "Batch", "module": "portal", "protocol": "oidc",
					"grantTypes": []string{"client_credentials"}}).Map(t)
				id, secret := c["id"].(string), c["secret"].(string)
				call := func(sec string) int {
					req, _ := http.NewRequest("POST", f.env.Server.URL+ep.path, strings.NewReader(ep.form))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("X-Forwarded-For", attacker)
					req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(sec))
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					defer resp.Body.Close()
					var body map[string]any
					_ = json.NewDecoder(resp.Body).Decode(&body)
					if resp.StatusCode != http.StatusOK && body["error"] != "invalid_client" {
						t.Errorf("error %v", body)
					}
					return resp.StatusCode
				}
				if st := call(secret); st != http.StatusOK {
					t.Fatalf("right secret: %d", st)
				}
				for i := 0; i < 3; i++ {
					if st := call("wrong-secret"); st == http.StatusOK {
						t.Fatalf("wrong secret accepted")
					}
				}
				if st := call(secret); st == http.StatusOK {
					t.Errorf("the right secret after the lock: %d", st)
				}
				if locks := audits(t, f, "login.lock"); len(locks) != 1 || locks[0].TargetType != "client" || locks[0].TargetID != id {
					t.Errorf("lock audit: %+v", locks)
				}
			})
		}
	}
}
