package saml

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	crewjam "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/sesame-sso/sesame/internal/connector"
)

// Single logout (R-SAML-9, SAML profiles §4.4) through crewjam/saml: the
// SP-initiated LogoutRequest over HTTP-Redirect when Sesame's own session
// ends (connector.Logouter), the IdP's LogoutResponse checked at the SLO
// endpoint, and IdP-initiated LogoutRequests (HTTP-Redirect or HTTP-POST)
// answered with a LogoutResponse. Logout messages Sesame sends are always
// signed (SAML profiles §4.4.4.1 requires it over front-channel bindings);
// the IdP's must be signed by a certificate of its metadata.

var _ connector.Logouter = (*Connector)(nil)

// logoutSP is the ServiceProvider for logout messages: signing on.
func (c *Connector) logoutSP() *crewjam.ServiceProvider {
	sp := c.at(c.solicited, c.opt.Now())
	sp.SignatureMethod = dsig.RSASHA256SignatureMethod
	return sp
}

// LogoutURL implements connector.Logouter: where the browser goes to end
// the IdP session of the login whose Identity.Data is data — a signed
// LogoutRequest (NameID, SessionIndex) over HTTP-Redirect, RelayState its
// id. "" when the IdP offers no HTTP-Redirect SingleLogoutService or no
// SLO URL is configured. returnURL is unused: the IdP answers at the SLO
// endpoint.
func (c *Connector) LogoutURL(ctx context.Context, data []byte, _ string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var sd sessionData
	if err := json.Unmarshal(data, &sd); err != nil || sd.NameID == "" || c.cfg.SLOURL == "" {
		return "", nil
	}
	sp := c.logoutSP()
	dest := sp.GetSLOBindingLocation(crewjam.HTTPRedirectBinding)
	if dest == "" {
		return "", nil
	}
	var opts []crewjam.LogoutRequestOption
	if sd.SessionIndex != "" {
		opts = append(opts, crewjam.WithSessionIndex(sd.SessionIndex))
	}
	req, err := sp.MakeLogoutRequest(dest, sd.NameID, opts...)
	if err != nil {
		return "", fmt.Errorf("saml: LogoutRequest: %w", err)
	}
	if req.NameID != nil && sd.NameIDFormat != "" {
		req.NameID.Format = sd.NameIDFormat
	}
	u, err := sp.RedirectLogoutRequestURL(req, req.ID)
	if err != nil {
		return "", fmt.Errorf("saml: LogoutRequest: %w", err)
	}
	return u.String(), nil
}

// LogoutRequest is a verified IdP-initiated LogoutRequest.
type LogoutRequest struct {
	ID             string
	NameID         string
	SessionIndexes []string
	RelayState     string
}

// IsLogoutResponse reports whether r carries a LogoutResponse (else it is
// a LogoutRequest, or nothing).
func IsLogoutResponse(r *http.Request) bool {
	if r.URL.Query().Has("SAMLResponse") {
		return true
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(nil, r.Body, DefaultMaxResponseBytes)
		_ = r.ParseForm()
		return r.PostForm.Has("SAMLResponse")
	}
	return false
}

// ParseLogoutRequest verifies an IdP-initiated LogoutRequest at the SLO
// endpoint (HTTP-Redirect: query signature; HTTP-POST: enveloped
// signature), its Issuer, Destination and time.
func (c *Connector) ParseLogoutRequest(r *http.Request) (LogoutRequest, error) {
	if r.Method == http.MethodPost && r.PostForm == nil {
		r.Body = http.MaxBytesReader(nil, r.Body, DefaultMaxResponseBytes)
	}
	req, err := c.logoutSP().ValidateLogoutRequest(r)
	if err != nil {
		return LogoutRequest{}, classify(err)
	}
	if req.NameID == nil || req.NameID.Value == "" {
		return LogoutRequest{}, fail(connector.ReasonSubject, nil, "LogoutRequest without NameID")
	}
	out := LogoutRequest{ID: req.ID, NameID: req.NameID.Value, RelayState: r.FormValue("RelayState")}
	for _, si := range req.AllSessionIndexes() {
		out.SessionIndexes = append(out.SessionIndexes, si.Value)
	}
	return out, nil
}

// LogoutResponseURL is the signed LogoutResponse (Success) to the IdP's
// HTTP-Redirect SingleLogoutService for the LogoutRequest requestID.
func (c *Connector) LogoutResponseURL(requestID, relayState string) (string, error) {
	u, err := c.logoutSP().MakeRedirectLogoutResponse(requestID, relayState)
	if err != nil {
		return "", fmt.Errorf("saml: LogoutResponse: %w", err)
	}
	return u.String(), nil
}

// CheckLogoutResponse verifies the IdP's LogoutResponse to Sesame's
// LogoutRequest (its id came back as RelayState): signature, Issuer,
// InResponseTo, a Success status.
func (c *Connector) CheckLogoutResponse(r *http.Request) error {
	relay := r.FormValue("RelayState")
	if relay == "" {
		return fail(connector.ReasonState, nil, "LogoutResponse without RelayState")
	}
	if _, err := c.logoutSP().ParseLogoutResponse(r, []string{relay}); err != nil {
		return classify(err)
	}
	return nil
}
