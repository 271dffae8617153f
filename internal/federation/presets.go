package federation

import "github.com/sesame-sso/sesame/internal/model"

// Presets are the claim mappings of common IdPs (R-FED-3); a connection's
// own fields win over its preset's. Each is table-tested against a token
// of its real shape (testdata/claims/<preset>.json).
var Presets = map[string]model.ClaimMapping{
	// Entra ID (Azure AD) v2.0 ID tokens: oid is the user's immutable id
	// in the directory tenant (sub is pairwise per application); app roles
	// in roles, group object ids in groups (when the app asks for them);
	// tid is the directory tenant — pin it with require: {tid: [...]}
	// for a single-tenant connection. Entra sends no email_verified (its
	// email claim is not verified by default), so its emails never link.
	model.PresetEntra: {
		Subject: "oid", Email: "email", FirstName: "given_name", LastName: "family_name",
		Roles: []string{"roles", "groups"}, NoEmailVerified: true,
	},
	// Keycloak: realm roles in realm_access.roles (client roles are in
	// resource_access.<client>.roles: add that path to roles).
	model.PresetKeycloak: {
		Roles: []string{"realm_access.roles"},
	},
	// Okta: groups in the groups claim (a groups claim configured on the
	// authorization server or app).
	model.PresetOkta: {
		Roles: []string{"groups"},
	},
	// Google: hd is the Workspace domain (absent for consumer accounts):
	// pin it with require: {hd: [...]}; Google has no roles.
	model.PresetGoogle: {},
}

// SAML attribute names (R-SAML-5). Seed 004's defaults apply to every SAML
// connection; a preset names the attributes of an IdP's usual shape.
const (
	claimsWS   = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
	claimsMS08 = "http://schemas.microsoft.com/ws/2008/06/identity/claims/"
)

// SAMLDefaults are seed 004's attribute names: Email, First Name, Last
// Name, Phone Number (no roles unless configured).
var SAMLDefaults = model.ClaimMapping{Email: "Email", FirstName: "First Name", LastName: "Last Name", Phone: "Phone Number"}

// SAMLPresets are the attribute names of common SAML IdPs; a connection's
// own fields win over its preset's, the preset's over SAMLDefaults.
var SAMLPresets = map[string]model.ClaimMapping{
	// Entra ID: the claim URIs of its default SAML token; app roles in
	// …/claims/role, group object ids in …/claims/groups (when the app
	// asks for them). Pin the directory tenant with require:
	// {"http://schemas.microsoft.com/identity/claims/tenantid": [...]}.
	model.PresetEntra: {
		Email: claimsWS + "emailaddress", FirstName: claimsWS + "givenname", LastName: claimsWS + "surname",
		Roles: []string{claimsMS08 + "role", claimsMS08 + "groups"},
	},
	// ADFS: the WS-Federation claim URIs its claim rules send; roles in
	// …/claims/role, AD groups in http://schemas.xmlsoap.org/claims/Group.
	model.PresetADFS: {
		Email: claimsWS + "emailaddress", FirstName: claimsWS + "givenname", LastName: claimsWS + "surname",
		Phone: claimsWS + "mobilephone", Roles: []string{claimsMS08 + "role", "http://schemas.xmlsoap.org/claims/Group"},
	},
	// Okta: the attribute statements of its SAML app wizard (email,
	// firstName, lastName, mobilePhone) and a group attribute statement
	// named groups.
	model.PresetOkta: {
		Email: "email", FirstName: "firstName", LastName: "lastName", Phone: "mobilePhone", Roles: []string{"groups"},
	},
	// Google Workspace: the NameID is the primary email; the attribute
	// mapping of its custom SAML app names the rest (first_name,
	// last_name; groups under "Group membership" as groups).
	model.PresetGoogle: {
		Email: "email", FirstName: "first_name", LastName: "last_name", Roles: []string{"groups"},
	},
}
