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

const marketplaceDoc = `
contexts:
  - ref: vagalam
    type: tenant
    name: Vagalam
    parent: root
connections:
  - id: vagalam-sso
    owner: vagalam
    kind: oidc
    name: Vagalam marketplace
    oidc:
      discoveryUrl: https://idp.vagalam.example
      clientId: sesame
    mapping:
      subject: uid
      email: virtual_email
      organisation: {uid: group_uid, name: group_name, role: group_role}
      marketplace: true
`

// TestApplyExportMarketplace (R-SAML-7): the organisation claims and the
// marketplace mark of a connection apply, apply again without a change,
// export and import into a fresh instance; a mapping without the uid
// claim is refused naming the entry and the field.
func TestApplyExportMarketplace(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			env := sesametest.New(t, backend)
			if _, err := declarative.Apply(ctx, env.Svc, parse(t, marketplaceDoc)); err != nil {
				t.Fatal(err)
			}
			want := model.OrganisationMapping{UID: "group_uid", Name: "group_name", Role: "group_role"}
			c, err := env.Svc.GetConnection(ctx, directory.System, "vagalam-sso")
			if err != nil {
				t.Fatal(err)
			}
			if c.Mapping.Organisation == nil || *c.Mapping.Organisation != want || !c.Mapping.Marketplace {
				t.Fatalf("applied mapping %+v", c.Mapping)
			}
			if sum, err := declarative.Apply(ctx, env.Svc, parse(t, marketplaceDoc)); err != nil || sum.Created != 0 || sum.Updated != 0 {
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
			for _, s := range []string{"organisation:", "uid: group_uid", "name: group_name", "role: group_role", "marketplace: true"} {
				if !strings.Contains(out, s) {
					t.Fatalf("export lacks %q:\n%s", s, out)
				}
			}
			env2 := sesametest.New(t, backend)
			d2, err := declarative.Parse(strings.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := declarative.Apply(ctx, env2.Svc, d2); err != nil {
				t.Fatal(err)
			}
			c2, err := env2.Svc.GetConnection(ctx, directory.System, "vagalam-sso")
			if err != nil || c2.Mapping.Organisation == nil || *c2.Mapping.Organisation != want || !c2.Mapping.Marketplace {
				t.Fatalf("imported %+v, %v", c2.Mapping, err)
			}
			bad := strings.Replace(marketplaceDoc, "{uid: group_uid, name: group_name, role: group_role}", "{name: group_name}", 1)
			if _, err := declarative.Apply(ctx, env.Svc, parse(t, bad)); err == nil || !strings.Contains(err.Error(), "connections[0].mapping.organisation.uid") {
				t.Fatalf("organisation without uid: %v", err)
			}
		})
	}
}
