package adminapi_test

import (
	"net/http"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestClientView: a client reads back as it was given: lifetimes in
// seconds, lists as arrays (never null), the secret only at creation.
func TestClientView(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			env := sesametest.New(t, backend)
			ad := env.Admin()
			created := ad.Must(http.StatusCreated, "POST", "/api/v1/clients", map[string]any{"name": "Batch", "module": "portal", "protocol": "oidc",
				"grantTypes": []string{"client_credentials"}, "accessTtlSeconds": 300, "refreshTtlSeconds": 3600}).Map(t)
			if created["accessTtlSeconds"] != float64(300) || created["refreshTtlSeconds"] != float64(3600) || created["secret"] == nil {
				t.Fatalf("created: %v", created)
			}
			got := ad.Must(http.StatusOK, "GET", "/api/v1/clients/"+created["id"].(string), nil).Map(t)
			if got["accessTtlSeconds"] != float64(300) || got["secret"] != nil || got["secretHash"] != nil {
				t.Errorf("read back: %v", got)
			}
			if ru, ok := got["redirectUris"].([]any); !ok || len(ru) != 0 {
				t.Errorf("redirectUris: %#v", got["redirectUris"])
			}
			list := ad.Must(http.StatusOK, "GET", "/api/v1/clients", nil).Map(t)
			if items, _ := list["items"].([]any); len(items) != 1 || items[0].(map[string]any)["accessTtlSeconds"] != float64(300) {
				t.Errorf("list: %v", list)
			}
		})
	}
}

// TestPlainHTTPOnlyForLoopbackOrDevelopment: plain-http redirect URIs,
// service patterns and web origins are refused for other hosts than
// loopback ones (RFC 8252 §8.3; an http redirect hands the code or ticket
// to anyone on the path), unless the client is marked as a development
// client; web origins must be bare origins.
func TestPlainHTTPOnlyForLoopbackOrDevelopment(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			env := sesametest.New(t, backend)
			ad := env.Admin()
			oidc := func(dev bool, ru []string, origins []string) map[string]any {
				return map[string]any{"name": "SPA", "module": "portal", "protocol": "oidc", "public": true,
					"grantTypes": []string{"authorization_code"}, "redirectUris": ru, "webOrigins": origins, "development": dev}
			}
			cas := func(dev bool, p string) map[string]any {
				return map[string]any{"name": "Old app", "module": "portal", "protocol": "cas", "servicePatterns": []string{p}, "development": dev}
			}
			for name, body := range map[string]map[string]any{
				"http redirect URI":              oidc(false, []string{"http://evil.example.com/cb"}, nil),
				"http redirect URI, IP":          oidc(false, []string{"http://10.0.0.1/cb"}, nil),
				"http redirect URI, localhost.x": oidc(false, []string{"http://localhost.evil.example.com/cb"}, nil),
				"http service pattern":           cas(false, "http://evil.example.com/app/*"),
				"http logout URL": {"name": "Old app", "module": "portal", "protocol": "cas",
					"servicePatterns": []string{"https://app.example.com/*"}, "logoutUrl": "http://app.example.com/slo"},
				"http web origin":       oidc(false, []string{"https://spa.example.com/cb"}, []string{"http://spa.example.com"}),
				"origin with a path":    oidc(false, []string{"https://spa.example.com/cb"}, []string{"https://spa.example.com/app"}),
				"origin with a slash":   oidc(false, []string{"https://spa.example.com/cb"}, []string{"https://spa.example.com/"}),
				"origin with a query":   oidc(false, []string{"https://spa.example.com/cb"}, []string{"https://spa.example.com?x=1"}),
				"origin with user info": oidc(false, []string{"https://spa.example.com/cb"}, []string{"https://u@spa.example.com"}),
				"origin wildcard":       oidc(false, []string{"https://spa.example.com/cb"}, []string{"*"}),
				"origin null":           oidc(false, []string{"https://spa.example.com/cb"}, []string{"null"}),
				"origin ftp":            oidc(false, []string{"https://spa.example.com/cb"}, []string{"ftp://spa.example.com"}),
			} {
				if r := ad.Do("POST", "/api/v1/clients", body); r.Status != http.StatusBadRequest {
					t.Errorf("%s: status %d: %s", name, r.Status, r.Body)
				}
			}
			for name, body := range map[string]map[string]any{
				"loopback redirect URIs":       oidc(false, []string{"http://127.0.0.1:8080/cb", "http://[::1]:8080/cb", "http://localhost:3000/cb"}, []string{"http://localhost:3000", "https://spa.example.com:8443"}),
				"development http redirect":    oidc(true, []string{"http://dev.example.com/cb"}, []string{"http://dev.example.com"}),
				"loopback http service":        cas(false, "http://127.0.0.1:8080/app/*"),
				"development http service":     cas(true, "http://dev.example.com/app/*"),
				"https everything, no origins": oidc(false, []string{"https://spa.example.com/cb"}, nil),
			} {
				ad.Must(http.StatusCreated, "POST", "/api/v1/clients", body)
				_ = name
			}
			// Clearing the development flag of a client with an http URI is
			// refused as well.
			id := ad.ID("POST", "/api/v1/clients", cas(true, "http://dev2.example.com/*"))
			if r := ad.Do("PATCH", "/api/v1/clients/"+id, map[string]any{"development": false}); r.Status != http.StatusBadRequest {
				t.Errorf("PATCH development=false with an http pattern: %d %s", r.Status, r.Body)
			}
		})
	}
}
