package message

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"text/template"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Rendered is a message ready for the outbox.
type Rendered struct {
	Language            string
	Subject, Text, HTML string
}

// Language maps a preference ("de-CH", "FR") to a shipped language,
// English when there is none.
func Language(pref string) string {
	l := strings.ToLower(strings.TrimSpace(pref))
	if i := strings.IndexAny(l, "-_"); i >= 0 {
		l = l[:i]
	}
	if knownLanguage(l) {
		return l
	}
	return Fallback
}

// Lookup returns the template of t in lang: the administrator's override,
// else the shipped default; lang is first mapped by Language, and a
// language without either falls back to English.
func Lookup(ctx context.Context, st storage.MessageTemplates, t Type, lang string) (Template, string, error) {
	if !t.Valid() {
		return Template{}, "", model.Invalid("type", "unknown message type %q", t)
	}
	lang = Language(lang)
	for _, l := range []string{lang, Fallback} {
		o, err := st.GetMessageTemplate(ctx, string(t), l)
		if err == nil {
			return Template{Subject: o.Subject, Text: o.Text, HTML: o.HTML}, l, nil
		}
		if !errors.Is(err, model.ErrNotFound) {
			return Template{}, "", err
		}
		if d, ok := Default(t, l); ok {
			return d, l, nil
		}
	}
	return Template{}, "", fmt.Errorf("message: no template for %s", t)
}

// Render renders t for a recipient in lang (R-MSG-1) with data, the
// placeholders of t (missing ones render empty).
func Render(ctx context.Context, st storage.MessageTemplates, t Type, lang string, data map[string]string) (Rendered, error) {
	tpl, l, err := Lookup(ctx, st, t, lang)
	if err != nil {
		return Rendered{}, err
	}
	r, err := render(tpl, data)
	if err != nil {
		return r, fmt.Errorf("render %s/%s: %w", t, l, err)
	}
	r.Language = l
	return r, nil
}

func render(tpl Template, data map[string]string) (Rendered, error) {
	var (
		r   Rendered
		err error
	)
	if r.Subject, err = execText(tpl.Subject, data); err != nil {
		return r, err
	}
	// Placeholders may carry user input (a name): the subject stays one line.
	r.Subject = strings.Join(strings.Fields(r.Subject), " ")
	if r.Text, err = execText(tpl.Text, data); err != nil {
		return r, err
	}
	if tpl.HTML != "" {
		h, err := htmltemplate.New("html").Option("missingkey=zero").Parse(tpl.HTML)
		if err != nil {
			return r, err
		}
		var b bytes.Buffer
		if err := h.Execute(&b, data); err != nil {
			return r, err
		}
		r.HTML = b.String()
	}
	return r, nil
}

func execText(src string, data map[string]string) (string, error) {
	tm, err := template.New("t").Option("missingkey=zero").Parse(src)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := tm.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}
