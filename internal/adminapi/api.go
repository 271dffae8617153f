package adminapi

import (
	"context"
	"log/slog"
	"net"
	"net/http"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

// API is the admin REST API.
type API struct {
	svc     *directory.Service
	log     *slog.Logger
	maxBody int64
	// Authenticators turn a request into an actor; the first that
	// recognises the request's credentials wins. Basic auth is built in; the
	// SSO layer adds bearer tokens.
	authenticators []Authenticator
	routes         []string
}

// Authenticator recognises a kind of credentials. ok is false when the
// request does not carry that kind; err is set when it does but they are
// wrong.
type Authenticator func(r *http.Request) (u model.User, ok bool, err error)

// New returns the API.
func New(svc *directory.Service, log *slog.Logger, maxBody int64) *API {
	a := &API{svc: svc, log: log, maxBody: maxBody}
	a.authenticators = []Authenticator{a.basicAuth}
	return a
}

// Routes lists the authenticated route patterns ("METHOD /path").
func (a *API) Routes() []string { return append([]string(nil), a.routes...) }

// AddAuthenticator registers another kind of credentials.
func (a *API) AddAuthenticator(f Authenticator) { a.authenticators = append(a.authenticators, f) }

type handler func(w http.ResponseWriter, r *http.Request, actor directory.Actor) error

// Register mounts the API on mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		doc, err := OpenAPI(a.routes)
		if err != nil {
			writeProblem(w, r, a.log, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	})
	h := func(pattern string, fn handler) {
		a.routes = append(a.routes, pattern)
		mux.Handle(pattern, a.wrap(fn))
	}

	h("GET /api/v1/me", a.me)

	h("GET /api/v1/contexts", a.searchContexts)
	h("POST /api/v1/contexts", a.createContext)
	h("GET /api/v1/contexts/{id}", a.getContext)
	h("PATCH /api/v1/contexts/{id}", a.updateContext)
	h("DELETE /api/v1/contexts/{id}", a.deleteContext)
	h("GET /api/v1/contexts/{id}/ancestors", a.ancestors)
	h("GET /api/v1/contexts/{id}/policy", a.getPolicy)
	h("PUT /api/v1/contexts/{id}/policy", a.setPolicy)
	h("DELETE /api/v1/contexts/{id}/policy", a.deletePolicy)

	h("GET /api/v1/modules", a.listModules)
	h("PUT /api/v1/modules/{name}", a.registerModule)
	h("GET /api/v1/acls", a.listACLs)
	h("GET /api/v1/domains", a.listDomains)
	h("PUT /api/v1/domains/{name}", a.upsertDomain)

	h("GET /api/v1/groups", a.listGroups)
	h("POST /api/v1/groups", a.createGroup)
	h("GET /api/v1/groups/{id}", a.getGroup)
	h("PATCH /api/v1/groups/{id}", a.updateGroup)
	h("DELETE /api/v1/groups/{id}", a.deleteGroup)
	h("POST /api/v1/groups/{id}/apply-template", a.applyTemplate)
	h("GET /api/v1/groups/{id}/members", a.listMembers)
	h("POST /api/v1/groups/{id}/members", a.addMember)
	h("DELETE /api/v1/groups/{id}/members/{userId}", a.removeMember)

	h("GET /api/v1/templates", a.listTemplates)
	h("POST /api/v1/templates", a.createTemplate)
	h("GET /api/v1/templates/{id}", a.getTemplate)
	h("PATCH /api/v1/templates/{id}", a.updateTemplate)
	h("DELETE /api/v1/templates/{id}", a.deleteTemplate)
	h("GET /api/v1/templates/{id}/csv", a.exportTemplate)
	h("PUT /api/v1/templates/{id}/csv", a.importTemplate)

	h("GET /api/v1/users", a.listUsers)
	h("POST /api/v1/users", a.createUser)
	h("GET /api/v1/users/{id}", a.getUser)
	h("PATCH /api/v1/users/{id}", a.updateUser)
	h("DELETE /api/v1/users/{id}", a.discardUser)
	h("PUT /api/v1/users/{id}/contexts", a.setUserContexts)
	h("POST /api/v1/users/{id}/{action}", a.lifecycle)
	h("PUT /api/v1/users/{id}/password", a.setPassword)
	h("GET /api/v1/users/{id}/rights", a.userRights)

	h("GET /api/v1/clients", a.listClients)
	h("POST /api/v1/clients", a.createClient)
	h("GET /api/v1/clients/{id}", a.getClient)
	h("PATCH /api/v1/clients/{id}", a.updateClient)
	h("DELETE /api/v1/clients/{id}", a.deleteClient)

	h("GET /api/v1/audit", a.listAudit)

	mux.Handle("/api/v1/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, a.log, model.Errorf(model.ENOTFOUND, "", "no such endpoint: %s %s", r.Method, r.URL.Path))
	}))
}

func (a *API) wrap(fn handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, err := a.authenticate(r)
		if err != nil {
			writeProblem(w, r, a.log, err)
			return
		}
		if err := fn(w, r, actor); err != nil {
			writeProblem(w, r, a.log, err)
		}
	})
}

func (a *API) authenticate(r *http.Request) (directory.Actor, error) {
	for _, auth := range a.authenticators {
		u, ok, err := auth(r)
		if !ok {
			continue
		}
		if err != nil {
			return directory.Actor{}, err
		}
		return directory.Actor{User: u, IP: clientIP(r)}, nil
	}
	return directory.Actor{}, model.Errorf(model.EUNAUTHORIZED, "", "authenticate with HTTP Basic (login and password)")
}

func (a *API) basicAuth(r *http.Request) (model.User, bool, error) {
	login, pw, ok := r.BasicAuth()
	if !ok {
		return model.User{}, false, nil
	}
	u, err := a.svc.Authenticate(r.Context(), login, pw)
	if err != nil {
		a.svc.AuditDenied(context.WithoutCancel(r.Context()), directory.Actor{IP: clientIP(r)}, "api.login", "", "", "invalid credentials")
		return model.User{}, true, err
	}
	return u, true, nil
}

// clientIP is the peer address (proxies are not trusted here).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (a *API) me(w http.ResponseWriter, r *http.Request, actor directory.Actor) error {
	writeJSON(w, http.StatusOK, actor.User)
	return nil
}
