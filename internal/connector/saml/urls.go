package saml

import "strings"

// The SP's URLs of connection id under Sesame's external URL issuer
// (R-SAML-1, R-SAML-2): what the admin API shows the IdP's administrator
// and the server serves.

func base(issuer, id string) string { return strings.TrimRight(issuer, "/") + "/saml/" + id }

// MetadataURL serves the SP metadata; it is also the SP entity id.
func MetadataURL(issuer, id string) string { return base(issuer, id) + "/metadata" }

// EntityID is the SP entity id (the Audience the IdP asserts to).
func EntityID(issuer, id string) string { return MetadataURL(issuer, id) }

// ACSURL is the Assertion Consumer Service (the IdP's "reply URL").
func ACSURL(issuer, id string) string { return base(issuer, id) + "/acs" }

// InitURL starts an SP-initiated login (the "sign-on URL"; ?context=
// names the company the user lands in, seed 004).
func InitURL(issuer, id string) string { return base(issuer, id) + "/init" }

// SLOURL is the single logout endpoint (R-SAML-9).
func SLOURL(issuer, id string) string { return base(issuer, id) + "/slo" }

// ConsumeAliasURL is the marketplace-style ACS of a tenant's SAML
// connection (seed 002: …/auth/saml/consume/{marketplace}).
func ConsumeAliasURL(issuer, tenantSlug string) string {
	return strings.TrimRight(issuer, "/") + "/auth/saml/consume/" + tenantSlug
}

// InitAliasURL is the marketplace-style init URL (…/auth/saml/init/{tenant}).
func InitAliasURL(issuer, tenantSlug string) string {
	return strings.TrimRight(issuer, "/") + "/auth/saml/init/" + tenantSlug
}
