package adminapi_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/seal"
	"github.com/sesame-sso/sesame/internal/testutil/samltest"
)

// TestSAMLConnectionsAPI (R-SAML-1): a SAML connection from uploaded
// metadata or a metadata URL; the metadata is parsed when saved (400 naming
// the problem; several IdPs in one file need a pick and the error lists
// them); an SP key pair is generated and sealed; the answer shows the
// entity id, reply URL and sign-on URL; keys rotate with an overlap.
func TestSAMLConnectionsAPI(t *testing.T) {
	w := newWorld(t, "sqlite")
	ad := w.env.Admin()
	w.env.Handler.API.SetIssuer("https://sso.example.com")
	idp := samltest.New(t)
	md := idp.Metadata()
	r := ad.Must(201, "POST", "/api/v1/connections", map[string]any{"tenantId": w.t1, "kind": "saml", "name": "ADFS",
		"saml": map[string]any{"idpMetadata": md}, "mapping": map[string]any{"preset": "adfs"}})
	c := r.Map(t)
	id := c["id"].(string)
	sp := c["samlSp"].(map[string]any)
	if sp["entityId"] != "https://sso.example.com/saml/"+id+"/metadata" || sp["acsUrl"] != "https://sso.example.com/saml/"+id+"/acs" ||
		sp["signOnUrl"] != "https://sso.example.com/saml/"+id+"/init?context="+w.t1 || sp["sloUrl"] != "https://sso.example.com/saml/"+id+"/slo" {
		t.Fatalf("samlSp %v", sp)
	}
	slug, _ := w.env.Svc.Reader().GetContext(context.Background(), w.t1)
	if slug.Slug == "" || sp["marketplaceConsumeUrl"] != "https://sso.example.com/auth/saml/consume/"+slug.Slug {
		t.Fatalf("marketplace URLs %v (slug %q)", sp, slug.Slug)
	}
	s := c["saml"].(map[string]any)
	if certs := s["spCertificates"].([]any); len(certs) != 1 || !strings.Contains(certs[0].(map[string]any)["pem"].(string), "BEGIN CERTIFICATE") ||
		s["allowIdpInitiated"] != false || s["binding"] != "redirect" || c["linkByVerifiedEmail"] != true {
		t.Fatalf("saml %v", s)
	}
	stored, err := w.env.Store.GetConnection(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(stored.SealedSPKeys, []byte(seal.Prefix)) || bytes.Contains(stored.SealedSPKeys, []byte("PRIVATE KEY")) {
		t.Fatalf("SP keys not sealed at rest")
	}
	if strings.Contains(string(r.Body), "PRIVATE KEY") {
		t.Fatal("a private key came back")
	}

	bad := func(name, field, text string, saml map[string]any, mapping map[string]any) {
		t.Helper()
		body := map[string]any{"tenantId": w.t1, "kind": "saml", "name": "Bad", "saml": saml}
		if mapping != nil {
			body["mapping"] = mapping
		}
		r := ad.Do("POST", "/api/v1/connections", body)
		m := r.Map(t)
		if r.Status != 400 || m["field"] != field || !strings.Contains(m["detail"].(string), text) {
			t.Errorf("%s: want 400 naming %s with %q: %d %s", name, field, text, r.Status, r.Body)
		}
	}
	two := `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` + strings.Replace(md, `<?xml version="1.0" encoding="UTF-8"?>`, "", 1) +
		strings.Replace(strings.Replace(md, `<?xml version="1.0" encoding="UTF-8"?>`, "", 1), idp.Srv.URL+"/metadata", "https://other-idp.example/md", 1) + `</EntitiesDescriptor>`
	bad("missing", "saml.idpMetadata", "upload", map[string]any{}, nil)
	bad("not xml", "saml.idpMetadata", "not well formed", map[string]any{"idpMetadata": "hello"}, nil)
	bad("doctype", "saml.idpMetadata", "refused", map[string]any{"idpMetadata": `<!DOCTYPE x [<!ENTITY a "b">]>` + md}, nil)
	bad("no idp", "saml.idpMetadata", "no IDPSSODescriptor", map[string]any{"idpMetadata": `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"></EntityDescriptor>`}, nil)
	bad("two idps", "saml.idpEntityId", "https://other-idp.example/md", map[string]any{"idpMetadata": two}, nil)
	bad("wrong pick", "saml.idpEntityId", "not in the metadata", map[string]any{"idpMetadata": md, "idpEntityId": "https://nope.example"}, nil)
	bad("binding", "saml.binding", "redirect or post", map[string]any{"idpMetadata": md, "binding": "artifact"}, nil)
	bad("skew", "saml.clockSkewSeconds", "180", map[string]any{"idpMetadata": md, "clockSkewSeconds": 600}, nil)
	bad("subject", "mapping.subject", "NameID", map[string]any{"idpMetadata": md}, map[string]any{"subject": "uid"})
	bad("preset", "mapping.preset", "adfs", map[string]any{"idpMetadata": md}, map[string]any{"preset": "keycloak"})
	bad("attr", "mapping.email", "attribute name", map[string]any{"idpMetadata": md}, map[string]any{"email": "bad\nname"})
	// Several IdPs with a pick: accepted.
	ad.Must(201, "POST", "/api/v1/connections", map[string]any{"tenantId": w.t1, "kind": "saml", "name": "Pick",
		"saml": map[string]any{"idpMetadata": two, "idpEntityId": "https://other-idp.example/md"}})

	// A metadata URL is fetched when saved.
	var served atomic.Value // string
	served.Store(md)
	mdSrv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		doc := served.Load().(string)
		if r.URL.Path != "/md" || doc == "" {
			http.NotFound(rw, r)
			return
		}
		_, _ = rw.Write([]byte(doc))
	}))
	defer mdSrv.Close()
	r = ad.Must(201, "POST", "/api/v1/connections", map[string]any{"tenantId": w.t1, "kind": "saml", "name": "By URL",
		"saml": map[string]any{"metadataUrl": mdSrv.URL + "/md"}})
	if s := r.Map(t)["saml"].(map[string]any); s["idpMetadata"] != md {
		t.Fatalf("fetched metadata not stored: %v", s["idpMetadata"])
	}
	bad("url 404", "saml.metadataUrl", "could not be fetched", map[string]any{"metadataUrl": mdSrv.URL + "/gone"}, nil)
	// Refresh now: unchanged, then a new document, then a broken endpoint
	// (400, the stored metadata stays); 409 without a URL.
	byURL := r.Map(t)["id"].(string)
	ad.Must(200, "POST", "/api/v1/connections/"+byURL+"/saml/refresh-metadata", nil)
	rolled := strings.Replace(md, "<NameIDFormat>", "<!-- rolled over --><NameIDFormat>", 1)
	served.Store(rolled)
	if got := ad.Must(200, "POST", "/api/v1/connections/"+byURL+"/saml/refresh-metadata", nil).Map(t); got["version"] != float64(2) ||
		got["saml"].(map[string]any)["idpMetadata"] != rolled {
		t.Fatalf("refreshed: version %v", got["version"])
	}
	served.Store("")
	if r := ad.Do("POST", "/api/v1/connections/"+byURL+"/saml/refresh-metadata", nil); r.Status != 400 || r.Map(t)["field"] != "saml.metadataUrl" {
		t.Fatalf("broken endpoint: %d %s", r.Status, r.Body)
	}
	ad.Must(409, "POST", "/api/v1/connections/"+id+"/saml/refresh-metadata", nil)

	// Rotation with an overlap, then retiring the previous key.
	first := c["saml"].(map[string]any)["spCertificates"].([]any)[0].(map[string]any)["sha256"]
	r = ad.Must(200, "POST", "/api/v1/connections/"+id+"/saml/rotate-key", nil)
	certs := r.Map(t)["saml"].(map[string]any)["spCertificates"].([]any)
	if len(certs) != 2 || certs[1].(map[string]any)["sha256"] != first || certs[0].(map[string]any)["sha256"] == first {
		t.Fatalf("after rotation: %v", certs)
	}
	r = ad.Must(200, "POST", "/api/v1/connections/"+id+"/saml/retire-key", nil)
	if certs := r.Map(t)["saml"].(map[string]any)["spCertificates"].([]any); len(certs) != 1 || certs[0].(map[string]any)["sha256"] == first {
		t.Fatalf("after retiring: %v", certs)
	}
	ad.Must(409, "POST", "/api/v1/connections/"+id+"/saml/retire-key", nil)
	oidc := ad.ID("POST", "/api/v1/connections", oidcConnection(w.t1, "OIDC"))
	ad.Must(409, "POST", "/api/v1/connections/"+oidc+"/saml/rotate-key", nil)
	// Audited without key material.
	evs, _, err := w.env.Svc.ListAudit(context.Background(), directory.System, model.AuditFilter{Action: "connection.saml_key_rotate", Page: model.Page{Limit: 10}})
	if err != nil || len(evs) != 1 {
		t.Fatalf("audit: %v %v", evs, err)
	}
}
