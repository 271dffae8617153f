package login

import "net/http"

// FlowTenant returns the tenant slug of the browser's login in progress
// and the user it has identified so far ("" for none or on any failure):
// the login pages show that tenant's branding (issue 13 §10).
func (h *Handler) FlowTenant(r *http.Request) (slug, userID string) {
	f, err := h.flows.load(r)
	if err != nil || f == nil {
		return "", ""
	}
	return f.Tenant, f.UserID
}
