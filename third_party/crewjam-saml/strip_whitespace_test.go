package saml

import (
	"math/rand"
	"regexp"
	"testing"
)

// stripWhitespace removes exactly what the regular expression \s+ it
// replaces matched: ASCII tab, newline, form feed, carriage return, space.
func TestStripWhitespaceMatchesRegexp(t *testing.T) {
	re := regexp.MustCompile(`\s+`)
	cases := []string{
		"", " ", "abc", " a b ", "\t\n\f\r a\v\u00a0b\u2003c\u0085d ",
		"MIIC\n  MIIB\r\n\tAA==\n", "\xff \xfe\t\x80", "é è\u3000",
	}
	alphabet := []string{" ", "\t", "\n", "\f", "\r", "\v", "a", "Z", "+", "/", "=", "\u00a0", "\u2028", "\xff", "\xc3", "é"}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 5000; i++ {
		var s string
		for n := rng.Intn(20); n > 0; n-- {
			s += alphabet[rng.Intn(len(alphabet))]
		}
		cases = append(cases, s)
	}
	for _, s := range cases {
		if got, want := stripWhitespace(s), re.ReplaceAllString(s, ""); got != want {
			t.Fatalf("stripWhitespace(%q) = %q, want %q", s, got, want)
		}
	}
}
