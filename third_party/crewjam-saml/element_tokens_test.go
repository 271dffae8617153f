package saml

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/google/go-cmp/cmp"
)

// unmarshalElementViaText is unmarshalElement as it was before
// elementTokenReader: el written with etree and read by xml.Unmarshal.
func unmarshalElementViaText(el *etree.Element, v interface{}) error {
	root := elementWithNamespaces(el)
	sanitizeAttributesForUnmarshal(root)
	buf, err := elementCopyToBytes(root)
	if err != nil {
		return classify(err, ErrMalformedMessage)
	}
	return classify(xml.Unmarshal(buf, v), ErrMalformedMessage)
}

// unmarshalTargets are the types unmarshalElement reads messages into.
var unmarshalTargets = []func() interface{}{
	func() interface{} { return new(Response) },
	func() interface{} { return new(Assertion) },
	func() interface{} { return new(LogoutRequest) },
	func() interface{} { return new(LogoutResponse) },
	func() interface{} { return new(AuthnRequest) },
	func() interface{} { return new(ArtifactResponse) },
	func() interface{} { return new(ArtifactResolve) },
	func() interface{} { return new(AttributeQuery) },
	func() interface{} { return new(Attribute) },
	func() interface{} { return new(NameID) },
	func() interface{} { return new(Subject) },
	func() interface{} { return new(Conditions) },
	func() interface{} { return new(EntityDescriptor) },
	func() interface{} { return new(ExtensionElement) },
}

// corpusDocuments returns every XML document in testdata (as is, or
// base64-encoded), parsed with etree.
func corpusDocuments(t *testing.T) map[string]*etree.Document {
	t.Helper()
	docs := map[string]*etree.Document{}
	err := filepath.WalkDir("testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		candidates := [][]byte{raw}
		if dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw))); err == nil {
			candidates = append(candidates, dec)
		}
		for _, c := range candidates {
			doc := etree.NewDocument()
			if err := doc.ReadFromBytes(c); err == nil && doc.Root() != nil {
				docs[path] = doc
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

// hostileDocuments are documents that exercise what the writer and the
// tokenizer could disagree on.
var hostileDocuments = map[string]string{
	"cr in attribute and text":     `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="a&#13;b" Destination="x&#xD;&#xA;y"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">i&#13;&#10;j&#13;</saml:Issuer></samlp:Response>`,
	"entities":                     `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="&lt;&amp;&gt;&quot;&apos;"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">&lt;a&gt; &amp; ]]&gt; "q" 'a' &#x9;&#xA;</saml:Issuer></samlp:Response>`,
	"cdata":                        `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="id"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">a<![CDATA[<b>]]>c<![CDATA[]]>d</saml:Issuer></samlp:Response>`,
	"comments":                     `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="id"><!-- c --><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">ab<!---->cd<!-- x - y -->ef</saml:Issuer><!-- tail --></samlp:Response>`,
	"procinst":                     `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="id"><?foo bar baz?><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">a<?x?>b</saml:Issuer></samlp:Response>`,
	"whitespace":                   "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"id\">\n\t  <saml:Issuer xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\">  \n  </saml:Issuer>\n  <samlp:Status>\n<samlp:StatusCode Value=\" urn:oasis:names:tc:SAML:2.0:status:Success \"/>\n</samlp:Status>\n</samlp:Response>",
	"default namespace":            `<Response xmlns="urn:oasis:names:tc:SAML:2.0:protocol" ID="id" Version="2.0"><Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">i</Issuer><Status><StatusCode Value="s"/></Status><Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion" ID="a"><Issuer>i</Issuer><Subject><NameID>n</NameID></Subject></Assertion></Response>`,
	"prefix named after attribute": `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:Destination="https://evil" xmlns:ID="x" ID="id" Destination="https://good" Destination:Version="9"><ID:Issuer xmlns:ID="urn:oasis:names:tc:SAML:2.0:assertion">i</ID:Issuer></samlp:Response>`,
	"redeclared prefixes":          `<p:Response xmlns:p="urn:oasis:names:tc:SAML:2.0:protocol" ID="id"><p:Issuer xmlns:p="urn:oasis:names:tc:SAML:2.0:assertion">i</p:Issuer><p:Status><p:StatusCode Value="v"/></p:Status><x:Assertion xmlns:x="urn:oasis:names:tc:SAML:2.0:assertion" xmlns="urn:oasis:names:tc:SAML:2.0:protocol" ID="a"><x:Subject xmlns:x="urn:other"><x:NameID>n</x:NameID></x:Subject></x:Assertion></p:Response>`,
	"unbound prefix":               `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="id"><u:Issuer>i</u:Issuer><samlp:Status u:x="1"/></samlp:Response>`,
	"xml and xsi attributes":       `<saml:Attribute xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" Name="n" xml:lang="en"><saml:AttributeValue xsi:type="xs:string" xml:space="preserve">v</saml:AttributeValue><saml:AttributeValue xsi:nil="true"/><saml:AttributeValue xmlns:xsi="urn:not-xsi" xsi:type="xs:int">7</saml:AttributeValue></saml:Attribute>`,
	"non-ascii names and text":     `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:é="urn:e" ID="idé" é:attr="v"><é:Élément>Ünïcödé 𝄞 &#xFFFD;</é:Élément></samlp:Response>`,
	"odd colons":                   `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="id"><:a>x</:a><b: c:="1">y</b:></samlp:Response>`,
	"dots dashes digits":           `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:a-b.c="urn:x" ID="id" a-b.c:d-e.f1="v"><a-b.c:g_h.9>t</a-b.c:g_h.9></samlp:Response>`,
	"status detail":                `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:x="urn:x" xmlns:y="urn:x" ID="id"><samlp:Status><samlp:StatusCode Value="v"><samlp:StatusCode Value="w"/></samlp:StatusCode><samlp:StatusMessage>m</samlp:StatusMessage><samlp:StatusDetail xmlns:z="urn:z"><z:a>1<!--c--></z:a>t<x:b y:c="2"/></samlp:StatusDetail></samlp:Status></samlp:Response>`,
	"bad values":                   `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="id" IssueInstant="yesterday" Version="2.0"/>`,
	"bad assertion values":         `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="id" IssueInstant="2020-01-01T00:00:00Z"><saml:Conditions NotBefore="later"/><saml:AuthnStatement AuthnInstant="x" SessionNotOnOrAfter="y"/></saml:Assertion>`,
	"extensions":                   `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="e"><md:Extensions><x:Foo xmlns:x="urn:x" a="1" x:b="2">t<x:Bar/>u</x:Foo></md:Extensions></md:EntityDescriptor>`,
	"deep":                         "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"id\">" + strings.Repeat("<a>", 40) + "x" + strings.Repeat("</a>", 40) + "</samlp:Response>",
}

// constructedElements are trees only code can build (etree's parser never
// produces them): invalid characters, adjacent text nodes, CDATA.
func constructedElements() map[string]*etree.Element {
	els := map[string]*etree.Element{}
	mk := func(name string, f func(issuer *etree.Element)) {
		root := etree.NewElement("samlp:Response")
		root.CreateAttr("xmlns:samlp", "urn:oasis:names:tc:SAML:2.0:protocol")
		root.CreateAttr("ID", "id")
		issuer := root.CreateElement("saml:Issuer")
		issuer.CreateAttr("xmlns:saml", "urn:oasis:names:tc:SAML:2.0:assertion")
		f(issuer)
		els[name] = root
	}
	mk("adjacent text", func(e *etree.Element) {
		e.AddChild(etree.NewText("a"))
		e.AddChild(etree.NewText(""))
		e.AddChild(etree.NewText("b"))
		e.AddChild(etree.NewCData("c"))
		e.AddChild(etree.NewText("d"))
	})
	mk("only empty text", func(e *etree.Element) {
		e.AddChild(etree.NewText(""))
		e.AddChild(etree.NewText(""))
	})
	mk("empty cdata", func(e *etree.Element) { e.AddChild(etree.NewCData("")) })
	mk("cdata with end", func(e *etree.Element) { e.AddChild(etree.NewCData("a]]>b")) })
	mk("nul", func(e *etree.Element) { e.SetText("a\x00b") })
	mk("invalid utf8", func(e *etree.Element) { e.SetText("a\xffb") })
	mk("fffe", func(e *etree.Element) { e.SetText("a\uFFFEb") })
	mk("attr nul", func(e *etree.Element) { e.CreateAttr("Format", "a\x01b") })
	mk("cr", func(e *etree.Element) { e.SetText("a\r\nb\rc") })
	mk("comment dashes", func(e *etree.Element) { e.AddChild(etree.NewComment("a--b-")) })
	mk("directive", func(e *etree.Element) { e.AddChild(etree.NewDirective("DOCTYPE x")) })
	mk("name with space", func(e *etree.Element) { e.CreateElement("a b") })
	mk("name with two colons", func(e *etree.Element) { e.CreateElement("a:b:c") })
	mk("empty name", func(e *etree.Element) { e.AddChild(&etree.Element{}) })
	return els
}

// allElements returns el and its descendants.
func allElements(el *etree.Element) []*etree.Element {
	els := []*etree.Element{el}
	for _, c := range el.ChildElements() {
		els = append(els, allElements(c)...)
	}
	return els
}

// sameUnmarshal reports whether unmarshalElement and
// unmarshalElementViaText agree on el for every target type.
func checkSameUnmarshal(t *testing.T, name string, el *etree.Element) {
	t.Helper()
	for _, target := range unmarshalTargets {
		want, got := target(), target()
		wantErr := unmarshalElementViaText(el, want)
		gotErr := unmarshalElement(el, got)
		typ := reflect.TypeOf(want).Elem().Name()
		if (wantErr == nil) != (gotErr == nil) || (wantErr != nil && wantErr.Error() != gotErr.Error()) {
			t.Errorf("%s <%s> into %s: error %v, want %v", name, el.FullTag(), typ, gotErr, wantErr)
			continue
		}
		if wantErr != nil {
			if errors.Is(wantErr, ErrMalformedMessage) != errors.Is(gotErr, ErrMalformedMessage) {
				t.Errorf("%s <%s> into %s: classification differs", name, el.FullTag(), typ)
			}
			continue
		}
		if !reflect.DeepEqual(want, got) && !cmp.Equal(want, got, cmp.Comparer(sameEtreeElement)) {
			t.Errorf("%s <%s> into %s: got %#v, want %#v", name, el.FullTag(), typ, got, want)
		}
	}
}

// sameEtreeElement compares elements decoded by decodeEtreeElement, which
// picks at random among several prefixes bound to the namespace of a name
// (the old path does so too, from one run to the next): names are compared
// by namespace URI, and everything else as it is.
func sameEtreeElement(a, b *etree.Element) bool {
	if a == nil || b == nil {
		return a == b
	}
	return etreeShape(a) == etreeShape(b)
}

func etreeShape(el *etree.Element) string {
	var sb strings.Builder
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) {
		fmt.Fprintf(&sb, "<{%s}%s", el.NamespaceURI(), el.Tag)
		for _, a := range el.Attr {
			if a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns") {
				fmt.Fprintf(&sb, " decl(%s)", a.Value)
				continue
			}
			fmt.Fprintf(&sb, " {%s}%s=%q", a.NamespaceURI(), a.Key, a.Value)
		}
		sb.WriteString(">")
		for _, c := range el.Child {
			switch c := c.(type) {
			case *etree.Element:
				walk(c)
			case *etree.CharData:
				fmt.Fprintf(&sb, "text(%q,%v)", c.Data, c.IsCData())
			case *etree.Comment:
				fmt.Fprintf(&sb, "comment(%q)", c.Data)
			default:
				fmt.Fprintf(&sb, "%T", c)
			}
		}
		sb.WriteString("</>")
	}
	walk(el)
	return sb.String()
}

// checkSameTokens compares the tokens the Decoder returns, namespaces
// resolved, from elementTokenReader and from etree's serialization.
func checkSameTokens(t *testing.T, name string, el *etree.Element) {
	t.Helper()
	root := elementWithNamespaces(el)
	sanitizeAttributesForUnmarshal(root)
	if !tokenStreamable(root) {
		return
	}
	buf, err := elementCopyToBytes(root)
	if err != nil {
		t.Fatal(err)
	}
	fromText := xml.NewDecoder(bytes.NewReader(buf))
	fromTree := xml.NewTokenDecoder(newElementTokenReader(root))
	for i := 0; ; i++ {
		want, wantErr := fromText.Token()
		got, gotErr := fromTree.Token()
		if wantErr == io.EOF && gotErr == io.EOF {
			return
		}
		if wantErr != nil || gotErr != nil {
			t.Errorf("%s <%s> token %d: error %v, want %v", name, el.FullTag(), i, gotErr, wantErr)
			return
		}
		if !reflect.DeepEqual(xml.CopyToken(want), xml.CopyToken(got)) {
			t.Errorf("%s <%s> token %d: %#v, want %#v", name, el.FullTag(), i, got, want)
			return
		}
	}
}

func TestUnmarshalElementTokenReaderMatchesText(t *testing.T) {
	type item struct {
		name string
		el   *etree.Element
	}
	var items []item
	for path, doc := range corpusDocuments(t) {
		items = append(items, item{path, doc.Root()})
	}
	for name, src := range hostileDocuments {
		doc := etree.NewDocument()
		if err := doc.ReadFromString(src); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		items = append(items, item{name, doc.Root()})
	}
	for name, el := range constructedElements() {
		items = append(items, item{name, el})
	}
	// What signature validation returns, which is what the messages are
	// read from: re-parsed canonical bytes with the Signature put back.
	for _, tc := range sesameBenchCases {
		sp := sesameSP(t, tc.idp)
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(sesameFixture(t, tc.idp+"-response.xml")); err != nil {
			t.Fatal(err)
		}
		items = append(items, item{tc.idp, doc.Root()})
		for _, el := range allElements(doc.Root()) {
			if el.Tag != "Response" && el.Tag != "Assertion" {
				continue
			}
			if signed, err := sp.validatedElement(el.Copy()); err == nil {
				items = append(items, item{tc.idp + " signed " + el.Tag, signed})
			}
		}
	}
	if len(items) < 60 {
		t.Fatalf("only %d documents", len(items))
	}

	streamed, elements := 0, 0
	for _, it := range items {
		for _, el := range allElements(it.el) {
			elements++
			root := elementWithNamespaces(el)
			sanitizeAttributesForUnmarshal(root)
			if tokenStreamable(root) {
				streamed++
			}
			checkSameTokens(t, it.name, el)
			checkSameUnmarshal(t, it.name, el)
		}
	}
	t.Logf("%d documents, %d elements, %d read from the tree", len(items), elements, streamed)
}

// The fixtures' messages take the fast path; what it cannot reproduce
// exactly does not.
func TestTokenStreamable(t *testing.T) {
	for _, tc := range sesameBenchCases {
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(sesameFixture(t, tc.idp+"-response.xml")); err != nil {
			t.Fatal(err)
		}
		if !tokenStreamable(doc.Root()) {
			t.Errorf("%s response not streamable", tc.idp)
		}
	}
	for name, el := range constructedElements() {
		want := name == "adjacent text" || name == "only empty text"
		if got := tokenStreamable(el); got != want {
			t.Errorf("%s: tokenStreamable = %v, want %v", name, got, want)
		}
	}
	for name, src := range map[string]string{
		"cr":        `<a b="&#13;"/>`,
		"procinst":  `<a><?x y?></a>`,
		"non-ascii": `<é/>`,
		"colon":     `<a :b="1"/>`,
	} {
		doc := etree.NewDocument()
		if err := doc.ReadFromString(src); err != nil {
			t.Fatal(err)
		}
		if tokenStreamable(doc.Root()) {
			t.Errorf("%s: streamable", name)
		}
	}
}

func FuzzUnmarshalElementTokenReader(f *testing.F) {
	for _, src := range hostileDocuments {
		f.Add(src)
	}
	for _, tc := range sesameBenchCases {
		f.Add(string(sesameFixture(f, tc.idp+"-response.xml")))
	}
	f.Fuzz(func(t *testing.T, src string) {
		doc := etree.NewDocument()
		if err := doc.ReadFromString(src); err != nil || doc.Root() == nil {
			return
		}
		for _, el := range allElements(doc.Root()) {
			checkSameTokens(t, "fuzz", el)
			checkSameUnmarshal(t, "fuzz", el)
		}
	})
}
