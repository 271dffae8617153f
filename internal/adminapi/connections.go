package adminapi

import (
	"net/http"
	"strings"

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
	RedirectURL string `json:"redirectUrl"`
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
	return connectionView{Connection: c, RedirectURL: CallbackURL(a.issuerFor(r), c.ID)}
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
