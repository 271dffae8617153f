package login_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
)

// TestOTPDatabaseOutage (issue 8 item 23): the database goes away while
// the code page is open. Posting the code, asking for a new one and
// reloading the page answer 503 "try again" — never "wrong code", never
// a half-logged-in state; once the database is back the same code signs
// in.
func TestOTPDatabaseOutage(t *testing.T) {
	db := pgtest.NewDatabase(t)
	f := setup(t, "postgres", setupOpts{storeURL: db.DSN})
	base := f.env.Server.URL
	c := f.browser()
	p := f.signIn(c, base, "carol", "")
	_, _, code := f.mailCode(1)
	db.Stop()
	stopped := true
	defer func() {
		if stopped {
			db.Start()
		}
	}()
	for name, r := range map[string]page{
		"the code":   f.submitCode(c, base, p, code),
		"a new code": f.resend(c, base, p),
		"a reload":   get(t, c, p.url.String()),
	} {
		if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "Try again") || strings.Contains(r.body, "wrong") {
			t.Errorf("%s during the outage: %d %s", name, r.status, r.body)
		}
	}
	db.Start()
	stopped = false
	f.submitCode(c, base, p, code)
	if !f.signedIn(c, base) {
		t.Fatal("the code did not sign in after the outage")
	}
}

// TestOTPLanguage (issue 9 §5): a user without a preferred language gets
// the code page and the code in the browser's language.
func TestOTPLanguage(t *testing.T) {
	f := setup(t, "sqlite", setupOpts{})
	c := f.langBrowser("fr-CH, en;q=0.5")
	p := f.signIn(c, f.env.Server.URL, "carol", "")
	if !strings.Contains(p.body, `lang="fr"`) || !strings.Contains(p.body, "Saisissez votre code de connexion") || !strings.Contains(p.body, "par e-mail à") {
		t.Fatalf("code page: %s", p.body)
	}
	m, _, _ := f.mailCode(1)
	if m.Subject != "Votre code de connexion" || !strings.Contains(m.Text, "Il est valable 5 minutes") || m.ContentLanguage != "fr" {
		t.Errorf("mail %q %q %q", m.Subject, m.ContentLanguage, m.Text)
	}
}
