package i18n

import (
	"strings"

	"golang.org/x/text/language"
)

// maxLocales bounds how many tags of one source are looked at.
const maxLocales = 10

// Match chooses the language of a request: the user's stored preference,
// then the OIDC ui_locales (space-separated tags, OIDC Core §3.1.2.1), then
// the Accept-Language header (RFC 9110 §12.5.4); English when none of them
// names a shipped language. Malformed input is ignored, never an error.
func (b *Bundle) Match(userPref, uiLocales, acceptLanguage string) language.Tag {
	if t, ok := b.matchTags(parseList(userPref, " ")); ok {
		return t
	}
	if t, ok := b.matchTags(parseList(uiLocales, " ")); ok {
		return t
	}
	if t, ok := b.matchTags(parseAccept(acceptLanguage)); ok {
		return t
	}
	return supported[0]
}

// MatchUser is Match for a message sent outside a request (emails, SMS):
// the user's preference, else the fallback.
func (b *Bundle) MatchUser(userPref string) language.Tag { return b.Match(userPref, "", "") }

// matchTags returns the shipped language best matching tags, in their
// order of preference; ok is false when none is a real match.
func (b *Bundle) matchTags(tags []language.Tag) (language.Tag, bool) {
	if len(tags) == 0 {
		return language.Und, false
	}
	_, idx, conf := b.matcher.Match(tags...)
	if conf == language.No {
		return language.Und, false
	}
	return supported[idx], true
}

func parseList(s, sep string) []language.Tag {
	if len(s) > 512 {
		s = s[:512]
	}
	var out []language.Tag
	for _, f := range strings.Split(s, sep) {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if t, err := language.Parse(f); err == nil {
			out = append(out, t)
		}
		if len(out) == maxLocales {
			break
		}
	}
	return out
}

func parseAccept(h string) []language.Tag {
	if len(h) > 1024 {
		h = h[:1024]
	}
	tags, _, err := language.ParseAcceptLanguage(h)
	if err != nil {
		return nil
	}
	if len(tags) > maxLocales {
		tags = tags[:maxLocales]
	}
	return tags
}

// ValidLanguage reports whether s is a well-formed BCP 47 tag of a shipped
// language (for validating a user's stored preference).
func ValidLanguage(s string) bool {
	t, err := language.Parse(s)
	if err != nil {
		return false
	}
	base, _ := t.Base()
	for _, sup := range supported {
		if b, _ := sup.Base(); b == base {
			return true
		}
	}
	return false
}
