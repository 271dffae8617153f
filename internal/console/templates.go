package console

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/web"
)

// ACL templates (issue 13 §5): list, create, edit (name, description,
// allowed context types, with the version check), delete, CSV export, and
// CSV import in two steps — a preview that checks every row against the
// catalog and lists each bad row with its reason (nothing is written),
// then apply, which replaces the values all or nothing
// (directory.ImportTemplateCSV).

// Templates is what the template pages need besides Directory.
type Templates interface {
	GetTemplate(ctx context.Context, a directory.Actor, id string) (model.Template, error)
	CreateTemplate(ctx context.Context, a directory.Actor, t model.Template) (model.Template, error)
	UpdateTemplate(ctx context.Context, a directory.Actor, id string, fn func(model.Template) (model.Template, error)) (model.Template, error)
	DeleteTemplate(ctx context.Context, a directory.Actor, id string) error
	ExportTemplateCSV(ctx context.Context, a directory.Actor, id string) (model.Template, []byte, error)
	ImportTemplateCSV(ctx context.Context, a directory.Actor, id string, r io.Reader) (model.Template, error)
}

var _ Templates = (*directory.Service)(nil)

// maxCSV bounds an imported CSV (the form's body limit is above it).
const maxCSV = 48 << 10

var contextTypes = []model.ContextType{model.ContextRoot, model.ContextTenant, model.ContextAccount, model.ContextCustomer}

type templatesPage struct {
	common
	Templates []templateRow
	F         web.Form
	Types     []option
}

type templateRow struct {
	ID, Name, Types string
	Values          int
}

func typeOptions(sel []model.ContextType) []option {
	var out []option
	for _, t := range contextTypes {
		out = append(out, option{Value: string(t), Label: "console.type." + string(t), Selected: slices.Contains(sel, t)})
	}
	return out
}

func typeNames(ts []model.ContextType) string {
	var s []string
	for _, t := range ts {
		s = append(s, string(t))
	}
	return strings.Join(s, ", ")
}

// templates is GET /console/templates.
func (h *Handler) templates(w http.ResponseWriter, r *http.Request, q req) {
	h.showTemplates(w, r, q, http.StatusOK, nil, nil, i18n.Msg{})
}

func (h *Handler) showTemplates(w http.ResponseWriter, r *http.Request, q req, status int, f web.Form, types []model.ContextType, prob i18n.Msg) {
	ts, err := h.Dir.ListTemplates(r.Context(), q.actor)
	if err != nil {
		h.fail(w, r, "console: templates", err)
		return
	}
	d := templatesPage{common: q.common("templates"), F: f, Types: typeOptions(types)}
	d.Notice, d.Problem, d.Nonce = notice(r), prob, newNonce()
	for _, t := range ts {
		d.Templates = append(d.Templates, templateRow{ID: t.ID, Name: t.Name, Types: typeNames(t.ContextTypes), Values: len(t.Values)})
	}
	h.render(w, r, status, "console_templates", d)
}

// postedTypes reads the context-type checkboxes.
func postedTypes(r *http.Request) ([]model.ContextType, bool) {
	var out []model.ContextType
	for _, v := range r.PostForm["types"] {
		t := model.ContextType(v)
		if !t.Valid() {
			return nil, false
		}
		out = append(out, t)
	}
	return out, true
}

// createTemplate is POST /console/templates.
func (h *Handler) createTemplate(w http.ResponseWriter, r *http.Request, q req) {
	t := model.Template{Name: strings.TrimSpace(r.PostFormValue("name")), Description: strings.TrimSpace(r.PostFormValue("description"))}
	f := web.Form{"name": {Value: t.Name}, "description": {Value: t.Description}}
	types, ok := postedTypes(r)
	if !ok {
		h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
		return
	}
	t.ContextTypes = types
	if t.Name == "" {
		f["name"] = web.FormField{Err: i18n.M("console.error.required")}
		h.showTemplates(w, r, q, http.StatusBadRequest, f, types, i18n.M("console.error.form"))
		return
	}
	done, err := h.once(w, r, q, "created", func() (string, error) {
		out, err := h.Tmpl.CreateTemplate(r.Context(), q.actor, t)
		if err != nil {
			return "", err
		}
		return Path + "/templates/" + url.PathEscape(out.ID), nil
	})
	if done {
		return
	}
	if formError(err) {
		h.showTemplates(w, r, q, http.StatusBadRequest, f, types, refused(f, err))
		return
	}
	h.fail(w, r, "console: create template", err)
}

type templatePage struct {
	common
	T       templateRow
	Version string
	F       web.Form
	Types   []option
	Values  []valueRow
	CSV     string
	// Preview: rows of an import being checked; Errors counts bad rows.
	Preview []previewRow
	Errors  int
}

type valueRow struct{ Module, Name, Value string }

type previewRow struct {
	Line                               int
	Module, Category, ACL, Type, Value string
	Err                                string
}

// template is GET /console/templates/{id}.
func (h *Handler) template(w http.ResponseWriter, r *http.Request, q req) {
	h.showTemplate(w, r, q, http.StatusOK, templatePage{})
}

func (h *Handler) showTemplate(w http.ResponseWriter, r *http.Request, q req, status int, d templatePage) {
	t, err := h.Tmpl.GetTemplate(r.Context(), q.actor, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, "console: get template", err)
		return
	}
	prob, detail := d.Problem, d.Detail
	d.common = q.common("templates")
	d.Problem, d.Detail, d.Notice = prob, detail, notice(r)
	d.T = templateRow{ID: t.ID, Name: t.Name, Types: typeNames(t.ContextTypes), Values: len(t.Values)}
	d.Version = strconv.FormatInt(t.UpdatedAt.UnixMicro(), 10)
	if d.F == nil {
		d.F = web.Form{"name": {Value: t.Name}, "description": {Value: t.Description}}
		d.Types = typeOptions(t.ContextTypes)
	}
	for _, v := range t.Values {
		d.Values = append(d.Values, valueRow{Module: v.Module, Name: v.Name, Value: v.Value})
	}
	h.render(w, r, status, "console_template", d)
}

// saveTemplate is POST /console/templates/{id}: name, description and
// context types, refused as stale when the template changed meanwhile.
func (h *Handler) saveTemplate(w http.ResponseWriter, r *http.Request, q req) {
	id := r.PathValue("id")
	at, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	types, ok := postedTypes(r)
	if err != nil || !ok {
		h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
		return
	}
	f := web.Form{"name": {Value: strings.TrimSpace(r.PostFormValue("name"))}, "description": {Value: strings.TrimSpace(r.PostFormValue("description"))}}
	if f["name"].Value == "" {
		f["name"] = web.FormField{Err: i18n.M("console.error.required")}
		h.showTemplate(w, r, q, http.StatusBadRequest, templatePage{F: f, Types: typeOptions(types), common: common{Problem: i18n.M("console.error.form")}})
		return
	}
	stale := false
	_, err = h.Tmpl.UpdateTemplate(r.Context(), q.actor, id, func(t model.Template) (model.Template, error) {
		if t.UpdatedAt.UnixMicro() != at {
			stale = true
			return t, model.ErrStale
		}
		t.Name, t.Description, t.ContextTypes = f["name"].Value, f["description"].Value, types
		return t, nil
	})
	switch {
	case err == nil:
		done(w, r, Path+"/templates/"+url.PathEscape(id), "saved")
	case stale:
		h.showTemplate(w, r, q, http.StatusConflict, templatePage{common: common{Problem: i18n.M("console.error.stale")}})
	case formError(err):
		d := templatePage{F: f, Types: typeOptions(types)}
		d.Problem = refused(f, err)
		h.showTemplate(w, r, q, http.StatusBadRequest, d)
	default:
		h.fail(w, r, "console: update template", err)
	}
}

// exportTemplate is GET /console/templates/{id}/csv.
func (h *Handler) exportTemplate(w http.ResponseWriter, r *http.Request, q req) {
	t, b, err := h.Tmpl.ExportTemplateCSV(r.Context(), q.actor, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, "console: export template", err)
		return
	}
	name := strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			return c
		}
		return '-'
	}, t.Name)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	_, _ = w.Write(b)
}

// importTemplate is POST /console/templates/{id}/import: without apply=1
// a preview of every row; with it (and no bad row) the values are
// replaced.
func (h *Handler) importTemplate(w http.ResponseWriter, r *http.Request, q req) {
	ctx := r.Context()
	id := r.PathValue("id")
	text := r.PostFormValue("csv")
	if file, _, err := r.FormFile("file"); err == nil {
		b, rerr := io.ReadAll(io.LimitReader(file, maxCSV+1))
		file.Close()
		if rerr != nil || len(b) > maxCSV {
			h.message(w, r, http.StatusRequestEntityTooLarge, "console.too_large.title", "console.too_large")
			return
		}
		if len(b) > 0 {
			text = string(b)
		}
	}
	if len(text) > maxCSV {
		h.message(w, r, http.StatusRequestEntityTooLarge, "console.too_large.title", "console.too_large")
		return
	}
	acls, err := h.Dir.ListACLs(ctx, "", true)
	if err != nil {
		h.fail(w, r, "console: catalog", err)
		return
	}
	d := templatePage{CSV: text}
	d.Preview, d.Errors = previewCSV(text, acls)
	if r.PostFormValue("apply") != "1" || d.Errors > 0 {
		status := http.StatusOK
		if d.Errors > 0 {
			status, d.Problem = http.StatusBadRequest, i18n.M("console.template.bad_rows", d.Errors)
		}
		h.showTemplate(w, r, q, status, d)
		return
	}
	if _, err := h.Tmpl.ImportTemplateCSV(ctx, q.actor, id, strings.NewReader(text)); err != nil {
		if formError(err) {
			_, d.Problem, d.Detail = problem(err)
			h.showTemplate(w, r, q, http.StatusBadRequest, d)
			return
		}
		h.fail(w, r, "console: import template", err)
		return
	}
	done(w, r, Path+"/templates/"+url.PathEscape(id), "saved")
}

// previewCSV checks every row of a template CSV on its own, with the very
// parser the import uses (directory.ParseTemplateCSV on the header and
// that row), and a value set twice: each bad row keeps its reason.
func previewCSV(text string, acls []model.ACL) ([]previewRow, int) {
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return []previewRow{{Line: 1, Err: "header: " + errText(err)}}, 1
	}
	var hb strings.Builder
	hw := csv.NewWriter(&hb)
	_ = hw.Write(header)
	hw.Flush()
	if _, err := directory.ParseTemplateCSV(strings.NewReader(hb.String()), acls); err != nil {
		return []previewRow{{Line: 1, Err: errText(err)}}, 1
	}
	var out []previewRow
	bad := 0
	seen := map[string]int{}
	for len(out) < 10_000 {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		row := previewRow{Line: line}
		if err != nil {
			row.Err = errText(err)
			out, bad = append(out, row), bad+1
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err != csv.ErrFieldCount {
				break // the reader cannot go on after a quoting error
			}
			continue
		}
		for i, p := range []*string{&row.Module, &row.Category, &row.ACL, &row.Type, &row.Value} {
			if i < len(rec) {
				*p = rec[i]
			}
		}
		var rb strings.Builder
		rw := csv.NewWriter(&rb)
		_ = rw.Write(header)
		_ = rw.Write(rec)
		rw.Flush()
		if _, err := directory.ParseTemplateCSV(strings.NewReader(rb.String()), acls); err != nil {
			row.Err = strings.Replace(errText(err), "line 2: ", "", 1)
		} else if prev, dup := seen[strings.TrimSpace(row.Module)+"/"+strings.TrimSpace(row.ACL)]; dup {
			row.Err = "set again (first on line " + strconv.Itoa(prev) + ")"
		} else {
			seen[strings.TrimSpace(row.Module)+"/"+strings.TrimSpace(row.ACL)] = line
		}
		if row.Err != "" {
			bad++
		}
		out = append(out, row)
	}
	return out, bad
}

func errText(err error) string {
	var e *model.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// confirmDeleteTemplate is GET /console/templates/{id}/delete.
func (h *Handler) confirmDeleteTemplate(w http.ResponseWriter, r *http.Request, q req) {
	t, err := h.Tmpl.GetTemplate(r.Context(), q.actor, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, "console: get template", err)
		return
	}
	h.render(w, r, http.StatusOK, "console_template_delete", confirmPage{common: q.common("templates"), ID: t.ID, Name: t.Name})
}

// deleteTemplate is POST /console/templates/{id}/delete. Groups and
// policies it was applied to keep their copied values.
func (h *Handler) deleteTemplate(w http.ResponseWriter, r *http.Request, q req) {
	if err := h.Tmpl.DeleteTemplate(r.Context(), q.actor, r.PathValue("id")); err != nil {
		if formError(err) {
			d := templatePage{}
			_, d.Problem, d.Detail = problem(err)
			h.showTemplate(w, r, q, http.StatusConflict, d)
			return
		}
		h.fail(w, r, "console: delete template", err)
		return
	}
	done(w, r, Path+"/templates", "deleted")
}
