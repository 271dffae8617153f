package i18n

import (
	"regexp"
	"slices"
	"testing"

	"golang.org/x/text/language"
)

func bundle(t *testing.T) *Bundle {
	t.Helper()
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMatch: the user's preference, then ui_locales, then Accept-Language,
// then English (issue 9 §5).
func TestMatch(t *testing.T) {
	b := bundle(t)
	for _, c := range []struct {
		name, user, ui, accept string
		want                   language.Tag
	}{
		{"nothing", "", "", "", language.English},
		{"accept de", "", "", "de-DE,de;q=0.9,en;q=0.8", language.German},
		{"accept weighted fr", "", "", "en;q=0.5, fr;q=0.9", language.French},
		{"accept swiss german", "", "", "de-CH", language.German},
		{"accept unsupported then fr", "", "", "es-ES,fr;q=0.5", language.French},
		{"accept only unsupported", "", "", "ja,zh;q=0.8", language.English},
		{"ui_locales beats accept", "", "fr", "de-DE", language.French},
		{"ui_locales list, first shipped wins", "", "es fr-CA de", "en", language.French},
		{"ui_locales unsupported falls to accept", "", "ja", "de", language.German},
		{"user beats ui_locales and accept", "fr", "de", "de-DE", language.French},
		{"user beats accept", "de", "", "fr", language.German},
		{"user unsupported falls to ui_locales", "ja", "de", "fr", language.German},
		{"user region tag", "fr-BE", "", "", language.French},
		{"garbage everywhere", "%%%", "\x00 ;;", "q=;;,", language.English},
		{"garbage accept", "", "", "de;q=bogus", language.English},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := b.Match(c.user, c.ui, c.accept); got != c.want {
				t.Errorf("Match(%q, %q, %q) = %v, want %v", c.user, c.ui, c.accept, got, c.want)
			}
		})
	}
}

// TestCatalogsComplete: German and French define every English key, no
// more, with the same placeholders.
func TestCatalogsComplete(t *testing.T) {
	b := bundle(t)
	en := b.Keys(language.English)
	if len(en) == 0 {
		t.Fatal("empty English catalog")
	}
	for _, tag := range []language.Tag{language.German, language.French} {
		if got := b.Keys(tag); !slices.Equal(got, en) {
			t.Errorf("%v keys differ from English:\n%v\n%v", tag, got, en)
		}
		for _, k := range en {
			if k == "code.attempts_left" {
				continue // plural: checked in TestPlural
			}
			// Printed without args, each verb shows as %!s(MISSING): compare counts.
			en1 := b.Localizer(language.English).T(k)
			tr1 := b.Localizer(tag).T(k)
			if missing(en1) != missing(tr1) {
				t.Errorf("%v %s: placeholders differ: %q vs %q", tag, k, tr1, en1)
			}
			if tr1 == k {
				t.Errorf("%v %s: not translated", tag, k)
			}
		}
	}
}

func missing(s string) int { return len(regexp.MustCompile(`MISSING`).FindAllString(s, -1)) }

func TestPlaceholdersAndPlural(t *testing.T) {
	b := bundle(t)
	for _, c := range []struct {
		tag  language.Tag
		key  string
		args []any
		want string
	}{
		{language.English, "msg.signed_in", []any{"alice"}, "You are signed in as alice."},
		{language.German, "msg.signed_in", []any{"alice"}, "Sie sind als alice angemeldet."},
		{language.French, "msg.signed_in", []any{"alice"}, "Vous êtes connecté en tant que alice."},
		{language.English, "code.attempts_left", []any{1}, "1 attempt left."},
		{language.English, "code.attempts_left", []any{3}, "3 attempts left."},
		{language.German, "code.attempts_left", []any{1}, "Noch 1 Versuch."},
		{language.German, "code.attempts_left", []any{2}, "Noch 2 Versuche."},
		{language.French, "code.attempts_left", []any{0}, "0 tentative restante."}, // CLDR: 0 is "one" in French
		{language.French, "code.attempts_left", []any{2}, "2 tentatives restantes."},
	} {
		if got := b.Localizer(c.tag).T(c.key, c.args...); got != c.want {
			t.Errorf("%v %s %v = %q, want %q", c.tag, c.key, c.args, got, c.want)
		}
	}
	nested := M("cas.no_app_reason", "Billing", M("reason.root_only", "bm"))
	if got, want := b.Localizer(language.German).M(nested), "Sie sind angemeldet, dürfen Billing aber nicht verwenden. Das Modul bm ist Benutzern vorbehalten, die dem Root-Kontext zugeordnet sind."; got != want {
		t.Errorf("nested = %q, want %q", got, want)
	}
	if got := Pseudo().M(M("msg.signed_in", "x")); got != "⟦msg.signed_in⟧" {
		t.Errorf("pseudo = %q", got)
	}
	if got := b.Localizer(language.German).M(Msg{}); got != "" {
		t.Errorf("zero Msg = %q", got)
	}
}

func TestValidLanguage(t *testing.T) {
	for s, want := range map[string]bool{"de": true, "fr-CH": true, "en": true, "es": false, "": false, "x": false, "<script>": false} {
		if got := ValidLanguage(s); got != want {
			t.Errorf("ValidLanguage(%q) = %v", s, got)
		}
	}
}
