package saml

import (
	"testing"

	"github.com/beevik/etree"
)

// descendantsByTag finds what FindElements(".//"+tag) finds, in the same
// order, so the SHA-1 check reports the same element first.
func TestDescendantsByTagMatchesFindElements(t *testing.T) {
	docs := corpusDocumentsForSHA1(t)
	checked := 0
	for name, doc := range docs {
		for _, el := range append([]*etree.Element{doc.Root()}, doc.Root().FindElements("//*")...) {
			for _, tag := range []string{"SignatureMethod", "DigestMethod", "Signature", "Assertion", "Attribute", "X"} {
				want := el.FindElements(".//" + tag)
				got := descendantsByTag(el, tag)
				if len(got) != len(want) {
					t.Fatalf("%s <%s> %s: %d elements, want %d", name, el.Tag, tag, len(got), len(want))
				}
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("%s <%s> %s: element %d differs", name, el.Tag, tag, i)
					}
				}
				checked += len(want)
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d matches checked", checked)
	}
}

func corpusDocumentsForSHA1(t *testing.T) map[string]*etree.Document {
	docs := map[string]*etree.Document{}
	for name, src := range map[string]string{
		"nested": `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:x="urn:x"><ds:SignedInfo><ds:SignatureMethod Algorithm="a"/><ds:Reference><ds:DigestMethod Algorithm="b"/><x:DigestMethod Algorithm="c"><DigestMethod Algorithm="d"/></x:DigestMethod></ds:Reference><ds:DigestMethod Algorithm="e"/></ds:SignedInfo><ds:Object><x:SignatureMethod><SignatureMethod/></x:SignatureMethod></ds:Object><DigestMethod Algorithm="f"/></ds:Signature>`,
	} {
		doc := etree.NewDocument()
		if err := doc.ReadFromString(src); err != nil {
			t.Fatal(err)
		}
		docs[name] = doc
	}
	for _, tc := range sesameBenchCases {
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(sesameFixture(t, tc.idp+"-response.xml")); err != nil {
			t.Fatal(err)
		}
		docs[tc.idp] = doc
	}
	for _, name := range []string{"TestSPCanHandleOktaResponseEncryptedAssertionBothSigned_response", "TestXswPermutationNineIsRejected_response"} {
		doc := etree.NewDocument()
		if err := doc.ReadFromFile("testdata/" + name); err == nil && doc.Root() != nil {
			docs[name] = doc
		}
	}
	return docs
}
