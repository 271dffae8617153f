package adminapi

import (
	"net/http"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

func (a *API) listModules(w http.ResponseWriter, r *http.Request, _ directory.Actor) error {
	ms, err := a.svc.ListModules(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ms})
	return nil
}

type moduleInput struct {
	Description string      `json:"description" doc:"Free text for administrators." example:"Customer self-service portal"`
	ACLs        []model.ACL `json:"acls" doc:"The module's ACLs: the full list, replacing the registered one." example:"[{\"module\": \"portal\", \"category\": \"Billing\", \"name\": \"Billing - Read\", \"type\": \"boolean\"}]"`
}

func (a *API) registerModule(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	name := r.PathValue("name")
	var in moduleInput
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	if err := a.svc.RegisterModule(r.Context(), actor, model.Module{Name: name, Description: in.Description}, in.ACLs); err != nil {
		return err
	}
	acls, err := a.svc.ListACLs(r.Context(), name, true)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"module": model.Module{Name: name, Description: in.Description}, "acls": acls})
	return nil
}

func (a *API) listACLs(w http.ResponseWriter, r *http.Request, _ directory.Actor) error {
	module, err := query(r, "module")
	if err != nil {
		return err
	}
	prefs := false
	switch r.URL.Query().Get("includePreferences") {
	case "", "false":
	case "true":
		prefs = true
	default:
		return model.Invalid("includePreferences", "must be true or false")
	}
	acls, err := a.svc.ListACLs(r.Context(), module, prefs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": acls})
	return nil
}

func (a *API) listDomains(w http.ResponseWriter, r *http.Request, _ directory.Actor) error {
	ds, err := a.svc.ListDomains(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ds})
	return nil
}

func (a *API) upsertDomain(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	var d model.UserDomain
	if err := decode(w, r, a.maxBody, &d); err != nil {
		return err
	}
	if d.Name != "" && d.Name != r.PathValue("name") {
		return model.Invalid("name", "does not match the URL")
	}
	d.Name = r.PathValue("name")
	if err := a.svc.UpsertDomain(r.Context(), actor, d); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}
