package saml

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// Errors of the pre-checks (wrapped in a *connector.Error with
// ReasonMalformed).
var (
	ErrTooLarge  = errors.New("saml: SAMLResponse too large")
	ErrBase64    = errors.New("saml: SAMLResponse is not strict base64")
	ErrDirective = errors.New("saml: DOCTYPE, ENTITY or other XML directive refused")
	ErrProcInst  = errors.New("saml: processing instruction refused")
	ErrTooDeep   = errors.New("saml: XML nesting or size beyond the limits")
	ErrShape     = errors.New("saml: a Response with exactly one Assertion or EncryptedAssertion expected")
)

// decodeBase64 decodes a SAMLResponse strictly (RFC 4648 §3.5: padding and
// trailing bits must be canonical). Line breaks, which some IdPs insert
// every 76 characters, are the only tolerated extra characters (Go's
// decoder skips \r and \n).
func decodeBase64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBase64, err)
	}
	return b, nil
}

// precheckXML refuses what crewjam/saml and etree would silently tolerate
// or that has no place in a protocol message: any directive (<!DOCTYPE>,
// <!ENTITY>: XML bomb / XXE; encoding/xml does not expand them but a
// DOCTYPE has no business in SAML, SAML core §1.3 / saml-sec-consider §6.5),
// processing instructions other than the XML declaration, nesting deeper
// than maxDepth, more than maxElements elements, and anything not well
// formed (encoding/xml in strict mode, which also refuses unknown entity
// references such as &xxe;).
func precheckXML(b []byte, maxDepth, maxElements int) error {
	_, err := scanXML(b, maxDepth, maxElements)
	return err
}

// precheckResponse is precheckXML plus the shape Sesame accepts at the ACS:
// exactly one element named Assertion or EncryptedAssertion anywhere in the
// document (in any namespace: counting by local name refuses more, never
// less, than counting saml:Assertion only). Real IdPs send one; a second
// one (in Extensions, in a Signature's Object, wrapping or wrapped by the
// signed one) is the material of every XML signature wrapping attack
// (XSW1–8), so it is refused before crewjam's signature-covered reading
// (the first defence) has to be right.
func precheckResponse(b []byte, maxDepth, maxElements int) error {
	n, err := scanXML(b, maxDepth, maxElements)
	if err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("%w (found %d)", ErrShape, n)
	}
	return nil
}

// scanXML reads b once with encoding/xml's tokenizer in strict mode
// (attribute syntax, entity references, character ranges) through
// RawToken, which leaves out the namespace translation this pass has no
// use for (a quarter of its cost), and checks the nesting Token would
// check: every end tag closes the open element of the same (prefixed)
// name; besides, one root element and nothing left open at the end.
func scanXML(b []byte, maxDepth, maxElements int) (assertions int, err error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	var open []xml.Name // prefix (in Space) and local name, as written
	elements, roots := 0, 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("saml: XML not well formed: %w", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return 0, ErrDirective
		case xml.ProcInst:
			if t.Target != "xml" {
				return 0, fmt.Errorf("%w: <?%s", ErrProcInst, t.Target)
			}
		case xml.StartElement:
			if len(open) == 0 {
				if roots++; roots > 1 {
					return 0, errors.New("saml: XML not well formed: more than one root element")
				}
			}
			open = append(open, t.Name)
			elements++
			if len(open) > maxDepth || elements > maxElements {
				return 0, ErrTooDeep
			}
			if t.Name.Local == "Assertion" || t.Name.Local == "EncryptedAssertion" {
				assertions++
			}
		case xml.EndElement:
			if len(open) == 0 || open[len(open)-1] != t.Name {
				return 0, fmt.Errorf("saml: XML not well formed: unexpected end tag </%s>", qname(t.Name))
			}
			open = open[:len(open)-1]
		}
	}
	if len(open) != 0 || elements == 0 {
		return 0, errors.New("saml: XML not well formed: no complete root element")
	}
	return assertions, nil
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}
