package declarative_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/declarative"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

const connectionsDoc = `
contexts:
  - ref: acme
    type: tenant
    name: Acme
    parent: root
connections:
  - id: acme-entra
    owner: acme
    kind: oidc
    name: Acme Entra ID
    oidc:
      discoveryUrl: https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0
      clientId: 6731de76-14a6-49ae-97bc-6eba6914391e
      scopes: [openid, email, profile]
      refreshRoles: true
    clientSecretEnv: TEST_ACME_ENTRA_SECRET
    mapping:
      preset: entra
      require: {tid: [72f988bf-86f1-41af-91ab-2d7cd011db47]}
      contextRoles: {claim: accounts, separator: ":"}
      accountKey: number
    linkByVerifiedEmail: true
    domains:
      - {domain: acme.example, verified: true}
    profileUrl: https://myaccount.microsoft.com/
    passwordUrl: https://mysignins.microsoft.com/security-info/password/change
    enforcement: active
  - owner: root
    kind: oauth2
    name: GitHub
    oidc:
      authorizeUrl: https://github.com/login/oauth/authorize
      tokenUrl: https://github.com/login/oauth/access_token
      userinfoUrl: https://api.github.com/user
      clientId: Iv1.0123456789abcdef
    mapping: {subject: id, firstName: name, noEmailVerified: true}
`

const entraSecret = "entra-client-secret-value-42"

// TestApplyExportConnections: `sesame apply` creates connections with the
// secret from the environment (sealed, never exported), applying again
// changes nothing, export → apply round-trips with ids kept.
func TestApplyExportConnections(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			env := sesametest.New(t, backend)
			t.Setenv("TEST_ACME_ENTRA_SECRET", entraSecret)
			sum, err := declarative.Apply(ctx, env.Svc, parse(t, connectionsDoc))
			if err != nil {
				t.Fatal(err)
			}
			if sum.Created != 3 || len(sum.Warnings) != 0 {
				t.Fatalf("summary %+v", sum)
			}
			c, err := env.Svc.GetConnection(ctx, directory.System, "acme-entra")
			if err != nil {
				t.Fatal(err)
			}
			if !c.HasClientSecret || !c.Enabled || !c.OIDC.RefreshRoles || c.Mapping.ContextRoles == nil || c.Mapping.Require["tid"] == nil ||
				len(c.Domains) != 1 || !c.Domains[0].Verified || c.PasswordURL == "" || c.Enforcement != model.EnforcementActive {
				t.Fatalf("applied connection %+v", c)
			}
			if sec, err := env.Svc.ConnectionSecret(c); err != nil || sec != entraSecret {
				t.Fatalf("secret %q, %v", sec, err)
			}
			// Again: nothing changes (no version bump).
			sum, err = declarative.Apply(ctx, env.Svc, parse(t, strings.ReplaceAll(connectionsDoc, "    clientSecretEnv: TEST_ACME_ENTRA_SECRET\n", "")))
			if err != nil {
				t.Fatal(err)
			}
			if sum.Created != 0 || sum.Updated != 0 {
				t.Fatalf("second apply: %+v", sum)
			}
			if c2, _ := env.Svc.GetConnection(ctx, directory.System, "acme-entra"); c2.Version != 1 {
				t.Fatalf("version %d after an idempotent apply", c2.Version)
			}
			// Export: ids kept, no secret.
			d, err := declarative.Export(ctx, env.Svc)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := declarative.Write(&buf, d); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if strings.Contains(out, entraSecret) || strings.Contains(out, "sesame-sealed") || strings.Contains(out, "clientSecret") {
				t.Fatalf("export holds a secret:\n%s", out)
			}
			if !strings.Contains(out, "id: acme-entra") || !strings.Contains(out, "refreshRoles: true") || !strings.Contains(out, "separator: ':'") ||
				!strings.Contains(out, "enforcement: active") || strings.Count(out, "enforcement:") != 1 {
				t.Fatalf("export lacks the connection:\n%s", out)
			}
			// Into a fresh instance: same ids, same settings; the secret
			// comes from the environment again.
			env2 := sesametest.New(t, backend)
			d2, err := declarative.Parse(strings.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := declarative.Apply(ctx, env2.Svc, d2); err != nil {
				t.Fatal(err)
			}
			c3, err := env2.Svc.GetConnection(ctx, directory.System, "acme-entra")
			if err != nil {
				t.Fatal(err)
			}
			if c3.HasClientSecret || c3.Name != c.Name || c3.Mapping.Preset != model.PresetEntra || !c3.Domains[0].Verified || c3.Enforcement != model.EnforcementActive {
				t.Fatalf("imported %+v", c3)
			}
			// A bad entry names itself and the field.
			if _, err := declarative.Apply(ctx, env.Svc, parse(t, strings.Replace(connectionsDoc, "enforcement: active", "enforcement: always", 1))); err == nil ||
				!strings.Contains(err.Error(), "connections[0].enforcement") {
				t.Fatalf("bad enforcement: %v", err)
			}
			bad := strings.Replace(connectionsDoc, "clientId: Iv1.0123456789abcdef", "clientId: ''", 1)
			if _, err := declarative.Apply(ctx, env.Svc, parse(t, bad)); err == nil || !strings.Contains(err.Error(), "connections[1].oidc.clientId") {
				t.Fatalf("bad entry: %v", err)
			}
		})
	}
}
