package adminapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// bearer calls the API with "Authorization: Bearer token".
func bearer(env *sesametest.Env, token string) func(method, path string, body any) sesametest.Response {
	c := env.As("", "")
	return func(method, path string, body any) sesametest.Response {
		env.T.Helper()
		return c.Do(method, path, body, "Authorization", "Bearer "+token)
	}
}

// want401 checks a refused credential: 401, the Basic and Bearer challenge,
// an RFC 9457 problem.
func want401(t *testing.T, what string, r sesametest.Response) {
	t.Helper()
	if r.Status != 401 {
		t.Errorf("%s: status %d, want 401: %s", what, r.Status, r.Body)
		return
	}
	if got := r.Header.Get("WWW-Authenticate"); got != `Basic realm="sesame", Bearer` {
		t.Errorf("%s: WWW-Authenticate %q", what, got)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("%s: content type %q", what, ct)
	}
}

// fakeKey is a well-formed key that was never issued.
const fakeKey = "sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

// TestAPIKeys: an admin or the user creates a key, shown once; it works as
// a Basic password (with the user's login name) and as a bearer token;
// only its hash is stored; it stops working when deleted, expired, or its
// user is deactivated or deleted (R-SSO-6, R-USR-1).
func TestAPIKeys(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			env, ad := w.env, w.env.Admin()

			r := ad.Must(201, "POST", "/api/v1/users/"+w.bob+"/api-keys", map[string]string{"name": "  nightly export  "})
			var created struct {
				ID, UserID, Name, Prefix, Key string
				ExpiresAt                     *time.Time
				Hash                          *string
			}
			r.JSON(t, &created)
			key := created.Key
			if len(key) != 46 || !strings.HasPrefix(key, "sk_") || created.Prefix != key[:11] || created.UserID != w.bob ||
				created.Name != "nightly export" || created.Hash != nil || created.ExpiresAt != nil {
				t.Fatalf("created key: %s", r.Body)
			}
			if r.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("key answer may be cached: %q", r.Header.Get("Cache-Control"))
			}
			// Only the SHA-256 is stored.
			h := sha256.Sum256([]byte(key))
			k, err := env.Store.GetAPIKeyByHash(context.Background(), hex.EncodeToString(h[:]))
			if err != nil || k.ID != created.ID {
				t.Fatalf("stored by hash: %+v %v", k, err)
			}
			list := ad.Must(200, "GET", "/api/v1/users/"+w.bob+"/api-keys", nil)
			if strings.Contains(string(list.Body), key) || strings.Contains(string(list.Body), hex.EncodeToString(h[:])) ||
				!strings.Contains(string(list.Body), created.Prefix) {
				t.Errorf("list shows more or less than metadata: %s", list.Body)
			}

			// The key works as a Basic password and as a bearer token.
			if me := env.As("tenant-one/bob", key).Must(200, "GET", "/api/v1/me", nil).Map(t); me["id"] != w.bob {
				t.Errorf("basic with key: %v", me)
			}
			if me := bearer(env, key)("GET", "/api/v1/me", nil); me.Status != 200 || me.Map(t)["id"] != w.bob {
				t.Errorf("bearer key: %d %s", me.Status, me.Body)
			}
			if r := env.As("TENANT-ONE/BOB", key).Do("GET", "/api/v1/me", nil); r.Status != 200 {
				t.Errorf("login names are case-insensitive: %d", r.Status)
			}
			// The password still works; other logins with bob's key do not.
			env.As("tenant-one/bob", pw).Must(200, "GET", "/api/v1/me", nil)
			want401(t, "alice with bob's key", env.As("tenant-one/alice", key).Do("GET", "/api/v1/me", nil))
			want401(t, "unknown login with bob's key", env.As("nobody", key).Do("GET", "/api/v1/me", nil))
			want401(t, "wrong key", env.As("tenant-one/bob", fakeKey).Do("GET", "/api/v1/me", nil))
			want401(t, "wrong bearer key", bearer(env, fakeKey)("GET", "/api/v1/me", nil))
			want401(t, "truncated key", bearer(env, key[:40])("GET", "/api/v1/me", nil))
			want401(t, "bearer JWT without verifier", bearer(env, "eyJhbGciOiJSUzI1NiJ9.e30.sig")("GET", "/api/v1/me", nil))
			want401(t, "empty bearer", env.As("", "").Do("GET", "/api/v1/me", nil, "Authorization", "Bearer "))
			want401(t, "unknown scheme", env.As("", "").Do("GET", "/api/v1/me", nil, "Authorization", "Digest x"))
			want401(t, "huge bearer", bearer(env, strings.Repeat("x", 9000))("GET", "/api/v1/me", nil))
			r = env.As("", "").Do("GET", "/api/v1/me", nil)
			want401(t, "no credentials", r)
			if !strings.Contains(string(r.Body), "API key") || !strings.Contains(string(r.Body), "Bearer") {
				t.Errorf("401 does not say how to authenticate: %s", r.Body)
			}

			// An expired key is refused (stored directly: the API refuses a
			// past expiry).
			past := time.Now().Add(-time.Minute)
			expired := "sk_" + strings.Repeat("E", 43)
			eh := sha256.Sum256([]byte(expired))
			if _, err := env.Store.CreateAPIKey(context.Background(), model.APIKey{UserID: w.bob, Name: "old", Prefix: expired[:11],
				Hash: hex.EncodeToString(eh[:]), ExpiresAt: &past}); err != nil {
				t.Fatal(err)
			}
			want401(t, "expired key", env.As("tenant-one/bob", expired).Do("GET", "/api/v1/me", nil))
			want401(t, "expired bearer key", bearer(env, expired)("GET", "/api/v1/me", nil))
			future := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
			fk := ad.Must(201, "POST", "/api/v1/users/"+w.bob+"/api-keys", map[string]any{"name": "temp", "expiresAt": future}).Map(t)
			if fk["expiresAt"] != future.Format(time.RFC3339) {
				t.Errorf("expiresAt: %v", fk["expiresAt"])
			}
			bearer(env, fk["key"].(string))("GET", "/api/v1/me", nil)

			// Users manage their own keys, with a password but not with a key.
			bob := env.As("tenant-one/bob", pw)
			own := bob.Must(201, "POST", "/api/v1/me/api-keys", map[string]string{"name": "laptop"}).Map(t)
			bob.Must(201, "POST", "/api/v1/users/"+w.bob+"/api-keys", map[string]string{"name": "via users path"})
			var mine struct{ Items []map[string]any }
			bob.Must(200, "GET", "/api/v1/me/api-keys", nil).JSON(t, &mine)
			if len(mine.Items) != 5 {
				t.Errorf("own keys: %d", len(mine.Items))
			}
			for _, it := range mine.Items {
				if _, ok := it["key"]; ok {
					t.Errorf("list shows a key: %v", it)
				}
			}
			if r := bearer(env, key)("POST", "/api/v1/me/api-keys", map[string]string{"name": "minted"}); r.Status != 403 {
				t.Errorf("an API key minted a key: %d %s", r.Status, r.Body)
			}
			if r := env.As("tenant-one/bob", key).Do("POST", "/api/v1/users/"+w.bob+"/api-keys", map[string]string{"name": "minted"}); r.Status != 403 {
				t.Errorf("an API key minted a key through the users path: %d %s", r.Status, r.Body)
			}
			// Revoking works with the key itself, and at once.
			ownKey := own["key"].(string)
			bearer(env, ownKey)("GET", "/api/v1/me", nil)
			if r := bearer(env, ownKey)("DELETE", "/api/v1/me/api-keys/"+own["id"].(string), nil); r.Status != 204 {
				t.Fatalf("revoke own key: %d %s", r.Status, r.Body)
			}
			want401(t, "revoked key", bearer(env, ownKey)("GET", "/api/v1/me", nil))
			bob.Must(404, "DELETE", "/api/v1/me/api-keys/"+own["id"].(string), nil)

			// Deactivated users' keys stop working and work again after
			// reactivation; deleted users' keys are gone.
			ad.Must(200, "POST", "/api/v1/users/"+w.bob+"/deactivate", nil)
			want401(t, "key of inactive user", env.As("tenant-one/bob", key).Do("GET", "/api/v1/me", nil))
			want401(t, "bearer key of inactive user", bearer(env, key)("GET", "/api/v1/me", nil))
			ad.Must(200, "POST", "/api/v1/users/"+w.bob+"/reactivate", nil)
			bearer(env, key)("GET", "/api/v1/me", nil)
			ad.Must(200, "POST", "/api/v1/users/"+w.bob+"/delete", nil)
			want401(t, "key of deleted user", bearer(env, key)("GET", "/api/v1/me", nil))
			if n, _ := env.Store.ListAPIKeys(context.Background(), w.bob); len(n) != 0 {
				t.Errorf("deleted user keeps %d keys", len(n))
			}
			if r := ad.Do("POST", "/api/v1/users/"+w.bob+"/api-keys", map[string]string{"name": "zombie"}); r.Status != 409 {
				t.Errorf("key for a deleted user: %d %s", r.Status, r.Body)
			}

			// Admins delete keys; the audit log names them, never the key.
			ck := ad.Must(201, "POST", "/api/v1/users/"+w.carol+"/api-keys", map[string]string{"name": "c"}).Map(t)
			ad.Must(204, "DELETE", "/api/v1/users/"+w.carol+"/api-keys/"+ck["id"].(string), nil)
			ad.Must(404, "DELETE", "/api/v1/users/"+w.carol+"/api-keys/"+ck["id"].(string), nil)
			audit := ad.Must(200, "GET", "/api/v1/audit?limit=500", nil)
			for _, secret := range []string{key, ck["key"].(string), ownKey} {
				if strings.Contains(string(audit.Body), secret) {
					t.Error("the audit log holds an API key")
				}
			}
			for _, action := range []string{"user.api_key.create", "user.api_key.delete"} {
				if !strings.Contains(string(audit.Body), action) {
					t.Errorf("no %s in the audit log", action)
				}
			}
		})
	}
}

// TestAPIKeysBadInput: hostile input to the key endpoints is a 4xx naming
// the field; other tenants' users look missing; nothing is written.
func TestAPIKeysBadInput(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			ad, alice := w.env.Admin(), w.env.As("tenant-one/alice", pw)
			dave := ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "dave", "domain": "ENTERPRISE", "contexts": []string{w.a}, "status": "active", "password": pw})
			base := "/api/v1/users/" + dave + "/api-keys"
			cases := []struct {
				name, path string
				body       any
				status     int
				field      string
			}{
				{"bad JSON", base, `{"name":`, 400, "body"},
				{"unknown field", base, `{"name":"x","scopes":["all"]}`, 400, "scopes"},
				{"hash smuggled", base, `{"name":"x","hash":"00"}`, 400, "hash"},
				{"trailing data", base, `{"name":"x"} {"name":"y"}`, 400, "body"},
				{"no name", base, `{}`, 400, "name"},
				{"blank name", base, `{"name":"   "}`, 400, "name"},
				{"long name", base, map[string]string{"name": strings.Repeat("n", 101)}, 400, "name"},
				{"control characters", base, map[string]string{"name": "a\x1b[31mb"}, 400, "name"},
				{"name not a string", base, `{"name":42}`, 400, "name"},
				{"expiry not a time", base, `{"name":"x","expiresAt":"tomorrow"}`, 400, "expiresAt"},
				{"expiry not a string", base, `{"name":"x","expiresAt":1700000000}`, 400, "expiresAt"},
				{"expiry in the past", base, map[string]any{"name": "x", "expiresAt": time.Now().Add(-time.Hour)}, 400, "expiresAt"},
				{"oversized", base, `{"name":"` + strings.Repeat("x", 2<<20) + `"}`, 400, "body"},
				{"another tenant's user", "/api/v1/users/" + w.carol + "/api-keys", map[string]string{"name": "x"}, 404, ""},
				{"same tenant, other account", "/api/v1/users/" + w.bob + "/api-keys", map[string]string{"name": "x"}, 404, ""},
				{"unknown user", "/api/v1/users/00000000-0000-0000-0000-000000000000/api-keys", map[string]string{"name": "x"}, 404, ""},
			}
			for _, c := range cases {
				r := alice.Do("POST", c.path, c.body)
				if r.Status != c.status {
					t.Errorf("%s: status %d, want %d: %s", c.name, r.Status, c.status, r.Body)
					continue
				}
				p := r.Map(t)
				if c.field != "" && p["field"] != c.field {
					t.Errorf("%s: field %v, want %s (%s)", c.name, p["field"], c.field, r.Body)
				}
			}
			if r := alice.Do("POST", "/api/v1/users/"+dave+"/api-keys", `{"name":"x"}`, "Content-Type", "application/x-www-form-urlencoded"); r.Status != 415 {
				t.Errorf("form body: %d", r.Status)
			}
			for _, path := range []string{
				"/api/v1/users/" + w.carol + "/api-keys",
				"/api/v1/users/" + w.bob + "/api-keys",
				"/api/v1/users/" + strings.Repeat("x", 100) + "/api-keys",
			} {
				if r := alice.Do("GET", path, nil); r.Status != 404 {
					t.Errorf("GET %s: %d", path, r.Status)
				}
			}
			for _, path := range []string{
				base + "/no-such-key",
				base + "/" + strings.Repeat("k", 65),
				"/api/v1/me/api-keys/no-such-key",
			} {
				if r := alice.Do("DELETE", path, nil); r.Status != 404 {
					t.Errorf("DELETE %s: %d %s", path, r.Status, r.Body)
				}
			}
			if ks, _ := w.env.Store.ListAPIKeys(context.Background(), dave); len(ks) != 0 {
				t.Fatalf("bad input wrote keys: %+v", ks)
			}
			// The account admin manages keys of her account's users.
			alice.Must(201, "POST", base, map[string]string{"name": "ok"})
			// At most 25 keys per user.
			for i := 1; i < 25; i++ {
				alice.Must(201, "POST", base, map[string]string{"name": fmt.Sprint("k", i)})
			}
			if r := alice.Do("POST", base, map[string]string{"name": "one too many"}); r.Status != 409 {
				t.Errorf("26th key: %d %s", r.Status, r.Body)
			}
		})
	}
}
