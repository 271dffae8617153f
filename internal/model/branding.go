package model

import (
	"strconv"
	"time"
)

// Branding is how a tenant's login pages look (issue 13 §10): a display
// name, a logo and an accent colour. The root context's branding, when
// set, is the default; without any the pages show Sesame's own.
type Branding struct {
	TenantID    string `json:"tenantId"`
	DisplayName string `json:"displayName"`
	// Accent is a colour "#rrggbb" ("" for the default).
	Accent string `json:"accentColor"`
	// Logo is the image's bytes (PNG, JPEG, GIF or WebP; nil: none) and
	// LogoType its media type, as sniffed when it was uploaded.
	Logo     []byte `json:"-"`
	LogoType string `json:"logoType,omitempty"`
	// Version counts saves: an edit based on an older one is stale.
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// LogoURL is where the logo is served to anyone ("" without a logo); the
// version in the query makes a new logo a new URL.
func (b Branding) LogoURL() string {
	if b.LogoType == "" || b.TenantID == "" {
		return ""
	}
	return "/branding/" + b.TenantID + "/logo?v=" + strconv.Itoa(b.Version)
}
