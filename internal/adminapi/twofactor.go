package adminapi

import (
	"net/http"

	"github.com/sesame-sso/sesame/internal/directory"
)

// userTwoFactor shows a user's second-factor settings and state (R-2FA-1).
func (a *API) userTwoFactor(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	v, err := a.svc.UserTwoFactor(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// setUserTwoFactor sets a user's own second-factor settings ("2FA settings -
// Modify"; delegated users 400).
func (a *API) setUserTwoFactor(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in directory.TwoFactorSettings
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	v, err := a.svc.SetUserTwoFactor(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// removeUserTOTP removes a user's authenticator app and recovery codes.
func (a *API) removeUserTOTP(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.RemoveUserTOTP(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
