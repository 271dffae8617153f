package declarative_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/declarative"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

const scimDoc = `
contexts:
  - ref: contoso
    type: tenant
    name: Contoso
    parent: root
groups:
  - context: contoso
    name: Provisioned
connections:
  - id: contoso-entra
    owner: contoso
    kind: oidc
    name: Contoso Entra ID
    oidc: {discoveryUrl: "https://login.microsoftonline.com/t/v2.0", clientId: c}
scimCredentials:
  - tenant: contoso
    name: Entra provisioning
    connection: Contoso Entra ID
    defaultGroups: [Provisioned]
`

// TestApplySCIMCredentials: `sesame apply` creates a tenant's SCIM
// credential and prints its token once; applying again changes nothing;
// other settings for the same name are refused; export round-trips
// without a token.
func TestApplySCIMCredentials(t *testing.T) {
	ctx := context.Background()
	env := sesametest.New(t, "sqlite")
	sum, err := declarative.Apply(ctx, env.Svc, parse(t, scimDoc))
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.SCIMTokens) != 1 || !strings.Contains(sum.String(), "scim credential Entra provisioning") {
		t.Fatalf("summary: %s", sum)
	}
	var token string
	for _, tok := range sum.SCIMTokens {
		token = tok
	}
	if r := env.As("", "").Do("GET", "/scim/v2/Users", nil, "Authorization", "Bearer "+token); r.Status != 200 {
		t.Fatalf("token from apply: %d %s", r.Status, r.Body)
	}
	cs, err := env.Svc.ListSCIMCredentials(ctx, directory.System, "")
	if err != nil || len(cs) != 1 || cs[0].ConnectionID != "contoso-entra" || len(cs[0].DefaultGroups) != 1 {
		t.Fatalf("stored: %+v %v", cs, err)
	}
	sum, err = declarative.Apply(ctx, env.Svc, parse(t, scimDoc))
	if err != nil || len(sum.SCIMTokens) != 0 || sum.Created != 0 {
		t.Fatalf("second apply: %s %v", sum, err)
	}
	if _, err := declarative.Apply(ctx, env.Svc, parse(t, strings.Replace(scimDoc, "    defaultGroups: [Provisioned]\n", "", 1))); err == nil ||
		!strings.Contains(err.Error(), "revoke it") {
		t.Errorf("changed settings: %v", err)
	}
	d, err := declarative.Export(ctx, env.Svc)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := declarative.Write(&buf, d); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); !strings.Contains(out, "scimCredentials:") || strings.Contains(out, token) || !strings.Contains(out, "Provisioned") {
		t.Errorf("export: %s", out)
	}
}
