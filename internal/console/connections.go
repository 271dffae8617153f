package console

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/web"
)

// Identity providers (issue 13 §6): OIDC and SAML (samlconnections.go)
// connections of a tenant, the values to give the IdP's
// administrator, the claim mapping preset, the SSO defaults, and the
// enforcement stage walked through seed 003's four steps — 1 configure,
// 2 test as an administrator (stage testing), 3 set the SSO defaults,
// 4 activate for all users (stage active). Every rule (who may, turning
// an active connection off only after a password sign-in, R-SAML-8) is
// the directory's.

// Connections is what the identity-provider pages need of the directory.
type Connections interface {
	ListConnections(ctx context.Context, a directory.Actor, tenantID string) ([]model.Connection, error)
	GetConnection(ctx context.Context, a directory.Actor, id string) (model.Connection, error)
	CreateConnection(ctx context.Context, a directory.Actor, in directory.ConnectionInput) (model.Connection, error)
	UpdateConnection(ctx context.Context, a directory.Actor, id string, in directory.ConnectionInput) (model.Connection, error)
}

var _ Connections = (*directory.Service)(nil)

type connectionsPage struct {
	common
	Connections []connRow
	F           web.Form
	Presets     []option
	// S is the SAML form's choices (samlconnections.go).
	S samlForm
}

type connRow struct{ ID, Name, Kind, Tenant, Stage string }

// connections is GET /console/connections.
func (h *Handler) connections(w http.ResponseWriter, r *http.Request, q req) {
	h.showConnections(w, r, q, http.StatusOK, web.Form{}, i18n.Msg{}, false, false)
}

// showConnections renders the list with the OIDC and SAML forms (f holds
// both forms' fields; idpInit and sign are the SAML form's checkboxes).
func (h *Handler) showConnections(w http.ResponseWriter, r *http.Request, q req, status int, f web.Form, prob i18n.Msg, idpInit, sign bool) {
	ctx := r.Context()
	cs, err := h.Conns.ListConnections(ctx, q.actor, "")
	if err != nil {
		h.fail(w, r, "console: connections", err)
		return
	}
	d := connectionsPage{common: q.common("connections"), F: f}
	d.Notice, d.Problem, d.Nonce = notice(r), prob, newNonce()
	for _, c := range cs {
		d.Connections = append(d.Connections, h.connRow(ctx, q, c))
	}
	d.Presets = []option{{Value: "", Label: "console.conn.preset.none"}}
	for _, p := range model.MappingPresets {
		d.Presets = append(d.Presets, option{Value: p, Label: "console.conn.preset." + p, Selected: f["preset"].Value == p})
	}
	d.S = newSAMLForm(f, idpInit, sign)
	h.render(w, r, status, "console_connections", d)
}

func (h *Handler) connRow(ctx context.Context, q req, c model.Connection) connRow {
	row := connRow{ID: c.ID, Name: c.Name, Kind: c.Kind, Tenant: c.TenantID, Stage: c.Enforcement}
	if row.Stage == "" {
		row.Stage = model.EnforcementOff
	}
	if t, err := h.Dir.GetContext(ctx, q.actor, c.TenantID); err == nil {
		row.Tenant = t.Name
	}
	return row
}

// createConnection is POST /console/connections: an OIDC connection by
// discovery URL, client id and secret.
func (h *Handler) createConnection(w http.ResponseWriter, r *http.Request, q req) {
	ctx := r.Context()
	f := web.Form{}
	for _, k := range []string{"tenant", "name", "discoveryUrl", "clientId", "preset"} {
		f[k] = web.FormField{Value: strings.TrimSpace(r.PostFormValue(k))}
	}
	secret := r.PostFormValue("clientSecret")
	for _, k := range []string{"tenant", "name", "discoveryUrl", "clientId"} {
		if f[k].Value == "" {
			f[k] = web.FormField{Err: i18n.M("console.error.required")}
		}
	}
	tenant, ok := h.formTenant(w, r, q, f, "tenant")
	if !ok {
		return
	}
	for _, v := range f {
		if !v.Err.IsZero() {
			h.showConnections(w, r, q, http.StatusBadRequest, f, i18n.M("console.error.form"), false, false)
			return
		}
	}
	in := directory.ConnectionInput{TenantID: tenant.ID, Kind: model.ConnectionOIDC, Name: f["name"].Value,
		OIDC: model.OIDCSettings{DiscoveryURL: f["discoveryUrl"].Value, ClientID: f["clientId"].Value}, Mapping: model.ClaimMapping{Preset: f["preset"].Value}}
	if secret != "" {
		in.ClientSecret = &secret
	}
	ok, err := h.once(w, r, q, "created", func() (string, error) {
		c, err := h.Conns.CreateConnection(ctx, q.actor, in)
		if err != nil {
			return "", err
		}
		return Path + "/connections/" + url.PathEscape(c.ID), nil
	})
	if ok {
		return
	}
	if formError(err) {
		msg, _ := refusedAt(f, err, map[string]string{"tenantId": "tenant", "name": "name", "oidc.discoveryUrl": "discoveryUrl",
			"oidc.clientId": "clientId", "mapping.preset": "preset"})
		h.showConnections(w, r, q, http.StatusBadRequest, f, msg, false, false)
		return
	}
	h.fail(w, r, "console: create connection", err)
}

type connectionPage struct {
	common
	C           connRow
	Version     string
	RedirectURL string
	LoginURL    string
	Discovery   string
	ClientID    string
	HasSecret   bool
	Preset      string
	LinkByEmail bool
	// F holds the SSO defaults' group list and, for a SAML connection,
	// its settings form.
	F web.Form
	// SAML is a SAML connection's SP values and settings (nil: OIDC); S
	// its form's choices.
	SAML *samlView
	S    samlForm
	// Steps of seed 003: done flags.
	Configured, Tested, Activated bool
}

// connection is GET /console/connections/{id}.
func (h *Handler) connection(w http.ResponseWriter, r *http.Request, q req) {
	h.showConnection(w, r, q, http.StatusOK, i18n.Msg{}, "")
}

func (h *Handler) showConnection(w http.ResponseWriter, r *http.Request, q req, status int, prob i18n.Msg, detail string) {
	ctx := r.Context()
	c, err := h.Conns.GetConnection(ctx, q.actor, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, "console: get connection", err)
		return
	}
	h.renderConnection(w, r, q, c, status, prob, detail, samlEditForm(c), c.SAML.AllowIdPInitiated, c.SAML.SignRequests)
}

// renderConnection renders connection c's page; sf is its SAML settings
// form (with idpInit and sign, its checkboxes).
func (h *Handler) renderConnection(w http.ResponseWriter, r *http.Request, q req, c model.Connection, status int, prob i18n.Msg, detail string,
	sf web.Form, idpInit, sign bool) {
	ctx := r.Context()
	d := connectionPage{common: q.common("connections"), C: h.connRow(ctx, q, c), Version: strconv.FormatInt(c.Version, 10),
		LoginURL: "/login?connection=" + url.QueryEscape(c.ID), Discovery: c.OIDC.DiscoveryURL, ClientID: c.OIDC.ClientID,
		HasSecret: c.HasClientSecret, Preset: c.Mapping.Preset, LinkByEmail: c.LinkByVerifiedEmail,
		F: web.Form{"groups": {Value: strings.Join(c.EnforceGroups, ", ")}}}
	d.Notice, d.Problem, d.Detail = notice(r), prob, detail
	if d.SAML = h.samlViewOf(r, q, c); d.SAML != nil {
		maps.Copy(d.F, sf)
		d.S = newSAMLForm(sf, idpInit, sign)
	}
	if h.CallbackURL != nil {
		d.RedirectURL = h.CallbackURL(c.ID)
	}
	d.Configured = c.OIDC.ClientID != "" && (c.OIDC.DiscoveryURL != "" || c.OIDC.AuthorizeURL != "") || c.SAML.IdPMetadata != ""
	d.Tested = c.Enforcement == model.EnforcementTesting || c.Enforcement == model.EnforcementActive
	d.Activated = c.Enforcement == model.EnforcementActive
	h.render(w, r, status, "console_connection", d)
}

// inputOf is a connection as the input that stores it unchanged (the
// secret kept: ClientSecret nil).
func inputOf(c model.Connection) directory.ConnectionInput {
	enabled := c.Enabled
	return directory.ConnectionInput{TenantID: c.TenantID, Kind: c.Kind, Name: c.Name, LogoURL: c.LogoURL, Enabled: &enabled, OIDC: c.OIDC, SAML: c.SAML,
		Mapping: c.Mapping, LinkByVerifiedEmail: c.LinkByVerifiedEmail, UserDomain: c.UserDomain, Domains: c.Domains,
		ProfileURL: c.ProfileURL, PasswordURL: c.PasswordURL, Enforcement: c.Enforcement, EnforceGroups: c.EnforceGroups, Version: c.Version}
}

// saveConnection is POST /console/connections/{id}: step 2 and 4 (the
// stage) or step 3 (SSO defaults), with the version read (a change made
// meanwhile is a 409).
func (h *Handler) saveConnection(w http.ResponseWriter, r *http.Request, q req) {
	ctx := r.Context()
	c, version, ok := h.connectionForEdit(w, r, q)
	if !ok {
		return
	}
	id := c.ID
	in := inputOf(c)
	in.Version = version
	// The forms post digits (step 1: the stage 0 off, 1 testing, 2 active;
	// step 2: the SSO defaults).
	stages := map[string]string{"0": model.EnforcementOff, "1": model.EnforcementTesting, "2": model.EnforcementActive}
	switch r.PostFormValue("step") {
	case "1":
		stage, ok := stages[r.PostFormValue("stage")]
		if !ok {
			h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
			return
		}
		in.Enforcement = stage
	case "2":
		in.LinkByVerifiedEmail = r.PostFormValue("linkByEmail") == "1"
		in.EnforceGroups = splitList(r.PostFormValue("groups"))
	default:
		h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
		return
	}
	if _, err := h.Conns.UpdateConnection(ctx, q.actor, id, in); err != nil {
		if formError(err) {
			_, msg, detail := problem(err)
			status := http.StatusBadRequest
			if model.ErrorCode(err) == model.ECONFLICT {
				status = http.StatusConflict
			}
			h.showConnection(w, r, q, status, msg, detail)
			return
		}
		h.fail(w, r, "console: update connection", err)
		return
	}
	done(w, r, Path+"/connections/"+url.PathEscape(id), "saved")
}

// connectionForEdit reads the connection a settings form posts to and the
// version the form was made from; on failure it has answered.
func (h *Handler) connectionForEdit(w http.ResponseWriter, r *http.Request, q req) (model.Connection, int64, bool) {
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
		return model.Connection{}, 0, false
	}
	c, err := h.Conns.GetConnection(r.Context(), q.actor, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, "console: get connection", err)
		return model.Connection{}, 0, false
	}
	return c, version, true
}

// formTenant resolves the tenant typed into form field key (id, number or
// name), marking the field when it names none; an empty field is the zero
// context. On a store failure it has answered and ok is false.
func (h *Handler) formTenant(w http.ResponseWriter, r *http.Request, q req, f web.Form, key string) (model.Context, bool) {
	if f[key].Value == "" {
		return model.Context{}, true
	}
	c, bad, err := h.resolveContext(r.Context(), q, f[key].Value)
	if err != nil {
		h.fail(w, r, "console: resolve context", err)
		return model.Context{}, false
	}
	if bad != nil {
		f[key] = *bad
	}
	return c, true
}
