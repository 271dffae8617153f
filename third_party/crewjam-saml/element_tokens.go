package saml

import (
	"encoding/xml"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// elementTokenReader is an xml.TokenReader over an etree element: the raw
// tokens (prefixes not yet resolved) that xml.Decoder's tokenizer would
// return for the element as etree writes it, so that a Decoder reading from
// it resolves namespaces and unmarshals exactly as xml.Unmarshal does on
// etree's serialization, without writing and re-tokenizing the text.
//
// It is only used on elements for which tokenStreamable reports true; for
// those, writing the element with etree and tokenizing it again yields
// these tokens:
//
//   - names are ASCII XML names with at most one colon, between Space and
//     Tag, so the tokenizer splits Space:Tag back into the same two parts;
//   - text and attribute values hold only XML characters and no carriage
//     return, so etree's escaping (&amp; &lt; &gt; &apos; &quot;) is all
//     the tokenizer undoes: it would otherwise turn \r and \r\n into \n and
//     etree would write U+FFFD for a character XML does not allow;
//   - adjacent text children are written as one run of text, so they are
//     one CharData token here; empty text is nothing;
//   - a CDATA section is its own token (etree writes it as such) and has no
//     "]]>", which etree would split into two sections;
//   - a comment has no "--" and does not end with "-", which etree would
//     break up with spaces.
type elementTokenReader struct {
	// stack holds the open elements and the index of the next child of
	// each to read.
	stack []elementTokenFrame
	// root is the element not yet started (nil once it has been).
	root *etree.Element
	// text is reused for CharData and Comment tokens, which are only valid
	// until the next call to Token (see xml.TokenReader).
	text []byte
}

type elementTokenFrame struct {
	el   *etree.Element
	next int
}

func newElementTokenReader(root *etree.Element) *elementTokenReader {
	return &elementTokenReader{root: root, stack: make([]elementTokenFrame, 0, 16)}
}

// Token implements xml.TokenReader.
func (r *elementTokenReader) Token() (xml.Token, error) {
	if r.root != nil {
		el := r.root
		r.root = nil
		return r.start(el), nil
	}
	for len(r.stack) > 0 {
		top := &r.stack[len(r.stack)-1]
		if top.next == len(top.el.Child) {
			r.stack = r.stack[:len(r.stack)-1]
			return xml.EndElement{Name: xml.Name{Space: top.el.Space, Local: top.el.Tag}}, nil
		}
		switch child := top.el.Child[top.next].(type) {
		case *etree.Element:
			top.next++
			return r.start(child), nil
		case *etree.CharData:
			top.next++
			if child.IsCData() {
				r.text = append(r.text[:0], child.Data...)
				return xml.CharData(r.text), nil
			}
			// The text up to the next child that is not plain text.
			r.text = append(r.text[:0], child.Data...)
			for top.next < len(top.el.Child) {
				next, ok := top.el.Child[top.next].(*etree.CharData)
				if !ok || next.IsCData() {
					break
				}
				r.text = append(r.text, next.Data...)
				top.next++
			}
			if len(r.text) == 0 {
				continue
			}
			return xml.CharData(r.text), nil
		case *etree.Comment:
			top.next++
			r.text = append(r.text[:0], child.Data...)
			return xml.Comment(r.text), nil
		default:
			// tokenStreamable admits no other child.
			top.next++
		}
	}
	return nil, io.EOF
}

func (r *elementTokenReader) start(el *etree.Element) xml.StartElement {
	r.stack = append(r.stack, elementTokenFrame{el: el})
	start := xml.StartElement{Name: xml.Name{Space: el.Space, Local: el.Tag}}
	if len(el.Attr) > 0 {
		// A new slice for each element: the Decoder resolves the names in
		// place, and the unmarshaller may keep the slice.
		start.Attr = make([]xml.Attr, len(el.Attr))
		for i, a := range el.Attr {
			start.Attr[i] = xml.Attr{Name: xml.Name{Space: a.Space, Local: a.Key}, Value: a.Value}
		}
	}
	return start
}

// tokenStreamable reports whether elementTokenReader yields, for el, the
// tokens xml.Decoder reads from etree's serialization of el (see
// elementTokenReader). Anything else, such as a processing instruction,
// a directive, a non-ASCII name or a carriage return, is read the slow way.
func tokenStreamable(el *etree.Element) bool {
	if !streamableName(el.Space, el.Tag) {
		return false
	}
	for _, a := range el.Attr {
		if !streamableName(a.Space, a.Key) || !streamableText(a.Value) {
			return false
		}
	}
	for _, child := range el.Child {
		switch child := child.(type) {
		case *etree.Element:
			if !tokenStreamable(child) {
				return false
			}
		case *etree.CharData:
			if !streamableText(child.Data) {
				return false
			}
			if child.IsCData() && (child.Data == "" || strings.Contains(child.Data, "]]>")) {
				return false
			}
		case *etree.Comment:
			if !streamableText(child.Data) || strings.Contains(child.Data, "--") || strings.HasSuffix(child.Data, "-") {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// streamableName reports whether space and local are empty or an ASCII
// NCName (letter or '_', then letters, digits, '_', '-', '.'), local not
// empty.
func streamableName(space, local string) bool {
	return (space == "" || asciiNCName(space)) && asciiNCName(local)
}

func asciiNCName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_':
		case i > 0 && ('0' <= c && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// streamableText reports whether s is valid UTF-8 made of XML characters
// (XML 1.0 §2.2) other than carriage return.
func streamableText(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		if !(r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return false
		}
		i += size
	}
	return true
}
