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
	TenantID    string    `json:"tenantId" doc:"The tenant (or root) the branding belongs to." example:"9d7e1f20-5b3a-4c8e-a1d2-6f4b8c0e2a31"`
	DisplayName string    `json:"displayName" doc:"Name shown on the tenant's login pages; empty: the default." example:"Muster Logistics"`
	AccentColor string    `json:"accentColor" doc:"Accent colour of the login pages as #rrggbb; empty: the default." example:"#0a5cad"`
	LogoType    string    `json:"logoType,omitempty" doc:"The logo's media type (image/png, image/jpeg, image/gif or image/webp); absent without a logo." example:"image/png"`
	LogoURL     string    `json:"logoUrl,omitempty" doc:"Path on Sesame the login pages load the logo from; absent without a logo." example:"/branding/9d7e1f20-5b3a-4c8e-a1d2-6f4b8c0e2a31/logo?v=4"`
	Version     int       `json:"version" doc:"Bumped by every save; send it back with PUT (else 409); 0: never saved." example:"4"`
	UpdatedAt   time.Time `json:"updatedAt,omitzero" doc:"When it was last saved; absent if never." example:"2026-11-30T17:42:10Z"`
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
