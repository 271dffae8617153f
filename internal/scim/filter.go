package scim

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The SCIM filter language (RFC 7644 §3.4.2.2):
//
//	FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
//	valuePath = attrPath "[" valFilter "]"
//	attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
//	logExp    = FILTER SP ("and" / "or") SP FILTER
//	compValue = false / null / true / number / string
//
// "not" binds tighter than "and", which binds tighter than "or". Errors
// name the (1-based, in characters) position where the filter went wrong.

// Bounds on what a filter may be: size and node count.
const (
	maxFilterLen   = 4096
	maxFilterNodes = 64
)

// Node is a parsed filter.
type Node struct {
	// Op is "and", "or", "not", "[]" (a value path: Path[Args[0]]), "pr"
	// or a comparison operator (eq ne co sw ew gt ge lt le).
	Op string
	// Path is the attribute path as written (canonicalised later).
	Path  string
	Value any // string, bool, float64 or nil (null)
	Args  []*Node
	// Pos is the 1-based character position of the node in the filter.
	Pos int
}

var compareOps = map[string]bool{"eq": true, "ne": true, "co": true, "sw": true, "ew": true, "gt": true, "ge": true, "lt": true, "le": true}

type token struct {
	kind string // "word", "string", "(", ")", "[", "]", "eof"
	text string
	val  any
	pos  int // 1-based character position
}

type filterParser struct {
	src   string
	toks  []token
	i     int
	nodes int
}

// ParseFilter parses a filter expression.
func ParseFilter(s string) (*Node, error) {
	if len(s) > maxFilterLen {
		return nil, badRequest(typeInvalidFilter, "the filter is longer than %d bytes", maxFilterLen)
	}
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return nil, badRequest(typeInvalidFilter, "the filter is not valid UTF-8 text")
	}
	toks, err := lexFilter(s)
	if err != nil {
		return nil, err
	}
	p := &filterParser{src: s, toks: toks}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != "eof" {
		return nil, p.errAt(t, "unexpected %q", t.text)
	}
	return n, nil
}

func filterError(pos int, format string, args ...any) error {
	return badRequest(typeInvalidFilter, "invalid filter at position %d: %s", pos, fmt.Sprintf(format, args...))
}

func (p *filterParser) errAt(t token, format string, args ...any) error {
	if t.kind == "eof" {
		return filterError(t.pos, "the filter ends too early: %s", fmt.Sprintf(format, args...))
	}
	return filterError(t.pos, format, args...)
}

func (p *filterParser) peek() token { return p.toks[p.i] }
func (p *filterParser) next() token {
	t := p.toks[p.i]
	if t.kind != "eof" {
		p.i++
	}
	return t
}

func (p *filterParser) keyword(t token, kw string) bool {
	return t.kind == "word" && strings.EqualFold(t.text, kw)
}

func (p *filterParser) node(n *Node) (*Node, error) {
	p.nodes++
	if p.nodes > maxFilterNodes {
		return nil, filterError(n.Pos, "the filter has more than %d terms", maxFilterNodes)
	}
	return n, nil
}

func (p *filterParser) or() (*Node, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword(p.peek(), "or") {
		t := p.next()
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		if left, err = p.node(&Node{Op: "or", Args: []*Node{left, right}, Pos: t.pos}); err != nil {
			return nil, err
		}
	}
	return left, nil
}

func (p *filterParser) and() (*Node, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.keyword(p.peek(), "and") {
		t := p.next()
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		if left, err = p.node(&Node{Op: "and", Args: []*Node{left, right}, Pos: t.pos}); err != nil {
			return nil, err
		}
	}
	return left, nil
}

func (p *filterParser) group() (*Node, error) {
	open := p.next()
	if open.kind != "(" {
		return nil, p.errAt(open, "expected \"(\"")
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.next(); t.kind != ")" {
		return nil, p.errAt(t, "expected \")\" to close the \"(\" at position %d", open.pos)
	}
	return n, nil
}

func (p *filterParser) unary() (*Node, error) {
	t := p.peek()
	switch {
	case t.kind == "(":
		return p.group()
	case p.keyword(t, "not") && p.toks[p.i+1].kind == "(":
		p.next()
		inner, err := p.group()
		if err != nil {
			return nil, err
		}
		return p.node(&Node{Op: "not", Args: []*Node{inner}, Pos: t.pos})
	case t.kind != "word":
		return nil, p.errAt(t, "expected an attribute name")
	}
	p.next()
	if !validAttrPath(t.text) {
		return nil, filterError(t.pos, "%q is not an attribute path", t.text)
	}
	if p.peek().kind == "[" {
		open := p.next()
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != "]" {
			return nil, p.errAt(c, "expected \"]\" to close the \"[\" at position %d", open.pos)
		}
		return p.node(&Node{Op: "[]", Path: t.text, Args: []*Node{inner}, Pos: t.pos})
	}
	opTok := p.next()
	op := strings.ToLower(opTok.text)
	if opTok.kind != "word" || (op != "pr" && !compareOps[op]) {
		return nil, p.errAt(opTok, "expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after %q", t.text)
	}
	if op == "pr" {
		return p.node(&Node{Op: "pr", Path: t.text, Pos: t.pos})
	}
	v := p.next()
	var val any
	switch {
	case v.kind == "string":
		val = v.val
	case p.keyword(v, "true"):
		val = true
	case p.keyword(v, "false"):
		val = false
	case p.keyword(v, "null"):
		val = nil
	case v.kind == "word" && isNumber(v.text):
		var f float64
		if err := json.Unmarshal([]byte(v.text), &f); err != nil {
			return nil, filterError(v.pos, "%q is not a number", v.text)
		}
		val = f
	default:
		return nil, p.errAt(v, "expected a value (a \"string\", true, false, null or a number) after %q", opTok.text)
	}
	return p.node(&Node{Op: op, Path: t.text, Value: val, Pos: t.pos})
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r >= '0' && r <= '9' || r == '.' || r == 'e' || r == 'E' || r == '+' || (r == '-' && (i == 0 || s[i-1] == 'e' || s[i-1] == 'E'))) {
			return false
		}
	}
	return true
}

// validAttrPath: [URI ":"] ATTRNAME *1subAttr, where names are ALPHA
// *(nameChar) and the URI is a urn (RFC 7643 §2.1).
func validAttrPath(s string) bool {
	if s == "" || len(s) > 300 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.' || r == ':' || r == '$') {
			return false
		}
	}
	return true
}

func lexFilter(s string) ([]token, error) {
	var toks []token
	pos := 1
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			i += size
			pos++
		case r == '(' || r == ')' || r == '[' || r == ']':
			toks = append(toks, token{kind: string(r), text: string(r), pos: pos})
			i++
			pos++
		case r == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, filterError(pos, "the string that starts here is not closed")
			}
			var v string
			if err := json.Unmarshal([]byte(s[i:j+1]), &v); err != nil {
				return nil, filterError(pos, "the string that starts here is not a valid JSON string")
			}
			toks = append(toks, token{kind: "string", text: s[i : j+1], val: v, pos: pos})
			pos += utf8.RuneCountInString(s[i : j+1])
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n()[]\"", rune(s[j])) {
				j++
			}
			word := s[i:j]
			toks = append(toks, token{kind: "word", text: word, pos: pos})
			pos += utf8.RuneCountInString(word)
			i = j
		}
	}
	return append(toks, token{kind: "eof", pos: pos}), nil
}

// match evaluates a filter on one element of a multi-valued attribute (a
// PATCH value path such as emails[type eq "work"]): paths are sub-attribute
// names of the element. It is never used to search resources.
func (n *Node) match(elem map[string]any) bool {
	switch n.Op {
	case "and":
		return n.Args[0].match(elem) && n.Args[1].match(elem)
	case "or":
		return n.Args[0].match(elem) || n.Args[1].match(elem)
	case "not":
		return !n.Args[0].match(elem)
	case "[]":
		return false
	}
	v, ok := lookupCI(elem, n.Path)
	if n.Op == "pr" {
		return ok && v != nil && v != ""
	}
	switch want := n.Value.(type) {
	case bool:
		b, isBool := asBool(v)
		return isBool && ((n.Op == "eq" && b == want) || (n.Op == "ne" && b != want))
	case string:
		got, isStr := v.(string)
		if !isStr {
			return n.Op == "ne"
		}
		g, w := strings.ToLower(got), strings.ToLower(want)
		switch n.Op {
		case "eq":
			return g == w
		case "ne":
			return g != w
		case "co":
			return strings.Contains(g, w)
		case "sw":
			return strings.HasPrefix(g, w)
		case "ew":
			return strings.HasSuffix(g, w)
		case "gt":
			return g > w
		case "ge":
			return g >= w
		case "lt":
			return g < w
		case "le":
			return g <= w
		}
	case nil:
		return (n.Op == "eq") == (!ok || v == nil)
	}
	return false
}

// lookupCI finds a key case-insensitively (attribute names are, RFC 7643
// §2.1).
func lookupCI(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// asBool reads a boolean, accepting the strings "True"/"False" Entra ID
// sends for active (any case).
func asBool(v any) (bool, bool) {
	switch b := v.(type) {
	case bool:
		return b, true
	case string:
		switch strings.ToLower(b) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}
