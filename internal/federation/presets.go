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
