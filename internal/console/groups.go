package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/web"
)

// User groups (issue 13 §4): name, description and role names; ACL values
// by module and category with a search (User Preferences never shown,
// R-ACL-2: the directory's catalog list leaves them out); a template
// applied (values copied); members. Edits carry the group's version
// (UpdatedAt): a group changed meanwhile is a stale edit.

// maxMembersShown bounds the member list of a page.
const maxMembersShown = 200

type groupPage struct {
	common
	G       groupView
	F       web.Form
	Module  string
	Query   string
	Modules []option
	// Categories are the ACLs shown, by category.
	Categories []aclCategory
	Templates  []option
	Members    []memberView
	// More: the group has more members than shown.
	More bool
	FM   web.Form
	// Global: a root group, assigned in any context (the member form asks
	// for one).
	Global bool
}

type groupView struct{ ID, Name, Description, Roles, ContextID, Context, Version string }

type aclCategory struct {
	Name string
	ACLs []aclRow
}

type aclRow struct {
	// ID is the input's element id; Field its form name.
	ID, Field, Module, Name, Description, Value string
	Boolean                                     bool
}

type memberView struct{ UserID, Login, ContextID, Context, Key string }

// aclField is the form name of one ACL value: "b|module|name" for a
// boolean (posted 1, 0 or empty), "v|module|name" for text.
func aclField(boolean bool, module, name string) string {
	if boolean {
		return "b|" + module + "|" + name
	}
	return "v|" + module + "|" + name
}

// postedValues reads the ACL values a group form sent: ref → value, ""
// for "not assigned".
func postedValues(form map[string][]string) (map[model.ACLRef]string, bool) {
	out := map[model.ACLRef]string{}
	for k, v := range form {
		kind, rest, ok := strings.Cut(k, "|")
		if !ok || (kind != "b" && kind != "v") {
			continue
		}
		mod, name, ok := strings.Cut(rest, "|")
		if !ok || len(v) != 1 {
			return nil, false
		}
		val := strings.TrimSpace(v[0])
		if kind == "b" {
			switch val {
			case "1":
				val = "true"
			case "0":
				val = "false"
			case "":
			default:
				return nil, false
			}
		}
		out[model.ACLRef{Module: mod, Name: name}] = val
	}
	return out, true
}

// group is GET /console/groups/{id}?module=&q=.
func (h *Handler) group(w http.ResponseWriter, r *http.Request, q req) {
	h.showGroup(w, r, q, http.StatusOK, nil, nil, i18n.Msg{}, "")
}

func (h *Handler) showGroup(w http.ResponseWriter, r *http.Request, q req, status int, f, fm web.Form, prob i18n.Msg, detail string) {
	ctx := r.Context()
	g, err := h.Dir.GetGroup(ctx, q.actor, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, "console: get group", err)
		return
	}
	c, err := h.Dir.GetContext(ctx, q.actor, g.ContextID)
	cname := ""
	if err == nil {
		cname = c.Name
	}
	d := groupPage{common: q.common("contexts"), F: f, FM: fm, Module: text(r, "module", 64), Query: strings.ToLower(text(r, "q", 100)),
		Global: err == nil && c.Type == model.ContextRoot}
	d.Notice, d.Problem, d.Detail = notice(r), prob, detail
	d.G = groupView{ID: g.ID, Name: g.Name, Description: g.Description, Roles: strings.Join(g.RoleNames, ", "), ContextID: g.ContextID,
		Context: cname, Version: strconv.FormatInt(g.UpdatedAt.UnixMicro(), 10)}
	if d.F == nil {
		d.F = web.Form{"name": {Value: g.Name}, "description": {Value: g.Description}, "roles": {Value: d.G.Roles}}
	}
	mods, err := h.Dir.ListModules(ctx)
	if err != nil {
		h.fail(w, r, "console: modules", err)
		return
	}
	if d.Module == "" && len(mods) > 0 {
		d.Module = mods[0].Name
	}
	for _, m := range mods {
		d.Modules = append(d.Modules, option{Value: m.Name, Label: m.Name, Selected: m.Name == d.Module})
	}
	acls, err := h.Dir.ListACLs(ctx, d.Module, false)
	if err != nil {
		h.fail(w, r, "console: catalog", err)
		return
	}
	vals := map[model.ACLRef]string{}
	for _, v := range g.Values {
		vals[v.Ref()] = v.Value
	}
	n := 0
	for _, a := range acls {
		n++
		if a.IsPreference() {
			continue
		}
		if d.Query != "" && !strings.Contains(strings.ToLower(a.Name), d.Query) && !strings.Contains(strings.ToLower(a.Category), d.Query) {
			continue
		}
		if n := len(d.Categories); n == 0 || d.Categories[n-1].Name != a.Category {
			d.Categories = append(d.Categories, aclCategory{Name: a.Category})
		}
		cat := &d.Categories[len(d.Categories)-1]
		cat.ACLs = append(cat.ACLs, aclRow{ID: "acl-" + strconv.Itoa(n), Field: aclField(a.Type == model.ACLBoolean, a.Module, a.Name), Module: a.Module, Name: a.Name, Description: a.Description,
			Value: vals[a.Ref()], Boolean: a.Type == model.ACLBoolean})
	}
	d.Templates = []option{{Value: "", Label: "console.group.pick_template"}}
	if ts, err := h.Dir.ListTemplates(ctx, q.actor); err == nil {
		for _, t := range ts {
			d.Templates = append(d.Templates, option{Value: t.ID, Label: t.Name})
		}
	}
	ms, err := h.Dir.ListMembers(ctx, q.actor, g.ID)
	if err != nil {
		h.fail(w, r, "console: members", err)
		return
	}
	if len(ms) > maxMembersShown {
		ms, d.More = ms[:maxMembersShown], true
	}
	for _, m := range ms {
		mv := memberView{UserID: m.UserID, Login: m.UserID, ContextID: m.ContextID, Key: m.UserID + "|" + m.ContextID}
		if u, err := h.Dir.GetUser(ctx, q.actor, m.UserID); err == nil {
			mv.Login = u.LoginName
		}
		if m.ContextID == g.ContextID {
			mv.Context = cname
		} else if mc, err := h.Dir.GetContext(ctx, q.actor, m.ContextID); err == nil {
			mv.Context = mc.Name
		}
		d.Members = append(d.Members, mv)
	}
	h.render(w, r, status, "console_group", d)
}

// saveGroup is POST /console/groups/{id}: name, description, role names
// and the ACL values shown on the page (others stay as they are).
func (h *Handler) saveGroup(w http.ResponseWriter, r *http.Request, q req) {
	id := r.PathValue("id")
	at, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || at <= 0 {
		h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
		return
	}
	f := web.Form{"name": {Value: strings.TrimSpace(r.PostFormValue("name"))}, "description": {Value: strings.TrimSpace(r.PostFormValue("description"))},
		"roles": {Value: r.PostFormValue("roles")}}
	if f["name"].Value == "" {
		f["name"] = web.FormField{Err: i18n.M("console.error.required")}
		h.showGroup(w, r, q, http.StatusBadRequest, f, nil, i18n.M("console.error.form"), "")
		return
	}
	posted, ok := postedValues(r.PostForm)
	if !ok {
		h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
		return
	}
	stale := false
	_, err = h.Dir.UpdateGroup(r.Context(), q.actor, id, func(g model.Group) (model.Group, error) {
		if g.UpdatedAt.UnixMicro() != at {
			stale = true
			return g, model.ErrStale
		}
		g.Name, g.Description, g.RoleNames = f["name"].Value, f["description"].Value, splitList(f["roles"].Value)
		var vals []model.ACLValue
		for _, v := range g.Values {
			if _, ok := posted[v.Ref()]; !ok {
				vals = append(vals, v)
			}
		}
		for ref, v := range posted {
			if v != "" {
				vals = append(vals, model.ACLValue{Module: ref.Module, Name: ref.Name, Value: v})
			}
		}
		g.Values = vals
		return g, nil
	})
	if err == nil {
		http.Redirect(w, r, Path+"/groups/"+url.PathEscape(id)+"?"+url.Values{"module": {r.PostFormValue("module")},
			"q": {r.PostFormValue("q")}, "done": {"saved"}}.Encode(), http.StatusSeeOther)
		return
	}
	if stale {
		h.showGroup(w, r, q, http.StatusConflict, nil, nil, i18n.M("console.error.stale"), "")
		return
	}
	if formError(err) {
		_, msg, detail := problem(err)
		h.showGroup(w, r, q, http.StatusBadRequest, groupFieldErr(f, err), nil, msg, detail)
		return
	}
	h.fail(w, r, "console: update group", err)
}

// applyTemplate is POST /console/groups/{id}/template: the template's
// values are copied into the group.
func (h *Handler) applyTemplate(w http.ResponseWriter, r *http.Request, q req) {
	id := r.PathValue("id")
	t := r.PostFormValue("template")
	if t == "" {
		h.showGroup(w, r, q, http.StatusBadRequest, nil, nil, i18n.M("console.error.pick_template"), "")
		return
	}
	if _, err := h.Dir.ApplyTemplate(r.Context(), q.actor, id, t); err != nil {
		if formError(err) {
			_, msg, detail := problem(err)
			h.showGroup(w, r, q, http.StatusBadRequest, nil, nil, msg, detail)
			return
		}
		h.fail(w, r, "console: apply template", err)
		return
	}
	done(w, r, Path+"/groups/"+url.PathEscape(id), "template")
}

// groupMembers is POST /console/groups/{id}/members: add= a user (id or
// login name, in the group's context or the typed one for a global
// group), or remove= "user|context".
func (h *Handler) groupMembers(w http.ResponseWriter, r *http.Request, q req) {
	ctx := r.Context()
	id := r.PathValue("id")
	g, err := h.Dir.GetGroup(ctx, q.actor, id)
	if err != nil {
		h.fail(w, r, "console: get group", err)
		return
	}
	if rm := r.PostFormValue("remove"); rm != "" {
		u, c, ok := strings.Cut(rm, "|")
		if !ok || len(rm) > 200 {
			h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
			return
		}
		if err := h.Dir.RemoveMember(ctx, q.actor, model.Membership{GroupID: id, UserID: u, ContextID: c}); err != nil {
			h.memberRefused(w, r, q, web.Form{}, err)
			return
		}
		done(w, r, Path+"/groups/"+url.PathEscape(id), "removed")
		return
	}
	fm := web.Form{"user": {Value: strings.TrimSpace(r.PostFormValue("user"))}, "context": {Value: strings.TrimSpace(r.PostFormValue("context"))}}
	u, bad, err := h.resolveUser(ctx, q, fm["user"].Value)
	if err != nil {
		h.fail(w, r, "console: resolve user", err)
		return
	}
	if bad != nil {
		fm["user"] = *bad
		h.showGroup(w, r, q, http.StatusBadRequest, nil, fm, i18n.M("console.error.form"), "")
		return
	}
	cid := g.ContextID
	if fm["context"].Value != "" {
		c, badc, err := h.resolveContext(ctx, q, fm["context"].Value)
		if err != nil {
			h.fail(w, r, "console: resolve context", err)
			return
		}
		if badc != nil {
			fm["context"] = *badc
			h.showGroup(w, r, q, http.StatusBadRequest, nil, fm, i18n.M("console.error.form"), "")
			return
		}
		cid = c.ID
	} else if len(u.Contexts) == 1 {
		// A global group: the user's only context.
		if c, err := h.Dir.GetContext(ctx, q.actor, g.ContextID); err == nil && c.Type == model.ContextRoot {
			cid = u.Contexts[0]
		}
	}
	if err := h.Dir.AddMember(ctx, q.actor, model.Membership{GroupID: id, UserID: u.ID, ContextID: cid}); err != nil {
		h.memberRefused(w, r, q, fm, err)
		return
	}
	done(w, r, Path+"/groups/"+url.PathEscape(id), "added")
}

func (h *Handler) memberRefused(w http.ResponseWriter, r *http.Request, q req, fm web.Form, err error) {
	if !formError(err) {
		h.fail(w, r, "console: members", err)
		return
	}
	field, _, _ := problem(err)
	name := "user"
	if strings.HasPrefix(field, "context") {
		name = "context"
	}
	setErr(fm, name, err)
	h.showGroup(w, r, q, http.StatusBadRequest, nil, fm, i18n.M("console.error.form"), "")
}

// confirmDeleteGroup is GET /console/groups/{id}/delete.
func (h *Handler) confirmDeleteGroup(w http.ResponseWriter, r *http.Request, q req) {
	g, err := h.Dir.GetGroup(r.Context(), q.actor, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, "console: get group", err)
		return
	}
	h.render(w, r, http.StatusOK, "console_group_delete", confirmPage{common: q.common("contexts"), ID: g.ID, Name: g.Name})
}

// deleteGroup is POST /console/groups/{id}/delete.
func (h *Handler) deleteGroup(w http.ResponseWriter, r *http.Request, q req) {
	ctx := r.Context()
	g, err := h.Dir.GetGroup(ctx, q.actor, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, "console: get group", err)
		return
	}
	if err := h.Dir.DeleteGroup(ctx, q.actor, g.ID); err != nil {
		if formError(err) {
			_, msg, detail := problem(err)
			h.showGroup(w, r, q, http.StatusConflict, nil, nil, msg, detail)
			return
		}
		h.fail(w, r, "console: delete group", err)
		return
	}
	done(w, r, Path+"/contexts/"+url.PathEscape(g.ContextID), "deleted")
}
