package adminapi

import (
	"net/http"

	"github.com/sesame-sso/sesame/internal/directory"
)

// unlockUser lifts a user's brute-force delay and lock (R-PWD-3).
func (a *API) unlockUser(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.UnlockUser(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
