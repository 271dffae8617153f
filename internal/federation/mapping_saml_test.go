package federation

import (
	"errors"
	"reflect"
	"testing"

	"github.com/sesame-sso/sesame/internal/model"
)

// TestMapSAML: SAML attributes (lists of strings) under seed 004's default
// names and under each preset's names (R-SAML-5); the NameID is the
// subject whatever the attributes say (R-SAML-4); the email counts as
// verified (R-SAML-6) and is required.
func TestMapSAML(t *testing.T) {
	ws := "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
	ms := "http://schemas.microsoft.com/ws/2008/06/identity/claims/"
	for _, tc := range []struct {
		name    string
		mapping model.ClaimMapping
		attrs   map[string]any
		want    Profile
	}{
		{"seed004_defaults", model.ClaimMapping{}, map[string]any{
			"Email": []string{"ann@acme.example"}, "First Name": []string{"Ann"}, "Last Name": []string{"Lee"},
			"Phone Number": []string{"+44 20 7946 0000"}, "sub": []string{"not-the-key"}},
			Profile{Subject: "nameid-1", Email: "ann@acme.example", EmailVerified: true, FirstName: "Ann", LastName: "Lee",
				Phone: "+44 20 7946 0000", AccountKey: model.AccountKeyID}},
		{"entra", model.ClaimMapping{Preset: model.PresetEntra}, map[string]any{
			ws + "emailaddress": []string{"adele@contoso.example"}, ws + "givenname": []string{"Adele"}, ws + "surname": []string{"Vance"},
			ms + "role": []string{"Sesame.Admin"}, ms + "groups": []string{"g-1", "g-2"}},
			Profile{Subject: "nameid-1", Email: "adele@contoso.example", EmailVerified: true, FirstName: "Adele", LastName: "Vance",
				Roles: []string{"Sesame.Admin", "g-1", "g-2"}, AccountKey: model.AccountKeyID}},
		{"adfs", model.ClaimMapping{Preset: model.PresetADFS}, map[string]any{
			ws + "emailaddress": []string{"bo@corp.example"}, ws + "surname": []string{"Berg"},
			"http://schemas.xmlsoap.org/claims/Group": []string{"Domain Users"}},
			Profile{Subject: "nameid-1", Email: "bo@corp.example", EmailVerified: true, LastName: "Berg",
				Roles: []string{"Domain Users"}, AccountKey: model.AccountKeyID}},
		{"okta_own_field_wins", model.ClaimMapping{Preset: model.PresetOkta, FirstName: "givenName"}, map[string]any{
			"email": []string{"isaac@example.com"}, "firstName": []string{"ignored"}, "givenName": []string{"Isaac"},
			"groups": []string{"Everyone"}},
			Profile{Subject: "nameid-1", Email: "isaac@example.com", EmailVerified: true, FirstName: "Isaac",
				Roles: []string{"Everyone"}, AccountKey: model.AccountKeyID}},
		{"google_nameid_email", model.ClaimMapping{Preset: model.PresetGoogle}, map[string]any{"first_name": []string{"Jo"}},
			Profile{Subject: "nameid-1", Email: "jo@example.com", EmailVerified: true, FirstName: "Jo", AccountKey: model.AccountKeyID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := model.Connection{Kind: model.ConnectionSAML, Enabled: true, Mapping: tc.mapping}
			email := ""
			if tc.name == "google_nameid_email" {
				email = "jo@example.com" // the connector's emailAddress NameID
			}
			got, err := Map(c, Identity{Subject: "nameid-1", Email: email, Claims: tc.attrs})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
	t.Run("email_required", func(t *testing.T) {
		_, err := Map(model.Connection{Kind: model.ConnectionSAML}, Identity{Subject: "n", Claims: map[string]any{"First Name": []string{"A"}}})
		var me *MappingError
		if !errors.As(err, &me) || me.Claim != "Email" {
			t.Fatalf("err = %v, want a mapping error naming Email", err)
		}
	})
}
