package loadtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"math/big"
	"net/url"
	"time"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
)

// SAML signature placements (-saml-sign): which elements of a Response
// carry an enveloped XML-DSig signature (SAML core §5.4, RSA-SHA256).
const (
	SignResponse  = "response"  // the Response only (Google-shaped)
	SignAssertion = "assertion" // the Assertion only (Entra ID, ADFS by default)
	SignBoth      = "both"      // the Assertion, then the Response around it (Okta-shaped)
)

// SAMLSignModes lists the -saml-sign values.
var SAMLSignModes = []string{SignResponse, SignAssertion, SignBoth}

// loadIdP is the independent SAML identity provider inside the load
// command: its own RSA-2048 key and self-signed certificate, made at start.
// Only its metadata (crewjam's IdentityProvider) and the responses it signs
// ever reach the server; nothing of it listens on the network.
type loadIdP struct {
	key      *rsa.PrivateKey
	cert     *x509.Certificate
	entityID string // its metadata URL, by crewjam's convention
	origin   string // what a browser's auto-POST from it sends as Origin
	crewjam  *crewjam.IdentityProvider
}

// newLoadIdP makes the key and certificate of an IdP whose (never called)
// URLs carry suffix.
func newLoadIdP(suffix string) (*loadIdP, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("IdP key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: "sesame-load IdP " + suffix},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(30 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("IdP certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("IdP certificate: %w", err)
	}
	// A reserved name (RFC 2606): the server never fetches anything from
	// it, the metadata is uploaded.
	base, _ := url.Parse("https://load-idp-" + suffix + ".example")
	p := &loadIdP{key: key, cert: cert, origin: base.String(), crewjam: &crewjam.IdentityProvider{
		Key: key, Certificate: cert, MetadataURL: *base.JoinPath("metadata"), SSOURL: *base.JoinPath("sso"),
		SignatureMethod: dsig.RSASHA256SignatureMethod}}
	p.entityID = p.crewjam.MetadataURL.String()
	return p, nil
}

// metadata is the IdP's metadata XML, what an administrator uploads.
func (p *loadIdP) metadata() (string, error) {
	b, err := xml.MarshalIndent(p.crewjam.Metadata(), "", " ")
	if err != nil {
		return "", fmt.Errorf("IdP metadata: %w", err)
	}
	return xml.Header + string(b), nil
}

// signer is one goroutine's XML-DSig signing context: RSA-SHA256,
// exclusive C14N without a prefix list (what crewjam's IdP uses).
func (p *loadIdP) signer() (*dsig.SigningContext, error) {
	sc, err := dsig.NewSigningContext(p.key, [][]byte{p.cert.Raw})
	if err != nil {
		return nil, err
	}
	sc.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := sc.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		return nil, err
	}
	return sc, nil
}

// samlUser is one subject the IdP asserts.
type samlUser struct {
	nameID                            string // persistent NameID
	email, first, last, phone, groups string
}

// spTarget is what the SP's metadata says about where responses go.
type spTarget struct {
	entityID string // the Audience
	acsURL   string // Destination and Recipient (as published)
}

// responseTimes are the instants every response of a pool carries.
type responseTimes struct {
	issued       time.Time // IssueInstant of Response and Assertion
	notBefore    time.Time // Conditions NotBefore
	notOnOrAfter time.Time // Conditions and SubjectConfirmationData
	authn        time.Time // AuthnInstant
}

// samlRoleAttr is the roles attribute the load connection maps
// (mapping.roles); the other four are the SAML defaults (Email, First
// Name, Last Name, Phone Number).
const samlRoleAttr = "Groups"

// response builds one unsolicited (IdP-initiated, no InResponseTo)
// Response for u with fresh Response and Assertion IDs, signed as mode
// says, and returns it base64-encoded as the HTTP-POST binding carries it
// (SAML bindings §3.5.4).
func (p *loadIdP) response(sc *dsig.SigningContext, sp spTarget, u samlUser, ts responseTimes, mode string) (string, error) {
	attr := func(name, value string) crewjam.Attribute {
		return crewjam.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
			Values: []crewjam.AttributeValue{{Type: "xs:string", Value: value}}}
	}
	issuer := crewjam.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: p.entityID}
	a := &crewjam.Assertion{
		ID: newSAMLID(), IssueInstant: ts.issued, Version: "2.0", Issuer: issuer,
		Subject: &crewjam.Subject{
			NameID: &crewjam.NameID{Format: string(crewjam.PersistentNameIDFormat), NameQualifier: p.entityID,
				SPNameQualifier: sp.entityID, Value: u.nameID},
			// Bearer confirmation without InResponseTo: unsolicited
			// (SAML profiles §4.1.4.2).
			SubjectConfirmations: []crewjam.SubjectConfirmation{{Method: "urn:oasis:names:tc:SAML:2.0:cm:bearer",
				SubjectConfirmationData: &crewjam.SubjectConfirmationData{NotOnOrAfter: ts.notOnOrAfter, Recipient: sp.acsURL}}},
		},
		Conditions: &crewjam.Conditions{NotBefore: ts.notBefore, NotOnOrAfter: ts.notOnOrAfter,
			AudienceRestrictions: []crewjam.AudienceRestriction{{Audience: crewjam.Audience{Value: sp.entityID}}}},
		AuthnStatements: []crewjam.AuthnStatement{{AuthnInstant: ts.authn, SessionIndex: newSAMLID(),
			AuthnContext: crewjam.AuthnContext{AuthnContextClassRef: &crewjam.AuthnContextClassRef{
				Value: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"}}}},
		AttributeStatements: []crewjam.AttributeStatement{{Attributes: []crewjam.Attribute{
			attr("Email", u.email), attr("First Name", u.first), attr("Last Name", u.last),
			attr("Phone Number", u.phone), attr(samlRoleAttr, u.groups)}}},
	}
	assertionEl := a.Element()
	if mode == SignAssertion || mode == SignBoth {
		signed, err := sc.SignEnveloped(assertionEl)
		if err != nil {
			return "", fmt.Errorf("sign assertion: %w", err)
		}
		// Element() places the signature after the Issuer, where the
		// schema wants it (SAML core §2.3.3).
		a.Signature = signed.ChildElements()[len(signed.ChildElements())-1]
		assertionEl = a.Element()
	}
	r := &crewjam.Response{ID: newSAMLID(), Version: "2.0", IssueInstant: ts.issued, Destination: sp.acsURL,
		Issuer: &issuer, Status: crewjam.Status{StatusCode: crewjam.StatusCode{Value: crewjam.StatusSuccess}}}
	responseEl := r.Element()
	responseEl.AddChild(assertionEl)
	if mode == SignResponse || mode == SignBoth {
		signed, err := sc.SignEnveloped(responseEl)
		if err != nil {
			return "", fmt.Errorf("sign response: %w", err)
		}
		r.Signature = signed.ChildElements()[len(signed.ChildElements())-1]
		responseEl = r.Element()
		responseEl.AddChild(assertionEl)
	}
	doc := etree.NewDocument()
	doc.SetRoot(responseEl)
	b, err := doc.WriteToBytes()
	if err != nil {
		return "", fmt.Errorf("serialise response: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// newSAMLID is an xs:ID (an NCName: it starts with a letter) with 160
// random bits (SAML core §1.3.4).
func newSAMLID() string { return "id-" + randHex(20) }
