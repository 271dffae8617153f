package samltest

import (
	"errors"
	"fmt"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// Placement says which elements of a Response carry an enveloped
// signature (saml-core §5.4): real IdPs differ — Google Workspace signs the
// Response, Entra ID and ADFS the Assertion by default, Okta both.
type Placement string

const (
	SignResponse  Placement = "response"
	SignAssertion Placement = "assertion"
	SignBoth      Placement = "both"
)

const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsDSig      = "http://www.w3.org/2000/09/xmldsig#"
)

// Resign returns the Response raw (as the IdP made it: Response and
// Assertion signed) signed only where p says, with k (RSA-SHA256,
// exclusive c14n). The Assertion is re-signed first when it keeps a
// signature, so a Response signature covers the final Assertion.
func Resign(raw []byte, k Key, p Placement) ([]byte, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		return nil, fmt.Errorf("resign: %w", err)
	}
	resp := doc.Root()
	if resp == nil || resp.Tag != "Response" || resp.NamespaceURI() != nsProtocol {
		return nil, errors.New("resign: not a SAML Response")
	}
	var assertion *etree.Element
	for _, c := range resp.ChildElements() {
		if c.Tag == "Assertion" && c.NamespaceURI() == nsAssertion {
			assertion = c
		}
	}
	if assertion == nil {
		return nil, errors.New("resign: no plaintext Assertion")
	}
	unsign(resp)
	unsign(assertion)
	ctx, err := dsig.NewSigningContext(k.Key, [][]byte{k.Cert.Raw})
	if err != nil {
		return nil, fmt.Errorf("resign: %w", err)
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		return nil, fmt.Errorf("resign: %w", err)
	}
	if p == SignAssertion || p == SignBoth {
		if err := sign(ctx, assertion); err != nil {
			return nil, err
		}
	}
	if p == SignResponse || p == SignBoth {
		if err := sign(ctx, resp); err != nil {
			return nil, err
		}
	}
	return doc.WriteToBytes()
}

func unsign(el *etree.Element) {
	for _, c := range el.ChildElements() {
		if c.Tag == "Signature" && c.NamespaceURI() == nsDSig {
			el.RemoveChild(c)
		}
	}
}

// sign puts an enveloped signature of el right after its Issuer, where the
// schema wants it (saml-core §3.2.2 and §2.3.3).
func sign(ctx *dsig.SigningContext, el *etree.Element) error {
	sig, err := ctx.ConstructSignature(el, true)
	if err != nil {
		return fmt.Errorf("resign %s: %w", el.Tag, err)
	}
	at := 0
	for i, c := range el.Child {
		if e, ok := c.(*etree.Element); ok && e.Tag == "Issuer" {
			at = i + 1
			break
		}
	}
	el.InsertChildAt(at, sig)
	return nil
}
