package adminapi

import (
	"net/http"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

// SCIM credentials (issue 12): the bearer tokens a tenant's directory
// provisions /scim/v2 with. The token is in the creation answer only;
// DELETE revokes (the row stays, so the audit log resolves the actor).

func (a *API) listSCIMCredentials(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	tenant := r.URL.Query().Get("tenantId")
	if tenant != "" && !model.PlausibleID(tenant) {
		return model.Invalid("tenantId", "is not an id")
	}
	cs, err := a.svc.ListSCIMCredentials(r.Context(), actor, tenant)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listOf[model.SCIMCredential]{Items: cs})
	return nil
}

func (a *API) createSCIMCredential(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	var in directory.NewSCIMCredential
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	c, err := a.svc.CreateSCIMCredential(r.Context(), actor, in)
	if err != nil {
		return err
	}
	// The answer holds a secret: no cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (a *API) getSCIMCredential(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	c, err := a.svc.GetSCIMCredential(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) revokeSCIMCredential(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.RevokeSCIMCredential(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
