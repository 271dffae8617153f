package adminapi

import (
	"net/http"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	f := model.UserFilter{Page: p}
	if f.Query, err = query(r, "q"); err != nil {
		return err
	}
	st, err := query(r, "status")
	if err != nil {
		return err
	}
	switch model.UserStatus(st) {
	case "", model.StatusDraft, model.StatusActive, model.StatusInactive, model.StatusDeleted:
		f.Status = model.UserStatus(st)
	default:
		return model.Invalid("status", "must be draft, active, inactive or deleted")
	}
	if c, err := query(r, "contextId"); err != nil {
		return err
	} else if c != "" {
		f.ContextIDs = []string{c}
	}
	items, more, err := a.svc.ListUsers(r.Context(), actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, p, more))
	return nil
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	var in directory.NewUser
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	u, err := a.svc.CreateUser(r.Context(), actor, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+u.ID)
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	u, err := a.svc.GetUser(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in directory.UserPatch
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	u, err := a.svc.UpdateUser(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (a *API) discardUser(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.Discard(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) setUserContexts(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Contexts []string `json:"contexts"`
	}
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	u, err := a.svc.SetUserContexts(r.Context(), actor, id, in.Contexts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

// lifecycle serves POST /users/{id}/activate|deactivate|reactivate|delete.
func (a *API) lifecycle(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var to model.UserStatus
	switch r.PathValue("action") {
	case "activate", "reactivate":
		to = model.StatusActive
	case "deactivate":
		to = model.StatusInactive
	case "delete":
		to = model.StatusDeleted
	default:
		return model.Errorf(model.ENOTFOUND, "action", "unknown action %q: use activate, deactivate, reactivate or delete", r.PathValue("action"))
	}
	u, err := a.svc.Transition(r.Context(), actor, id, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

// passwordInput is the body of PUT /api/v1/users/{id}/password.
type passwordInput struct {
	Password string `json:"password" doc:"The new password; write-only; must meet the password policy (400 naming each broken rule: too_short, too_long, contains_login, contains_email, common)." example:"correct-horse-battery-staple"`
	directory.PasswordReset
}

func (a *API) setPassword(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in passwordInput
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	if err := a.svc.ResetPassword(r.Context(), actor, id, in.Password, in.PasswordReset); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) userRights(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	cid, err := query(r, "contextId")
	if err != nil {
		return err
	}
	if cid == "" {
		return model.Invalid("contextId", "is required: effective rights only make sense in a context")
	}
	module, err := query(r, "module")
	if err != nil {
		return err
	}
	res, err := a.svc.EffectiveRights(r.Context(), actor, id, cid, module)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
