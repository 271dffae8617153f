package scim_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// world is a running Sesame with a tenant and its SCIM token.
type world struct {
	t      testing.TB
	env    *sesametest.Env
	tenant string
	token  string
	credID string
}

func newWorld(t *testing.T, backend string) *world {
	env := sesametest.New(t, backend)
	w := &world{t: t, env: env}
	w.tenant, w.credID, w.token = w.newTenant("Contoso")
	return w
}

// newTenant creates a tenant and a SCIM credential for it.
func (w *world) newTenant(name string) (tenant, credID, token string) {
	ad := w.env.Admin()
	tenant = ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "tenant", "name": name, "parentId": w.env.RootID})
	r := ad.Must(201, "POST", "/api/v1/scim-credentials", map[string]any{"tenantId": tenant, "name": name + " Entra provisioning"})
	var c struct{ ID, Token string }
	r.JSON(w.t, &c)
	return tenant, c.ID, c.Token
}

// scim sends a SCIM request with a token.
func (w *world) scim(token, method, path string, body any, hdr ...string) sesametest.Response {
	w.t.Helper()
	return w.env.As("", "").Do(method, "/scim/v2"+path, body, append([]string{"Authorization", "Bearer " + token, "Content-Type", "application/scim+json"}, hdr...)...)
}

// do sends a request with the world's token and checks the status.
func (w *world) do(want int, method, path string, body any, hdr ...string) map[string]any {
	w.t.Helper()
	r := w.scim(w.token, method, path, body, hdr...)
	if r.Status != want {
		w.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	if len(r.Body) == 0 {
		return nil
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") {
		w.t.Errorf("%s %s: content type %q", method, path, ct)
	}
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		w.t.Fatalf("%s %s: %v: %s", method, path, err, r.Body)
	}
	return m
}

// scimError checks a SCIM error answer.
func scimError(t *testing.T, r sesametest.Response, status int, scimType, detailHas string) {
	t.Helper()
	var e struct {
		Schemas  []string
		Status   string
		ScimType string
		Detail   string
	}
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("not a SCIM error: %d %s", r.Status, r.Body)
	}
	if r.Status != status || e.Status != fmt.Sprint(status) || e.ScimType != scimType || !strings.Contains(e.Detail, detailHas) ||
		len(e.Schemas) != 1 || e.Schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
		t.Errorf("got %d %s, want %d %s containing %q", r.Status, r.Body, status, scimType, detailHas)
	}
}

func total(t *testing.T, m map[string]any) int {
	t.Helper()
	n, ok := m["totalResults"].(float64)
	if !ok {
		t.Fatalf("no totalResults in %v", m)
	}
	return int(n)
}

func first(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	rs, _ := m["Resources"].([]any)
	if len(rs) == 0 {
		t.Fatalf("no resources in %v", m)
	}
	return rs[0].(map[string]any)
}

func query(f string) string { return url.QueryEscape(f) }

func op(o, path string, value any) map[string]any {
	m := map[string]any{"op": o, "value": value}
	if path != "" {
		m["path"] = path
	}
	return m
}

func patch(ops ...map[string]any) map[string]any {
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": ops}
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

func decodeJSON(resp *http.Response, v any) {
	defer resp.Body.Close()
	_ = json.NewDecoder(resp.Body).Decode(v)
}

func containsTotal1(body string) bool { return strings.Contains(body, `"totalResults":1`) }
