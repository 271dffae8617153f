package adminapi_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestMyContexts: a partner lists the contexts they may act in — their
// own, and the customers below their accounts — searchable by name and
// number and paged (R-SSO-5, R-PRT-1); SwitchContext agrees with the list.
func TestMyContexts(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			env := sesametest.New(t, backend)
			ad := env.Admin()
			mk := func(typ, name, number, parent string) string {
				return ad.ID("POST", "/api/v1/contexts", map[string]any{"type": typ, "name": name, "number": number, "parentId": parent})
			}
			tenant := mk("tenant", "Partners Inc", "", env.RootID)
			partner := mk("account", "Partner", "P-1", tenant)
			sub := mk("account", "Partner Sub", "P-1-S", partner)
			x1 := mk("customer", "Xylo One", "CUS-1", partner)
			x2 := mk("customer", "xylo Two", "CUS-2", partner)
			x3 := mk("customer", "Xylo Three", "CUS-3", sub)
			other := mk("account", "Other", "O-1", tenant)
			y := mk("customer", "Yonder", "CUS-9", other)
			uid := ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "pat", "domain": "ENTERPRISE", "contexts": []string{partner, x1}, "status": "active", "password": pw})
			pat := env.As("partners-inc/pat", pw)

			names := func(path string) ([]string, bool) {
				var l struct {
					Items   []struct{ ID, Name, Type string }
					HasMore bool
				}
				pat.Must(200, "GET", path, nil).JSON(t, &l)
				var out []string
				for _, it := range l.Items {
					out = append(out, it.Name)
				}
				return out, l.HasMore
			}
			all, more := names("/api/v1/me/contexts")
			if fmt.Sprint(all) != "[Partner Xylo One Xylo Three xylo Two]" || more {
				t.Errorf("contexts: %v more=%v", all, more)
			}
			for q, want := range map[string]string{
				"cus-1":   "[Xylo One]",
				"XYLO":    "[Xylo One Xylo Three xylo Two]",
				"p-1":     "[Partner]",
				"partner": "[Partner]",
				"yonder":  "[]",
				"other":   "[]",
				"%":       "[]",
				"_":       "[]",
			} {
				got, _ := names("/api/v1/me/contexts?q=" + url.QueryEscape(q))
				if fmt.Sprint(got) != want && !(want == "[]" && got == nil) {
					t.Errorf("q=%s: %v, want %s", q, got, want)
				}
			}
			var paged []string
			for off := 0; off < 4; off++ {
				got, more := names(fmt.Sprintf("/api/v1/me/contexts?limit=1&offset=%d", off))
				if len(got) != 1 || more != (off < 3) {
					t.Errorf("page %d: %v more=%v", off, got, more)
				}
				paged = append(paged, got...)
			}
			if fmt.Sprint(paged) != fmt.Sprint(all) {
				t.Errorf("pages %v != list %v", paged, all)
			}
			if got, more := names("/api/v1/me/contexts?limit=2&offset=1"); fmt.Sprint(got) != "[Xylo One Xylo Three]" || !more {
				t.Errorf("offset 1: %v %v", got, more)
			}
			if got, more := names("/api/v1/me/contexts?offset=10"); len(got) != 0 || more {
				t.Errorf("past the end: %v %v", got, more)
			}
			for _, bad := range []string{"limit=-1", "limit=501", "offset=x", "q=" + strings.Repeat("q", 201)} {
				if r := pat.Do("GET", "/api/v1/me/contexts?"+bad, nil); r.Status != 400 {
					t.Errorf("%s: %d", bad, r.Status)
				}
			}
			// An account admin-free user still sees only their own side.
			if got, _ := names("/api/v1/me/contexts?limit=500"); strings.Contains(fmt.Sprint(got), "Yonder") || strings.Contains(fmt.Sprint(got), "Other") {
				t.Errorf("partner sees another account: %v", got)
			}

			u, err := env.Store.GetUser(context.Background(), uid)
			if err != nil {
				t.Fatal(err)
			}
			for id, want := range map[string]bool{partner: true, sub: false, x1: true, x2: true, x3: true, other: false, y: false, tenant: false, env.RootID: false, "no-such": false, "": false} {
				if ok, err := env.Svc.Rights().CanActIn(context.Background(), u, id); err != nil || ok != want {
					t.Errorf("SwitchContext(%s) = %v, %v; want %v", id, ok, err, want)
				}
			}
			ad.Must(200, "POST", "/api/v1/users/"+uid+"/deactivate", nil)
			u, _ = env.Store.GetUser(context.Background(), uid)
			if ok, _ := env.Svc.Rights().CanActIn(context.Background(), u, partner); ok {
				t.Error("an inactive user may switch context")
			}
		})
	}
}

// TestMyRights: the caller's own effective rights, by default in the
// default context; contexts the caller may not act in look missing.
func TestMyRights(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newAPIWorld(t, backend)
			api := w.env.As("t/api", pw)
			var res struct {
				UserID, ContextID, Module string
				Rights                    []struct {
					Module, Name, Value string
					Assigned            bool
				}
			}
			api.Must(200, "GET", "/api/v1/me/rights", nil).JSON(t, &res)
			if res.UserID != w.api || res.ContextID != w.acct || res.Module != "" {
				t.Errorf("defaults: %+v", res)
			}
			mods := map[string]bool{}
			for _, r := range res.Rights {
				mods[r.Module] = true
			}
			if !mods["portal"] || !mods["cas"] {
				t.Errorf("every module by default, got %v", mods)
			}
			api.Must(200, "GET", "/api/v1/me/rights?module=portal&contextId="+w.acct, nil).JSON(t, &res)
			found := false
			for _, r := range res.Rights {
				if r.Module != "portal" {
					t.Fatalf("module filter ignored: %+v", r)
				}
				if r.Name == "API IP Allow" {
					found = r.Assigned && r.Value == "203.0.113.0/24, 2001:db8:1::/48"
				}
			}
			if !found {
				t.Errorf("API IP Allow missing from own rights")
			}
			// A partner's customer context is allowed (and has nothing).
			api.Must(200, "GET", "/api/v1/me/rights?module=portal&contextId="+w.shop, nil)
			// The API key works too.
			if r := bearer(w.env, w.apiKey)("GET", "/api/v1/me/rights?module=portal", nil); r.Status != 200 {
				t.Errorf("own rights with a key: %d", r.Status)
			}
			for _, c := range []struct {
				q      string
				status int
				field  string
			}{
				{"contextId=" + w.other, 404, ""},
				{"contextId=" + w.env.RootID, 404, ""},
				{"contextId=no-such-context", 404, ""},
				{"module=zzz", 400, "module"},
				{"contextId=" + strings.Repeat("c", 201), 400, "contextId"},
				{"module=" + url.QueryEscape("a\x00b"), 400, "module"},
			} {
				r := api.Do("GET", "/api/v1/me/rights?"+c.q, nil)
				if r.Status != c.status {
					t.Errorf("%s: %d, want %d: %s", c.q, r.Status, c.status, r.Body)
					continue
				}
				if c.field != "" && r.Map(t)["field"] != c.field {
					t.Errorf("%s: %s", c.q, r.Body)
				}
			}
		})
	}
}
