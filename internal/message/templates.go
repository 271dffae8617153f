package message

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// View is a template as the admin API shows it: the effective one (the
// override, else the default) and whether it is an override.
type View struct {
	Type         Type       `json:"type" doc:"The message type: password_reset, otp_email, otp_sms, welcome, account_locked, password_changed …" example:"password_reset"`
	Language     string     `json:"language" doc:"Language of this version (en, de, fr …)." example:"en"`
	Subject      string     `json:"subject,omitempty" doc:"Subject of an email; absent for SMS." example:"Reset your password for {{.Login}}"`
	Text         string     `json:"text" doc:"Plain-text body." example:"Hello {{.Name}},\n\nopen {{.Link}} within {{.ExpiresIn}} to choose a new password.\n"`
	HTML         string     `json:"html,omitempty" doc:"HTML body of an email; absent if none." example:"<p>Hello {{.Name}},</p><p><a href=\"{{.Link}}\">Choose a new password</a></p>"`
	Custom       bool       `json:"custom" doc:"true: an override saved here; false: the shipped default." example:"true"`
	UpdatedAt    *time.Time `json:"updatedAt,omitempty" doc:"When the override was saved; absent for the default." example:"2026-11-30T17:42:10Z"`
	UpdatedBy    string     `json:"updatedBy,omitempty" doc:"Who saved the override (a user id); absent for the default." example:"3b2f6a4e-1c9d-4e7b-8f10-2a5c7d9e0b14"`
	Placeholders []string   `json:"placeholders" doc:"The placeholders a template of this type may use." example:"[\"Name\", \"Login\", \"Link\", \"ExpiresIn\"]"`
}

// Templates manages the overrides (R-MSG-1). Authorization is the
// caller's (the admin API checks the cas right first).
type Templates struct {
	store storage.Storage
	now   func() time.Time
}

// NewTemplates returns the template service over st.
func NewTemplates(st storage.Storage) *Templates { return &Templates{store: st, now: time.Now} }

func checkKey(t Type, lang string) error {
	if !t.Valid() {
		return model.Errorf(model.ENOTFOUND, "type", "unknown message type %q", t)
	}
	if !knownLanguage(lang) {
		return model.Errorf(model.ENOTFOUND, "language", "unknown language %q (shipped: en, de, fr)", lang)
	}
	return nil
}

// Get returns the effective template of t in lang.
func (s *Templates) Get(ctx context.Context, t Type, lang string) (View, error) {
	if err := checkKey(t, lang); err != nil {
		return View{}, err
	}
	v := View{Type: t, Language: lang, Placeholders: Placeholders(t)}
	o, err := s.store.GetMessageTemplate(ctx, string(t), lang)
	switch {
	case err == nil:
		at := o.UpdatedAt
		v.Subject, v.Text, v.HTML, v.Custom, v.UpdatedAt, v.UpdatedBy = o.Subject, o.Text, o.HTML, true, &at, o.UpdatedBy
	case errors.Is(err, model.ErrNotFound):
		d, _ := Default(t, lang)
		v.Subject, v.Text, v.HTML = d.Subject, d.Text, d.HTML
	default:
		return v, err
	}
	return v, nil
}

// List returns every type in every shipped language.
func (s *Templates) List(ctx context.Context) ([]View, error) {
	var out []View
	for _, t := range Types {
		for _, l := range Languages {
			v, err := s.Get(ctx, t, l)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// Put validates and saves an override, audited in the same transaction.
func (s *Templates) Put(ctx context.Context, actorID, sourceIP string, t Type, lang string, tpl Template) (View, error) {
	if err := checkKey(t, lang); err != nil {
		return View{}, err
	}
	if err := Validate(t, tpl); err != nil {
		return View{}, err
	}
	err := s.store.InTx(ctx, func(tx storage.Storage) error {
		now := s.now().UTC()
		if err := tx.PutMessageTemplate(ctx, storage.MessageTemplate{Type: string(t), Language: lang,
			Subject: tpl.Subject, Text: tpl.Text, HTML: tpl.HTML, UpdatedAt: now, UpdatedBy: actorID}); err != nil {
			return err
		}
		return s.audit(ctx, tx, now, actorID, sourceIP, "message_template.update", t, lang)
	})
	if err != nil {
		return View{}, fmt.Errorf("save message template: %w", err)
	}
	return s.Get(ctx, t, lang)
}

// Reset removes the override: the shipped default applies again.
func (s *Templates) Reset(ctx context.Context, actorID, sourceIP string, t Type, lang string) error {
	if err := checkKey(t, lang); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx storage.Storage) error {
		had, err := tx.DeleteMessageTemplate(ctx, string(t), lang)
		if err != nil || !had {
			return err
		}
		return s.audit(ctx, tx, s.now().UTC(), actorID, sourceIP, "message_template.reset", t, lang)
	})
}

func (s *Templates) audit(ctx context.Context, tx storage.Storage, at time.Time, actorID, ip, action string, t Type, lang string) error {
	return tx.AppendAudit(ctx, model.AuditEvent{Time: at, ActorID: actorID, Action: action, TargetType: "message_template",
		TargetID: string(t) + "/" + lang, SourceIP: ip, Outcome: model.OutcomeSuccess})
}
