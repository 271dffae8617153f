package declarative_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/catalog"
	"github.com/sesame-sso/sesame/internal/declarative"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

const demo = `
domains:
  - {name: PARTNER, kind: local, placement: enterprise, description: Partners}
contexts:
  - {ref: t1, type: tenant, name: Telco One, number: T-1, slug: telco, parent: root}
  - {ref: acme, type: account, name: Acme, number: A-1, parent: t1}
  - {ref: acme-eu, type: account, name: Acme EU, number: A-1-EU, parent: acme}
templates:
  - name: Portal user
    contextTypes: [account]
    values:
      - {module: portal, acl: SIM - Price Plan Modify, value: "true"}
      - {module: portal, acl: API IP Allow, value: 0.0.0.0/0}
groups:
  - {context: acme, name: Users, template: Portal user, roleNames: [ACME_USER]}
  - {context: root, name: Auditors, values: [{module: cas, acl: Audit - Read, value: "true"}]}
policies:
  - {context: acme-eu, values: [{module: portal, acl: API IP Allow, value: 10.0.0.0/8}]}
users:
  - login: alice
    domain: ENTERPRISE
    contexts: [acme, acme-eu]
    password: wonderland-rabbit-hole-7
    person: {firstName: Alice, lastName: Doe, email: alice@acme.example, language: en}
    groups:
      - {group: Users, context: acme}
      - {group: Auditors, context: acme-eu}
  - login: idp-bob
    domain: ENTERPRISE
    kind: delegated
    contexts: [acme]
    roles: [{context: acme, role: ACME_USER}]
`

func open(t *testing.T, backend string) (*sqlstore.Store, *directory.Service) {
	st, err := sqlstore.Open(context.Background(), sesametest.StoreURL(t, backend), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := directory.New(st, password.New(sesametest.FastHash, 2), nil)
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Bootstrap(context.Background(), cat, "admin", "slate-harbor-quill-1"); err != nil {
		t.Fatal(err)
	}
	return st, svc
}

func TestApplyIsIdempotentAndExportRoundTrips(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st, svc := open(t, backend)
			doc, err := declarative.Parse(strings.NewReader(demo))
			if err != nil {
				t.Fatal(err)
			}
			sum, err := declarative.Apply(ctx, svc, doc)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Created != 9 || sum.Updated != 1 {
				t.Errorf("first apply: %v, want 9 created and the policy set", sum)
			}
			again, err := declarative.Apply(ctx, svc, doc)
			if err != nil {
				t.Fatal(err)
			}
			if again.Created != 0 || again.Updated != 0 {
				t.Errorf("second apply changed things: %v", again)
			}
			// The applied data works: alice logs in and has her rights.
			alice, err := svc.Authn().Authenticate(ctx, "telco/alice", "wonderland-rabbit-hole-7")
			if err != nil {
				t.Fatalf("alice cannot log in: %v", err)
			}
			acme := alice.Contexts
			var acmeID string
			for _, c := range acme {
				cc, _ := st.GetContext(ctx, c)
				if cc.Name == "Acme" {
					acmeID = c
				}
			}
			res, err := svc.Rights().UserRights(ctx, alice, acmeID, "portal")
			if err != nil {
				t.Fatal(err)
			}
			if !res.Bool("portal", "SIM - Price Plan Modify") {
				t.Error("alice lacks the template's right in Acme")
			}
			// The delegated user gets the group's values through e1 (role name).
			bobs, _, _ := st.ListUsers(ctx, model.UserFilter{LoginName: "idp-bob"})
			if len(bobs) != 1 || bobs[0].Kind != model.KindDelegated {
				t.Fatalf("idp-bob: %+v", bobs)
			}
			res, err = svc.Rights().UserRights(ctx, bobs[0], acmeID, "portal")
			if err != nil {
				t.Fatal(err)
			}
			if !res.Bool("portal", "SIM - Price Plan Modify") {
				t.Error("delegated user with role ACME_USER lacks the Users group's right (e1)")
			}

			// Export, then apply the export to a fresh instance: same result, and
			// applying it to the first instance changes nothing.
			out, err := declarative.Export(ctx, svc)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := declarative.Write(&buf, out); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(buf.String(), "wonderland-rabbit-hole-7") {
				t.Fatal("export contains a plain password")
			}
			re, err := declarative.Parse(&buf)
			if err != nil {
				t.Fatalf("export does not parse: %v\n%s", err, buf.String())
			}
			if s, err := declarative.Apply(ctx, svc, re); err != nil || s.Created != 0 || s.Updated != 0 {
				t.Errorf("re-applying the export to its source: %v %v", s, err)
			}
			_, svc2 := open(t, "sqlite")
			if _, err := declarative.Apply(ctx, svc2, re); err != nil {
				t.Fatalf("applying the export to a new instance: %v", err)
			}
			if _, err := svc2.Authn().Authenticate(ctx, "telco/alice", "wonderland-rabbit-hole-7"); err != nil {
				t.Errorf("alice cannot log in on the promoted instance: %v", err)
			}
		})
	}
}

func TestApplyRejectsBadDocuments(t *testing.T) {
	ctx := context.Background()
	_, svc := open(t, "sqlite")
	for _, c := range []struct{ doc, want string }{
		{"contexts:\n  - {type: account, name: X, parent: nowhere}\n", "unknown context"},
		{"users:\n  - {login: x, domain: ENTERPRISE, contexts: [root]}\n", "contexts"},
		{"groups:\n  - {context: root, name: G, template: Missing}\n", "template"},
		{"groups:\n  - {context: root, name: G, values: [{module: portal, acl: API IP Allow, value: not-a-cidr}]}\n", "API IP Allow"},
	} {
		doc, err := declarative.Parse(strings.NewReader(c.doc))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := declarative.Apply(ctx, svc, doc); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want an error mentioning %q", c.doc, err, c.want)
		}
	}
	if _, err := declarative.Parse(strings.NewReader("contexts:\n  - {type: account, nam: X}\n")); err == nil {
		t.Error("unknown key accepted")
	}
}

// faulty fails one storage method inside transactions, to prove that every
// multi-row change is atomic.
type faulty struct {
	storage.Storage
	failOn string
}

var errInjected = errors.New("injected failure")

func (f *faulty) InTx(ctx context.Context, fn func(storage.Storage) error) error {
	return f.Storage.InTx(ctx, func(tx storage.Storage) error { return fn(&faulty{Storage: tx, failOn: f.failOn}) })
}

func (f *faulty) AddMember(ctx context.Context, m model.Membership) error {
	if f.failOn == "AddMember" {
		return errInjected
	}
	return f.Storage.AddMember(ctx, m)
}

func (f *faulty) SetUserRoles(ctx context.Context, id string, r []model.RoleAssignment) error {
	if f.failOn == "SetUserRoles" {
		return errInjected
	}
	return f.Storage.SetUserRoles(ctx, id, r)
}

func (f *faulty) AppendAudit(ctx context.Context, e model.AuditEvent) error {
	if f.failOn == "AppendAudit" {
		return errInjected
	}
	return f.Storage.AppendAudit(ctx, e)
}

func TestMultiRowChangesAreAtomic(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st, svc := open(t, backend)
			h := password.New(sesametest.FastHash, 2)
			doc, _ := declarative.Parse(strings.NewReader(demo))

			// apply -f: the memberships come last; failing them leaves nothing.
			bad := directory.New(&faulty{Storage: st, failOn: "AddMember"}, h, nil)
			if _, err := declarative.Apply(ctx, bad, doc); !errors.Is(err, errInjected) {
				t.Fatalf("apply with injected failure: %v", err)
			}
			if cs, _, _ := st.SearchContexts(ctx, model.ContextFilter{Query: "acme"}); len(cs) != 0 {
				t.Errorf("failed apply left contexts: %v", cs)
			}
			if us, _, _ := st.ListUsers(ctx, model.UserFilter{LoginName: "alice"}); len(us) != 0 {
				t.Errorf("failed apply left users: %v", us)
			}
			if _, err := st.GetTemplateByName(ctx, "Portal user"); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("failed apply left a template: %v", err)
			}
			if _, err := declarative.Apply(ctx, svc, doc); err != nil {
				t.Fatal(err)
			}

			// Apply a template to a group: the audit write fails, the values stay.
			grp, _ := st.ListGroups(ctx, []string{mustRoot(t, st)})
			var auditors model.Group
			for _, g := range grp {
				if g.Name == "Auditors" {
					auditors = g
				}
			}
			tmpl, _ := st.GetTemplateByName(ctx, "Portal user")
			tmpl, _ = st.UpdateTemplate(ctx, tmpl.ID, func(x model.Template) (model.Template, error) {
				x.ContextTypes = append(x.ContextTypes, model.ContextRoot)
				return x, nil
			})
			bad = directory.New(&faulty{Storage: st, failOn: "AppendAudit"}, h, nil)
			if _, err := bad.ApplyTemplate(ctx, directory.System, auditors.ID, tmpl.ID); !errors.Is(err, errInjected) {
				t.Fatalf("apply template: %v", err)
			}
			after, _ := st.GetGroup(ctx, auditors.ID)
			if len(after.Values) != 1 || after.Values[0].Name != "Audit - Read" {
				t.Errorf("failed template application changed the group: %v", after.Values)
			}

			// Delete = anonymize: failing the role wipe keeps the user intact.
			us, _, _ := st.ListUsers(ctx, model.UserFilter{LoginName: "idp-bob"})
			bad = directory.New(&faulty{Storage: st, failOn: "SetUserRoles"}, h, nil)
			if _, err := bad.Transition(ctx, directory.System, us[0].ID, model.StatusDeleted); !errors.Is(err, errInjected) {
				t.Fatalf("delete: %v", err)
			}
			u, _ := st.GetUser(ctx, us[0].ID)
			ms, _ := st.UserMemberships(ctx, us[0].ID)
			if u.Status != model.StatusActive || u.LoginName != "idp-bob" {
				t.Errorf("failed delete half-anonymized the user: %+v", u)
			}
			_ = ms
		})
	}
}

func mustRoot(t *testing.T, st storage.Storage) string {
	r, err := st.RootContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func TestExampleFileApplies(t *testing.T) {
	p := filepath.Join("..", "..", "examples", "demo.yaml")
	f, err := os.Open(p)
	if err != nil {
		t.Fatalf("the README's example file: %v", err)
	}
	defer f.Close()
	doc, err := declarative.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("DEMO_PORTAL_SECRET", "demo-portal-secret-0123456789")
	_, svc := open(t, "sqlite")
	if _, err := declarative.Apply(context.Background(), svc, doc); err != nil {
		t.Fatal(err)
	}
	portal, err := svc.GetClient(context.Background(), directory.System, "demo-portal")
	if err != nil || portal.SecretHash != directory.SecretHash("demo-portal-secret-0123456789") {
		t.Errorf("the demo portal's secret is not $DEMO_PORTAL_SECRET: %v", err)
	}
	if _, err := svc.FindCASService(context.Background(), "http://localhost:3001/home"); err != nil {
		t.Errorf("the demo CAS service: %v", err)
	}
}
