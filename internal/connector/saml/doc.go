// Package saml is the SAML 2.0 service provider protocol as a
// connector.Connector (issue 11, SPEC §6 R-SAML-1..4, DESIGN note 2): one
// crewjam/saml ServiceProvider per connection, built from a Config; no
// samlsp middleware, no cookies, no global state.
//
// What Finish checks, in order:
//   - the request: POST, body ≤ Config.MaxResponseBytes, exactly one
//     SAMLResponse, no SAMLart (artifact binding, would make Sesame call out)
//     and no SimpleSign parameters; strict base64 (line breaks tolerated);
//   - the XML before any signature code sees it (precheck.go): well formed,
//     no DOCTYPE / ENTITY / other directives, no processing instructions but
//     the XML declaration, depth and element count bounded;
//   - crewjam/saml (ParseXMLResponse, signature REQUIRED on the Response or
//     the Assertion against the IdP metadata's signing certificates, read
//     from what the signature covers — XSW defence; encrypted assertions
//     decrypted with the SP keys; Issuer, Destination, Recipient,
//     InResponseTo, Audience, NotBefore/NotOnOrAfter within crewjam's fixed
//     3 min bound, IssueInstant ≤ 90 s old);
//   - our own, per connection: NotBefore / NotOnOrAfter (Conditions and
//     SubjectConfirmationData) within Config.ClockSkew, RelayState equal to
//     the kept state (SP-initiated), unsolicited responses only when
//     AllowIdPInitiated, NameID format (transient refused, R-SAML-4, seed
//     003), a non-empty NameID.
//
// The assertion-id replay cache is the caller's (it lives in the store so it
// holds across nodes): Finish returns AssertionID and NotOnOrAfter in a
// Result, and when Options.Replay is set it calls it before returning.
//
// Imports: github.com/crewjam/saml and github.com/russellhaering/goxmldsig
// (≥ v1.6.1, pinned in go.mod; TestGoxmldsigVersion checks it).
package saml
