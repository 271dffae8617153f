package declarative_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/declarative"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/samltest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestApplyExportSAMLConnection: `sesame apply` creates a SAML connection
// from inline IdP metadata (SP keys generated, never in the file), applying
// again changes nothing, export → apply into a fresh instance keeps the id
// and settings; a bad metadata document names the entry and the field.
func TestApplyExportSAMLConnection(t *testing.T) {
	ctx := context.Background()
	env := sesametest.New(t, "sqlite")
	idp := samltest.New(t)
	indent := func(s string) string { return "        " + strings.ReplaceAll(s, "\n", "\n        ") }
	doc := `
contexts:
  - ref: acme
    type: tenant
    name: Acme
    parent: root
connections:
  - id: acme-adfs
    owner: acme
    kind: saml
    name: Acme ADFS
    saml:
      idpMetadata: |
` + indent(idp.Metadata()) + `
      allowIdpInitiated: true
      clockSkewSeconds: 60
      binding: post
    mapping: {preset: adfs}
    enforcement: testing
`
	if _, err := declarative.Apply(ctx, env.Svc, parse(t, doc)); err != nil {
		t.Fatal(err)
	}
	c, err := env.Svc.GetConnection(ctx, directory.System, "acme-adfs")
	if err != nil {
		t.Fatal(err)
	}
	if c.Kind != model.ConnectionSAML || !c.SAML.AllowIdPInitiated || c.SAML.ClockSkewSeconds != 60 || c.SAML.Binding != model.SAMLBindingPost ||
		len(c.SAML.SPCertificates) != 1 || c.Mapping.Preset != model.PresetADFS || c.Enforcement != model.EnforcementTesting {
		t.Fatalf("applied %+v", c.SAML)
	}
	sum, err := declarative.Apply(ctx, env.Svc, parse(t, doc))
	if err != nil || sum.Updated != 0 || sum.Created != 0 {
		t.Fatalf("second apply: %+v %v", sum, err)
	}
	d, err := declarative.Export(ctx, env.Svc)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := declarative.Write(&buf, d); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "PRIVATE KEY") || strings.Contains(out, "spCertificates") || !strings.Contains(out, "allowIdpInitiated: true") ||
		!strings.Contains(out, "IDPSSODescriptor") {
		t.Fatalf("export:\n%s", out)
	}
	env2 := sesametest.New(t, "sqlite")
	d2, err := declarative.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := declarative.Apply(ctx, env2.Svc, d2); err != nil {
		t.Fatal(err)
	}
	c2, err := env2.Svc.GetConnection(ctx, directory.System, "acme-adfs")
	if err != nil || c2.SAML.IdPMetadata != c.SAML.IdPMetadata || c2.SAML.Binding != model.SAMLBindingPost ||
		c2.SAML.SPCertificates[0].SHA256 == c.SAML.SPCertificates[0].SHA256 {
		t.Fatalf("imported %+v %v (each instance has its own SP key)", c2.SAML, err)
	}
	bad := strings.Replace(doc, "IDPSSODescriptor", "SPSSODescriptor", -1)
	if _, err := declarative.Apply(ctx, env.Svc, parse(t, bad)); err == nil || !strings.Contains(err.Error(), "connections[0].saml.idpMetadata") {
		t.Fatalf("bad metadata: %v", err)
	}
}
