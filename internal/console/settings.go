package console

import (
	"context"
	"net/http"
	"net/url"

	"github.com/sesame-sso/sesame/internal/catalog"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/message"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/web"
)

// Settings (issue 13 §8): the message templates per type and language
// (R-MSG-1) with a preview of an unsaved edit, and the password policy in
// force (from the configuration, read only). The message service does
// not authorize: like the admin API, the console asks the directory for
// "Message templates - Read/Manage" at root first (AuthorizeAtRoot).

// Messages is the message template service (message.Templates).
type Messages interface {
	List(ctx context.Context) ([]message.View, error)
	Get(ctx context.Context, t message.Type, lang string) (message.View, error)
	Put(ctx context.Context, actorID, sourceIP string, t message.Type, lang string, tpl message.Template) (message.View, error)
	Reset(ctx context.Context, actorID, sourceIP string, t message.Type, lang string) error
}

var _ Messages = (*message.Templates)(nil)

// Settings is what the settings pages need of the directory.
type Settings interface {
	AuthorizeAtRoot(ctx context.Context, a directory.Actor, right string) error
	PasswordPolicy() password.Policy
}

type settingsPage struct {
	common
	Messages []msgRow
	Policy   password.Policy
}

type msgRow struct {
	Type, Language string
	Custom         bool
}

// settings is GET /console/settings.
func (h *Handler) settings(w http.ResponseWriter, r *http.Request, q req) {
	ctx := r.Context()
	if err := h.Settings.AuthorizeAtRoot(ctx, q.actor, catalog.MessageTemplatesRead); err != nil {
		h.fail(w, r, "console: settings", err)
		return
	}
	vs, err := h.Messages.List(ctx)
	if err != nil {
		h.fail(w, r, "console: message templates", err)
		return
	}
	d := settingsPage{common: q.common("settings"), Policy: h.Settings.PasswordPolicy()}
	d.Notice = notice(r)
	for _, v := range vs {
		d.Messages = append(d.Messages, msgRow{Type: string(v.Type), Language: v.Language, Custom: v.Custom})
	}
	h.render(w, r, http.StatusOK, "console_settings", d)
}

type messagePage struct {
	common
	Type, Language string
	Placeholders   []string
	Custom         bool
	F              web.Form
	// Preview is the rendered edit, when asked for.
	Preview *message.Rendered
}

// messageKey reads {type}/{lang} of a message template path.
func messageKey(r *http.Request) (message.Type, string, bool) {
	t, l := message.Type(r.PathValue("type")), r.PathValue("lang")
	if !t.Valid() || (l != "en" && l != "de" && l != "fr") {
		return "", "", false
	}
	return t, l, true
}

// messageTemplate is GET /console/settings/messages/{type}/{lang}.
func (h *Handler) messageTemplate(w http.ResponseWriter, r *http.Request, q req) {
	h.showMessage(w, r, q, http.StatusOK, nil, nil, i18n.Msg{}, "")
}

func (h *Handler) showMessage(w http.ResponseWriter, r *http.Request, q req, status int, f web.Form, preview *message.Rendered, prob i18n.Msg, detail string) {
	ctx := r.Context()
	t, l, ok := messageKey(r)
	if !ok {
		h.message(w, r, http.StatusNotFound, "console.not_found.title", "console.not_found")
		return
	}
	if err := h.Settings.AuthorizeAtRoot(ctx, q.actor, catalog.MessageTemplatesRead); err != nil {
		h.fail(w, r, "console: message template", err)
		return
	}
	v, err := h.Messages.Get(ctx, t, l)
	if err != nil {
		h.fail(w, r, "console: message template", err)
		return
	}
	d := messagePage{common: q.common("settings"), Type: string(t), Language: l, Placeholders: v.Placeholders, Custom: v.Custom, F: f, Preview: preview}
	d.Notice, d.Problem, d.Detail = notice(r), prob, detail
	if d.F == nil {
		d.F = web.Form{"subject": {Value: v.Subject}, "text": {Value: v.Text}, "html": {Value: v.HTML}}
	}
	h.render(w, r, status, "console_message", d)
}

// saveMessage is POST /console/settings/messages/{type}/{lang}: preview=1
// renders the edit without saving; reset=1 goes back to the shipped text;
// otherwise the override is saved (validated, audited).
func (h *Handler) saveMessage(w http.ResponseWriter, r *http.Request, q req) {
	ctx := r.Context()
	t, l, ok := messageKey(r)
	if !ok {
		h.message(w, r, http.StatusNotFound, "console.not_found.title", "console.not_found")
		return
	}
	if err := h.Settings.AuthorizeAtRoot(ctx, q.actor, catalog.MessageTemplatesManage); err != nil {
		h.fail(w, r, "console: message template", err)
		return
	}
	tpl := message.Template{Subject: r.PostFormValue("subject"), Text: r.PostFormValue("text"), HTML: r.PostFormValue("html")}
	f := web.Form{"subject": {Value: tpl.Subject}, "text": {Value: tpl.Text}, "html": {Value: tpl.HTML}}
	back := Path + "/settings/messages/" + url.PathEscape(string(t)) + "/" + l
	switch {
	case r.PostFormValue("reset") == "1":
		if err := h.Messages.Reset(ctx, q.actor.User.ID, q.actor.IP, t, l); err != nil {
			h.fail(w, r, "console: reset message template", err)
			return
		}
		done(w, r, back, "saved")
		return
	case r.PostFormValue("preview") == "1":
		p, err := message.Preview(t, tpl)
		if err != nil {
			h.showMessage(w, r, q, http.StatusBadRequest, f, nil, i18n.M("console.error.invalid"), errText(err))
			return
		}
		h.showMessage(w, r, q, http.StatusOK, f, &p, i18n.Msg{}, "")
		return
	}
	if _, err := h.Messages.Put(ctx, q.actor.User.ID, q.actor.IP, t, l, tpl); err != nil {
		if formError(err) {
			msg, detail := refusedAt(f, err, map[string]string{"subject": "subject", "text": "text", "html": "html"})
			h.showMessage(w, r, q, http.StatusBadRequest, f, nil, msg, detail)
			return
		}
		h.fail(w, r, "console: save message template", err)
		return
	}
	done(w, r, back, "saved")
}
