package adminapi

import (
	"context"
	"net/http"
	"net/netip"
	"strings"

	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

// POST /api/v1/authorize is the one endpoint portals call to authenticate
// and authorize their API callers (R-SSO-6): bearer tokens, and HTTP Basic
// credentials (login name with a password or an API key) of legacy
// callers, checked against the user's status, context, module access
// (R-MOD-*), API IP allow-list (R-ACL-3) and, on request, one right. The
// portal itself authenticates like any API caller.

// authorizeInput is the request body.
type authorizeInput struct {
	// Credentials hold exactly one kind: bearer, login+password, or apiKey.
	Credentials *authorizeCredentials `json:"credentials" doc:"The API caller's credentials as the portal received them: exactly one of bearer, login with password, or apiKey."`
	// IP is the API caller's address as the portal saw it (IPv4 or IPv6).
	IP string `json:"ip" doc:"The API caller's address as the portal saw it (IPv4 or IPv6): checked against API IP Allow, and the source the brute-force limiter counts." example:"10.20.30.40"`
	// Module is the module whose API is called.
	Module string `json:"module" doc:"The module whose API is called; the user must be allowed to enter it, and the portal's client must belong to it." example:"portal"`
	// ACL optionally names a right of Module the call needs.
	ACL string `json:"acl,omitempty" doc:"Optional: a right of module the call needs; its value is returned in acl, and a false boolean right denies." example:"SIM - Price Plan Modify"`
	// ContextID defaults to the token's context, else the user's default.
	ContextID string `json:"contextId,omitempty" doc:"Optional: the context the call acts in; default the token's context, else the user's default context." example:"6f1c2d0e-8a55-4c1b-9a53-2b8f3e1d7c10"`
}

// authorizeCredentials are the API caller's credentials, as the portal
// received them.
type authorizeCredentials struct {
	// Bearer is an access token or an API key ("sk_…").
	Bearer *string `json:"bearer,omitempty" doc:"An access token issued by Sesame, or a user API key sent as a bearer token." example:"sk_3q2+7w…"`
	// Login and Password are HTTP Basic credentials; the password may be
	// one of the user's API keys.
	Login    *string `json:"login,omitempty" doc:"HTTP Basic login name (tenant users: slug/login), with password." example:"acme/fleet-bot"`
	Password *string `json:"password,omitempty" doc:"HTTP Basic password, or one of the user's API keys." example:"copper-valley-signal-77"`
	// APIKey is a user API key on its own.
	APIKey *string `json:"apiKey,omitempty" doc:"A user API key on its own." example:"sk_3q2+7w…"`
}

// Limits on the request's strings: anything longer is not a credential.
const (
	maxLoginLen    = 400
	maxPasswordLen = 1024
	maxAPIKeyLen   = 256
)

func checkString(field string, v *string, maxLen int) error {
	switch {
	case v == nil:
		return nil
	case *v == "":
		return model.Invalid(field, "is empty")
	case len(*v) > maxLen:
		return model.Invalid(field, "longer than %d bytes", maxLen)
	case !clean(*v):
		return model.Invalid(field, "must be valid UTF-8 without NUL characters")
	}
	return nil
}

// validate checks the body's shape: bad input is a 400 naming the field,
// never a decision.
func (in *authorizeInput) validate() (netip.Addr, error) {
	c := in.Credentials
	if c == nil {
		return netip.Addr{}, model.Invalid("credentials", "is required: bearer, login and password, or apiKey")
	}
	kinds := 0
	if c.Bearer != nil {
		kinds++
	}
	if c.Login != nil || c.Password != nil {
		kinds++
	}
	if c.APIKey != nil {
		kinds++
	}
	switch {
	case kinds == 0:
		return netip.Addr{}, model.Invalid("credentials", "give bearer, login and password, or apiKey")
	case kinds > 1:
		return netip.Addr{}, model.Invalid("credentials", "give one kind of credentials: bearer, login and password, or apiKey")
	case c.Login != nil && c.Password == nil:
		return netip.Addr{}, model.Invalid("credentials.password", "is required with login")
	case c.Password != nil && c.Login == nil:
		return netip.Addr{}, model.Invalid("credentials.login", "is required with password")
	}
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{
		{"credentials.bearer", c.Bearer, maxBearerLen},
		{"credentials.login", c.Login, maxLoginLen},
		{"credentials.password", c.Password, maxPasswordLen},
		{"credentials.apiKey", c.APIKey, maxAPIKeyLen},
	} {
		if err := checkString(f.name, f.v, f.max); err != nil {
			return netip.Addr{}, err
		}
	}
	if in.Module == "" {
		return netip.Addr{}, model.Invalid("module", "is required: the module whose API is called")
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"module", in.Module, 64}, {"acl", in.ACL, 200}, {"contextId", in.ContextID, 64}} {
		if f.v == "" {
			continue
		}
		if err := checkString(f.name, &f.v, f.max); err != nil {
			return netip.Addr{}, err
		}
	}
	if in.IP == "" {
		return netip.Addr{}, model.Invalid("ip", "is required: the API caller's IPv4 or IPv6 address")
	}
	if len(in.IP) > 64 {
		return netip.Addr{}, model.Invalid("ip", "longer than 64 bytes")
	}
	ip, err := netip.ParseAddr(in.IP)
	if err != nil || ip.Zone() != "" {
		return netip.Addr{}, model.Invalid("ip", "%q is not an IPv4 or IPv6 address", in.IP)
	}
	return ip.Unmap(), nil
}

// credentialActor resolves the API caller's credentials to an actor; every
// kind of failure is EUNAUTHORIZED, which the decision reports as "invalid
// credentials".
//
// The brute-force limiter (R-PWD-3) counts the API caller's address ip as
// the source: the portal relays its caller's credentials like a proxy.
func (a *API) credentialActor(c *authorizeCredentials, ip netip.Addr) func(ctx context.Context) (directory.Actor, error) {
	return func(ctx context.Context) (directory.Actor, error) {
		ctx = clientip.With(ctx, ip.String())
		switch {
		case c.Bearer != nil:
			return a.bearerActor(ctx, strings.TrimSpace(*c.Bearer), ResourcePolicySubject)
		case c.APIKey != nil:
			u, _, err := a.authn.AuthenticateAPIKey(ctx, *c.APIKey)
			if err != nil {
				return directory.Actor{}, err
			}
			return directory.Actor{User: u, Via: directory.ViaAPIKey}, nil
		default:
			u, via, err := a.authn.AuthenticateBasic(ctx, *c.Login, *c.Password)
			if err != nil {
				return directory.Actor{}, err
			}
			if err := a.passwordAllowed(ctx, u, via); err != nil {
				return directory.Actor{}, err
			}
			return directory.Actor{User: u, Via: via}, nil
		}
	}
}

// authorize answers 200 with a decision for any well-formed question: allow
// or deny with a reason.
func (a *API) authorize(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	// Only policy-decision clients get as far as the body (issue 8 item 5).
	if err := a.svc.PolicyCaller(r.Context(), actor, ""); err != nil {
		return err
	}
	var in authorizeInput
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	ip, err := in.validate()
	if err != nil {
		return err
	}
	d, err := a.svc.DecideAPI(r.Context(), actor, directory.APIQuery{IP: ip, Module: in.Module, ACL: in.ACL, ContextID: in.ContextID},
		a.credentialActor(in.Credentials, ip))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, d)
	return nil
}
