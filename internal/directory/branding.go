package directory

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sesame-sso/sesame/internal/cache"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Tenant branding (issue 13 §10): a display name, a logo and an accent
// colour per tenant (or root, the default), read by every login page of a
// login for that tenant and changed by admins with "Contexts - Manage" at
// the tenant.

// MaxLogoBytes bounds an uploaded logo.
const MaxLogoBytes = 256 << 10

// brandingTTL is how long a node serves a branding it read (other nodes'
// changes show within it; this node's at once).
const brandingTTL = 30 * time.Second

// logoTypes are the accepted logo formats, as sniffed (never the upload's
// own claim). No SVG: it can carry scripts.
var logoTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

var accentRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// BrandingInput is a branding change. Logo nil keeps the stored logo
// unless RemoveLogo; Version is the version the edit started from (0: the
// tenant had none), so an edit made meanwhile by someone else is refused.
type BrandingInput struct {
	DisplayName string `json:"displayName" doc:"Name shown on the login pages; at most 100 characters on one line; empty: the default." example:"Muster Logistics"`
	Accent      string `json:"accentColor" doc:"Accent colour as #rrggbb; empty: the default." example:"#0a5cad"`
	// Logo is the image (PNG, JPEG, GIF or WebP, at most MaxLogoBytes);
	// base64 in JSON.
	Logo       []byte `json:"logo,omitempty" doc:"A new logo, base64: PNG, JPEG, GIF or WebP (told by its content), at most 256 KiB; absent: the stored logo stays." example:"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="`
	RemoveLogo bool   `json:"removeLogo,omitempty" doc:"Remove the stored logo; default false." example:"false"`
	Version    int    `json:"version" doc:"The version read (GET); if the branding changed since, 409 and nothing is written." example:"4"`
}

// ValidateBranding checks a branding change field by field; the error
// names the field.
func ValidateBranding(in BrandingInput) (logoType string, err error) {
	name := strings.TrimSpace(in.DisplayName)
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > 100 || strings.ContainsAny(name, "\x00\r\n") {
		return "", model.Invalid("displayName", "use at most 100 characters on one line")
	}
	if in.Accent != "" && !accentRE.MatchString(in.Accent) {
		return "", model.Invalid("accentColor", "%q is not a colour like #1f6feb", in.Accent)
	}
	if in.Version < 0 {
		return "", model.Invalid("version", "must not be negative")
	}
	if in.Logo == nil {
		return "", nil
	}
	if len(in.Logo) == 0 {
		return "", model.Invalid("logo", "the file is empty")
	}
	if len(in.Logo) > MaxLogoBytes {
		return "", model.Invalid("logo", "the logo is larger than %d KiB", MaxLogoBytes>>10)
	}
	t := http.DetectContentType(in.Logo)
	if !logoTypes[t] {
		return "", model.Invalid("logo", "the logo must be a PNG, JPEG, GIF or WebP image (this file is %s)", t)
	}
	return t, nil
}

// brandingTenant checks that id is a tenant or the root context.
func brandingTenant(ctx context.Context, st storage.Storage, id string) error {
	c, err := st.GetContext(ctx, id)
	if err != nil {
		return err
	}
	if c.Type != model.ContextTenant && c.Type != model.ContextRoot {
		return model.Invalid("tenantId", "branding belongs to a tenant or to root, not to a %s", c.Type)
	}
	return nil
}

// GetBranding reads a tenant's branding for an admin ("Contexts - Read"
// at the tenant); a tenant without any gives an empty branding of
// version 0.
func (s *Service) GetBranding(ctx context.Context, a Actor, tenantID string) (model.Branding, error) {
	if err := s.authorize(ctx, s.store, a, rightContextsRead, tenantID); err != nil {
		return model.Branding{}, err
	}
	if err := brandingTenant(ctx, s.store, tenantID); err != nil {
		return model.Branding{}, err
	}
	b, err := s.store.GetBranding(ctx, tenantID)
	if errors.Is(err, model.ErrNotFound) {
		return model.Branding{TenantID: tenantID}, nil
	}
	return b, err
}

// SetBranding saves a tenant's branding ("Contexts - Manage" at the
// tenant; audited). A Version other than the stored one is a stale edit
// (model.ErrStale, a conflict).
func (s *Service) SetBranding(ctx context.Context, a Actor, tenantID string, in BrandingInput) (model.Branding, error) {
	logoType, err := ValidateBranding(in)
	if err != nil {
		return model.Branding{}, err
	}
	var out model.Branding
	err = s.tx(ctx, func(st storage.Storage) error {
		if err := s.authorize(ctx, st, a, rightContextsManage, tenantID); err != nil {
			return err
		}
		if err := brandingTenant(ctx, st, tenantID); err != nil {
			return err
		}
		old, err := st.GetBranding(ctx, tenantID)
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			return err
		}
		b := model.Branding{TenantID: tenantID, DisplayName: strings.TrimSpace(in.DisplayName), Accent: strings.ToLower(in.Accent),
			Logo: old.Logo, LogoType: old.LogoType, UpdatedAt: s.now()}
		switch {
		case in.Logo != nil:
			b.Logo, b.LogoType = in.Logo, logoType
		case in.RemoveLogo:
			b.Logo, b.LogoType = nil, ""
		}
		if out, err = st.PutBranding(ctx, b, in.Version); err != nil {
			if errors.Is(err, model.ErrStale) {
				return model.Errorf(model.ECONFLICT, "version", "the branding was changed by someone else meanwhile (now version %d): reload and redo your change", old.Version)
			}
			return err
		}
		return s.audit(ctx, st, a, "branding.update", "branding", tenantID, tenantID,
			map[string]any{"displayName": b.DisplayName, "accentColor": b.Accent, "logo": b.LogoType, "version": out.Version})
	})
	return out, err
}

// DeleteBranding removes a tenant's branding: its pages show the default
// again ("Contexts - Manage"; audited).
func (s *Service) DeleteBranding(ctx context.Context, a Actor, tenantID string) error {
	return s.tx(ctx, func(st storage.Storage) error {
		if err := s.authorize(ctx, st, a, rightContextsManage, tenantID); err != nil {
			return err
		}
		if err := brandingTenant(ctx, st, tenantID); err != nil {
			return err
		}
		if err := st.DeleteBranding(ctx, tenantID); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "branding.delete", "branding", tenantID, tenantID, nil)
	})
}

// Branding is what a login page of tenantID shows: the tenant's branding,
// else root's, else none (a zero Branding). No authorization: it is public
// by nature (the login page shows it to anyone). Cached per node.
func (s *Service) Branding(ctx context.Context, tenantID string) (model.Branding, error) {
	load := func(id string) (model.Branding, error) {
		return s.branding.Get(ctx, id, s.now(), func(ctx context.Context) (model.Branding, error) {
			b, err := s.store.GetBranding(ctx, id)
			if errors.Is(err, model.ErrNotFound) {
				return model.Branding{}, nil
			}
			return b, err
		})
	}
	if tenantID != "" {
		if b, err := load(tenantID); err != nil || b.TenantID != "" {
			return b, err
		}
	}
	root, err := s.store.RootContext(ctx)
	if err != nil {
		return model.Branding{}, err
	}
	if root.ID == tenantID {
		return model.Branding{}, nil
	}
	return load(root.ID)
}

func newBrandingCache() *cache.Gen[model.Branding] {
	return cache.New[model.Branding](brandingTTL, 10_000)
}
