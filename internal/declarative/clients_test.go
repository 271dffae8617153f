package declarative_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/declarative"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

const clientsDoc = `
clients:
  - name: Portal
    module: portal
    protocol: oidc
    redirectUris: [https://portal.example/callback]
    grantTypes: [authorization_code, refresh_token]
    logoutUrl: https://portal.example/backchannel-logout
    accessTtlSeconds: 600
  - name: Billing
    module: bm
    protocol: cas
    servicePatterns: ["https://billing.example/*"]
    logoutUrl: https://billing.example/slo
  - id: mobile-app
    name: Mobile
    module: portal
    protocol: oidc
    public: true
    redirectUris: [https://app.example/cb]
    grantTypes: [authorization_code]
  - name: Reporting
    module: rm
    protocol: oidc
    grantTypes: [client_credentials]
    secretEnv: TEST_REPORTING_SECRET
`

const reportingSecret = "reporting-secret-0123456789"

func parse(t *testing.T, s string) declarative.Document {
	t.Helper()
	d, err := declarative.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func clientsByName(t *testing.T, svc *directory.Service) map[string]model.Client {
	t.Helper()
	cs, err := svc.ListClients(context.Background(), directory.System)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]model.Client{}
	for _, c := range cs {
		out[c.Name] = c
	}
	return out
}

func TestApplyClients(t *testing.T) {
	t.Setenv("TEST_REPORTING_SECRET", reportingSecret)
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			_, svc := open(t, backend)
			doc := parse(t, clientsDoc)
			sum, err := declarative.Apply(ctx, svc, doc)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Created != 4 || sum.Updated != 0 || sum.Unchanged != 0 {
				t.Errorf("first apply: %v", sum)
			}
			cs := clientsByName(t, svc)
			portal, billing, mobile, reporting := cs["Portal"], cs["Billing"], cs["Mobile"], cs["Reporting"]
			if len(cs) != 4 || portal.Protocol != model.ProtocolOIDC || billing.Protocol != model.ProtocolCAS {
				t.Fatalf("clients: %+v", cs)
			}
			// The generated secret of Portal is returned once, and works.
			secret := sum.Secrets["Portal"]
			if len(sum.Secrets) != 1 || secret == "" || directory.SecretHash(secret) != portal.SecretHash {
				t.Errorf("generated secrets: %v, Portal's hash %s", sum.Secrets, portal.SecretHash)
			}
			if sum.ClientIDs["Portal"] != portal.ID {
				t.Errorf("client ids: %v", sum.ClientIDs)
			}
			if out := sum.String(); !strings.Contains(out, "client Portal secret: "+secret) || !strings.Contains(out, "client Portal id: "+portal.ID) {
				t.Errorf("summary does not show the secret: %s", out)
			}
			// secretEnv: the secret is the variable's value.
			if reporting.SecretHash != directory.SecretHash(reportingSecret) {
				t.Error("Reporting's secret is not $TEST_REPORTING_SECRET")
			}
			if mobile.ID != "mobile-app" || !mobile.Public || mobile.SecretHash != "" {
				t.Errorf("public client: %+v", mobile)
			}
			if portal.AccessTTL.Seconds() != 600 || portal.LogoutURL != "https://portal.example/backchannel-logout" ||
				!slices.Equal(portal.GrantTypes, []string{"authorization_code", "refresh_token"}) {
				t.Errorf("Portal: %+v", portal)
			}
			if !slices.Equal(billing.ServicePatterns, []string{"https://billing.example/*"}) || billing.Module != "bm" {
				t.Errorf("Billing: %+v", billing)
			}
			if got, err := svc.FindCASService(ctx, "https://billing.example/app/home"); err != nil || got.ID != billing.ID {
				t.Errorf("CAS service not found: %v %v", got, err)
			}

			// Second apply: nothing changes, no new secret.
			again, err := declarative.Apply(ctx, svc, doc)
			if err != nil {
				t.Fatal(err)
			}
			if again.Created != 0 || again.Updated != 0 || again.Unchanged != 4 || len(again.Secrets) != 0 {
				t.Errorf("second apply: %+v", again)
			}
			if clientsByName(t, svc)["Portal"].SecretHash != portal.SecretHash {
				t.Error("second apply changed Portal's secret")
			}

			// A changed field updates the client; a changed secret too.
			doc.Clients[0].RedirectURIs = append(doc.Clients[0].RedirectURIs, "https://portal.example/cb2")
			t.Setenv("TEST_REPORTING_SECRET", reportingSecret+"-rotated")
			upd, err := declarative.Apply(ctx, svc, doc)
			if err != nil {
				t.Fatal(err)
			}
			if upd.Created != 0 || upd.Updated != 2 || upd.Unchanged != 2 {
				t.Errorf("apply with changes: %v", upd)
			}
			cs = clientsByName(t, svc)
			if len(cs["Portal"].RedirectURIs) != 2 || cs["Portal"].ID != portal.ID || cs["Portal"].SecretHash != portal.SecretHash {
				t.Errorf("Portal after update: %+v", cs["Portal"])
			}
			if cs["Reporting"].SecretHash != directory.SecretHash(reportingSecret+"-rotated") {
				t.Error("Reporting's secret was not rotated")
			}
		})
	}
}

func TestApplyClientsUnsetSecretEnv(t *testing.T) {
	ctx := context.Background()
	_, svc := open(t, "sqlite")
	doc := parse(t, "clients:\n  - {name: P, module: portal, protocol: oidc, grantTypes: [client_credentials], secretEnv: TEST_SESAME_UNSET_SECRET}\n")
	sum, err := declarative.Apply(ctx, svc, doc)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Secrets["P"] == "" || len(sum.Warnings) != 1 || !strings.Contains(sum.String(), "TEST_SESAME_UNSET_SECRET is not set") {
		t.Errorf("unset secretEnv: %+v", sum)
	}
	hash := clientsByName(t, svc)["P"].SecretHash
	if again, err := declarative.Apply(ctx, svc, doc); err != nil || again.Unchanged != 1 || len(again.Secrets) != 0 {
		t.Errorf("second apply: %+v %v", again, err)
	}
	if clientsByName(t, svc)["P"].SecretHash != hash {
		t.Error("an unset secretEnv changed the secret")
	}
}

func TestApplyRejectsBadClients(t *testing.T) {
	t.Setenv("TEST_SHORT_SECRET", "short")
	ctx := context.Background()
	_, svc := open(t, "sqlite")
	good := "clients:\n  - {name: Good, module: portal, protocol: oidc, redirectUris: [https://good.example/cb], grantTypes: [authorization_code]}\n"
	hash := strings.Repeat("ab", 32)
	for _, c := range []struct{ entry, want string }{
		{"{name: Bad, module: portal, protocol: oidc, redirectUris: [not a url], grantTypes: [authorization_code]}", "clients[1].redirectUris"},
		{"{name: Bad, module: portal, protocol: oidc, grantTypes: [client_credentials], secretHash: " + hash + ", secretEnv: X}", "clients[1]: give secretHash or secretEnv"},
		{"{name: Bad, module: portal, protocol: oidc, grantTypes: [client_credentials], secretHash: nothex}", "clients[1].secretHash"},
		{"{name: Bad, module: portal, protocol: oidc, grantTypes: [client_credentials], secretEnv: TEST_SHORT_SECRET}", "clients[1].secretEnv"},
		{"{name: Bad, module: cas, protocol: cas, servicePatterns: [\"https://x.example/*\"], secretHash: " + hash + "}", "clients[1].secretHash"},
		{"{name: Bad, module: portal, protocol: oidc, public: true, redirectUris: [https://x.example/cb], secretEnv: X}", "clients[1].secretEnv"},
		{"{name: Bad, module: nosuchmodule, protocol: cas, servicePatterns: [\"https://x.example/*\"]}", "clients[1].module"},
		{"{name: Bad, module: cas, protocol: cas}", "clients[1].servicePatterns"},
		{"{name: Bad, module: portal, protocol: saml}", "clients[1].protocol"},
		{"{id: 'has space', name: Bad, module: portal, protocol: oidc, public: true}", "clients[1].id"},
		{"{name: Good, module: portal, protocol: oidc, public: true, redirectUris: [https://x.example/cb]}", "clients[1]: has the same name and protocol as clients[0]"},
	} {
		doc := parse(t, good+"  - "+c.entry+"\n")
		_, err := declarative.Apply(ctx, svc, doc)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error mentioning %q", c.entry, err, c.want)
		}
		if cs, _ := svc.ListClients(ctx, directory.System); len(cs) != 0 {
			t.Fatalf("%s: a refused apply left clients: %v", c.entry, cs)
		}
	}
	// Never a plain secret in the file.
	if _, err := declarative.Parse(strings.NewReader("clients:\n  - {name: P, module: portal, protocol: oidc, secret: hunter2-hunter2-hunter2}\n")); err == nil {
		t.Error("a plain secret: key was accepted")
	}

	// The same id twice.
	twice := "clients:\n  - {id: same, name: A, module: portal, protocol: oidc, public: true, redirectUris: [https://a.example/cb]}\n" +
		"  - {id: same, name: B, module: portal, protocol: oidc, public: true, redirectUris: [https://b.example/cb]}\n"
	if _, err := declarative.Apply(ctx, svc, parse(t, twice)); err == nil || !strings.Contains(err.Error(), "clients[1]: is the same client as clients[0]") {
		t.Errorf("the same id twice: %v", err)
	}

	// The protocol and public flag of an existing client cannot change.
	if _, err := declarative.Apply(ctx, svc, parse(t, "clients:\n  - {id: c1, name: C, module: portal, protocol: oidc, public: true, redirectUris: [https://c.example/cb], grantTypes: [authorization_code]}\n")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ doc, want string }{
		{"clients:\n  - {id: c1, name: C, module: cas, protocol: cas, servicePatterns: [\"https://c.example/*\"]}\n", "clients[0].protocol"},
		{"clients:\n  - {id: c1, name: C, module: portal, protocol: oidc, redirectUris: [https://c.example/cb], grantTypes: [authorization_code]}\n", "clients[0].public"},
	} {
		if _, err := declarative.Apply(ctx, svc, parse(t, c.doc)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.doc, err, c.want)
		}
	}
}

func TestExportClientsRoundTrip(t *testing.T) {
	t.Setenv("TEST_REPORTING_SECRET", reportingSecret)
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			_, svc := open(t, backend)
			sum, err := declarative.Apply(ctx, svc, parse(t, clientsDoc))
			if err != nil {
				t.Fatal(err)
			}
			portalSecret := sum.Secrets["Portal"]
			out, err := declarative.Export(ctx, svc)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := declarative.Write(&buf, out); err != nil {
				t.Fatal(err)
			}
			text := buf.String()
			if strings.Contains(text, portalSecret) || strings.Contains(text, reportingSecret) || strings.Contains(text, "secretEnv") {
				t.Fatalf("export contains a secret or secretEnv:\n%s", text)
			}
			if !strings.Contains(text, "secretHash: "+directory.SecretHash(portalSecret)) {
				t.Fatalf("export lacks Portal's secret hash:\n%s", text)
			}
			re, err := declarative.Parse(&buf)
			if err != nil {
				t.Fatalf("export does not parse: %v\n%s", err, text)
			}
			if s, err := declarative.Apply(ctx, svc, re); err != nil || s.Created != 0 || s.Updated != 0 {
				t.Errorf("re-applying the export to its source: %v %v", s, err)
			}

			_, svc2 := open(t, "sqlite")
			s2, err := declarative.Apply(ctx, svc2, re)
			if err != nil {
				t.Fatalf("applying the export to a new instance: %v", err)
			}
			if len(s2.Secrets) != 0 {
				t.Errorf("the promoted instance generated secrets: %v", s2.Secrets)
			}
			a, _ := svc.ListClients(ctx, directory.System)
			b, _ := svc2.ListClients(ctx, directory.System)
			if len(a) != 4 || len(a) != len(b) {
				t.Fatalf("clients: %d on the source, %d on the promoted instance", len(a), len(b))
			}
			for i := range a {
				x, y := a[i], b[i]
				if x.ID != y.ID || x.Name != y.Name || x.Module != y.Module || x.Protocol != y.Protocol || x.Public != y.Public ||
					x.SecretHash != y.SecretHash || x.LogoutURL != y.LogoutURL || x.AccessTTL != y.AccessTTL || x.RefreshTTL != y.RefreshTTL ||
					!slices.Equal(x.RedirectURIs, y.RedirectURIs) || !slices.Equal(x.ServicePatterns, y.ServicePatterns) || !slices.Equal(x.GrantTypes, y.GrantTypes) {
					t.Errorf("client %d differs:\n source   %+v\n promoted %+v", i, x, y)
				}
			}
			// The secrets still work on the promoted instance.
			cs := clientsByName(t, svc2)
			if cs["Portal"].SecretHash != directory.SecretHash(portalSecret) || cs["Reporting"].SecretHash != directory.SecretHash(reportingSecret) {
				t.Error("secrets do not work on the promoted instance")
			}
		})
	}
}
