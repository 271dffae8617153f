package adminapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/sesame-sso/sesame/internal/authn"
	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

// API is the admin REST API.
type API struct {
	svc *directory.Service
	// authn checks HTTP Basic credentials and API keys.
	authn   *authn.Service
	log     *slog.Logger
	maxBody int64
	// authenticators are extra kinds of credentials (AddAuthenticator);
	// they run after HTTP Basic and before the built-in bearer handling.
	authenticators []Authenticator
	// bearer verifies bearer tokens that are not API keys (JWT access
	// tokens); nil: such tokens are refused.
	bearer atomic.Pointer[BearerVerifier]
	routes []string
	msgs   MessageTemplates // messagetemplates.go
	// issuer starts the connections' redirect URLs (connections.go).
	issuer string
}

// Authenticator recognises a kind of credentials and yields the actor they
// stand for (R-SSO-6). ok is false when the request does not carry that
// kind; err is set when it does but they are wrong. The actor's IP is set
// by the API from the request.
type Authenticator func(r *http.Request) (a directory.Actor, ok bool, err error)

// BearerVerifier checks a bearer token that is not an API key — an OAuth
// 2.0 access token — for the resource it is presented to (its audience,
// scope and client: RFC 9068 §4), and returns the actor it was issued to,
// with the token's facts (ContextID, ClientID, Module, Scopes, Audience;
// Via defaults to "bearer"). A token that is not valid should yield an
// error with code model.EUNAUTHORIZED, a valid one that is not for res
// model.EFORBIDDEN; any other error is logged and answered as an invalid
// token, so bad input never becomes a 500.
type BearerVerifier func(ctx context.Context, token string, res Resource) (directory.Actor, error)

// Resource is what a bearer token is presented for; the verifier applies
// the resource's rule (oidcop.Resource documents them).
type Resource int

// Resources of the API.
const (
	// ResourceAdmin: every route but those below; needs a token made for
	// the admin API (scope sesame:admin, Sesame's admin audience).
	ResourceAdmin Resource = iota
	// ResourceSelf: GET /api/v1/me, /me/rights, /me/contexts, the user's
	// own view (a user token with scope openid from any client).
	ResourceSelf
	// ResourcePolicyCaller: POST /api/v1/authorize, the portal's own token.
	ResourcePolicyCaller
	// ResourcePolicySubject: the API caller's token inside an authorize
	// request (any live token; the decision binds its module and aud).
	ResourcePolicySubject
)

// New returns the API.
func New(svc *directory.Service, log *slog.Logger, maxBody int64) *API {
	return &API{svc: svc, authn: svc.Authn(), log: log, maxBody: maxBody}
}

// Routes lists the authenticated route patterns ("METHOD /path").
func (a *API) Routes() []string { return append([]string(nil), a.routes...) }

// AddAuthenticator registers another kind of credentials.
func (a *API) AddAuthenticator(f Authenticator) { a.authenticators = append(a.authenticators, f) }

// SetBearerVerifier installs the check for bearer tokens that are not API
// keys (JWT access tokens from the OIDC provider). It is used by every
// authenticated route and by POST /api/v1/authorize; until it is set such
// tokens are answered 401. Safe to call while serving.
func (a *API) SetBearerVerifier(v func(ctx context.Context, token string, res Resource) (directory.Actor, error)) {
	if v == nil {
		a.bearer.Store(nil)
		return
	}
	bv := BearerVerifier(v)
	a.bearer.Store(&bv)
}

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
		mux.Handle(pattern, a.wrapFor(fn, ResourceAdmin))
	}
	self := func(pattern string, fn handler) {
		a.routes = append(a.routes, pattern)
		mux.Handle(pattern, a.wrapFor(fn, ResourceSelf))
	}

	self("GET /api/v1/me", a.me)
	self("GET /api/v1/me/rights", a.myRights)
	self("GET /api/v1/me/contexts", a.myContexts)
	// Minting a durable credential is administration: not with a token an
	// app received for sign-in.
	h("GET /api/v1/me/api-keys", a.myAPIKeys)
	h("POST /api/v1/me/api-keys", a.createMyAPIKey)
	h("DELETE /api/v1/me/api-keys/{keyId}", a.deleteMyAPIKey)

	a.routes = append(a.routes, "POST /api/v1/authorize")
	mux.Handle("POST /api/v1/authorize", a.wrapFor(a.authorize, ResourcePolicyCaller))

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
	h("POST /api/v1/users/{id}/unlock", a.unlockUser)
	h("POST /api/v1/users/{id}/reset", a.resetAccount)
	h("GET /api/v1/users/{id}/two-factor", a.userTwoFactor)
	h("PUT /api/v1/users/{id}/two-factor", a.setUserTwoFactor)
	h("DELETE /api/v1/users/{id}/two-factor/totp", a.removeUserTOTP)
	h("GET /api/v1/users/{id}/rights", a.userRights)
	h("GET /api/v1/users/{id}/api-keys", a.listAPIKeys)
	h("POST /api/v1/users/{id}/api-keys", a.createAPIKey)
	h("DELETE /api/v1/users/{id}/api-keys/{keyId}", a.deleteAPIKey)

	h("GET /api/v1/clients", a.listClients)
	h("POST /api/v1/clients", a.createClient)
	h("GET /api/v1/clients/{id}", a.getClient)
	h("PATCH /api/v1/clients/{id}", a.updateClient)
	h("DELETE /api/v1/clients/{id}", a.deleteClient)

	h("GET /api/v1/connections", a.listConnections)
	h("POST /api/v1/connections", a.createConnection)
	h("GET /api/v1/connections/{id}", a.getConnection)
	h("PUT /api/v1/connections/{id}", a.updateConnection)
	h("DELETE /api/v1/connections/{id}", a.deleteConnection)
	h("POST /api/v1/connections/{id}/saml/rotate-key", a.rotateSAMLKey)
	h("POST /api/v1/connections/{id}/saml/retire-key", a.retireSAMLKey)
	h("POST /api/v1/connections/{id}/saml/refresh-metadata", a.refreshSAMLMetadata)

	h("GET /api/v1/scim-credentials", a.listSCIMCredentials)
	h("POST /api/v1/scim-credentials", a.createSCIMCredential)
	h("GET /api/v1/scim-credentials/{id}", a.getSCIMCredential)
	h("DELETE /api/v1/scim-credentials/{id}", a.revokeSCIMCredential)

	h("GET /api/v1/audit", a.listAudit)

	h("GET /api/v1/message-templates", a.listMessageTemplates)
	h("GET /api/v1/message-templates/{type}/{language}", a.getMessageTemplate)
	h("PUT /api/v1/message-templates/{type}/{language}", a.putMessageTemplate)
	h("DELETE /api/v1/message-templates/{type}/{language}", a.resetMessageTemplate)

	mux.Handle("/api/v1/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, a.log, model.Errorf(model.ENOTFOUND, "", "no such endpoint: %s %s", r.Method, r.URL.Path))
	}))
}

// wrapFor authenticates for res; clients (a client credentials token: no
// user) are let through only to POST /api/v1/authorize, which portals call
// with their own client token.
func (a *API) wrapFor(fn handler, res Resource) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, err := a.authenticate(r, res)
		if err != nil {
			writeProblem(w, r, a.log, err)
			return
		}
		if actor.User.ID == "" && !actor.System && res != ResourcePolicyCaller {
			writeProblem(w, r, a.log, model.Errorf(model.EFORBIDDEN, "", "a client credentials token may only call POST /api/v1/authorize"))
			return
		}
		if err := fn(w, r, actor); err != nil {
			writeProblem(w, r, a.log, err)
		}
	})
}

// errNoCredentials answers a request without credentials of a kind the API
// accepts.
func errNoCredentials() error {
	return model.Errorf(model.EUNAUTHORIZED, "",
		"authenticate with HTTP Basic (login name and password, or login name and an API key) or a bearer token (Authorization: Bearer …: an API key or an access token)")
}

// errBadBearer is the answer to every bearer token that does not verify.
func errBadBearer() error { return model.Errorf(model.EUNAUTHORIZED, "", "invalid bearer token") }

// authenticate runs HTTP Basic, the registered authenticators, then bearer
// tokens (R-SSO-6); the first that recognises the request decides.
func (a *API) authenticate(r *http.Request, res Resource) (directory.Actor, error) {
	chain := make([]Authenticator, 0, len(a.authenticators)+2)
	chain = append(chain, a.basicAuth)
	chain = append(chain, a.authenticators...)
	chain = append(chain, func(r *http.Request) (directory.Actor, bool, error) { return a.bearerAuth(r, res) })
	for _, auth := range chain {
		actor, ok, err := auth(r)
		if !ok {
			continue
		}
		if err != nil {
			return directory.Actor{}, err
		}
		actor.IP = clientIP(r)
		return actor, nil
	}
	return directory.Actor{}, errNoCredentials()
}

// basicAuth accepts a login name with the user's password or one of the
// user's API keys. The login is "name" for a user of the root context or
// "slug/name" for a tenant's user (directory.Authenticate): the tenant is
// resolved before the user (issue 8).
func (a *API) basicAuth(r *http.Request) (directory.Actor, bool, error) {
	login, secret, ok := r.BasicAuth()
	if !ok {
		return directory.Actor{}, false, nil
	}
	u, via, err := a.authn.AuthenticateBasic(r.Context(), login, secret)
	if err != nil {
		a.auditFailedLogin(r, err)
		return directory.Actor{}, true, err
	}
	if err := a.passwordAllowed(r.Context(), u, via); err != nil {
		return directory.Actor{}, true, err
	}
	actor := directory.Actor{User: u, Via: via}
	if via == directory.ViaBasic {
		actor.AMR = []string{"pwd"} // a password, just checked
	}
	return actor, true, nil
}

// passwordAllowed refuses HTTP Basic with a password for a user whose
// tenant signs in through its IdP (R-SAML-8 active stage), as the login
// page does; API keys stay (they are not a password login).
func (a *API) passwordAllowed(ctx context.Context, u model.User, via string) error {
	if via != directory.ViaBasic {
		return nil
	}
	e, err := a.svc.PasswordEnforcement(ctx, u)
	if err != nil {
		return err
	}
	if e.Forced {
		return model.Errorf(model.EFORBIDDEN, "", "your organisation signs in through %q: password sign-in is switched off for this account", e.Connection.Name)
	}
	return nil
}

// bearerAuth accepts "Authorization: Bearer <token>": an API key, or a
// token for the bearer verifier.
func (a *API) bearerAuth(r *http.Request, res Resource) (directory.Actor, bool, error) {
	scheme, token, found := strings.Cut(r.Header.Get("Authorization"), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return directory.Actor{}, false, nil
	}
	actor, err := a.bearerActor(r.Context(), strings.TrimSpace(token), res)
	if err != nil {
		a.auditFailedLogin(r, err)
		return directory.Actor{}, true, err
	}
	return actor, true, nil
}

// bearerActor resolves a bearer token presented for res: API keys ("sk_…")
// here, anything else through the bearer verifier. Every failure is
// EUNAUTHORIZED, but a valid token that is not for res (EFORBIDDEN).
func (a *API) bearerActor(ctx context.Context, token string, res Resource) (directory.Actor, error) {
	if token == "" || len(token) > maxBearerLen || !clean(token) {
		return directory.Actor{}, errBadBearer()
	}
	if strings.HasPrefix(token, model.APIKeyPrefix) {
		u, _, err := a.authn.AuthenticateAPIKey(ctx, token)
		if err != nil {
			return directory.Actor{}, err
		}
		return directory.Actor{User: u, Via: directory.ViaAPIKey}, nil
	}
	v := a.bearer.Load()
	if v == nil {
		return directory.Actor{}, errBadBearer()
	}
	actor, err := (*v)(ctx, token, res)
	if err != nil {
		if ctx.Err() != nil {
			return directory.Actor{}, ctx.Err()
		}
		if code := model.ErrorCode(err); code == model.EUNAUTHORIZED || code == model.EFORBIDDEN {
			return directory.Actor{}, err
		}
		a.log.InfoContext(ctx, "bearer token refused", "err", err)
		return directory.Actor{}, errBadBearer()
	}
	if actor.System || (actor.User.ID == "" && actor.ClientID == "") {
		return directory.Actor{}, errBadBearer()
	}
	if actor.Via == "" {
		actor.Via = directory.ViaBearer
	}
	return actor, nil
}

// maxBearerLen bounds bearer tokens (JWTs with many claims stay far below).
const maxBearerLen = 8192

// auditFailedLogin records refused credentials (R-OPS-4); never the secret.
func (a *API) auditFailedLogin(r *http.Request, err error) {
	if model.ErrorCode(err) != model.EUNAUTHORIZED {
		return
	}
	a.authn.AuditFailedLogin(r.Context(), "api.login", "user", map[string]any{"reason": "invalid credentials"})
}

// clientIP is the client address (clientip: X-Forwarded-For only from
// trusted proxies).
func clientIP(r *http.Request) string { return clientip.Of(r) }
