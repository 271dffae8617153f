package adminapi

import (
	"net/http"
	"time"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

// User API keys (R-SSO-6): created for a user by an admin with "CAS users -
// Create or Modify" in the user's contexts, or by the user themself (also
// under /api/v1/me/api-keys). The key is in the creation answer only.

func (a *API) listAPIKeys(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	return a.writeAPIKeys(w, r, actor, id)
}

func (a *API) createAPIKey(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	return a.newAPIKey(w, r, actor, id)
}

func (a *API) deleteAPIKey(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	return a.dropAPIKey(w, r, actor, id)
}

func (a *API) writeAPIKeys(w http.ResponseWriter, r *http.Request, actor directory.Actor, userID string) error {
	ks, err := a.svc.ListAPIKeys(r.Context(), actor, userID)
	if err != nil {
		return err
	}
	if ks == nil {
		ks = []model.APIKey{}
	}
	writeJSON(w, http.StatusOK, listOf[model.APIKey]{Items: ks})
	return nil
}

// apiKeyInput is the body of a key creation.
type apiKeyInput struct {
	Name string `json:"name" doc:"What the key is for; required; 1 to 100 characters." example:"billing export job"`
	// ExpiresAt is an RFC 3339 time in the future; none: the key does not
	// expire.
	ExpiresAt *string `json:"expiresAt,omitempty" doc:"Optional RFC 3339 time in the future when the key stops working; absent: it does not expire." example:"2027-06-30T00:00:00Z"`
}

func (a *API) newAPIKey(w http.ResponseWriter, r *http.Request, actor directory.Actor, userID string) error {
	var in apiKeyInput
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	nk := directory.NewAPIKey{Name: in.Name}
	if in.ExpiresAt != nil {
		t, err := time.Parse(time.RFC3339, *in.ExpiresAt)
		if err != nil {
			return model.Invalid("expiresAt", "must be an RFC 3339 time, e.g. 2030-01-31T00:00:00Z")
		}
		nk.ExpiresAt = &t
	}
	k, err := a.svc.CreateAPIKey(r.Context(), actor, userID, nk)
	if err != nil {
		return err
	}
	// The answer holds a secret: no cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, k)
	return nil
}

func (a *API) dropAPIKey(w http.ResponseWriter, r *http.Request, actor directory.Actor, userID string) error {
	keyID, err := idParam(r, "keyId")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteAPIKey(r.Context(), actor, userID, keyID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
