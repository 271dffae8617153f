package identity

import (
	"regexp"
	"strings"
)

// RootSlug is the fixed slug of the root context (the default tenant,
// R-CTX-2): "root/name" and a plain "name" are the same login.
const RootSlug = "root"

// MaxSlug is the longest slug (a DNS label, so slugs fit host names too).
const MaxSlug = 63

var slugRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// ValidSlug reports whether s is a slug: 1 to 63 of [a-z0-9-], starting and
// ending with a letter or digit.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// SlugFromName derives a slug from a tenant name: ASCII letters and digits
// lower-cased, every other run of characters one "-". A name with nothing
// usable gives "tenant".
func SlugFromName(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= MaxSlug-4 { // room for a "-NNN" suffix
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == "" {
		return "tenant"
	}
	return s
}

// SplitLogin splits a login as typed: "slug/name" names a tenant by slug;
// a plain "name" names none (the caller's default tenant: the one of the
// login URL, else root). The slug is compared lower-cased.
func SplitLogin(login string) (slug, name string, scoped bool) {
	slug, name, scoped = strings.Cut(login, "/")
	if !scoped {
		return "", login, false
	}
	return strings.ToLower(strings.TrimSpace(slug)), name, true
}
