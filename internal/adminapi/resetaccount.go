package adminapi

import (
	"net/http"

	"github.com/sesame-sso/sesame/internal/directory"
)

// resetAccount serves POST /api/v1/users/{id}/reset (issue 9 §2.3, seed
// 003): a temporary password returned in this answer only, a new password
// and a new second factor at the next login, sessions and tokens ended.
func (a *API) resetAccount(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	res, err := a.svc.ResetAccount(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
