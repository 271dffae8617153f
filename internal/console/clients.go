package console

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/web"
)

// Clients (issue 13 §7): portals and APIs registered as OIDC clients or
// CAS services (R-SSO-3). A confidential OIDC client's secret is shown
// once — on the answer to the create or rotate form — and only its hash
// is kept; rotating makes the old one stop working.

// Clients is what the client pages need of the directory.
type Clients interface {
	ListClients(ctx context.Context, a directory.Actor) ([]model.Client, error)
	GetClient(ctx context.Context, a directory.Actor, id string) (model.Client, error)
	CreateClient(ctx context.Context, a directory.Actor, c model.Client) (model.Client, string, error)
	UpdateClient(ctx context.Context, a directory.Actor, id string, fn func(model.Client) (model.Client, error)) (model.Client, error)
	DeleteClient(ctx context.Context, a directory.Actor, id string) error
	RotateClientSecret(ctx context.Context, a directory.Actor, id string) (model.Client, string, error)
}

var _ Clients = (*directory.Service)(nil)

var grantTypes = []string{"authorization_code", "refresh_token", "client_credentials"}

type clientsPage struct {
	common
	Clients   []clientRow
	F         web.Form
	Modules   []option
	Protocols []option
	Grants    []option
	Public    bool
}

type clientRow struct{ ID, Name, Module, Protocol, Kind string }

func clientRowOf(c model.Client) clientRow {
	kind := "confidential"
	if c.Protocol == model.ProtocolCAS {
		kind = "service"
	} else if c.Public {
		kind = "public"
	}
	return clientRow{ID: c.ID, Name: c.Name, Module: c.Module, Protocol: c.Protocol, Kind: kind}
}

// clients is GET /console/clients.
func (h *Handler) clients(w http.ResponseWriter, r *http.Request, q req) {
	h.showClients(w, r, q, http.StatusOK, web.Form{"protocol": {Value: model.ProtocolOIDC}}, []string{"authorization_code", "refresh_token"}, false, i18n.Msg{})
}

func (h *Handler) showClients(w http.ResponseWriter, r *http.Request, q req, status int, f web.Form, grants []string, public bool, prob i18n.Msg) {
	ctx := r.Context()
	cs, err := h.Clients.ListClients(ctx, q.actor)
	if err != nil {
		h.fail(w, r, "console: clients", err)
		return
	}
	d := clientsPage{common: q.common("clients"), F: f, Public: public}
	d.Notice, d.Problem, d.Nonce = notice(r), prob, newNonce()
	for _, c := range cs {
		d.Clients = append(d.Clients, clientRowOf(c))
	}
	mods, err := h.Dir.ListModules(ctx)
	if err != nil {
		h.fail(w, r, "console: modules", err)
		return
	}
	for _, m := range mods {
		d.Modules = append(d.Modules, option{Value: m.Name, Label: m.Name, Selected: f["module"].Value == m.Name})
	}
	for _, p := range []string{model.ProtocolOIDC, model.ProtocolCAS} {
		d.Protocols = append(d.Protocols, option{Value: p, Label: "console.protocol." + p, Selected: f["protocol"].Value == p})
	}
	for _, g := range grantTypes {
		d.Grants = append(d.Grants, option{Value: g, Label: "console.grant." + g, Selected: slices.Contains(grants, g)})
	}
	h.render(w, r, status, "console_clients", d)
}

type secretPage struct {
	common
	ID, Name, Secret string
}

// createClient is POST /console/clients.
func (h *Handler) createClient(w http.ResponseWriter, r *http.Request, q req) {
	c := model.Client{Name: strings.TrimSpace(r.PostFormValue("name")), Module: r.PostFormValue("module"), Protocol: r.PostFormValue("protocol"),
		LogoutURL: strings.TrimSpace(r.PostFormValue("logoutUrl")), Public: r.PostFormValue("public") == "1"}
	urls := splitLines(r.PostFormValue("urls"))
	if c.Protocol == model.ProtocolCAS {
		c.ServicePatterns = urls
	} else {
		c.RedirectURIs = urls
		for _, g := range r.PostForm["grants"] {
			if slices.Contains(grantTypes, g) {
				c.GrantTypes = append(c.GrantTypes, g)
			}
		}
	}
	f := web.Form{"name": {Value: c.Name}, "module": {Value: c.Module}, "protocol": {Value: c.Protocol}, "urls": {Value: r.PostFormValue("urls")},
		"logoutUrl": {Value: c.LogoutURL}}
	if c.Name == "" {
		f["name"] = web.FormField{Err: i18n.M("console.error.required")}
		h.showClients(w, r, q, http.StatusBadRequest, f, c.GrantTypes, c.Public, i18n.M("console.error.form"))
		return
	}
	var out model.Client
	var secret string
	ok, err := h.once(w, r, q, "created", func() (string, error) {
		var err error
		if out, secret, err = h.Clients.CreateClient(r.Context(), q.actor, c); err != nil {
			return "", err
		}
		return Path + "/clients/" + url.PathEscape(out.ID), nil
	}, func() {
		if secret == "" {
			done(w, r, Path+"/clients/"+url.PathEscape(out.ID), "created")
			return
		}
		h.render(w, r, http.StatusOK, "console_client_secret", secretPage{common: q.common("clients"), ID: out.ID, Name: out.Name, Secret: secret})
	})
	if ok {
		return
	}
	if formError(err) {
		msg, _ := refusedAt(f, err, map[string]string{"redirectUris": "urls", "servicePatterns": "urls", "logoutUrl": "logoutUrl", "module": "module", "name": "name"})
		h.showClients(w, r, q, http.StatusBadRequest, f, c.GrantTypes, c.Public, msg)
		return
	}
	h.fail(w, r, "console: create client", err)
}

// splitLines reads one URL per line.
func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

type clientPage struct {
	common
	C      clientRow
	URLs   []string
	Grants []string
	Logout string
	Rotate bool
}

// client is GET /console/clients/{id}.
func (h *Handler) client(w http.ResponseWriter, r *http.Request, q req) {
	c, err := h.Clients.GetClient(r.Context(), q.actor, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, "console: get client", err)
		return
	}
	d := clientPage{common: q.common("clients"), C: clientRowOf(c), Grants: c.GrantTypes, Logout: c.LogoutURL,
		Rotate: c.Protocol == model.ProtocolOIDC && !c.Public}
	d.Notice = notice(r)
	d.URLs = c.RedirectURIs
	if c.Protocol == model.ProtocolCAS {
		d.URLs = c.ServicePatterns
	}
	h.render(w, r, http.StatusOK, "console_client", d)
}

// rotateSecret is POST /console/clients/{id}/secret: a new secret, shown
// on this answer only.
func (h *Handler) rotateSecret(w http.ResponseWriter, r *http.Request, q req) {
	c, secret, err := h.Clients.RotateClientSecret(r.Context(), q.actor, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, "console: rotate secret", err)
		return
	}
	h.render(w, r, http.StatusOK, "console_client_secret", secretPage{common: q.common("clients"), ID: c.ID, Name: c.Name, Secret: secret})
}

// deleteClient is POST /console/clients/{id}/delete.
func (h *Handler) deleteClient(w http.ResponseWriter, r *http.Request, q req) {
	if err := h.Clients.DeleteClient(r.Context(), q.actor, r.PathValue("id")); err != nil {
		h.fail(w, r, "console: delete client", err)
		return
	}
	done(w, r, Path+"/clients", "deleted")
}
