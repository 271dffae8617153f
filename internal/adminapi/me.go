package adminapi

import (
	"net/http"

	"github.com/sesame-sso/sesame/internal/directory"
)

// The caller's own view: who they are, the contexts they may act in
// (R-SSO-5, R-PRT-1), their effective rights (R-EFF-6) and their API keys
// (R-SSO-6). No admin right is needed for any of it.

func (a *API) me(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	writeJSON(w, http.StatusOK, actor.User)
	return nil
}

// myRights serves GET /api/v1/me/rights?module=…&contextId=…: by default
// the token's context and module, else the user's default context and
// every module.
func (a *API) myRights(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	cid, err := query(r, "contextId")
	if err != nil {
		return err
	}
	module, err := query(r, "module")
	if err != nil {
		return err
	}
	res, err := a.svc.OwnRights(r.Context(), actor, cid, module)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// myContexts serves GET /api/v1/me/contexts?q=…&offset=…&limit=…: the
// contexts the caller may switch to, searchable by name or number.
func (a *API) myContexts(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	q, err := query(r, "q")
	if err != nil {
		return err
	}
	items, more, err := a.svc.Rights().ActingContexts(r.Context(), actor.User, q, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, p, more))
	return nil
}

func (a *API) myAPIKeys(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	return a.writeAPIKeys(w, r, actor, actor.User.ID)
}

func (a *API) createMyAPIKey(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	return a.newAPIKey(w, r, actor, actor.User.ID)
}

func (a *API) deleteMyAPIKey(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	return a.dropAPIKey(w, r, actor, actor.User.ID)
}
