package adminapi

import (
	"net/http"
	"time"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

type clientInput struct {
	Name            string   `json:"name" doc:"Display name; required." example:"Customer portal"`
	Module          string   `json:"module" doc:"The module the client belongs to: users need the right to enter it (R-MOD-*)." example:"portal"`
	Protocol        string   `json:"protocol" doc:"oidc (an OpenID Connect / OAuth 2.0 client) or cas (a CAS service); fixed at creation." example:"oidc"`
	RedirectURIs    []string `json:"redirectUris" doc:"OIDC: the redirect URIs, matched exactly; https (plain http only on loopback, or with development); needed for authorization_code." example:"[\"https://portal.example.com/oidc/callback\"]"`
	ServicePatterns []string `json:"servicePatterns" doc:"CAS: the service URLs, exact or ending in * for a path prefix under the same scheme, host and port." example:"[\"https://legacy.example.com/cas/*\"]"`
	GrantTypes      []string `json:"grantTypes" doc:"OIDC: any of authorization_code, refresh_token, client_credentials (not for public clients)." example:"[\"authorization_code\", \"refresh_token\"]"`
	Public          bool     `json:"public" doc:"OIDC: a public client (a browser or mobile app) has no secret and must use PKCE; fixed at creation; default false (confidential)." example:"false"`
	LogoutURL       string   `json:"logoutUrl" doc:"Optional URL that receives back-channel logout (OIDC) or single logout (CAS) calls when the user's session ends." example:"https://portal.example.com/oidc/backchannel-logout"`
	// Lifetimes in seconds (0 = server default).
	AccessTTL      int64    `json:"accessTtlSeconds" doc:"Access token lifetime in seconds; 0: the server default." example:"900"`
	RefreshTTL     int64    `json:"refreshTtlSeconds" doc:"Refresh token lifetime in seconds; 0: the server default." example:"2592000"`
	AllowedScopes  []string `json:"allowedScopes" doc:"Non-OIDC scopes the client may request, such as sesame:admin (the admin API); others are dropped from the request (RFC 6749 §3.3)." example:"[\"sesame:admin\"]"`
	Audience       []string `json:"audience" doc:"Client ids of further resource servers the client's access tokens are meant for: they join aud (RFC 9068 §3) and may introspect them." example:"[\"billing-api\"]"`
	PolicyDecision bool     `json:"policyDecision" doc:"Lets the client call POST /api/v1/authorize for its module (R-SSO-6); default false." example:"false"`
	WebOrigins     []string `json:"webOrigins" doc:"Public OIDC clients only: browser origins (scheme://host[:port]) allowed cross-origin calls to the token, revocation, userinfo and keys endpoints." example:"[\"https://app.example.com\"]"`
	Development    bool     `json:"development" doc:"Allows plain-http redirect URIs and service patterns on hosts other than loopback; for test systems only; default false." example:"false"`
	CASPrincipal   string   `json:"casPrincipal" doc:"CAS: what the service sees as the user (cas:user): id (the user id, the default) or tenantLogin (tenant-slug/login-name; such users cannot be renamed)." example:"id"`
}

type clientPatch struct {
	Name            *string   `json:"name" doc:"New display name. Absent: unchanged." example:"Customer portal (new)"`
	Module          *string   `json:"module" doc:"The module the client belongs to: users need the right to enter it (R-MOD-*). Absent: unchanged." example:"portal"`
	RedirectURIs    *[]string `json:"redirectUris" doc:"OIDC: the redirect URIs, matched exactly; https (plain http only on loopback, or with development); needed for authorization_code. Absent: unchanged." example:"[\"https://portal.example.com/oidc/callback\"]"`
	ServicePatterns *[]string `json:"servicePatterns" doc:"CAS: the service URLs, exact or ending in * for a path prefix under the same scheme, host and port. Absent: unchanged." example:"[\"https://legacy.example.com/cas/*\"]"`
	GrantTypes      *[]string `json:"grantTypes" doc:"OIDC: any of authorization_code, refresh_token, client_credentials (not for public clients). Absent: unchanged." example:"[\"authorization_code\", \"refresh_token\"]"`
	LogoutURL       *string   `json:"logoutUrl" doc:"Optional URL that receives back-channel logout (OIDC) or single logout (CAS) calls when the user's session ends. Absent: unchanged." example:"https://portal.example.com/oidc/backchannel-logout"`
	AccessTTL       *int64    `json:"accessTtlSeconds" doc:"Access token lifetime in seconds; 0: the server default. Absent: unchanged." example:"900"`
	RefreshTTL      *int64    `json:"refreshTtlSeconds" doc:"Refresh token lifetime in seconds; 0: the server default. Absent: unchanged." example:"2592000"`
	AllowedScopes   *[]string `json:"allowedScopes" doc:"Non-OIDC scopes the client may request, such as sesame:admin (the admin API); others are dropped from the request (RFC 6749 §3.3). Absent: unchanged." example:"[\"sesame:admin\"]"`
	Audience        *[]string `json:"audience" doc:"Client ids of further resource servers the client's access tokens are meant for: they join aud (RFC 9068 §3) and may introspect them. Absent: unchanged." example:"[\"billing-api\"]"`
	PolicyDecision  *bool     `json:"policyDecision" doc:"Lets the client call POST /api/v1/authorize for its module (R-SSO-6); default false. Absent: unchanged." example:"false"`
	WebOrigins      *[]string `json:"webOrigins" doc:"Public OIDC clients only: browser origins (scheme://host[:port]) allowed cross-origin calls to the token, revocation, userinfo and keys endpoints. Absent: unchanged." example:"[\"https://app.example.com\"]"`
	Development     *bool     `json:"development" doc:"Allows plain-http redirect URIs and service patterns on hosts other than loopback; for test systems only; default false. Absent: unchanged." example:"false"`
	CASPrincipal    *string   `json:"casPrincipal" doc:"CAS: what the service sees as the user (cas:user): id (the user id, the default) or tenantLogin (tenant-slug/login-name; such users cannot be renamed). Absent: unchanged." example:"id"`
}

// clientView is a client as the API shows it: lifetimes in seconds, as
// they are given (clientInput), and lists never null.
type clientView struct {
	ID              string    `json:"id" doc:"The client id (a UUID; the client_id in OIDC), assigned by Sesame; read-only." example:"7c1e4b9a-2d3f-4a58-9b6e-0f1d2c3b4a59"`
	Name            string    `json:"name" doc:"Display name shown to administrators and on consent and logout pages." example:"Customer portal"`
	Module          string    `json:"module" doc:"The module the client belongs to: users need the right to enter it (R-MOD-*)." example:"portal"`
	Protocol        string    `json:"protocol" doc:"oidc (an OpenID Connect / OAuth 2.0 client) or cas (a CAS service); fixed at creation." example:"oidc"`
	RedirectURIs    []string  `json:"redirectUris" doc:"OIDC: the redirect URIs, matched exactly; https (plain http only on loopback, or with development); needed for authorization_code." example:"[\"https://portal.example.com/oidc/callback\"]"`
	ServicePatterns []string  `json:"servicePatterns" doc:"CAS: the service URLs, exact or ending in * for a path prefix under the same scheme, host and port." example:"[\"https://legacy.example.com/cas/*\"]"`
	GrantTypes      []string  `json:"grantTypes" doc:"OIDC: any of authorization_code, refresh_token, client_credentials (not for public clients)." example:"[\"authorization_code\", \"refresh_token\"]"`
	Public          bool      `json:"public" doc:"OIDC: a public client (a browser or mobile app) has no secret and must use PKCE; fixed at creation; default false (confidential)." example:"false"`
	LogoutURL       string    `json:"logoutUrl,omitempty" doc:"Optional URL that receives back-channel logout (OIDC) or single logout (CAS) calls when the user's session ends." example:"https://portal.example.com/oidc/backchannel-logout"`
	AccessTTL       int64     `json:"accessTtlSeconds" doc:"Access token lifetime in seconds; 0: the server default." example:"900"`
	RefreshTTL      int64     `json:"refreshTtlSeconds" doc:"Refresh token lifetime in seconds; 0: the server default." example:"2592000"`
	AllowedScopes   []string  `json:"allowedScopes" doc:"Non-OIDC scopes the client may request, such as sesame:admin (the admin API); others are dropped from the request (RFC 6749 §3.3)." example:"[\"sesame:admin\"]"`
	Audience        []string  `json:"audience" doc:"Client ids of further resource servers the client's access tokens are meant for: they join aud (RFC 9068 §3) and may introspect them." example:"[\"billing-api\"]"`
	PolicyDecision  bool      `json:"policyDecision" doc:"Lets the client call POST /api/v1/authorize for its module (R-SSO-6); default false." example:"false"`
	WebOrigins      []string  `json:"webOrigins" doc:"Public OIDC clients only: browser origins (scheme://host[:port]) allowed cross-origin calls to the token, revocation, userinfo and keys endpoints." example:"[\"https://app.example.com\"]"`
	Development     bool      `json:"development" doc:"Allows plain-http redirect URIs and service patterns on hosts other than loopback; for test systems only; default false." example:"false"`
	CASPrincipal    string    `json:"casPrincipal" doc:"CAS: what the service sees as the user (cas:user): id (the user id, the default) or tenantLogin (tenant-slug/login-name; such users cannot be renamed)." example:"id"`
	CreatedAt       time.Time `json:"createdAt" doc:"When the client was registered; read-only." example:"2026-01-15T09:30:00Z"`
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func viewClient(c model.Client) clientView {
	return clientView{ID: c.ID, Name: c.Name, Module: c.Module, Protocol: c.Protocol, RedirectURIs: nonNil(c.RedirectURIs),
		ServicePatterns: nonNil(c.ServicePatterns), GrantTypes: nonNil(c.GrantTypes), Public: c.Public, LogoutURL: c.LogoutURL,
		AccessTTL: int64(c.AccessTTL / time.Second), RefreshTTL: int64(c.RefreshTTL / time.Second),
		AllowedScopes: nonNil(c.AllowedScopes), Audience: nonNil(c.Audience), PolicyDecision: c.PolicyDecision,
		WebOrigins: nonNil(c.WebOrigins), Development: c.Development, CASPrincipal: c.CASPrincipal, CreatedAt: c.CreatedAt}
}

type createdClient struct {
	clientView
	// Secret is shown once, for confidential OIDC clients.
	Secret string `json:"secret,omitempty" doc:"Confidential OIDC clients only: the client secret, shown in this answer only (only a hash is stored); store it at once." example:"q3Vw8mXr5TzL0pWk9bYh3NcJ6dFa1sGe7uRt2yIo4Pl"`
}

func (a *API) listClients(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	cs, err := a.svc.ListClients(r.Context(), actor)
	if err != nil {
		return err
	}
	views := make([]clientView, 0, len(cs))
	for _, c := range cs {
		views = append(views, viewClient(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": views})
	return nil
}

func (a *API) createClient(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	var in clientInput
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	c, secret, err := a.svc.CreateClient(r.Context(), actor, model.Client{Name: in.Name, Module: in.Module, Protocol: in.Protocol,
		RedirectURIs: in.RedirectURIs, ServicePatterns: in.ServicePatterns, GrantTypes: in.GrantTypes, Public: in.Public,
		LogoutURL: in.LogoutURL, AccessTTL: time.Duration(in.AccessTTL) * time.Second, RefreshTTL: time.Duration(in.RefreshTTL) * time.Second,
		AllowedScopes: in.AllowedScopes, Audience: in.Audience, PolicyDecision: in.PolicyDecision, WebOrigins: in.WebOrigins,
		Development: in.Development, CASPrincipal: in.CASPrincipal})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/clients/"+c.ID)
	writeJSON(w, http.StatusCreated, createdClient{clientView: viewClient(c), Secret: secret})
	return nil
}

func (a *API) getClient(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	c, err := a.svc.GetClient(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewClient(c))
	return nil
}

func (a *API) updateClient(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in clientPatch
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	c, err := a.svc.UpdateClient(r.Context(), actor, id, func(c model.Client) (model.Client, error) {
		if in.Name != nil {
			c.Name = *in.Name
		}
		if in.Module != nil {
			c.Module = *in.Module
		}
		if in.RedirectURIs != nil {
			c.RedirectURIs = *in.RedirectURIs
		}
		if in.ServicePatterns != nil {
			c.ServicePatterns = *in.ServicePatterns
		}
		if in.GrantTypes != nil {
			c.GrantTypes = *in.GrantTypes
		}
		if in.LogoutURL != nil {
			c.LogoutURL = *in.LogoutURL
		}
		if in.AccessTTL != nil {
			c.AccessTTL = time.Duration(*in.AccessTTL) * time.Second
		}
		if in.RefreshTTL != nil {
			c.RefreshTTL = time.Duration(*in.RefreshTTL) * time.Second
		}
		if in.AllowedScopes != nil {
			c.AllowedScopes = *in.AllowedScopes
		}
		if in.Audience != nil {
			c.Audience = *in.Audience
		}
		if in.PolicyDecision != nil {
			c.PolicyDecision = *in.PolicyDecision
		}
		if in.WebOrigins != nil {
			c.WebOrigins = *in.WebOrigins
		}
		if in.Development != nil {
			c.Development = *in.Development
		}
		if in.CASPrincipal != nil {
			c.CASPrincipal = *in.CASPrincipal
		}
		return c, nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewClient(c))
	return nil
}

func (a *API) deleteClient(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteClient(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
