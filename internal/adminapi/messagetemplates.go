package adminapi

import (
	"context"
	"net/http"

	"github.com/sesame-sso/sesame/internal/catalog"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/message"
	"github.com/sesame-sso/sesame/internal/model"
)

// MessageTemplates is what the API needs of the template service
// (message.Templates).
type MessageTemplates interface {
	List(ctx context.Context) ([]message.View, error)
	Get(ctx context.Context, t message.Type, lang string) (message.View, error)
	Put(ctx context.Context, actorID, sourceIP string, t message.Type, lang string, tpl message.Template) (message.View, error)
	Reset(ctx context.Context, actorID, sourceIP string, t message.Type, lang string) error
}

// SetMessageTemplates installs the template service; until then the
// message template routes answer 503.
func (a *API) SetMessageTemplates(m MessageTemplates) { a.msgs = m }

// messageTemplateInput is the body of PUT /api/v1/message-templates/{type}/{language}.
type messageTemplateInput struct {
	// Subject of an email (none for otp_sms).
	Subject string `json:"subject" doc:"Subject of an email: required for email types, must be empty for otp_sms; may use the type's placeholders." example:"Reset your password for {{.Login}}"`
	Text    string `json:"text" doc:"Plain-text body; required; uses Go template placeholders of the type ({{.Name}}), an unknown one is refused with 400." example:"Hello {{.Name}},\n\nopen {{.Link}} within {{.ExpiresIn}} to choose a new password.\n"`
	// HTML is the optional HTML body of an email.
	HTML string `json:"html" doc:"Optional HTML body of an email; must be empty for otp_sms." example:"<p>Hello {{.Name}},</p><p><a href=\"{{.Link}}\">Choose a new password</a></p>"`
}

// messageKey reads the path and checks the right (module cas, at root).
func (a *API) messageKey(r *http.Request, actor directory.Actor, right string) (message.Type, string, error) {
	if a.msgs == nil {
		return "", "", model.Errorf(model.EUNAVAILABLE, "", "message templates are not available")
	}
	if err := a.svc.AuthorizeAtRoot(r.Context(), actor, right); err != nil {
		return "", "", err
	}
	if r.PathValue("type") == "" {
		return "", "", nil
	}
	t, err := idParam(r, "type")
	if err != nil {
		return "", "", err
	}
	l, err := idParam(r, "language")
	if err != nil {
		return "", "", err
	}
	return message.Type(t), l, nil
}

func (a *API) listMessageTemplates(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	if _, _, err := a.messageKey(r, actor, catalog.MessageTemplatesRead); err != nil {
		return err
	}
	items, err := a.msgs.List(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listOf[message.View]{Items: items})
	return nil
}

func (a *API) getMessageTemplate(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	t, l, err := a.messageKey(r, actor, catalog.MessageTemplatesRead)
	if err != nil {
		return err
	}
	v, err := a.msgs.Get(r.Context(), t, l)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// putMessageTemplate saves an override; a template using a placeholder its
// type does not offer is refused with 400 naming it (R-MSG-1).
func (a *API) putMessageTemplate(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	t, l, err := a.messageKey(r, actor, catalog.MessageTemplatesManage)
	if err != nil {
		return err
	}
	var in messageTemplateInput
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	v, err := a.msgs.Put(r.Context(), actor.User.ID, actor.IP, t, l, message.Template{Subject: in.Subject, Text: in.Text, HTML: in.HTML})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// resetMessageTemplate removes the override: the shipped default applies.
func (a *API) resetMessageTemplate(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	t, l, err := a.messageKey(r, actor, catalog.MessageTemplatesManage)
	if err != nil {
		return err
	}
	if err := a.msgs.Reset(r.Context(), actor.User.ID, actor.IP, t, l); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
