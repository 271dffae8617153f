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
