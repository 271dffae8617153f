package console

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/sesame-sso/sesame/internal/connector/saml"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/web"
)

// SAML 2.0 connections in the identity-provider pages (issue 13 §6,
// R-SAML-1): the IdP's metadata XML is uploaded (a file or pasted) or
// fetched from its URL; the directory parses it when the connection is
// saved and names the problem (several IdP entities: the entity ids to
// pick from). The connection page shows the values the IdP's
// administrator enters (seed 004: entity id, reply URL, sign-on URL,
// metadata URL) and the SP key rotation; the enforcement steps are the
// OIDC connections' (connections.go).

// SAMLConnections are the directory's SAML-only actions.
type SAMLConnections interface {
	RotateSAMLKey(ctx context.Context, a directory.Actor, id string) (model.Connection, error)
	RetireSAMLKey(ctx context.Context, a directory.Actor, id string) (model.Connection, error)
	RefreshSAMLMetadataNow(ctx context.Context, a directory.Actor, id string) (model.Connection, bool, error)
}

var _ SAMLConnections = (*directory.Service)(nil)

// maxMetadata bounds an uploaded IdP metadata document (federation
// metadata of large IdPs runs to a few hundred KiB).
const maxMetadata = 1 << 20

// samlFormFields maps the directory's field names to the SAML form's.
var samlFormFields = map[string]string{"tenantId": "samlTenant", "name": "samlName", "saml.metadataUrl": "metadataUrl",
	"saml.idpMetadata": "idpMetadata", "saml.idpEntityId": "idpEntityId", "saml.binding": "binding", "mapping.preset": "samlPreset",
	"mapping.email": "attrEmail", "mapping.firstName": "attrFirstName", "mapping.lastName": "attrLastName", "mapping.phone": "attrPhone"}

// samlView is the SAML part of the connection page.
type samlView struct {
	EntityID, ACSURL, SignOnURL, MetadataURL, SLOURL string
	// MarketplaceInit and MarketplaceConsume are the tenant's
	// marketplace-style aliases (seed 002; a tenant with a slug).
	MarketplaceInit, MarketplaceConsume string
	IdPMetadataURL                      string
	IdPEntityID                         string
	AllowIdPInitiated, SignRequests     bool
	Binding                             string
	Certificates                        []model.SPCertificate
}

// samlForm is the SAML settings form (create and edit): its fields, the
// binding and preset choices, and the entity ids to pick from when the
// metadata holds several IdPs.
type samlForm struct {
	Bindings, Presets []option
	Choices           []string
	AllowIdPInitiated bool
	SignRequests      bool
}

func newSAMLForm(f web.Form, idpInit, sign bool) samlForm {
	s := samlForm{AllowIdPInitiated: idpInit, SignRequests: sign}
	for _, b := range []string{model.SAMLBindingRedirect, model.SAMLBindingPost} {
		s.Bindings = append(s.Bindings, option{Value: b, Label: "console.saml.binding." + b, Selected: f["binding"].Value == b})
	}
	s.Presets = []option{{Value: "", Label: "console.saml.preset.none"}}
	for _, p := range model.SAMLMappingPresets {
		s.Presets = append(s.Presets, option{Value: p, Label: "console.conn.preset." + p, Selected: f["samlPreset"].Value == p})
	}
	// The directory lists the IdP entities of the metadata after a colon
	// (internal/connector/saml pickEntity).
	if e := f["idpEntityId"]; !e.Err.IsZero() {
		if i := strings.LastIndex(e.Detail, ": "); i >= 0 {
			s.Choices = strings.Split(e.Detail[i+2:], ", ")
		}
	}
	return s
}

// readSAMLForm reads the SAML settings of a create or edit form into f
// and the returned settings. The uploaded metadata file wins over the
// pasted XML; neither leaves metadata empty (the caller decides).
func readSAMLForm(r *http.Request, f web.Form) (model.SAMLSettings, model.ClaimMapping, error) {
	for _, k := range []string{"metadataUrl", "idpEntityId", "binding", "samlPreset", "attrEmail", "attrFirstName", "attrLastName", "attrPhone"} {
		f[k] = web.FormField{Value: strings.TrimSpace(r.PostFormValue(k))}
	}
	xml := strings.TrimSpace(r.PostFormValue("idpMetadata"))
	if file, _, err := r.FormFile("metadataFile"); err == nil {
		defer file.Close()
		b, err := io.ReadAll(io.LimitReader(file, maxMetadata+1))
		if err != nil {
			return model.SAMLSettings{}, model.ClaimMapping{}, err
		}
		if len(b) > maxMetadata {
			f["idpMetadata"] = web.FormField{Err: i18n.M("console.saml.too_large")}
			return model.SAMLSettings{}, model.ClaimMapping{}, nil
		}
		if s := strings.TrimSpace(string(b)); s != "" {
			xml = s
		}
	} else if !errors.Is(err, http.ErrMissingFile) && !errors.Is(err, http.ErrNotMultipart) {
		return model.SAMLSettings{}, model.ClaimMapping{}, err
	}
	f["idpMetadata"] = web.FormField{Value: xml}
	binding := f["binding"].Value
	if binding == "" {
		binding = model.SAMLBindingRedirect
	}
	s := model.SAMLSettings{IdPMetadata: xml, MetadataURL: f["metadataUrl"].Value, IdPEntityID: f["idpEntityId"].Value,
		AllowIdPInitiated: r.PostFormValue("allowIdpInitiated") == "1", SignRequests: r.PostFormValue("signRequests") == "1", Binding: binding}
	m := model.ClaimMapping{Preset: f["samlPreset"].Value, Email: f["attrEmail"].Value, FirstName: f["attrFirstName"].Value,
		LastName: f["attrLastName"].Value, Phone: f["attrPhone"].Value}
	return s, m, nil
}

// hasErr reports whether a form field holds an error.
func hasErr(f web.Form) bool {
	for _, v := range f {
		if !v.Err.IsZero() {
			return true
		}
	}
	return false
}

// createSAMLConnection is POST /console/connections/saml (multipart: the
// metadata file): a SAML connection of a tenant.
func (h *Handler) createSAMLConnection(w http.ResponseWriter, r *http.Request, q req) {
	ctx := r.Context()
	f := web.Form{}
	for _, k := range []string{"samlTenant", "samlName"} {
		f[k] = web.FormField{Value: strings.TrimSpace(r.PostFormValue(k))}
		if f[k].Value == "" {
			f[k] = web.FormField{Err: i18n.M("console.error.required")}
		}
	}
	sm, m, err := readSAMLForm(r, f)
	if err != nil {
		h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
		return
	}
	if sm.IdPMetadata == "" && sm.MetadataURL == "" && f["idpMetadata"].Err.IsZero() {
		f["idpMetadata"] = web.FormField{Err: i18n.M("console.saml.metadata_required")}
	}
	tenant, found := h.formTenant(w, r, q, f, "samlTenant")
	if !found {
		return
	}
	show := func(status int, prob i18n.Msg) {
		h.showConnections(w, r, q, status, f, prob, sm.AllowIdPInitiated, sm.SignRequests)
	}
	if hasErr(f) {
		show(http.StatusBadRequest, i18n.M("console.error.form"))
		return
	}
	in := directory.ConnectionInput{TenantID: tenant.ID, Kind: model.ConnectionSAML, Name: f["samlName"].Value, SAML: sm, Mapping: m}
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
		msg, _ := refusedAt(f, err, samlFormFields)
		show(http.StatusBadRequest, msg)
		return
	}
	h.fail(w, r, "console: create SAML connection", err)
}

// samlViewOf is the SAML part of the connection page: Sesame's SP values
// under the server's issuer (the admin API's samlSp).
func (h *Handler) samlViewOf(r *http.Request, q req, c model.Connection) *samlView {
	if c.Kind != model.ConnectionSAML {
		return nil
	}
	iss := h.issuerFor(r)
	v := &samlView{EntityID: saml.EntityID(iss, c.ID), ACSURL: saml.ACSURL(iss, c.ID),
		SignOnURL: saml.InitURL(iss, c.ID) + "?context=" + url.QueryEscape(c.TenantID), MetadataURL: saml.MetadataURL(iss, c.ID),
		SLOURL: saml.SLOURL(iss, c.ID), IdPMetadataURL: c.SAML.MetadataURL, IdPEntityID: c.SAML.IdPEntityID,
		AllowIdPInitiated: c.SAML.AllowIdPInitiated, SignRequests: c.SAML.SignRequests, Binding: c.SAML.Binding,
		Certificates: c.SAML.SPCertificates}
	if t, err := h.Dir.GetContext(r.Context(), q.actor, c.TenantID); err == nil && t.Type == model.ContextTenant && t.Slug != "" {
		v.MarketplaceInit, v.MarketplaceConsume = saml.InitAliasURL(iss, t.Slug), saml.ConsumeAliasURL(iss, t.Slug)
	}
	return v
}

// issuerFor is the configured issuer, else the request's origin.
func (h *Handler) issuerFor(r *http.Request) string {
	if h.Issuer != "" {
		return strings.TrimRight(h.Issuer, "/")
	}
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}

// samlEditForm is the edit form of a stored SAML connection (the stored
// metadata is not echoed: an empty upload keeps it).
func samlEditForm(c model.Connection) web.Form {
	m := c.Mapping
	return web.Form{"metadataUrl": {Value: c.SAML.MetadataURL}, "idpEntityId": {Value: c.SAML.IdPEntityID}, "binding": {Value: c.SAML.Binding},
		"samlPreset": {Value: m.Preset}, "attrEmail": {Value: m.Email}, "attrFirstName": {Value: m.FirstName}, "attrLastName": {Value: m.LastName},
		"attrPhone": {Value: m.Phone}}
}

// saveSAMLConnection is POST /console/connections/{id}/saml: step 1 of
// a SAML connection (its settings, with the version read). No new
// metadata keeps the stored one unless the metadata URL changed (then it
// is fetched again).
func (h *Handler) saveSAMLConnection(w http.ResponseWriter, r *http.Request, q req) {
	ctx := r.Context()
	c, version, ok := h.connectionForEdit(w, r, q)
	if !ok {
		return
	}
	id := c.ID
	if c.Kind != model.ConnectionSAML {
		h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
		return
	}
	f := web.Form{}
	sm, m, err := readSAMLForm(r, f)
	if err != nil {
		h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
		return
	}
	f["idpMetadata"] = web.FormField{Err: f["idpMetadata"].Err} // the XML is not shown again
	if sm.IdPMetadata == "" && (sm.MetadataURL == "" || sm.MetadataURL == c.SAML.MetadataURL) {
		sm.IdPMetadata = c.SAML.IdPMetadata
	}
	sm.ClockSkewSeconds = c.SAML.ClockSkewSeconds
	in := inputOf(c)
	in.Version, in.SAML = version, sm
	keep := c.Mapping
	keep.Preset, keep.Email, keep.FirstName, keep.LastName, keep.Phone = m.Preset, m.Email, m.FirstName, m.LastName, m.Phone
	in.Mapping = keep
	if !hasErr(f) {
		if _, err = h.Conns.UpdateConnection(ctx, q.actor, id, in); err == nil {
			done(w, r, Path+"/connections/"+url.PathEscape(id), "saved")
			return
		}
		if !formError(err) {
			h.fail(w, r, "console: update SAML connection", err)
			return
		}
	}
	status, msg, detail := http.StatusBadRequest, i18n.M("console.error.form"), ""
	if err != nil {
		if model.ErrorCode(err) == model.ECONFLICT {
			status = http.StatusConflict
		}
		msg, detail = refusedAt(f, err, samlFormFields)
	}
	h.renderConnection(w, r, q, c, status, msg, detail, f, sm.AllowIdPInitiated, sm.SignRequests)
}

// samlAction is POST /console/connections/{id}/saml/{action}: rotate the
// SP key, retire the previous one, or fetch the IdP metadata now.
func (h *Handler) samlAction(w http.ResponseWriter, r *http.Request, q req) {
	ctx := r.Context()
	id := r.PathValue("id")
	var err error
	switch r.PathValue("action") {
	case "rotate-key":
		_, err = h.SAML.RotateSAMLKey(ctx, q.actor, id)
	case "retire-key":
		_, err = h.SAML.RetireSAMLKey(ctx, q.actor, id)
	case "refresh-metadata":
		_, _, err = h.SAML.RefreshSAMLMetadataNow(ctx, q.actor, id)
	default:
		h.message(w, r, http.StatusNotFound, "console.not_found.title", "console.not_found")
		return
	}
	if err == nil {
		done(w, r, Path+"/connections/"+url.PathEscape(id), "saved")
		return
	}
	if !formError(err) {
		h.fail(w, r, "console: SAML connection "+r.PathValue("action"), err)
		return
	}
	_, msg, detail := problem(err)
	h.showConnection(w, r, q, http.StatusBadRequest, msg, detail)
}
