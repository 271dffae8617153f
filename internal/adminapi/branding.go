package adminapi

import (
	"net/http"
	"time"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

// brandingView is a tenant's branding (issue 13 §10); the logo itself is
// served to anyone at LogoURL (login pages show it).
type brandingView struct {
	TenantID    string    `json:"tenantId"`
	DisplayName string    `json:"displayName"`
	AccentColor string    `json:"accentColor"`
	LogoType    string    `json:"logoType,omitempty"`
	LogoURL     string    `json:"logoUrl,omitempty"`
	Version     int       `json:"version"`
	UpdatedAt   time.Time `json:"updatedAt,omitzero"`
}

func viewBranding(b model.Branding) brandingView {
	v := brandingView{TenantID: b.TenantID, DisplayName: b.DisplayName, AccentColor: b.Accent, LogoType: b.LogoType,
		Version: b.Version, UpdatedAt: b.UpdatedAt}
	v.LogoURL = b.LogoURL()
	return v
}

func (a *API) getBranding(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	b, err := a.svc.GetBranding(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewBranding(b))
	return nil
}

func (a *API) putBranding(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in directory.BrandingInput
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	b, err := a.svc.SetBranding(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewBranding(b))
	return nil
}

func (a *API) deleteBranding(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteBranding(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
