package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/web"
)

// The context tree (issue 13 §3). It never loads the tree: a page shows
// one context, the path above it and one page of its children (an index
// range on parent_id), so 100,000 accounts cost what 50 do; search by
// name or number goes through the indexed context search (R-CTX-1).

type contextsPage struct {
	common
	Query      string
	Results    []ctxRow
	Prev, Next string
}

// contexts is GET /console/contexts: the admin's own contexts, or ?q=
// search results.
func (h *Handler) contexts(w http.ResponseWriter, r *http.Request, q req) {
	ctx := r.Context()
	d := contextsPage{common: q.common("contexts"), Query: text(r, "q", 200)}
	if d.Query != "" {
		var err error
		if d.Results, d.Prev, d.Next, err = h.contextList(r, q, model.ContextFilter{Query: d.Query}); err != nil {
			h.fail(w, r, "console: search contexts", err)
			return
		}
	} else {
		for _, id := range q.actor.User.Contexts {
			if c, err := h.Dir.GetContext(ctx, q.actor, id); err == nil {
				d.Results = append(d.Results, row(c))
			}
		}
	}
	h.render(w, r, http.StatusOK, "console_contexts", d)
}

// contextList is one page (?offset=) of an indexed context search, with
// the links to the pages around it.
func (h *Handler) contextList(r *http.Request, q req, f model.ContextFilter) (rows []ctxRow, prev, next string, err error) {
	off := offsetParam(r)
	f.Page = model.Page{Offset: off, Limit: pageSize}
	cs, more, err := h.Dir.SearchContexts(r.Context(), q.actor, f)
	if err != nil {
		return nil, "", "", err
	}
	for _, c := range cs {
		rows = append(rows, row(c))
	}
	prev, next = pager(r, off, more)
	return rows, prev, next, nil
}

func row(c model.Context) ctxRow {
	return ctxRow{ID: c.ID, Name: c.Name, Type: string(c.Type), Number: c.Number}
}

type contextPage struct {
	common
	C          ctxRow
	Path       []ctxRow
	Children   []ctxRow
	Prev, Next string
	Groups     []groupRow
	ChildTypes []option
	Templates  []option
	// Branded: the context is a tenant or root (it has a branding page).
	Branded bool
	FChild  web.Form
	FGroup  web.Form
	// GroupNonce is the new-group form's nonce (Nonce is the child's).
	GroupNonce string
	// HasPolicy: the context has an access policy (R-EFF-5) of
	// PolicyValues values.
	HasPolicy    bool
	PolicyValues int
}

type groupRow struct{ ID, Name, Context, Roles string }

// contextPage is GET /console/contexts/{id}.
func (h *Handler) contextPage(w http.ResponseWriter, r *http.Request, q req) {
	h.showContext(w, r, q, http.StatusOK, nil, nil, i18n.Msg{}, "")
}

func (h *Handler) showContext(w http.ResponseWriter, r *http.Request, q req, status int, fchild, fgroup web.Form, prob i18n.Msg, detail string) {
	ctx := r.Context()
	c, err := h.Dir.GetContext(ctx, q.actor, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, "console: get context", err)
		return
	}
	d := contextPage{common: q.common("contexts"), C: row(c), FChild: fchild, FGroup: fgroup, GroupNonce: newNonce(),
		Branded: c.Type == model.ContextTenant || c.Type == model.ContextRoot}
	d.Notice, d.Problem, d.Detail, d.Nonce = notice(r), prob, detail, newNonce()
	if path, err := h.Dir.Ancestors(ctx, q.actor, c.ID); err == nil {
		// Root first, the context itself last (not linked).
		for i := len(path) - 1; i >= 0; i-- {
			if path[i].ID != c.ID {
				d.Path = append(d.Path, row(path[i]))
			}
		}
	}
	if d.Children, d.Prev, d.Next, err = h.contextList(r, q, model.ContextFilter{ParentID: c.ID}); err != nil {
		h.fail(w, r, "console: children", err)
		return
	}
	if vals, has, err := h.Dir.GetPolicy(ctx, q.actor, c.ID); err == nil {
		d.HasPolicy, d.PolicyValues = has, len(vals)
	}
	if gs, err := h.Dir.ListGroups(ctx, q.actor, c.ID, false); err == nil {
		for _, g := range gs {
			d.Groups = append(d.Groups, groupRow{ID: g.ID, Name: g.Name, Roles: strings.Join(g.RoleNames, ", ")})
		}
	}
	for _, t := range []model.ContextType{model.ContextTenant, model.ContextAccount, model.ContextCustomer} {
		if t.AllowedParent(c.Type) {
			d.ChildTypes = append(d.ChildTypes, option{Value: string(t), Label: "console.type." + string(t), Selected: d.FChild["type"].Value == string(t)})
		}
	}
	d.Templates = []option{{Value: "", Label: "console.group.no_template"}}
	if ts, err := h.Dir.ListTemplates(ctx, q.actor); err == nil {
		for _, t := range ts {
			if t.AllowsContextType(c.Type) {
				d.Templates = append(d.Templates, option{Value: t.ID, Label: t.Name, Selected: d.FGroup["template"].Value == t.ID})
			}
		}
	}
	h.render(w, r, status, "console_context", d)
}

// createChild is POST /console/contexts/{id}/children.
func (h *Handler) createChild(w http.ResponseWriter, r *http.Request, q req) {
	parent := r.PathValue("id")
	f := web.Form{}
	c := model.Context{ParentID: parent, Type: model.ContextType(r.PostFormValue("type")),
		Name: strings.TrimSpace(r.PostFormValue("name")), Number: strings.TrimSpace(r.PostFormValue("number"))}
	f["type"], f["name"], f["number"] = web.FormField{Value: string(c.Type)}, web.FormField{Value: c.Name}, web.FormField{Value: c.Number}
	if c.Name == "" {
		f["name"] = web.FormField{Err: i18n.M("console.error.required")}
		h.showContext(w, r, q, http.StatusBadRequest, f, nil, i18n.M("console.error.form"), "")
		return
	}
	ok, err := h.once(w, r, q, "created", func() (string, error) {
		out, err := h.Dir.CreateContext(r.Context(), q.actor, c)
		if err != nil {
			return "", err
		}
		return Path + "/contexts/" + out.ID, nil
	})
	if ok {
		return
	}
	if formError(err) {
		h.showContext(w, r, q, http.StatusBadRequest, f, nil, refused(f, err), "")
		return
	}
	h.fail(w, r, "console: create context", err)
}

// createGroup is POST /console/contexts/{id}/groups: a group, its role
// names, and the template its values are copied from.
func (h *Handler) createGroup(w http.ResponseWriter, r *http.Request, q req) {
	cid := r.PathValue("id")
	f := web.Form{}
	g := model.Group{ContextID: cid, Name: strings.TrimSpace(r.PostFormValue("name")), Description: strings.TrimSpace(r.PostFormValue("description")),
		RoleNames: splitList(r.PostFormValue("roles"))}
	tmpl := r.PostFormValue("template")
	f["name"], f["description"], f["roles"], f["template"] = web.FormField{Value: g.Name}, web.FormField{Value: g.Description},
		web.FormField{Value: r.PostFormValue("roles")}, web.FormField{Value: tmpl}
	if g.Name == "" {
		f["name"] = web.FormField{Err: i18n.M("console.error.required")}
		h.showContext(w, r, q, http.StatusBadRequest, nil, f, i18n.M("console.error.form"), "")
		return
	}
	ok, err := h.once(w, r, q, "created", func() (string, error) {
		out, err := h.Dir.CreateGroup(r.Context(), q.actor, g, tmpl)
		if err != nil {
			return "", err
		}
		return Path + "/groups/" + url.PathEscape(out.ID), nil
	})
	if ok {
		return
	}
	if formError(err) {
		h.showContext(w, r, q, http.StatusBadRequest, nil, groupFieldErr(f, err), i18n.M("console.error.form"), "")
		return
	}
	h.fail(w, r, "console: create group", err)
}

// groupFieldErr puts a refused group change next to its field (the
// directory's "roleNames", "templateId", "values…" map to the form's).
func groupFieldErr(f web.Form, err error) web.Form {
	field, _, _ := problem(err)
	name := "name"
	switch {
	case strings.HasPrefix(field, "role"):
		name = "roles"
	case strings.HasPrefix(field, "template"):
		name = "template"
	case field == "description":
		name = "description"
	}
	setErr(f, name, err)
	return f
}

// contextPolicy is POST /console/contexts/{id}/policy: apply a template
// as the context's access policy (its values copied), or remove=1 the
// policy (R-EFF-5).
func (h *Handler) contextPolicy(w http.ResponseWriter, r *http.Request, q req) {
	id := r.PathValue("id")
	var err error
	if r.PostFormValue("remove") == "1" {
		err = h.Dir.SetPolicy(r.Context(), q.actor, id, nil)
	} else if t := r.PostFormValue("template"); t != "" {
		err = h.Dir.ApplyTemplateToPolicy(r.Context(), q.actor, id, t)
	} else {
		h.showContext(w, r, q, http.StatusBadRequest, nil, nil, i18n.M("console.error.pick_template"), "")
		return
	}
	if err != nil {
		if formError(err) {
			_, msg, detail := problem(err)
			h.showContext(w, r, q, http.StatusBadRequest, nil, nil, msg, detail)
			return
		}
		h.fail(w, r, "console: context policy", err)
		return
	}
	done(w, r, Path+"/contexts/"+url.PathEscape(id), "saved")
}

// splitList reads a comma- or line-separated list.
func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
