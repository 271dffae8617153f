package saml

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/sesame-sso/sesame/internal/connector"
)

// Single logout (R-SAML-9, SAML profiles §4.4) through crewjam/saml: the
// SP-initiated LogoutRequest when Sesame's own session ends
// (connector.Logouter), the IdP's LogoutResponse checked at the SLO
// endpoint, and IdP-initiated LogoutRequests (HTTP-Redirect or HTTP-POST)
// answered with a LogoutResponse. Both directions use HTTP-Redirect or
// HTTP-POST, whichever the IdP's metadata offers (sloTarget). Logout
// messages Sesame sends are always signed (SAML profiles §4.4.4.1 requires
// it over front-channel bindings): a query signature over HTTP-Redirect
// (bindings §3.4.4.1), an enveloped XML signature over HTTP-POST (bindings
// §3.5.4); the IdP's must be signed by a certificate of its metadata.
// Where a message goes is only ever an address of the IdP's metadata,
// never one from a request.

var _ connector.Logouter = (*Connector)(nil)

// logoutSP is the ServiceProvider for logout messages: signing on.
func (c *Connector) logoutSP() *crewjam.ServiceProvider {
	sp := c.at(c.solicited, c.opt.Now())
	sp.SignatureMethod = dsig.RSASHA256SignatureMethod
	return sp
}

// sloTarget picks the IdP's SingleLogoutService for a message to it:
// preferred when the IdP's metadata offers that binding, else the other of
// HTTP-Redirect and HTTP-POST. A request goes to the service's Location; a
// response to its ResponseLocation when the metadata gives one, else to
// its Location (saml-metadata §2.2.2). binding is "" when the IdP offers
// neither.
func sloTarget(md *crewjam.EntityDescriptor, preferred string, response bool) (binding, location string) {
	other := crewjam.HTTPPostBinding
	if preferred == crewjam.HTTPPostBinding {
		other = crewjam.HTTPRedirectBinding
	}
	for _, b := range []string{preferred, other} {
		for _, d := range md.IDPSSODescriptors {
			for _, e := range d.SingleLogoutServices {
				if e.Binding != b {
					continue
				}
				if response && e.ResponseLocation != "" {
					return b, e.ResponseLocation
				}
				if e.Location != "" {
					return b, e.Location
				}
			}
		}
	}
	return "", ""
}

// Logout implements connector.Logouter: the signed LogoutRequest (NameID,
// SessionIndex) of the login whose Identity.Data is data, RelayState its
// id, to the IdP's SingleLogoutService — over HTTP-Redirect when the IdP
// offers it (as ever), else as an auto-submitted HTTP-POST form. Zero when
// the IdP offers neither binding or no SLO URL is configured (the IdP
// could not answer). returnURL is unused: the IdP answers at the SLO
// endpoint.
func (c *Connector) Logout(ctx context.Context, data []byte, _ string) (connector.Action, error) {
	if err := ctx.Err(); err != nil {
		return connector.Action{}, err
	}
	var sd sessionData
	if err := json.Unmarshal(data, &sd); err != nil || sd.NameID == "" || c.cfg.SLOURL == "" {
		return connector.Action{}, nil
	}
	sp := c.logoutSP()
	binding, dest := sloTarget(sp.IDPMetadata, crewjam.HTTPRedirectBinding, false)
	if binding == "" {
		return connector.Action{}, nil
	}
	var opts []crewjam.LogoutRequestOption
	if sd.SessionIndex != "" {
		opts = append(opts, crewjam.WithSessionIndex(sd.SessionIndex))
	}
	if sd.NameIDFormat != "" {
		// Before signing: the enveloped signature covers the NameID.
		opts = append(opts, func(req *crewjam.LogoutRequest) {
			if req.NameID != nil {
				req.NameID.Format = sd.NameIDFormat
			}
		})
	}
	maker := sp
	if binding == crewjam.HTTPRedirectBinding {
		// No enveloped signature: the query signature replaces it.
		unsigned := *sp
		unsigned.SignatureMethod = ""
		maker = &unsigned
	}
	req, err := maker.MakeLogoutRequest(dest, sd.NameID, opts...)
	if err != nil {
		return connector.Action{}, fmt.Errorf("saml: LogoutRequest: %w", err)
	}
	if binding == crewjam.HTTPRedirectBinding {
		u, err := sp.RedirectLogoutRequestURL(req, req.ID)
		if err != nil {
			return connector.Action{}, fmt.Errorf("saml: LogoutRequest: %w", err)
		}
		return connector.Action{RedirectURL: u.String()}, nil
	}
	return postAction(dest, "SAMLRequest", req.Element(), req.ID)
}

// postAction is the HTTP-POST binding (bindings §3.5.4) of the signed
// message el: field (SAMLRequest or SAMLResponse) its base64 XML,
// RelayState relay (none when "").
func postAction(dest, field string, el *etree.Element, relay string) (connector.Action, error) {
	buf, err := elementBytes(el)
	if err != nil {
		return connector.Action{}, fmt.Errorf("saml: %s: %w", field, err)
	}
	form := url.Values{field: {base64.StdEncoding.EncodeToString(buf)}}
	if relay != "" {
		form.Set("RelayState", relay)
	}
	return connector.Action{PostURL: dest, PostForm: form}, nil
}

// LogoutRequest is a verified IdP-initiated LogoutRequest.
type LogoutRequest struct {
	ID             string
	NameID         string
	SessionIndexes []string
	RelayState     string
	// Binding is the binding it came by: crewjam.HTTPRedirectBinding or
	// crewjam.HTTPPostBinding (HTTP-POST-SimpleSign counts as HTTP-POST).
	Binding string
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
	out := LogoutRequest{ID: req.ID, NameID: req.NameID.Value, RelayState: r.FormValue("RelayState"), Binding: crewjam.HTTPRedirectBinding}
	if r.Method == http.MethodPost {
		out.Binding = crewjam.HTTPPostBinding
	}
	for _, si := range req.AllSessionIndexes() {
		out.SessionIndexes = append(out.SessionIndexes, si.Value)
	}
	return out, nil
}

// LogoutResponse is where the browser takes the signed LogoutResponse
// (Success) to the verified IdP-initiated LogoutRequest req, with its
// RelayState (bindings §3.4.3, §3.5.3). The binding is the one req came
// by when the IdP's metadata offers a SingleLogoutService for it, else the
// other of HTTP-Redirect and HTTP-POST; the address is that service's
// ResponseLocation, else its Location (sloTarget). Zero when the IdP
// offers no SingleLogoutService (nowhere to answer).
func (c *Connector) LogoutResponse(req LogoutRequest) (connector.Action, error) {
	sp := c.logoutSP()
	binding, dest := sloTarget(sp.IDPMetadata, req.Binding, true)
	switch binding {
	case "":
		return connector.Action{}, nil
	case crewjam.HTTPPostBinding:
		resp, err := sp.MakeLogoutResponse(dest, req.ID)
		if err != nil {
			return connector.Action{}, fmt.Errorf("saml: LogoutResponse: %w", err)
		}
		return postAction(dest, "SAMLResponse", resp.Element(), req.RelayState)
	}
	// crewjam addresses a Redirect LogoutResponse to the service's
	// Location: give it one where ResponseLocation is.
	sp.IDPMetadata = withSLOLocation(sp.IDPMetadata, crewjam.HTTPRedirectBinding, dest)
	u, err := sp.MakeRedirectLogoutResponse(req.ID, req.RelayState)
	if err != nil {
		return connector.Action{}, fmt.Errorf("saml: LogoutResponse: %w", err)
	}
	return connector.Action{RedirectURL: u.String()}, nil
}

// withSLOLocation is a copy of md whose first SingleLogoutService for
// binding has location as its Location (md itself is shared, unchanged).
func withSLOLocation(md *crewjam.EntityDescriptor, binding, location string) *crewjam.EntityDescriptor {
	cp := *md
	cp.IDPSSODescriptors = slices.Clone(md.IDPSSODescriptors)
	for i := range cp.IDPSSODescriptors {
		d := &cp.IDPSSODescriptors[i]
		for j, e := range d.SingleLogoutServices {
			if e.Binding == binding {
				d.SingleLogoutServices = slices.Clone(d.SingleLogoutServices)
				d.SingleLogoutServices[j].Location = location
				return &cp
			}
		}
	}
	return &cp
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
