package adminapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/sesame-sso/sesame/internal/connector/saml"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

// Connections to external IdPs (SPEC.md §6, R-FED-1): GET list, POST
// create, GET / PUT / DELETE one. The client secret is write-only; the
// answer carries the redirect URL the customer registers at the IdP.

// connectionView is a connection as the API shows it: no secret (only
// hasClientSecret), with the callback URL to register at the IdP.
type connectionView struct {
	model.Connection
	// RedirectURL is where the IdP sends the browser back:
	// <issuer>/login/idp/{id}/callback.
	RedirectURL string `json:"redirectUrl" doc:"Where the IdP sends the browser back (<issuer>/login/idp/{id}/callback): register it at the IdP; read-only." example:"https://sso.example.com/login/idp/4f2b8d61-0a3c-4e97-b1f5-8c6d2e9a7b30/callback"`
	// SAMLSP, for a saml connection, is what the IdP's administrator
	// enters there (R-SAML-1, seed 004).
	SAMLSP *samlSPView `json:"samlSp,omitempty" doc:"SAML connections only: what the IdP's administrator enters there; read-only."`
}

// samlSPView are Sesame's SP values of a SAML connection.
type samlSPView struct {
	// EntityID is the SP entity id ("identifier").
	EntityID string `json:"entityId" doc:"Sesame's SP entity id (\"identifier\")." example:"https://sso.example.com/saml/4f2b8d61-0a3c-4e97-b1f5-8c6d2e9a7b30/metadata"`
	// ACSURL is the reply URL (Assertion Consumer Service, HTTP-POST).
	ACSURL string `json:"acsUrl" doc:"The reply URL (Assertion Consumer Service, HTTP-POST)." example:"https://sso.example.com/saml/4f2b8d61-0a3c-4e97-b1f5-8c6d2e9a7b30/acs"`
	// SignOnURL starts a login at Sesame with the company (context) id:
	// replace the context parameter with another company's id (seed 004).
	SignOnURL string `json:"signOnUrl" doc:"Starts a login at Sesame for one company: replace the context parameter with another company's id." example:"https://sso.example.com/saml/4f2b8d61-0a3c-4e97-b1f5-8c6d2e9a7b30/init?context=9d7e1f20-5b3a-4c8e-a1d2-6f4b8c0e2a31"`
	// MetadataURL serves the SP metadata (certificates included).
	MetadataURL string `json:"metadataUrl" doc:"Sesame's SP metadata, certificates included." example:"https://sso.example.com/saml/4f2b8d61-0a3c-4e97-b1f5-8c6d2e9a7b30/metadata"`
	// SLOURL is the single logout endpoint (HTTP-Redirect and HTTP-POST).
	SLOURL string `json:"sloUrl" doc:"The single logout endpoint (HTTP-Redirect and HTTP-POST)." example:"https://sso.example.com/saml/4f2b8d61-0a3c-4e97-b1f5-8c6d2e9a7b30/slo"`
	// MarketplaceInitURL and MarketplaceConsumeURL are the tenant's
	// marketplace-style aliases (seed 002; a tenant with a slug).
	MarketplaceInitURL    string `json:"marketplaceInitUrl,omitempty" doc:"Tenants with a slug: the marketplace-style login start alias." example:"https://sso.example.com/auth/saml/init/muster"`
	MarketplaceConsumeURL string `json:"marketplaceConsumeUrl,omitempty" doc:"Tenants with a slug: the marketplace-style reply URL alias." example:"https://sso.example.com/auth/saml/consume/muster"`
}

// SetIssuer sets the issuer the connection views' redirect URLs start
// with (the server's configured issuer); until it is set they are derived
// from the request's host.
func (a *API) SetIssuer(iss string) { a.issuer = strings.TrimRight(iss, "/") }

func (a *API) issuerFor(r *http.Request) string {
	if a.issuer != "" {
		return a.issuer
	}
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}

// CallbackURL is the redirect URL of connection id under issuer: what the
// customer registers at the IdP and the login engine serves.
func CallbackURL(issuer, id string) string {
	return strings.TrimRight(issuer, "/") + "/login/idp/" + id + "/callback"
}

func (a *API) viewConnection(r *http.Request, c model.Connection) connectionView {
	if c.Domains == nil {
		c.Domains = []model.ConnectionDomain{}
	}
	if c.OIDC.Scopes == nil {
		c.OIDC.Scopes = []string{}
	}
	iss := a.issuerFor(r)
	v := connectionView{Connection: c, RedirectURL: CallbackURL(iss, c.ID)}
	if c.Kind == model.ConnectionSAML {
		v.RedirectURL = saml.ACSURL(iss, c.ID)
		v.SAMLSP = &samlSPView{EntityID: saml.EntityID(iss, c.ID), ACSURL: saml.ACSURL(iss, c.ID),
			SignOnURL: saml.InitURL(iss, c.ID) + "?context=" + url.QueryEscape(c.TenantID), MetadataURL: saml.MetadataURL(iss, c.ID),
			SLOURL: saml.SLOURL(iss, c.ID)}
		if t, err := a.svc.Reader().GetContext(r.Context(), c.TenantID); err == nil && t.Type == model.ContextTenant && t.Slug != "" {
			v.SAMLSP.MarketplaceInitURL, v.SAMLSP.MarketplaceConsumeURL = saml.InitAliasURL(iss, t.Slug), saml.ConsumeAliasURL(iss, t.Slug)
		}
	}
	return v
}

func (a *API) listConnections(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	tenant := r.URL.Query().Get("tenantId")
	if tenant != "" && !model.PlausibleID(tenant) {
		return model.Invalid("tenantId", "is not an id")
	}
	cs, err := a.svc.ListConnections(r.Context(), actor, tenant)
	if err != nil {
		return err
	}
	views := make([]connectionView, 0, len(cs))
	for _, c := range cs {
		views = append(views, a.viewConnection(r, c))
	}
	writeJSON(w, http.StatusOK, listOf[connectionView]{Items: views})
	return nil
}

func (a *API) createConnection(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	var in directory.ConnectionInput
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	c, err := a.svc.CreateConnection(r.Context(), actor, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/connections/"+c.ID)
	writeJSON(w, http.StatusCreated, a.viewConnection(r, c))
	return nil
}

func (a *API) getConnection(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	c, err := a.svc.GetConnection(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.viewConnection(r, c))
	return nil
}

func (a *API) updateConnection(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in directory.ConnectionInput
	if err := decode(w, r, a.maxBody, &in); err != nil {
		return err
	}
	c, err := a.svc.UpdateConnection(r.Context(), actor, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.viewConnection(r, c))
	return nil
}

// rotateSAMLKey is POST /api/v1/connections/{id}/saml/rotate-key.
func (a *API) rotateSAMLKey(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	return a.samlKeys(w, r, actor, a.svc.RotateSAMLKey)
}

// retireSAMLKey is POST /api/v1/connections/{id}/saml/retire-key.
func (a *API) retireSAMLKey(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	return a.samlKeys(w, r, actor, a.svc.RetireSAMLKey)
}

// refreshSAMLMetadata is POST /api/v1/connections/{id}/saml/refresh-metadata.
func (a *API) refreshSAMLMetadata(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	c, _, err := a.svc.RefreshSAMLMetadataNow(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.viewConnection(r, c))
	return nil
}

func (a *API) samlKeys(w http.ResponseWriter, r *http.Request, actor directory.Actor,
	fn func(context.Context, directory.Actor, string) (model.Connection, error)) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	c, err := fn(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.viewConnection(r, c))
	return nil
}

func (a *API) deleteConnection(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteConnection(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
