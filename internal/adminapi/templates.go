package adminapi

import (
	"net/http"
	"strings"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

type templateInput struct {
	Name         string              `json:"name" doc:"Display name; required; unique." example:"Standard customer"`
	Description  string              `json:"description" doc:"Optional free text for administrators." example:"Rights every new customer starts with."`
	ContextTypes []model.ContextType `json:"contextTypes" doc:"The context types the template may be applied to (root, tenant, account, customer); at least one." example:"[\"account\", \"customer\"]"`
	Values       []model.ACLValue    `json:"values" doc:"The template's ACL values." example:"[{\"module\": \"portal\", \"acl\": \"Billing - Read\", \"value\": \"true\"}, {\"module\": \"portal\", \"acl\": \"Price Plan\", \"value\": \"gold\"}]"`
}

type templatePatch struct {
	Name         *string              `json:"name" doc:"New display name; absent: unchanged." example:"Standard customer 2027"`
	Description  *string              `json:"description" doc:"New description; absent: unchanged." example:"Rights every new customer starts with."`
	ContextTypes *[]model.ContextType `json:"contextTypes" doc:"New context types, replacing all; absent: unchanged." example:"[\"customer\"]"`
	Values       *[]model.ACLValue    `json:"values" doc:"New ACL values, replacing all; absent: unchanged; copies already applied stay as they are." example:"[{\"module\": \"portal\", \"acl\": \"Billing - Read\", \"value\": \"true\"}, {\"module\": \"portal\", \"acl\": \"Price Plan\", \"value\": \"gold\"}]"`
}

func (a *API) listTemplates(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	ts, err := a.svc.ListTemplates(r.Context(), actor)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []model.Template{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ts})
	return nil
}

func (a *API) createTemplate(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	var in templateInput
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	t, err := a.svc.CreateTemplate(r.Context(), actor, model.Template{Name: in.Name, Description: in.Description,
		ContextTypes: in.ContextTypes, Values: in.Values})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/templates/"+t.ID)
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (a *API) getTemplate(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	t, err := a.svc.GetTemplate(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (a *API) updateTemplate(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in templatePatch
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	t, err := a.svc.UpdateTemplate(r.Context(), actor, id, func(t model.Template) (model.Template, error) {
		if in.Name != nil {
			t.Name = *in.Name
		}
		if in.Description != nil {
			t.Description = *in.Description
		}
		if in.ContextTypes != nil {
			t.ContextTypes = *in.ContextTypes
		}
		if in.Values != nil {
			t.Values = *in.Values
		}
		return t, nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (a *API) deleteTemplate(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteTemplate(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) exportTemplate(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	t, b, err := a.svc.ExportTemplateCSV(r.Context(), actor, id)
	if err != nil {
		return err
	}
	name := strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == '\\' || r > 0x7e {
			return '_'
		}
		return r
	}, t.Name)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	_, _ = w.Write(b)
	return nil
}

func (a *API) importTemplate(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "text/csv") {
		return model.Invalid("Content-Type", "send text/csv")
	}
	body := http.MaxBytesReader(w, r.Body, a.maxBody)
	t, err := a.svc.ImportTemplateCSV(r.Context(), actor, id, body)
	if err != nil {
		if _, ok := err.(*http.MaxBytesError); ok {
			return model.Invalid("body", "larger than %d bytes", a.maxBody)
		}
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}
