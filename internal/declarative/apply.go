package declarative

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

// Summary counts what Apply did.
type Summary struct {
	Created, Updated, Unchanged int
	// Secrets are the generated secrets of the confidential OIDC clients
	// this apply created without secretHash or secretEnv, by client name
	// (with " (id)" appended should two share a name). They are shown
	// once: only their hashes are stored.
	Secrets map[string]string
	// ClientIDs are those clients' ids (their OAuth client_id), keyed as
	// Secrets.
	ClientIDs map[string]string
	// SCIMTokens are the tokens of created SCIM credentials ("name (id)"),
	// shown once.
	SCIMTokens map[string]string
	// Warnings are things the operator should know (an unset secretEnv).
	Warnings []string
}

func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "applied: %d created, %d updated, %d unchanged", s.Created, s.Updated, s.Unchanged)
	names := make([]string, 0, len(s.Secrets))
	for n := range s.Secrets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if id := s.ClientIDs[n]; id != "" {
			fmt.Fprintf(&b, "\nclient %s id: %s", n, id)
		}
		fmt.Fprintf(&b, "\nclient %s secret: %s", n, s.Secrets[n])
	}
	names = names[:0]
	for n := range s.SCIMTokens {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "\nscim credential %s token: %s", n, s.SCIMTokens[n])
	}
	for _, w := range s.Warnings {
		fmt.Fprintf(&b, "\nwarning: %s", w)
	}
	return b.String()
}

func (s *Summary) addSecret(name, id, secret string) {
	if s.Secrets == nil {
		s.Secrets, s.ClientIDs = map[string]string{}, map[string]string{}
	}
	key := name
	if _, dup := s.Secrets[key]; dup {
		key = fmt.Sprintf("%s (%s)", name, id)
	}
	s.Secrets[key], s.ClientIDs[key] = secret, id
}

func (s *Summary) warn(format string, args ...any) {
	s.Warnings = append(s.Warnings, fmt.Sprintf(format, args...))
}

type applier struct {
	svc  *directory.Service
	a    directory.Actor
	root model.Context
	refs map[string]string // context ref -> id
	sum  Summary
}

// Apply loads d into the store in one transaction, as the system actor.
// Applying the same document twice changes nothing the second time.
func Apply(ctx context.Context, svc *directory.Service, d Document) (Summary, error) {
	var sum Summary
	err := svc.InTx(ctx, func(tx *directory.Service) error {
		root, err := tx.Reader().RootContext(ctx)
		if err != nil {
			return err
		}
		ap := &applier{svc: tx, a: directory.System, root: root, refs: map[string]string{"root": root.ID}}
		steps := []func(context.Context, Document) error{ap.domains, ap.modules, ap.contexts, ap.templates, ap.groups, ap.policies, ap.users, ap.clients, ap.connections, ap.scimCredentials}
		for _, step := range steps {
			if err := step(ctx, d); err != nil {
				return err
			}
		}
		sum = ap.sum
		return nil
	})
	return sum, err
}

func (ap *applier) ctxID(ref, where string) (string, error) {
	if id, ok := ap.refs[ref]; ok {
		return id, nil
	}
	if _, err := ap.svc.Reader().GetContext(context.Background(), ref); err == nil {
		return ref, nil
	}
	return "", model.Invalid(where, "unknown context %q (use a ref from contexts:, root, or an existing id)", ref)
}

func (ap *applier) domains(ctx context.Context, d Document) error {
	for i, dom := range d.Domains {
		old, err := ap.svc.Reader().GetDomain(ctx, dom.Name)
		if err == nil && old == dom {
			ap.sum.Unchanged++
			continue
		}
		if err := ap.svc.UpsertDomain(ctx, ap.a, dom); err != nil {
			return fmt.Errorf("domains[%d] %q: %w", i, dom.Name, err)
		}
		if err == nil {
			ap.sum.Updated++
		} else {
			ap.sum.Created++
		}
	}
	return nil
}

func (ap *applier) modules(ctx context.Context, d Document) error {
	for i, m := range d.Modules {
		acls := make([]model.ACL, len(m.ACLs))
		for j, a := range m.ACLs {
			acls[j] = model.ACL{Module: m.Name, Category: a.Category, Name: a.Name, Type: a.Type, Description: a.Description}
		}
		if err := ap.svc.RegisterModule(ctx, ap.a, model.Module{Name: m.Name, Description: m.Description}, acls); err != nil {
			return fmt.Errorf("modules[%d] %q: %w", i, m.Name, err)
		}
		ap.sum.Updated++
	}
	return nil
}

func (ap *applier) contexts(ctx context.Context, d Document) error {
	for i, c := range d.Contexts {
		where := fmt.Sprintf("contexts[%d]", i)
		ref := c.Ref
		if ref == "" {
			ref = c.Number
		}
		if ref == "" {
			ref = c.Name
		}
		parent, err := ap.ctxID(c.Parent, where+".parent")
		if err != nil {
			return err
		}
		existing, found, err := ap.findContext(ctx, c, parent)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if found {
			if existing.Type != c.Type {
				return model.Invalid(where+".type", "context %q exists with type %s", c.Name, existing.Type)
			}
			if c.Slug != "" && c.Slug != existing.Slug {
				return model.Invalid(where+".slug", "tenant %q exists with slug %q (slugs never change)", c.Name, existing.Slug)
			}
			if existing.Name == c.Name && existing.Number == c.Number && existing.ParentID == parent {
				ap.sum.Unchanged++
			} else {
				if _, err := ap.svc.UpdateContext(ctx, ap.a, existing.ID, func(o model.Context) (model.Context, error) {
					o.Name, o.Number, o.ParentID = c.Name, c.Number, parent
					return o, nil
				}); err != nil {
					return fmt.Errorf("%s %q: %w", where, c.Name, err)
				}
				ap.sum.Updated++
			}
			ap.refs[ref] = existing.ID
			continue
		}
		nc, err := ap.svc.CreateContext(ctx, ap.a, model.Context{ID: c.ID, Type: c.Type, Name: c.Name, Number: c.Number, Slug: c.Slug, ParentID: parent})
		if err != nil {
			return fmt.Errorf("%s %q: %w", where, c.Name, err)
		}
		ap.refs[ref] = nc.ID
		ap.sum.Created++
	}
	return nil
}

func (ap *applier) findContext(ctx context.Context, c Context, parent string) (model.Context, bool, error) {
	st := ap.svc.Reader()
	if c.ID != "" {
		got, err := st.GetContext(ctx, c.ID)
		if errors.Is(err, model.ErrNotFound) {
			return got, false, nil
		}
		return got, err == nil, err
	}
	for off := 0; ; off += 500 {
		cs, more, err := st.SearchContexts(ctx, model.ContextFilter{Query: c.Name, ParentID: parent, Page: model.Page{Offset: off, Limit: 500}})
		if err != nil {
			return model.Context{}, false, err
		}
		for _, x := range cs {
			if x.Name == c.Name {
				return x, true, nil
			}
		}
		if !more {
			return model.Context{}, false, nil
		}
	}
}

func sameValues(a, b []model.ACLValue) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[model.ACLRef]string{}
	for _, v := range a {
		m[v.Ref()] = v.Value
	}
	for _, v := range b {
		if x, ok := m[v.Ref()]; !ok || x != v.Value {
			return false
		}
	}
	return true
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

func (ap *applier) templates(ctx context.Context, d Document) error {
	for i, t := range d.Templates {
		where := fmt.Sprintf("templates[%d] %q", i, t.Name)
		vals := toValues(t.Values)
		if vals == nil {
			vals = []model.ACLValue{}
		}
		old, err := ap.svc.Reader().GetTemplateByName(ctx, t.Name)
		if errors.Is(err, model.ErrNotFound) {
			if _, err := ap.svc.CreateTemplate(ctx, ap.a, model.Template{Name: t.Name, Description: t.Description, ContextTypes: t.ContextTypes, Values: vals}); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			ap.sum.Created++
			continue
		}
		if err != nil {
			return err
		}
		cts := make([]string, len(t.ContextTypes))
		octs := make([]string, len(old.ContextTypes))
		for j, x := range t.ContextTypes {
			cts[j] = string(x)
		}
		for j, x := range old.ContextTypes {
			octs[j] = string(x)
		}
		if old.Name == t.Name && old.Description == t.Description && sameStrings(cts, octs) && sameValues(old.Values, vals) {
			ap.sum.Unchanged++
			continue
		}
		if _, err := ap.svc.UpdateTemplate(ctx, ap.a, old.ID, func(o model.Template) (model.Template, error) {
			o.Name, o.Description, o.ContextTypes, o.Values = t.Name, t.Description, t.ContextTypes, vals
			return o, nil
		}); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		ap.sum.Updated++
	}
	return nil
}

func (ap *applier) templateValues(ctx context.Context, name, contextID, where string) ([]model.ACLValue, error) {
	t, err := ap.svc.Reader().GetTemplateByName(ctx, name)
	if errors.Is(err, model.ErrNotFound) {
		return nil, model.Invalid(where+".template", "template %q does not exist", name)
	}
	if err != nil {
		return nil, err
	}
	c, err := ap.svc.Reader().GetContext(ctx, contextID)
	if err != nil {
		return nil, err
	}
	if !t.AllowsContextType(c.Type) {
		return nil, model.Invalid(where+".template", "template %q may not be used with %s contexts", name, c.Type)
	}
	return t.Values, nil
}

func (ap *applier) findGroup(ctx context.Context, contextID, name string) (model.Group, bool, error) {
	gs, err := ap.svc.Reader().ListGroups(ctx, []string{contextID})
	if err != nil {
		return model.Group{}, false, err
	}
	for _, g := range gs {
		if strings.EqualFold(g.Name, name) {
			return g, true, nil
		}
	}
	return model.Group{}, false, nil
}

func (ap *applier) groups(ctx context.Context, d Document) error {
	for i, g := range d.Groups {
		where := fmt.Sprintf("groups[%d]", i)
		cid, err := ap.ctxID(g.Context, where+".context")
		if err != nil {
			return err
		}
		if g.Template != "" && g.Values != nil {
			return model.Invalid(where, "give values or a template, not both")
		}
		vals := toValues(g.Values)
		if g.Template != "" {
			if vals, err = ap.templateValues(ctx, g.Template, cid, where); err != nil {
				return err
			}
		}
		if vals == nil {
			vals = []model.ACLValue{}
		}
		roles := g.RoleNames
		if roles == nil {
			roles = []string{}
		}
		old, found, err := ap.findGroup(ctx, cid, g.Name)
		if err != nil {
			return err
		}
		if !found {
			if _, err := ap.svc.CreateGroup(ctx, ap.a, model.Group{ContextID: cid, Name: g.Name, Description: g.Description, RoleNames: roles, Values: vals}, ""); err != nil {
				return fmt.Errorf("%s %q: %w", where, g.Name, err)
			}
			ap.sum.Created++
			continue
		}
		if old.Name == g.Name && old.Description == g.Description && sameStrings(old.RoleNames, roles) && sameValues(old.Values, vals) {
			ap.sum.Unchanged++
			continue
		}
		if _, err := ap.svc.UpdateGroup(ctx, ap.a, old.ID, func(o model.Group) (model.Group, error) {
			o.Name, o.Description, o.RoleNames, o.Values = g.Name, g.Description, roles, vals
			return o, nil
		}); err != nil {
			return fmt.Errorf("%s %q: %w", where, g.Name, err)
		}
		ap.sum.Updated++
	}
	return nil
}

func (ap *applier) policies(ctx context.Context, d Document) error {
	for i, p := range d.Policies {
		where := fmt.Sprintf("policies[%d]", i)
		cid, err := ap.ctxID(p.Context, where+".context")
		if err != nil {
			return err
		}
		vals := toValues(p.Values)
		if p.Template != "" {
			if vals, err = ap.templateValues(ctx, p.Template, cid, where); err != nil {
				return err
			}
		}
		if vals == nil {
			vals = []model.ACLValue{}
		}
		old, has, err := ap.svc.Reader().GetPolicy(ctx, cid)
		if err != nil {
			return err
		}
		if has && sameValues(old, vals) {
			ap.sum.Unchanged++
			continue
		}
		if err := ap.svc.SetPolicy(ctx, ap.a, cid, vals); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		ap.sum.Updated++
	}
	return nil
}
