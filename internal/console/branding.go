package console

import (
	"context"
	"errors"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/session"
	"github.com/sesame-sso/sesame/web"
)

// Tenant branding (issue 13 §10): the console's form, the public logo
// route, and Brands — which tenant a page is for, so that the login, 2FA,
// account and error pages show its name, logo and accent colour.

type brandingPage struct {
	common
	F        web.Form
	Tenant   ctxRow
	LogoURL  string
	Version  int
	MaxLogoK int
}

// branding is GET /console/branding/{id} (a tenant or root).
func (h *Handler) branding(w http.ResponseWriter, r *http.Request, q req) {
	h.showBranding(w, r, q, http.StatusOK, nil, i18n.Msg{}, "")
}

func (h *Handler) showBranding(w http.ResponseWriter, r *http.Request, q req, status int, f web.Form, prob i18n.Msg, detail string) {
	ctx := r.Context()
	c, err := h.Dir.GetContext(ctx, q.actor, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, "console: branding context", err)
		return
	}
	b, err := h.Dir.GetBranding(ctx, q.actor, c.ID)
	if err != nil {
		h.fail(w, r, "console: get branding", err)
		return
	}
	d := brandingPage{common: q.common("contexts"), F: f, Tenant: row(c), LogoURL: b.LogoURL(), Version: b.Version, MaxLogoK: directory.MaxLogoBytes >> 10}
	d.Notice, d.Problem, d.Detail = notice(r), prob, detail
	if d.F == nil {
		accent := b.Accent
		if accent == "" {
			accent = "#1f6feb"
		}
		d.F = web.Form{"displayName": {Value: b.DisplayName}, "accentColor": {Value: accent}}
	}
	h.render(w, r, status, "console_branding", d)
}

// saveBranding is POST /console/branding/{id} (multipart: the logo).
func (h *Handler) saveBranding(w http.ResponseWriter, r *http.Request, q req) {
	id := r.PathValue("id")
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil || version < 0 {
		h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
		return
	}
	in := directory.BrandingInput{DisplayName: r.PostFormValue("displayName"), Accent: strings.TrimSpace(r.PostFormValue("accentColor")),
		RemoveLogo: r.PostFormValue("removeLogo") == "1", Version: version}
	f := web.Form{"displayName": {Value: in.DisplayName}, "accentColor": {Value: in.Accent}}
	if file, _, err := r.FormFile("logo"); err == nil {
		in.Logo, err = io.ReadAll(io.LimitReader(file, directory.MaxLogoBytes+1))
		file.Close()
		if err != nil {
			h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
			return
		}
		if len(in.Logo) == 0 {
			in.Logo = nil // no file chosen
		}
	} else if !errors.Is(err, http.ErrMissingFile) && !errors.Is(err, http.ErrNotMultipart) {
		h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "msg.bad_form")
		return
	}
	if _, err := h.Dir.SetBranding(r.Context(), q.actor, id, in); err != nil {
		if formError(err) {
			if field, msg, _ := problem(err); field == "version" {
				h.showBranding(w, r, q, http.StatusConflict, nil, msg, "")
				return
			}
			msg, detail := refusedAt(f, err, map[string]string{"logo": "logo", "displayName": "displayName", "accentColor": "accentColor"})
			h.showBranding(w, r, q, http.StatusBadRequest, f, msg, detail)
			return
		}
		h.fail(w, r, "console: save branding", err)
		return
	}
	done(w, r, Path+"/branding/"+url.PathEscape(id), "saved")
}

// logo is GET /branding/{id}/logo: a tenant's logo, to anyone (login
// pages show it before sign-in). Only sniffed image types were stored;
// nosniff and a sandbox policy keep it an image.
func (h *Handler) logo(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if len(id) > 64 {
		http.NotFound(w, r)
		return
	}
	b, err := h.Dir.Branding(r.Context(), id)
	if err != nil {
		h.unavailable(w, r, "branding logo", err)
		return
	}
	if b.TenantID != id || b.LogoType == "" {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", b.LogoType)
	hd.Set("Cache-Control", "public, max-age=300")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b.Logo)
}

// Brands decides which tenant's branding a page shows (web.Pages.Brand):
// the tenant a login page names (?tenant=slug, a tenant's login URL), the
// tenant of the login in progress (its page's tenant, or the user it has
// identified — the 2FA pages), the signed-in user's tenant (account and
// error pages); else root's branding, the default; else none.
type Brands struct {
	Dir     Directory
	Tenants interface {
		TenantBySlug(ctx context.Context, slug string) (model.Context, error)
	}
	Sessions *session.Manager
	// Flow returns the tenant slug and identified user of the browser's
	// login in progress ("" when none; login.Handler.FlowTenant).
	Flow func(r *http.Request) (slug, userID string)
	// User reads a user by id (directory.Service.User, cached).
	User func(ctx context.Context, id string) (model.User, error)
}

// Brand implements web.Pages.Brand. Failures fall back to the default
// look: branding never breaks a page.
func (b *Brands) Brand(r *http.Request) web.Brand {
	ctx := r.Context()
	tenant := ""
	slug := r.URL.Query().Get("tenant")
	userID := ""
	if slug == "" && b.Flow != nil {
		slug, userID = b.Flow(r)
	}
	if slug != "" && len(slug) <= 64 {
		if t, err := b.Tenants.TenantBySlug(ctx, strings.ToLower(slug)); err == nil {
			tenant = t.ID
		}
	}
	if tenant == "" && userID != "" && b.User != nil {
		if u, err := b.User(ctx, userID); err == nil {
			tenant = u.TenantID
		}
	}
	if tenant == "" && b.Sessions != nil {
		if _, u, ok := b.Sessions.Current(r); ok {
			tenant = u.TenantID
		}
	}
	br, err := b.Dir.Branding(ctx, tenant)
	if err != nil {
		return web.Brand{}
	}
	// The accent was validated as #rrggbb when it was saved.
	return web.Brand{Name: br.DisplayName, LogoURL: br.LogoURL(), Accent: template.CSS(br.Accent)}
}
