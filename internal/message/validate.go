package message

import (
	htmltemplate "html/template"
	"io"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/sesame-sso/sesame/internal/model"
)

// Limits of a saved template.
const (
	maxSubject = 200
	maxBody    = 20000
)

// builtins are the text/template functions a template may call; "call"
// and sub-templates are refused (R-MSG-1: a template only formats the
// placeholders of its type).
var builtins = []string{"and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge", "len", "print", "printf", "println", "html", "urlquery", "js"}

// Validate checks a template of type t before it is saved (R-MSG-1): it
// must parse, may only use the placeholders of t (an unknown one is refused
// by name), SMS templates have no subject and no HTML, emails have a
// subject on one line.
func Validate(t Type, tpl Template) error {
	if !t.Valid() {
		return model.Invalid("type", "unknown message type %q", t)
	}
	if t.IsSMS() {
		if tpl.Subject != "" || tpl.HTML != "" {
			return model.Invalid("subject", "an SMS template has text only (no subject, no html)")
		}
	} else if strings.TrimSpace(tpl.Subject) == "" {
		return model.Invalid("subject", "an email template needs a subject")
	}
	if strings.TrimSpace(tpl.Text) == "" {
		return model.Invalid("text", "the text body is empty")
	}
	if strings.ContainsAny(tpl.Subject, "\r\n") {
		return model.Invalid("subject", "the subject is one line")
	}
	if len(tpl.Subject) > maxSubject {
		return model.Invalid("subject", "the subject is longer than %d bytes", maxSubject)
	}
	for _, p := range []struct{ field, src string }{{"subject", tpl.Subject}, {"text", tpl.Text}, {"html", tpl.HTML}} {
		if len(p.src) > maxBody {
			return model.Invalid(p.field, "longer than %d bytes", maxBody)
		}
		tm, err := template.New(p.field).Parse(p.src)
		if err != nil {
			return model.Invalid(p.field, "template does not parse: %v", err)
		}
		if len(tm.Templates()) > 1 {
			return model.Invalid(p.field, "templates may not define sub-templates")
		}
		if tm.Tree == nil {
			continue
		}
		if err := walk(t, p.field, tm.Tree.Root); err != nil {
			return err
		}
	}
	// A dry run with every placeholder set catches what only shows when
	// executing (html/template's escaping contexts).
	sample := map[string]string{}
	for _, f := range placeholders[t] {
		sample[f] = "x"
	}
	if _, err := render(tpl, sample); err != nil {
		return model.Invalid("text", "template does not render: %v", err)
	}
	if tpl.HTML != "" {
		h, err := htmltemplate.New("html").Parse(tpl.HTML)
		if err == nil {
			err = h.Execute(io.Discard, sample)
		}
		if err != nil {
			return model.Invalid("html", "template does not render: %v", err)
		}
	}
	return nil
}

// walk refuses unknown placeholders, sub-template calls and functions
// outside builtins.
func walk(t Type, field string, n parse.Node) error {
	switch n := n.(type) {
	case nil:
		return nil
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := walk(t, field, c); err != nil {
				return err
			}
		}
	case *parse.ActionNode:
		return walk(t, field, n.Pipe)
	case *parse.PipeNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Cmds {
			if err := walk(t, field, c); err != nil {
				return err
			}
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			if err := walk(t, field, a); err != nil {
				return err
			}
		}
	case *parse.FieldNode:
		return known(t, field, n.Ident[0])
	case *parse.VariableNode:
		if n.Ident[0] == "$" && len(n.Ident) > 1 {
			return known(t, field, n.Ident[1])
		}
	case *parse.ChainNode:
		return walk(t, field, n.Node)
	case *parse.IdentifierNode:
		if !slices.Contains(builtins, n.Ident) {
			return model.Invalid(field, "function %q is not allowed in a message template", n.Ident)
		}
	case *parse.IfNode:
		return walkBranch(t, field, &n.BranchNode)
	case *parse.RangeNode:
		return walkBranch(t, field, &n.BranchNode)
	case *parse.WithNode:
		return walkBranch(t, field, &n.BranchNode)
	case *parse.TemplateNode:
		return model.Invalid(field, "templates may not call sub-templates")
	}
	return nil
}

func walkBranch(t Type, field string, b *parse.BranchNode) error {
	for _, c := range []parse.Node{b.Pipe, b.List, b.ElseList} {
		if err := walk(t, field, c); err != nil {
			return err
		}
	}
	return nil
}

func known(t Type, field, name string) error {
	if slices.Contains(placeholders[t], name) {
		return nil
	}
	return model.Invalid(field, "unknown placeholder {{.%s}}; a %s template may use: %s", name, t, dotted(placeholders[t]))
}

func dotted(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "{{." + n + "}}"
	}
	return strings.Join(out, ", ")
}
