package cas_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// ticketChars is CAS 3.0 §3.7: "A–Z, a–z, 0–9 and the hyphen" only.
// Apache mod_auth_cas ignores a ticket with another character (such as
// "_") and sends the browser round the login loop again.
var ticketChars = regexp.MustCompile(`^(ST|PT|PGT|PGTIOU)-[A-Za-z0-9-]{32,}$`)

// TestTicketAlphabet: every kind of ticket Sesame hands out (ST, PT, PGT,
// PGTIOU) uses the §3.7 alphabet. Tickets are random, so many of each are
// drawn: with the old base64url tokens about half contained "_".
func TestTicketAlphabet(t *testing.T) {
	forBackends(t, func(t *testing.T, backend string) {
		f := setupProxy(t, backend)
		c := browser(t)
		check := func(kind, tk string) {
			t.Helper()
			if !strings.HasPrefix(tk, kind+"-") || !ticketChars.MatchString(tk) {
				t.Errorf("%s ticket %q is outside the CAS 3.0 §3.7 alphabet", kind, tk)
			}
		}
		for range 16 {
			check("ST", ticketFor(t, f.fixture, c, f.app1URL, ""))
		}
		svc := f.portal.url + "app"
		for range 8 {
			r, code := validateXML(t, f.fixture, "/cas/serviceValidate", url.Values{"service": {svc}, "ticket": {ticketFor(t, f.fixture, c, svc, "")}, "pgtUrl": {f.portal.url + "cb"}})
			if r == nil {
				t.Fatalf("validation with pgtUrl: %s", code)
			}
			check("PGTIOU", r.ProxyGrantingTicket)
			pgt := f.portal.pgt(r.ProxyGrantingTicket)
			check("PGT", pgt)
			pt, code := proxyTicket(t, f.fixture, pgt, f.backend.url+"api")
			if code != "" {
				t.Fatalf("/proxy: %s", code)
			}
			check("PT", pt)
		}
	})
}
