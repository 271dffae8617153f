package adminapi

import (
	"net/http"
	"time"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

type clientInput struct {
	Name            string   `json:"name"`
	Module          string   `json:"module"`
	Protocol        string   `json:"protocol"`
	RedirectURIs    []string `json:"redirectUris"`
	ServicePatterns []string `json:"servicePatterns"`
	GrantTypes      []string `json:"grantTypes"`
	Public          bool     `json:"public"`
	LogoutURL       string   `json:"logoutUrl"`
	// Lifetimes in seconds (0 = server default).
	AccessTTL      int64    `json:"accessTtlSeconds"`
	RefreshTTL     int64    `json:"refreshTtlSeconds"`
	AllowedScopes  []string `json:"allowedScopes"`
	Audience       []string `json:"audience"`
	PolicyDecision bool     `json:"policyDecision"`
	WebOrigins     []string `json:"webOrigins"`
	Development    bool     `json:"development"`
	CASPrincipal   string   `json:"casPrincipal"`
}

type clientPatch struct {
	Name            *string   `json:"name"`
	Module          *string   `json:"module"`
	RedirectURIs    *[]string `json:"redirectUris"`
	ServicePatterns *[]string `json:"servicePatterns"`
	GrantTypes      *[]string `json:"grantTypes"`
	LogoutURL       *string   `json:"logoutUrl"`
	AccessTTL       *int64    `json:"accessTtlSeconds"`
	RefreshTTL      *int64    `json:"refreshTtlSeconds"`
	AllowedScopes   *[]string `json:"allowedScopes"`
	Audience        *[]string `json:"audience"`
	PolicyDecision  *bool     `json:"policyDecision"`
	WebOrigins      *[]string `json:"webOrigins"`
	Development     *bool     `json:"development"`
	CASPrincipal    *string   `json:"casPrincipal"`
}

// clientView is a client as the API shows it: lifetimes in seconds, as
// they are given (clientInput), and lists never null.
type clientView struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	Module          string    `json:"module"`
	Protocol        string    `json:"protocol"`
	RedirectURIs    []string  `json:"redirectUris"`
	ServicePatterns []string  `json:"servicePatterns"`
	GrantTypes      []string  `json:"grantTypes"`
	Public          bool      `json:"public"`
	LogoutURL       string    `json:"logoutUrl,omitempty"`
	AccessTTL       int64     `json:"accessTtlSeconds"`
	RefreshTTL      int64     `json:"refreshTtlSeconds"`
	AllowedScopes   []string  `json:"allowedScopes"`
	Audience        []string  `json:"audience"`
	PolicyDecision  bool      `json:"policyDecision"`
	WebOrigins      []string  `json:"webOrigins"`
	Development     bool      `json:"development"`
	CASPrincipal    string    `json:"casPrincipal"`
	CreatedAt       time.Time `json:"createdAt"`
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
	Secret string `json:"secret,omitempty"`
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
