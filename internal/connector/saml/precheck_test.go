package saml

import (
	"errors"
	"strings"
	"testing"
)

// The pre-check's own nesting checks (it reads RawToken, which leaves
// them to the caller) and its Assertion count.
func TestScanXML(t *testing.T) {
	const a = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/>`
	for _, tc := range []struct {
		name, xml  string
		assertions int
		err        string
	}{
		{"one_assertion", `<?xml version="1.0"?><p:Response xmlns:p="urn:p">` + a + `</p:Response>`, 1, ""},
		{"encrypted_and_plain", `<r>` + a + `<EncryptedAssertion/></r>`, 2, ""},
		{"assertion_in_another_namespace_counts", `<r>` + a + `<x:Assertion xmlns:x="urn:evil"/></r>`, 2, ""},
		{"end_tag_of_another_element", `<r><a></r></a>`, 0, "unexpected end tag </r>"},
		{"end_tag_with_another_prefix", `<p:r xmlns:p="urn:p" xmlns:q="urn:p"></q:r>`, 0, "unexpected end tag </q:r>"},
		{"stray_end_tag", `<r/></r>`, 0, "unexpected end tag"},
		{"two_roots", `<r/><r/>`, 0, "more than one root"},
		{"unclosed", `<r><a>`, 0, "not well formed"},
		{"empty", ``, 0, "no complete root"},
		{"doctype", `<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>`, 0, ErrDirective.Error()},
		{"unknown_entity", `<r>&e;</r>`, 0, "not well formed"},
		{"processing_instruction", `<r><?php x?></r>`, 0, "processing instruction"},
		{"too_deep", strings.Repeat("<a>", 33) + strings.Repeat("</a>", 33), 0, ErrTooDeep.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := scanXML([]byte(tc.xml), 32, 5000)
			if tc.err == "" {
				if err != nil || n != tc.assertions {
					t.Fatalf("got %d, %v; want %d assertions", n, err, tc.assertions)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("got %d, %v; want error with %q", n, err, tc.err)
			}
		})
	}
	if err := precheckResponse([]byte(`<r>`+a+a+`</r>`), 32, 5000); !errors.Is(err, ErrShape) {
		t.Fatalf("two assertions: %v", err)
	}
}
