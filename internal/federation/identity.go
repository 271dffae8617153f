package federation

// Identity is what a connector hands over: the IdP's assertion before any
// mapping. It mirrors connector.Identity (internal/connector, DESIGN note
// 2) so that this package does not depend on the protocol side; the login
// engine converts one into the other.
type Identity struct {
	// Subject is the connector's stable key (OIDC sub, SAML NameID); the
	// mapping may name another claim.
	Subject       string
	Email         string
	EmailVerified bool
	// Claims are the ID token and userinfo claims, or SAML attributes
	// (name → []string).
	Claims map[string]any
	// Data is the connector's own (upstream refresh token, id_token for
	// logout); federation never reads it.
	Data []byte
}
