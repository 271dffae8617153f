package adminapi_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// pngLogo is a small real PNG.
func pngLogo(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestBrandingAPI (issue 13 §10): root saves a tenant's branding with a
// PNG logo; every bad value is a 400 naming its field and changes nothing;
// a save from an older version is a 409; an account context has none; an
// admin of tenant one cannot read or change tenant two's (404).
func TestBrandingAPI(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			ad := w.env.Admin()
			path := "/api/v1/contexts/" + w.t1 + "/branding"
			if v := ad.Must(200, "GET", path, nil).Map(t); v["version"].(float64) != 0 || v["logoUrl"] != nil {
				t.Errorf("before any save: %v", v)
			}
			logo := base64.StdEncoding.EncodeToString(pngLogo(t))
			v := ad.Must(200, "PUT", path, map[string]any{"displayName": "Tenant One Ltd", "accentColor": "#AA3300", "logo": logo, "version": 0}).Map(t)
			if v["version"].(float64) != 1 || v["accentColor"] != "#aa3300" || v["logoType"] != "image/png" ||
				!strings.HasPrefix(v["logoUrl"].(string), "/branding/"+w.t1+"/logo") {
				t.Errorf("saved: %v", v)
			}
			svg := base64.StdEncoding.EncodeToString([]byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`))
			big := base64.StdEncoding.EncodeToString(append(pngLogo(t), make([]byte, 300<<10)...))
			for _, c := range []struct {
				name  string
				body  map[string]any
				field string
			}{
				{"accent", map[string]any{"displayName": "x", "accentColor": "red", "version": 1}, "accentColor"},
				{"svg logo", map[string]any{"displayName": "x", "logo": svg, "version": 1}, "logo"},
				{"oversized logo", map[string]any{"displayName": "x", "logo": big, "version": 1}, "logo"},
				{"name with a line break", map[string]any{"displayName": "a\nb", "version": 1}, "displayName"},
				{"long name", map[string]any{"displayName": strings.Repeat("n", 101), "version": 1}, "displayName"},
			} {
				r := ad.Do("PUT", path, c.body)
				if r.Status != 400 || !strings.Contains(string(r.Body), c.field) {
					t.Errorf("%s: %d %s, want 400 naming %s", c.name, r.Status, r.Body, c.field)
				}
			}
			if r := ad.Do("PUT", path, map[string]any{"displayName": "stale", "version": 0}); r.Status != http.StatusConflict {
				t.Errorf("stale save: %d %s", r.Status, r.Body)
			}
			if v := ad.Must(200, "GET", path, nil).Map(t); v["displayName"] != "Tenant One Ltd" || v["version"].(float64) != 1 {
				t.Errorf("bad saves changed the branding: %v", v)
			}
			if r := ad.Do("PUT", "/api/v1/contexts/"+w.a+"/branding", map[string]any{"displayName": "acct", "version": 0}); r.Status != 400 {
				t.Errorf("branding on an account: %d %s", r.Status, r.Body)
			}
			// Keep the logo, change the name; then remove the logo.
			v = ad.Must(200, "PUT", path, map[string]any{"displayName": "T1", "version": 1}).Map(t)
			if v["logoType"] != "image/png" || v["version"].(float64) != 2 {
				t.Errorf("logo not kept: %v", v)
			}
			v = ad.Must(200, "PUT", path, map[string]any{"displayName": "T1", "removeLogo": true, "version": 2}).Map(t)
			if v["logoUrl"] != nil {
				t.Errorf("logo not removed: %v", v)
			}
			ad.Must(204, "DELETE", path, nil)
			if v := ad.Must(200, "GET", path, nil).Map(t); v["version"].(float64) != 0 {
				t.Errorf("after delete: %v", v)
			}
		})
	}
}
