package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

//go:embed locales/*.json
var files embed.FS

// Supported are the shipped languages; the first is the fallback.
var supported = []language.Tag{language.English, language.German, language.French}

// Supported returns the shipped languages, English first (the fallback).
func Supported() []language.Tag { return slices.Clone(supported) }

// Bundle holds the catalogs and the matcher. It is immutable once built
// and safe for concurrent use.
type Bundle struct {
	cat     *catalog.Builder
	matcher language.Matcher
	keys    map[language.Tag]map[string]bool
}

// New loads the embedded catalogs.
func New() (*Bundle, error) {
	b := &Bundle{
		cat:     catalog.NewBuilder(catalog.Fallback(language.English)),
		matcher: language.NewMatcher(supported),
		keys:    map[language.Tag]map[string]bool{},
	}
	for _, tag := range supported {
		if err := b.load(tag); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// load reads locales/<lang>.json and locales/<area>.<lang>.json (one
// file per area of the product — login steps, account page — so each
// area's strings live together): each key maps to a format string, or to
// an object of CLDR plural forms ("one", "other", "=0"…) selected by the
// first argument. A key defined in two files is an error.
func (b *Bundle) load(tag language.Tag) error {
	names, err := fs.Glob(files, "locales/*"+tag.String()+".json")
	if err != nil {
		return fmt.Errorf("i18n: %w", err)
	}
	entries := map[string]json.RawMessage{}
	from := map[string]string{}
	for _, name := range names {
		base := strings.TrimPrefix(name, "locales/")
		if base != tag.String()+".json" && !strings.HasSuffix(base, "."+tag.String()+".json") {
			continue
		}
		raw, err := fs.ReadFile(files, name)
		if err != nil {
			return fmt.Errorf("i18n: read %s: %w", name, err)
		}
		var part map[string]json.RawMessage
		if err := json.Unmarshal(raw, &part); err != nil {
			return fmt.Errorf("i18n: parse %s: %w", name, err)
		}
		for k, v := range part {
			if prev, dup := from[k]; dup {
				return fmt.Errorf("i18n: key %q is in both %s and %s", k, prev, name)
			}
			from[k], entries[k] = name, v
		}
	}
	if len(entries) == 0 {
		return fmt.Errorf("i18n: no catalog for %s", tag)
	}
	keys := map[string]bool{}
	for key, v := range entries {
		name := from[key]
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			if err := b.cat.SetString(tag, key, s); err != nil {
				return fmt.Errorf("i18n: %s %s: %w", name, key, err)
			}
			keys[key] = true
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(v, &forms); err != nil || forms["other"] == "" {
			return fmt.Errorf("i18n: %s %s: want a string or plural forms with \"other\"", name, key)
		}
		var cases []any
		for _, sel := range pluralOrder(forms) {
			cases = append(cases, sel, forms[sel])
		}
		if err := b.cat.Set(tag, key, plural.Selectf(1, "%d", cases...)); err != nil {
			return fmt.Errorf("i18n: %s %s: %w", name, key, err)
		}
		keys[key] = true
	}
	b.keys[tag] = keys
	return nil
}

// pluralOrder puts exact matches ("=0") first and "other" last, as
// plural.Selectf wants.
func pluralOrder(forms map[string]string) []string {
	var out []string
	for sel := range forms {
		if sel != "other" {
			out = append(out, sel)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		if ea, eb := strings.HasPrefix(a, "="), strings.HasPrefix(b, "="); ea != eb {
			if ea {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	return append(out, "other")
}

// Keys lists the keys the catalog of tag defines (for tests and tools).
func (b *Bundle) Keys(tag language.Tag) []string {
	var out []string
	for k := range b.keys[tag] {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Localizer prints messages in one language.
type Localizer struct {
	tag    language.Tag
	p      *message.Printer
	pseudo bool
}

// Localizer returns the localizer for tag, which should come from Match
// (anything else prints in the closest shipped language).
func (b *Bundle) Localizer(tag language.Tag) *Localizer {
	return &Localizer{tag: tag, p: message.NewPrinter(tag, message.Catalog(b.cat))}
}

// Pseudo is a localizer that prints every message as ⟦key⟧: pages rendered
// with it show any text that did not go through the catalog (the tests use
// it to find hard-coded English).
func Pseudo() *Localizer { return &Localizer{tag: language.Und, pseudo: true} }

// Tag is the localizer's language.
func (l *Localizer) Tag() language.Tag { return l.tag }

// Lang is the language as a BCP 47 string, for <html lang> and
// Content-Language.
func (l *Localizer) Lang() string {
	if l.pseudo {
		return "x-pseudo"
	}
	return l.tag.String()
}

// T prints the message key with args (fmt verbs, %[1]s …).
func (l *Localizer) T(key string, args ...any) string {
	if l.pseudo {
		return "⟦" + key + "⟧"
	}
	return l.p.Sprintf(key, args...)
}

// M prints a Msg; arguments that are themselves a Msg are printed first
// (a translated reason inside a translated sentence).
func (l *Localizer) M(m Msg) string {
	if m.Key == "" {
		return ""
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		if sub, ok := a.(Msg); ok {
			a = l.M(sub)
		}
		args[i] = a
	}
	return l.T(m.Key, args...)
}
