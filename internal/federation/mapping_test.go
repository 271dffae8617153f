package federation

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sesame-sso/sesame/internal/model"
)

func claims(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "claims", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPresets maps each preset's fixture, a token of the IdP's real shape
// (R-FED-3).
func TestPresets(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mapping model.ClaimMapping
		want    Profile
	}{
		{"entra", model.ClaimMapping{Preset: model.PresetEntra, Require: map[string][]string{"tid": {"72f988bf-86f1-41af-91ab-2d7cd011db47"}}},
			Profile{Subject: "00000000-0000-0000-66f3-3332eca7ea81", Email: "AdeleV@contoso.example", EmailVerified: false,
				FirstName: "Adele", LastName: "Vance",
				Roles:      []string{"Sesame.Admin", "Sesame.User", "0b7e1c5d-6f43-4a2b-9c1e-0f7a3e6b2d11", "c4b5f1e2-8a7d-4f6b-b2c3-1d9e0a7f5c22"},
				AccountKey: model.AccountKeyID}},
		{"keycloak", model.ClaimMapping{Preset: model.PresetKeycloak, AccountKey: model.AccountKeyNumber,
			ContextRoles: &model.ContextRoles{Claim: "accounts", Key: "account", Role: "role"}},
			Profile{Subject: "f81d4fae-7dec-11d0-a765-00a0c91e6bf6", Email: "jan.mueller@acme.example", EmailVerified: true,
				FirstName: "Jan", LastName: "Müller", Phone: "+49 30 1234567",
				Roles:        []string{"offline_access", "uma_authorization", "default-roles-acme", "ACME_ADMIN"},
				ContextRoles: []ContextRole{{"4711", "Admin"}, {"4712", "User"}, {"4712", "Viewer"}},
				Accounts:     []string{"4711", "4712"}, AccountKey: model.AccountKeyNumber}},
		{"keycloak", model.ClaimMapping{Preset: model.PresetKeycloak, Roles: []string{"realm_access.roles", "resource_access.sesame.roles"}},
			Profile{Subject: "f81d4fae-7dec-11d0-a765-00a0c91e6bf6", Email: "jan.mueller@acme.example", EmailVerified: true,
				FirstName: "Jan", LastName: "Müller", Phone: "+49 30 1234567",
				Roles:      []string{"offline_access", "uma_authorization", "default-roles-acme", "ACME_ADMIN", "portal-user"},
				AccountKey: model.AccountKeyID}},
		{"okta", model.ClaimMapping{Preset: model.PresetOkta},
			Profile{Subject: "00uid4BxXw6I6TV4m0g3", Email: "isaac.brock@example.com", EmailVerified: true,
				FirstName: "Isaac", LastName: "Brock", Roles: []string{"Everyone", "CSP Admins", "4711:Admin", "4712:User"},
				AccountKey: model.AccountKeyID}},
		{"google", model.ClaimMapping{Preset: model.PresetGoogle, Require: map[string][]string{"hd": {"example.com"}}},
			Profile{Subject: "10769150350006150715113082367", Email: "jsmith@example.com", EmailVerified: true,
				FirstName: "John", LastName: "Smith", AccountKey: model.AccountKeyID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Map(model.Connection{Mapping: tc.mapping}, Identity{Claims: claims(t, tc.name)})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Map =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

// TestMappingErrors: each failure names the claim.
func TestMappingErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fixture string
		mapping model.ClaimMapping
		edit    func(map[string]any)
		claim   string
	}{
		{"wrong Entra tenant", "entra", model.ClaimMapping{Preset: model.PresetEntra, Require: map[string][]string{"tid": {"another-tenant"}}}, nil, "tid"},
		{"consumer Google account", "google", model.ClaimMapping{Preset: model.PresetGoogle, Require: map[string][]string{"hd": {"example.com"}}},
			func(m map[string]any) { delete(m, "hd") }, "hd"},
		{"no subject", "google", model.ClaimMapping{}, func(m map[string]any) { delete(m, "sub") }, "sub"},
		{"no oid", "entra", model.ClaimMapping{Preset: model.PresetEntra}, func(m map[string]any) { delete(m, "oid") }, "oid"},
		{"subject an object", "google", model.ClaimMapping{}, func(m map[string]any) { m["sub"] = map[string]any{"x": 1} }, "sub"},
		{"bad email", "google", model.ClaimMapping{}, func(m map[string]any) { m["email"] = "not an email" }, "email"},
		{"email_verified a number", "google", model.ClaimMapping{}, func(m map[string]any) { m["email_verified"] = 1.0 }, "email_verified"},
		{"roles an object", "keycloak", model.ClaimMapping{Preset: model.PresetKeycloak}, func(m map[string]any) {
			m["realm_access"] = map[string]any{"roles": map[string]any{"a": true}}
		}, "realm_access.roles"},
		{"role entry an object", "okta", model.ClaimMapping{Preset: model.PresetOkta}, func(m map[string]any) {
			m["groups"] = []any{"ok", map[string]any{}}
		}, "groups"},
		{"too many roles", "okta", model.ClaimMapping{Preset: model.PresetOkta}, func(m map[string]any) {
			rs := make([]any, 201)
			for i := range rs {
				rs[i] = string(rune('a'+i%26)) + string(rune('0'+i/26))
			}
			m["groups"] = rs
		}, "groups"},
		{"separator missing", "okta", model.ClaimMapping{Preset: model.PresetOkta, ContextRoles: &model.ContextRoles{Claim: "groups", Separator: ":"}}, nil, "groups[0]"},
		{"context entry without key", "keycloak", model.ClaimMapping{ContextRoles: &model.ContextRoles{Claim: "accounts", Key: "account", Role: "role"}},
			func(m map[string]any) { m["accounts"] = []any{map[string]any{"role": "Admin"}} }, "accounts[0].account"},
		{"context entry without role", "keycloak", model.ClaimMapping{ContextRoles: &model.ContextRoles{Claim: "accounts", Key: "account", Role: "role"}},
			func(m map[string]any) { m["accounts"] = []any{map[string]any{"account": "4711"}} }, "accounts[0].role"},
		{"context list a number", "keycloak", model.ClaimMapping{ContextRoles: &model.ContextRoles{Claim: "accounts", Key: "account", Role: "role"}},
			func(m map[string]any) { m["accounts"] = 4711.0 }, "accounts"},
		{"phone not a phone", "keycloak", model.ClaimMapping{}, func(m map[string]any) { m["phone_number"] = "call me" }, "phone_number"},
		{"name with a newline", "keycloak", model.ClaimMapping{}, func(m map[string]any) { m["given_name"] = "Jan\nX" }, "given_name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := claims(t, tc.fixture)
			if tc.edit != nil {
				tc.edit(cl)
			}
			_, err := Map(model.Connection{Mapping: tc.mapping}, Identity{Claims: cl})
			var me *MappingError
			if !errors.As(err, &me) {
				t.Fatalf("err = %v, want a *MappingError", err)
			}
			if me.Claim != tc.claim {
				t.Errorf("the error names %q, want %q (%v)", me.Claim, tc.claim, err)
			}
		})
	}
}

// TestMappingDetails: dotted paths, whole names with dots, numeric
// subjects, SAML-style list values, the connector's subject and email.
func TestMappingDetails(t *testing.T) {
	// A claim whose name contains dots is found by its whole name first.
	cl := map[string]any{"sub": "s", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role": []any{"R1"},
		"a": map[string]any{"b.c": map[string]any{"d": []any{"deep"}}}}
	p, err := Map(model.Connection{Mapping: model.ClaimMapping{Roles: []string{"http://schemas.microsoft.com/ws/2008/06/identity/claims/role", "a.b.c.d"}}}, Identity{Claims: cl})
	if err != nil || !reflect.DeepEqual(p.Roles, []string{"R1", "deep"}) {
		t.Errorf("roles = %v, %v", p.Roles, err)
	}
	// GitHub-style: numeric id as subject, no email_verified.
	p, err = Map(model.Connection{Mapping: model.ClaimMapping{Subject: "id", FirstName: "name", NoEmailVerified: true}},
		Identity{Claims: map[string]any{"id": 583231.0, "login": "octocat", "name": "The Octocat", "email": "octocat@github.example", "email_verified": true}})
	if err != nil || p.Subject != "583231" || p.EmailVerified || p.FirstName != "The Octocat" {
		t.Errorf("github = %+v, %v", p, err)
	}
	// SAML-style attributes: one-element lists; the connector's NameID
	// as subject and its email.
	p, err = Map(model.Connection{Mapping: model.ClaimMapping{FirstName: "First Name", LastName: "Last Name", Phone: "Phone Number", Roles: []string{"Role"}}},
		Identity{Subject: "nameid-123", Email: "x@example.com", EmailVerified: true, Claims: map[string]any{
			"First Name": []string{"Ada"}, "Last Name": []string{"Lovelace"}, "Phone Number": []string{"+44 20 7946 0000"}, "Role": []string{"A", "B"}}})
	if err != nil || p.Subject != "nameid-123" || p.Email != "x@example.com" || !p.EmailVerified || p.FirstName != "Ada" ||
		p.Phone != "+44 20 7946 0000" || !reflect.DeepEqual(p.Roles, []string{"A", "B"}) {
		t.Errorf("saml-style = %+v, %v", p, err)
	}
	// A claim email_verified=false beats the connector's word.
	p, _ = Map(model.Connection{}, Identity{EmailVerified: true, Claims: map[string]any{"sub": "s", "email": "a@b.example", "email_verified": false}})
	if p.EmailVerified {
		t.Error("email_verified=false was read as verified")
	}
	// "true" as a string (Cognito) counts; "yes" does not.
	p, _ = Map(model.Connection{}, Identity{Claims: map[string]any{"sub": "s", "email": "a@b.example", "email_verified": "true"}})
	q, _ := Map(model.Connection{}, Identity{Claims: map[string]any{"sub": "s", "email": "a@b.example", "email_verified": "yes"}})
	if !p.EmailVerified || q.EmailVerified {
		t.Errorf("string email_verified: %v %v", p.EmailVerified, q.EmailVerified)
	}
	// A mapping that names a claim does not fall back to the connector.
	if _, err := Map(model.Connection{Mapping: model.ClaimMapping{Subject: "uid"}}, Identity{Subject: "from-connector", Claims: map[string]any{"sub": "x"}}); err == nil {
		t.Error("a missing mapped subject fell back to the connector's")
	}
	// The contexts claim and the role-per-context list both give accounts.
	p, err = Map(model.Connection{Mapping: model.ClaimMapping{Contexts: "member_of", ContextRoles: &model.ContextRoles{Claim: "r", Separator: "/"}}},
		Identity{Claims: map[string]any{"sub": "s", "member_of": []any{"A", "B"}, "r": []any{"B/Admin", "C/User"}}})
	if err != nil || !reflect.DeepEqual(p.Accounts, []string{"A", "B", "C"}) ||
		!reflect.DeepEqual(p.ContextRoles, []ContextRole{{"B", "Admin"}, {"C", "User"}}) {
		t.Errorf("accounts = %+v, %v", p, err)
	}
}
