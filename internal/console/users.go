package console

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/web"
)

// pageSize is the length of every console list page.
const pageSize = 50

// option is one choice of a select.
type option struct {
	Value    string
	Label    string
	Selected bool
}

// userRow is one line of the user list.
type userRow struct{ ID, Login, Name, Email, Status, Kind string }

type usersPage struct {
	common
	Query, Status string
	Statuses      []option
	Users         []userRow
	Prev, Next    string
}

var statuses = []model.UserStatus{model.StatusDraft, model.StatusActive, model.StatusInactive, model.StatusDeleted}

// offsetParam reads ?offset= (bounded; anything else is 0).
func offsetParam(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("offset"))
	if err != nil || n < 0 || n > 1_000_000 {
		return 0
	}
	return n
}

// text reads a bounded one-line text parameter (query or form).
func text(r *http.Request, name string, max int) string {
	v := strings.TrimSpace(r.FormValue(name))
	if len(v) > max || strings.ContainsAny(v, "\x00\r\n") {
		return ""
	}
	return v
}

// pager returns the previous and next page links of a list at offset.
func pager(r *http.Request, offset int, more bool) (prev, next string) {
	link := func(o int) string {
		v := r.URL.Query()
		v.Del("done")
		v.Set("offset", strconv.Itoa(o))
		return r.URL.Path + "?" + v.Encode()
	}
	if offset > 0 {
		prev = link(max(0, offset-pageSize))
	}
	if more {
		next = link(offset + pageSize)
	}
	return prev, next
}

// users is GET /console/users: search by login name, name or email
// (indexed: internal/storage's user search), filter by status, 50 a page.
func (h *Handler) users(w http.ResponseWriter, r *http.Request, q req) {
	d := usersPage{common: q.common("users"), Query: text(r, "q", 200), Status: r.URL.Query().Get("status")}
	d.Notice = notice(r)
	if !slices.Contains(statuses, model.UserStatus(d.Status)) {
		d.Status = ""
	}
	d.Statuses = []option{{Value: "", Label: "console.status.any", Selected: d.Status == ""}}
	for _, s := range statuses {
		d.Statuses = append(d.Statuses, option{Value: string(s), Label: "console.status." + string(s), Selected: d.Status == string(s)})
	}
	off := offsetParam(r)
	us, more, err := h.Dir.ListUsers(r.Context(), q.actor, model.UserFilter{Query: d.Query, Status: model.UserStatus(d.Status),
		Page: model.Page{Offset: off, Limit: pageSize}})
	if err != nil {
		h.fail(w, r, "console: list users", err)
		return
	}
	for _, u := range us {
		d.Users = append(d.Users, userRow{ID: u.ID, Login: u.LoginName, Name: strings.TrimSpace(u.Person.FirstName + " " + u.Person.LastName),
			Email: u.Person.Email, Status: string(u.Status), Kind: string(u.Kind)})
	}
	d.Prev, d.Next = pager(r, off, more)
	h.render(w, r, http.StatusOK, "console_users", d)
}

// userForm is the new-user page.
type userForm struct {
	common
	F         web.Form
	Domains   []option
	Languages []option
	Statuses  []option
}

func languageOptions(sel string) []option {
	out := []option{{Value: "", Label: "console.language.none", Selected: sel == ""}}
	for _, l := range []string{"en", "de", "fr"} {
		out = append(out, option{Value: l, Label: "console.language." + l, Selected: sel == l})
	}
	return out
}

func (h *Handler) userFormPage(w http.ResponseWriter, r *http.Request, q req, status int, f web.Form, problem i18n.Msg) {
	d := userForm{common: q.common("users"), F: f}
	d.Problem = problem
	d.Nonce = newNonce()
	ds, err := h.Dir.ListDomains(r.Context())
	if err != nil {
		h.fail(w, r, "console: domains", err)
		return
	}
	for _, dm := range ds {
		if dm.Kind == model.KindLocal {
			d.Domains = append(d.Domains, option{Value: dm.Name, Label: dm.Name, Selected: f["domain"].Value == dm.Name})
		}
	}
	d.Languages = languageOptions(f["language"].Value)
	for _, s := range []model.UserStatus{model.StatusDraft, model.StatusActive} {
		d.Statuses = append(d.Statuses, option{Value: string(s), Label: "console.status." + string(s), Selected: f["status"].Value == string(s)})
	}
	h.render(w, r, status, "console_user_new", d)
}

// newUser is GET /console/users/new (?context= preselects a context).
func (h *Handler) newUser(w http.ResponseWriter, r *http.Request, q req) {
	f := web.Form{"context": {Value: text(r, "context", 200)}, "domain": {Value: model.DomainEnterprise}, "status": {Value: string(model.StatusActive)}}
	h.userFormPage(w, r, q, http.StatusOK, f, i18n.Msg{})
}

// resolveContext finds the context an admin typed: its id, or its exact
// number or name among the contexts the admin may read (indexed search).
func (h *Handler) resolveContext(ctx context.Context, q req, typed string) (model.Context, *web.FormField, error) {
	bad := func(key string) (model.Context, *web.FormField, error) {
		return model.Context{}, &web.FormField{Value: typed, Err: i18n.M(key)}, nil
	}
	if typed == "" {
		return bad("console.error.required")
	}
	if c, err := h.Dir.GetContext(ctx, q.actor, typed); err == nil {
		return c, nil, nil
	} else if model.ErrorCode(err) != model.ENOTFOUND && model.ErrorCode(err) != model.EFORBIDDEN {
		return model.Context{}, nil, err
	}
	cs, _, err := h.Dir.SearchContexts(ctx, q.actor, model.ContextFilter{Query: typed, Page: model.Page{Limit: 20}})
	if err != nil {
		return model.Context{}, nil, err
	}
	var exact []model.Context
	for _, c := range cs {
		if strings.EqualFold(c.Number, typed) || strings.EqualFold(c.Name, typed) {
			exact = append(exact, c)
		}
	}
	switch len(exact) {
	case 1:
		return exact[0], nil, nil
	case 0:
		return bad("console.error.no_context")
	}
	return bad("console.error.ambiguous_context")
}

// fieldOf maps a directory field name to the console form's.
func fieldOf(f string) string {
	switch f {
	case "contexts":
		return "context"
	case "":
		return ""
	}
	return strings.TrimPrefix(f, "person.")
}

// setErr puts the reason a change was refused next to the form field name.
func setErr(f web.Form, name string, err error) {
	_, msg, detail := problem(err)
	v := f[name]
	v.Err, v.Detail = msg, detail
	f[name] = v
}

// refusedAt puts a refused change next to the form field the directory's
// error names (translated through names; nil: fieldOf) and returns the
// page's message; an error naming no field of the form returns its own
// message and reason for the top of the page.
func refusedAt(f web.Form, err error, names map[string]string) (i18n.Msg, string) {
	field, msg, detail := problem(err)
	name := fieldOf(field)
	if names != nil {
		name = names[field]
	}
	if name == "" {
		return msg, detail
	}
	setErr(f, name, err)
	return i18n.M("console.error.form"), ""
}

// refused is refusedAt with the user forms' field names.
func refused(f web.Form, err error) i18n.Msg {
	msg, _ := refusedAt(f, err, nil)
	return msg
}

// personFields reads the person part of a user form into f.
func personFields(r *http.Request, f web.Form) model.Person {
	p := model.Person{}
	for _, x := range []struct {
		name string
		to   *string
	}{{"firstName", &p.FirstName}, {"lastName", &p.LastName}, {"email", &p.Email}, {"phone", &p.Phone}, {"language", &p.Language}, {"avatar", &p.Avatar}} {
		v := strings.TrimSpace(r.PostFormValue(x.name))
		*x.to = v
		f[x.name] = web.FormField{Value: v}
	}
	return p
}

// createUser is POST /console/users.
func (h *Handler) createUser(w http.ResponseWriter, r *http.Request, q req) {
	f := web.Form{}
	nu := directory.NewUser{LoginName: strings.TrimSpace(r.PostFormValue("loginName")), Domain: r.PostFormValue("domain"),
		Status: model.UserStatus(r.PostFormValue("status")), Password: r.PostFormValue("password")}
	for k, v := range map[string]string{"loginName": nu.LoginName, "domain": nu.Domain, "status": string(nu.Status), "context": strings.TrimSpace(r.PostFormValue("context"))} {
		f[k] = web.FormField{Value: v}
	}
	nu.Person = personFields(r, f)
	if nu.LoginName == "" {
		f["loginName"] = web.FormField{Err: i18n.M("console.error.required")}
	}
	c, bad, err := h.resolveContext(r.Context(), q, f["context"].Value)
	if err != nil {
		h.fail(w, r, "console: resolve context", err)
		return
	}
	if bad != nil {
		f["context"] = *bad
	}
	if bad != nil || nu.LoginName == "" {
		h.userFormPage(w, r, q, http.StatusBadRequest, f, i18n.M("console.error.form"))
		return
	}
	nu.Contexts = []string{c.ID}
	ok, err := h.once(w, r, q, "created", func() (string, error) {
		u, err := h.Dir.CreateUser(r.Context(), q.actor, nu)
		if err != nil {
			return "", err
		}
		return Path + "/users/" + u.ID, nil
	})
	if ok {
		return
	}
	if formError(err) {
		h.userFormPage(w, r, q, http.StatusBadRequest, f, refused(f, err))
		return
	}
	h.fail(w, r, "console: create user", err)
}

// ctxRow is a context named on a page.
type ctxRow struct{ ID, Name, Type, Number string }

// memberRow is one group membership of a user.
type memberRow struct{ Key, GroupID, Group, ContextID, Context string }

type userPage struct {
	common
	U           userView
	F           web.Form
	FC          web.Form
	Delegated   bool
	Connections []string
	Actions     []string
	Contexts    []ctxRow
	Memberships []memberRow
	Groups      []option
	Languages   []option
	// Keys are the user's API keys, when the admin may manage them.
	Keys      []keyRow
	KeysShown bool
	// TwoFactor is the user's second-factor override, when the admin may
	// read it (R-2FA-1); OTP and TOTP its choices.
	TwoFactor *directory.TwoFactorView
	OTP, TOTP []option
}

type keyRow struct{ ID, Name, Prefix, Created, LastUsed, Expires string }

type userView struct {
	ID, Login, Status, Kind, Domain, Created, LastLogin, Version string
}

// actions are the lifecycle buttons a user in status s gets (R-USR-1);
// the directory still decides whether the admin may press them.
func actions(s model.UserStatus) []string {
	switch s {
	case model.StatusDraft:
		return []string{"activate", "discard"}
	case model.StatusActive:
		return []string{"deactivate", "delete"}
	case model.StatusInactive:
		return []string{"reactivate", "delete"}
	}
	return nil
}

func when(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// user is GET /console/users/{id}.
func (h *Handler) user(w http.ResponseWriter, r *http.Request, q req) {
	h.userPage(w, r, q, http.StatusOK, nil, nil, i18n.Msg{}, "")
}

// userPage renders a user; f and fc, when set, are the person and context
// forms as the admin sent them (with their errors).
func (h *Handler) userPage(w http.ResponseWriter, r *http.Request, q req, status int, f, fc web.Form, prob i18n.Msg, detail string) {
	ctx := r.Context()
	u, err := h.Dir.GetUser(ctx, q.actor, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, "console: get user", err)
		return
	}
	d := userPage{common: q.common("users"), F: f, FC: fc, Delegated: u.Kind == model.KindDelegated}
	d.Notice, d.Problem, d.Detail, d.Nonce = notice(r), prob, detail, newNonce()
	if d.F == nil {
		d.F = web.Form{"firstName": {Value: u.Person.FirstName}, "lastName": {Value: u.Person.LastName}, "email": {Value: u.Person.Email},
			"phone": {Value: u.Person.Phone}, "language": {Value: u.Person.Language}, "avatar": {Value: u.Person.Avatar}}
	}
	created := u.CreatedAt
	d.U = userView{ID: u.ID, Login: u.LoginName, Status: string(u.Status), Kind: string(u.Kind), Domain: u.Domain,
		Created: when(&created), LastLogin: when(u.LastLoginAt), Version: strconv.FormatInt(u.UpdatedAt.UnixMicro(), 10)}
	d.Languages = languageOptions(d.F["language"].Value)
	if !d.Delegated {
		d.Actions = actions(u.Status)
	} else {
		links, err := h.Dir.UserIdentityLinks(ctx, u.ID)
		if err != nil {
			h.fail(w, r, "console: identity links", err)
			return
		}
		for _, l := range links {
			name := l.ConnectionID
			if c, err := h.Dir.GetConnection(ctx, q.actor, l.ConnectionID); err == nil {
				name = c.Name
			}
			d.Connections = append(d.Connections, name)
		}
	}
	names := map[string]string{}
	for _, id := range u.Contexts {
		c, err := h.Dir.GetContext(ctx, q.actor, id)
		if err != nil {
			// A context outside the admin's reach is named by nothing.
			continue
		}
		names[c.ID] = c.Name
		d.Contexts = append(d.Contexts, ctxRow{ID: c.ID, Name: c.Name, Type: string(c.Type), Number: c.Number})
		gs, err := h.Dir.ListGroups(ctx, q.actor, c.ID, true)
		if err != nil {
			continue
		}
		for _, g := range gs {
			d.Groups = append(d.Groups, option{Value: g.ID + "|" + c.ID, Label: g.Name + " — " + c.Name})
		}
	}
	if ks, err := h.Dir.ListAPIKeys(ctx, q.actor, u.ID); err == nil && !d.Delegated {
		d.KeysShown = true
		for _, k := range ks {
			created := k.CreatedAt
			d.Keys = append(d.Keys, keyRow{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Created: when(&created), LastUsed: when(k.LastUsedAt),
				Expires: when(k.ExpiresAt)})
		}
	}
	if tf, err := h.Dir.UserTwoFactor(ctx, q.actor, u.ID); err == nil && !d.Delegated {
		d.TwoFactor = &tf
		for _, v := range []string{"default", model.TwoFactorDisabled, model.TwoFactorSMS, model.TwoFactorEmail, model.TwoFactorBoth} {
			d.OTP = append(d.OTP, option{Value: v, Label: "console.otp." + strings.ReplaceAll(v, "+", "_"), Selected: tf.OTP == v})
		}
		for _, v := range []string{"default", "allowed", "denied"} {
			d.TOTP = append(d.TOTP, option{Value: v, Label: "console.totp." + v, Selected: tf.TOTP == v})
		}
	}
	ms, err := h.Dir.UserMemberships(ctx, q.actor, u.ID)
	if err != nil {
		h.fail(w, r, "console: memberships", err)
		return
	}
	for _, m := range ms {
		g, err := h.Dir.GetGroup(ctx, q.actor, m.GroupID)
		if err != nil {
			continue
		}
		d.Memberships = append(d.Memberships, memberRow{Key: m.GroupID + "|" + m.ContextID, GroupID: m.GroupID, Group: g.Name,
			ContextID: m.ContextID, Context: names[m.ContextID]})
	}
	h.render(w, r, status, "console_user", d)
}

// savePerson is POST /console/users/{id}/person: person data, with the
// user's version from the form (a change made meanwhile is stale).
func (h *Handler) savePerson(w http.ResponseWriter, r *http.Request, q req) {
	f := web.Form{}
	p := personFields(r, f)
	at, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || at <= 0 {
		h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
		return
	}
	id := r.PathValue("id")
	_, err = h.Dir.UpdateUser(r.Context(), q.actor, id, directory.UserPatch{Person: &p, IfUpdatedAt: time.UnixMicro(at)})
	if err == nil {
		done(w, r, Path+"/users/"+url.PathEscape(id), "saved")
		return
	}
	if formError(err) {
		field, msg, detail := problem(err)
		if field == "updatedAt" {
			// Show what is stored now, and say why the edit was not saved.
			h.userPage(w, r, q, http.StatusConflict, nil, nil, msg, "")
			return
		}
		h.userPage(w, r, q, http.StatusBadRequest, f, nil, refused(f, err), detail)
		return
	}
	h.fail(w, r, "console: update user", err)
}

// lifecycle is POST /console/users/{id}/lifecycle (R-USR-1).
func (h *Handler) lifecycle(w http.ResponseWriter, r *http.Request, q req) {
	id := r.PathValue("id")
	to := map[string]model.UserStatus{"activate": model.StatusActive, "deactivate": model.StatusInactive, "reactivate": model.StatusActive}
	action := r.PostFormValue("action")
	var err error
	switch {
	case action == "discard":
		if err = h.Dir.Discard(r.Context(), q.actor, id); err == nil {
			done(w, r, Path+"/users", "discarded")
			return
		}
	case to[action] != "":
		if _, err = h.Dir.Transition(r.Context(), q.actor, id, to[action]); err == nil {
			done(w, r, Path+"/users/"+url.PathEscape(id), action+"d")
			return
		}
	default:
		h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
		return
	}
	h.changeRefused(w, r, q, err)
}

// changeRefused shows the user page again with why a change was refused.
func (h *Handler) changeRefused(w http.ResponseWriter, r *http.Request, q req, err error) {
	if formError(err) {
		_, msg, detail := problem(err)
		h.userPage(w, r, q, http.StatusConflict, nil, nil, msg, detail)
		return
	}
	h.fail(w, r, "console: user change", err)
}

// confirmPage asks before something final (a delete): which object, by
// id and name.
type confirmPage struct {
	common
	ID, Name string
}

// confirmDelete is GET /console/users/{id}/delete: what deleting means.
func (h *Handler) confirmDelete(w http.ResponseWriter, r *http.Request, q req) {
	u, err := h.Dir.GetUser(r.Context(), q.actor, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, "console: get user", err)
		return
	}
	h.render(w, r, http.StatusOK, "console_user_delete", confirmPage{common: q.common("users"), ID: u.ID, Name: u.LoginName})
}

// deleteUser is POST /console/users/{id}/delete: anonymised, final.
func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request, q req) {
	id := r.PathValue("id")
	if _, err := h.Dir.Transition(r.Context(), q.actor, id, model.StatusDeleted); err != nil {
		h.changeRefused(w, r, q, err)
		return
	}
	done(w, r, Path+"/users/"+url.PathEscape(id), "deleted")
}

// userContexts is POST /console/users/{id}/contexts: add= a context typed
// by id, number or name, or remove= a context id.
func (h *Handler) userContexts(w http.ResponseWriter, r *http.Request, q req) {
	ctx := r.Context()
	id := r.PathValue("id")
	u, err := h.Dir.GetUser(ctx, q.actor, id)
	if err != nil {
		h.fail(w, r, "console: get user", err)
		return
	}
	next := slices.Clone(u.Contexts)
	notice := "removed"
	if rm := r.PostFormValue("remove"); rm != "" {
		next = slices.DeleteFunc(next, func(c string) bool { return c == rm })
	} else {
		typed := strings.TrimSpace(r.PostFormValue("add"))
		c, bad, err := h.resolveContext(ctx, q, typed)
		if err != nil {
			h.fail(w, r, "console: resolve context", err)
			return
		}
		if bad != nil {
			h.userPage(w, r, q, http.StatusBadRequest, nil, web.Form{"add": *bad}, i18n.M("console.error.form"), "")
			return
		}
		if !slices.Contains(next, c.ID) {
			next = append(next, c.ID)
		}
		notice = "added"
	}
	if _, err := h.Dir.SetUserContexts(ctx, q.actor, id, next); err != nil {
		if formError(err) {
			fc := web.Form{"add": {Value: r.PostFormValue("add")}}
			setErr(fc, "add", err)
			h.userPage(w, r, q, http.StatusBadRequest, nil, fc, i18n.M("console.error.form"), "")
			return
		}
		h.fail(w, r, "console: set contexts", err)
		return
	}
	done(w, r, Path+"/users/"+url.PathEscape(id), notice)
}

// userGroups is POST /console/users/{id}/groups: add= or remove= a
// "group|context" membership.
func (h *Handler) userGroups(w http.ResponseWriter, r *http.Request, q req) {
	id := r.PathValue("id")
	key, add := r.PostFormValue("add"), true
	if key == "" {
		key, add = r.PostFormValue("remove"), false
	}
	g, c, ok := strings.Cut(key, "|")
	if !ok || g == "" || c == "" || len(key) > 200 {
		h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
		return
	}
	m := model.Membership{GroupID: g, UserID: id, ContextID: c}
	var err error
	notice := "added"
	if add {
		err = h.Dir.AddMember(r.Context(), q.actor, m)
	} else {
		err, notice = h.Dir.RemoveMember(r.Context(), q.actor, m), "removed"
	}
	if err != nil {
		h.changeRefused(w, r, q, err)
		return
	}
	done(w, r, Path+"/users/"+url.PathEscape(id), notice)
}

type keyPage struct {
	common
	UserID, Login, Name, Key string
}

// userAPIKeys is POST /console/users/{id}/api-keys: create= a key named
// name (shown once, on this answer; the form's nonce makes a double
// submit create one key), or revoke= a key id (R-SSO-6).
func (h *Handler) userAPIKeys(w http.ResponseWriter, r *http.Request, q req) {
	ctx := r.Context()
	id := r.PathValue("id")
	if k := r.PostFormValue("revoke"); k != "" {
		if err := h.Dir.DeleteAPIKey(ctx, q.actor, id, k); err != nil {
			h.changeRefused(w, r, q, err)
			return
		}
		done(w, r, Path+"/users/"+url.PathEscape(id), "removed")
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" {
		h.userPage(w, r, q, http.StatusBadRequest, nil, web.Form{"keyName": {Err: i18n.M("console.error.required")}}, i18n.M("console.error.form"), "")
		return
	}
	var created directory.CreatedAPIKey
	ok, err := h.once(w, r, q, "added", func() (string, error) {
		var err error
		if created, err = h.Dir.CreateAPIKey(ctx, q.actor, id, directory.NewAPIKey{Name: name}); err != nil {
			return "", err
		}
		return Path + "/users/" + url.PathEscape(id), nil
	}, func() {
		h.render(w, r, http.StatusOK, "console_apikey", keyPage{common: q.common("users"), UserID: id, Name: created.Name, Key: created.Key})
	})
	if !ok {
		h.changeRefused(w, r, q, err)
	}
}

type resetPage struct {
	common
	UserID, Login, Password string
	Sessions                int
}

// resetAccount is POST /console/users/{id}/reset (seed 003 "Reset
// Account"): a temporary password shown once, the authenticator removed,
// sessions ended — the directory's ResetAccount; the form's nonce makes a
// double submit reset once.
func (h *Handler) resetAccount(w http.ResponseWriter, r *http.Request, q req) {
	ctx := r.Context()
	id := r.PathValue("id")
	var res directory.AccountReset
	ok, err := h.once(w, r, q, "saved", func() (string, error) {
		var err error
		if res, err = h.Dir.ResetAccount(ctx, q.actor, id); err != nil {
			return "", err
		}
		return Path + "/users/" + url.PathEscape(id), nil
	}, func() {
		login := id
		if u, err := h.Dir.GetUser(ctx, q.actor, id); err == nil {
			login = u.LoginName
		}
		h.render(w, r, http.StatusOK, "console_reset", resetPage{common: q.common("users"), UserID: id, Login: login,
			Password: res.TemporaryPassword, Sessions: res.SessionsEnded})
	})
	if !ok {
		h.changeRefused(w, r, q, err)
	}
}

// userTwoFactor is POST /console/users/{id}/two-factor: the user's
// one-time code and authenticator settings (R-2FA-1 override).
func (h *Handler) userTwoFactor(w http.ResponseWriter, r *http.Request, q req) {
	id := r.PathValue("id")
	in := directory.TwoFactorSettings{OTP: r.PostFormValue("otp"), TOTP: r.PostFormValue("totp")}
	if _, err := h.Dir.SetUserTwoFactor(r.Context(), q.actor, id, in); err != nil {
		h.changeRefused(w, r, q, err)
		return
	}
	done(w, r, Path+"/users/"+url.PathEscape(id), "saved")
}
