package console_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/connector/saml"
	"github.com/sesame-sso/sesame/internal/testutil/samltest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// multipart posts v and, when file is not empty, file as the
// metadataFile upload (what the SAML forms send).
func (b *browser) multipart(path string, v url.Values, file string) page {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range v {
		for _, x := range vs {
			_ = mw.WriteField(k, x)
		}
	}
	if file != "" {
		fw, err := mw.CreateFormFile("metadataFile", "idp-metadata.xml")
		if err != nil {
			b.t.Fatal(err)
		}
		_, _ = io.WriteString(fw, file)
	}
	_ = mw.Close()
	req, err := http.NewRequest("POST", b.base+path, &buf)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, body: string(raw), url: resp.Request.URL, header: resp.Header}
}

// connectionCount is how many connections the admin API lists.
func connectionCount(t *testing.T, env *sesametest.Env) int {
	var l struct{ Items []struct{ ID string } }
	env.Admin().Must(200, "GET", "/api/v1/connections", nil).JSON(t, &l)
	return len(l.Items)
}

// TestSAMLConnection adds a SAML connection through the console as root:
// bad metadata is named next to its field and stores nothing; metadata
// with two IdPs asks to pick one of their entity ids; crewjam IdP
// metadata uploaded as a file makes the connection, whose page shows
// the values to give the IdP's administrator; the SP key rotates and
// retires; an edit without new metadata keeps it; seed 003's steps work
// on it; an account admin of another tenant gets not found.
func TestSAMLConnection(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			idp, other := samltest.New(t), samltest.New(t)
			b := newBrowser(t, w.env)
			b.login("admin", sesametest.AdminPassword, "/console/connections")
			form := func() url.Values {
				return b.form("/console/connections", url.Values{"samlTenant": {"Tenant One"}, "samlName": {"Corp ADFS"}, "samlPreset": {"adfs"},
					"binding": {"post"}, "allowIdpInitiated": {"1"}})
			}

			p := b.multipart("/console/connections/saml", form(), "<EntityDescriptor>not closed")
			if p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="e-f-idpMetadata"`) || !strings.Contains(p.body, "IdP metadata refused") {
				t.Fatalf("bad metadata: %d\n%s", p.status, p.body[strings.Index(p.body, "<main"):])
			}
			if n := connectionCount(t, w.env); n != 0 {
				t.Fatalf("bad metadata stored %d connections", n)
			}
			if p := b.multipart("/console/connections/saml", form(), strings.Repeat(" ", 1<<20+1)); p.status != http.StatusBadRequest ||
				!strings.Contains(p.body, "larger than 1 MiB") {
				t.Errorf("metadata file over 1 MiB: %d", p.status)
			}
			if p := b.multipart("/console/connections/saml", form(), strings.Repeat(" ", 2<<20)); p.status != http.StatusRequestEntityTooLarge {
				t.Errorf("form over the limit: %d", p.status)
			}
			p = b.multipart("/console/connections/saml", url.Values{"samlTenant": {"Tenant One"}, "samlName": {"x"}, "csrf": {field(t, csrfRE, b.get("/console/connections"))}}, "")
			if p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="e-f-idpMetadata"`) {
				t.Errorf("no metadata: %d\n%.3000s", p.status, p.body)
			}

			// Two IdPs in one document: pick one.
			both := `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` + idp.Metadata() + other.Metadata() + `</EntitiesDescriptor>`
			v := form()
			v.Set("idpMetadata", both)
			p = b.multipart("/console/connections/saml", v, "")
			entity := idp.IdP.MetadataURL.String()
			if p.status != http.StatusBadRequest || !strings.Contains(p.body, `<select id="f-idpEntityId"`) ||
				!strings.Contains(p.body, `<option value="`+entity+`">`) || !strings.Contains(p.body, other.IdP.MetadataURL.String()) {
				t.Fatalf("two IdPs: %d\n%.4000s", p.status, p.body)
			}
			if n := connectionCount(t, w.env); n != 0 {
				t.Fatalf("two IdPs stored %d connections", n)
			}
			v.Set("idpEntityId", entity)
			p = b.multipart("/console/connections/saml", v, "")
			if p.status != 200 || !strings.HasPrefix(p.url.Path, "/console/connections/") {
				t.Fatalf("picked IdP: %d at %s\n%.3000s", p.status, p.url, p.body)
			}
			if !strings.Contains(p.body, `value="`+entity+`"`) {
				t.Errorf("the picked entity id is not in the edit form")
			}

			// The IdP's metadata uploaded as a file.
			upload := form()
			p = b.multipart("/console/connections/saml", upload, idp.Metadata())
			if p.status != 200 || !strings.HasPrefix(p.url.Path, "/console/connections/") {
				t.Fatalf("create: %d at %s\n%.3000s", p.status, p.url, p.body)
			}
			path := p.url.Path
			// A double submit (same form nonce) lands on the same connection.
			if again := b.multipart("/console/connections/saml", upload, idp.Metadata()); again.url.Path != path || connectionCount(t, w.env) != 2 {
				t.Errorf("double submit: at %s, %d connections", again.url.Path, connectionCount(t, w.env))
			}
			id := strings.TrimPrefix(path, "/console/connections/")
			iss := w.env.Server.URL
			for name, want := range map[string]string{"sp-entity-id": saml.EntityID(iss, id), "sp-acs-url": saml.ACSURL(iss, id),
				"sp-sign-on-url": saml.InitURL(iss, id) + "?context=" + w.t1, "sp-metadata-url": saml.MetadataURL(iss, id),
				"sp-marketplace-init": saml.InitAliasURL(iss, "one"), "sp-marketplace-consume": saml.ConsumeAliasURL(iss, "one")} {
				if !strings.Contains(p.body, `id="`+name+`">`+want+`<`) {
					t.Errorf("%s is not %s:\n%.4000s", name, want, p.body)
				}
			}
			if !strings.Contains(p.body, `id="f-allowIdpInitiated" checked`) || !strings.Contains(p.body, `<option value="adfs" selected>`) ||
				!strings.Contains(p.body, `<option value="post" selected>`) {
				t.Errorf("stored settings not shown:\n%.6000s", p.body)
			}
			certs := regexp.MustCompile(`<td><code>[0-9a-f]{64}</code>`)
			if n := len(certs.FindAllString(p.body, -1)); n != 1 || strings.Contains(p.body, `id="retire-key"`) || strings.Contains(p.body, `id="refresh-metadata"`) {
				t.Errorf("new connection: %d certificates\n%.6000s", n, p.body)
			}
			p = b.do("POST", path+"/saml/rotate-key", b.form(path, url.Values{}))
			if n := len(certs.FindAllString(p.body, -1)); p.status != 200 || n != 2 || !strings.Contains(p.body, `id="retire-key"`) {
				t.Errorf("rotate: %d, %d certificates", p.status, n)
			}
			p = b.do("POST", path+"/saml/retire-key", b.form(path, url.Values{}))
			if n := len(certs.FindAllString(p.body, -1)); p.status != 200 || n != 1 {
				t.Errorf("retire: %d, %d certificates", p.status, n)
			}
			if p := b.do("POST", path+"/saml/retire-key", b.form(path, url.Values{})); p.status != http.StatusBadRequest || !strings.Contains(p.body, "no previous SP key") {
				t.Errorf("retire again: %d\n%.3000s", p.status, p.body)
			}
			if p := b.do("POST", path+"/saml/refresh-metadata", b.form(path, url.Values{})); p.status != http.StatusBadRequest || !strings.Contains(p.body, "no IdP metadata URL") {
				t.Errorf("refresh without a URL: %d\n%.3000s", p.status, p.body)
			}

			// Edit: new attribute name, no new metadata (kept); bad XML is refused.
			version := regexp.MustCompile(`name="version" value="([0-9]+)"`)
			edit := func(v url.Values) page {
				v = b.form(path, v)
				v.Set("version", field(t, version, b.get(path)))
				return b.multipart(path+"/saml", v, "")
			}
			if p := edit(url.Values{"attrEmail": {"urn:mail"}, "binding": {"redirect"}, "signRequests": {"1"}}); p.status != 200 ||
				!strings.Contains(p.body, `id="f-attrEmail" name="attrEmail" value="urn:mail"`) || !strings.Contains(p.body, `id="f-signRequests" checked`) {
				t.Fatalf("edit: %d\n%.6000s", p.status, p.body)
			}
			var c struct {
				SAML    struct{ IdPMetadata string }
				Mapping struct{ Email string }
			}
			w.env.Admin().Must(200, "GET", "/api/v1/connections/"+id, nil).JSON(t, &c)
			if !strings.Contains(c.SAML.IdPMetadata, `entityID="`+entity+`"`) || c.Mapping.Email != "urn:mail" {
				t.Errorf("after the edit: mapping email %q, metadata %.200q", c.Mapping.Email, c.SAML.IdPMetadata)
			}
			if p := edit(url.Values{"idpMetadata": {"<nope"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="e-f-idpMetadata"`) {
				t.Errorf("bad metadata edit: %d\n%.3000s", p.status, p.body)
			}

			// Seed 003 step 2 on a SAML connection.
			f := b.form(path, url.Values{"step": {"1"}, "stage": {"1"}})
			f.Set("version", field(t, version, b.get(path)))
			if p := b.do("POST", path, f); !strings.Contains(p.body, `id="connection-stage">testing`) {
				t.Errorf("start testing: %d\n%.3000s", p.status, p.body)
			}

			// carol administers an account of Tenant Two.
			w.env.Admin().Must(204, "POST", "/api/v1/groups/"+w.groupC+"/members", map[string]string{"userId": w.carol})
			a := newBrowser(t, w.env)
			a.login("two/carol", pw, "/console/users")
			if p := a.get(path); p.status != http.StatusNotFound {
				t.Errorf("another tenant's admin opens the connection: %d", p.status)
			}
			if p := a.do("POST", path+"/saml/rotate-key", a.form("/console/connections", url.Values{})); p.status != http.StatusNotFound {
				t.Errorf("another tenant's admin rotates the key: %d", p.status)
			}
		})
	}
}
