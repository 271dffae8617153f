package web

import (
	"html/template"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/i18n"
)

// stepForm is login.Form: the hidden fields of every login step's form.
type stepForm struct{ Step, Flow string }

// loginData has the fields internal/login hands to the login page.
type loginData struct {
	Form             stepForm
	Return, Username string
	Error            i18n.Msg
	UILocales        string
	Tenant           string
	Connections      []connButton
	SSOActive        bool
}

type connButton struct {
	ID, Name, LogoURL string
	Active            bool
}

// samples fill every branch of every page ("page#variant" keys add
// samples of a page whose branches exclude each other); the values carry no letters, so
// any word left on a pseudo-localized page came from a template.
func samples() map[string]any {
	m := map[string]any{
		"login": loginData{Form: stepForm{"0008", "0009"}, Return: "/", Username: "0001", Error: i18n.M("login.error.invalid"), UILocales: "0002", Tenant: "0003",
			Connections: []connButton{{ID: "0004", Name: "0005", LogoURL: "/0006.png"}, {ID: "0007", Name: "0010"}}},
		// R-SAML-8 active stage: the buttons lead, passwords are off for most.
		"login#sso": loginData{Form: stepForm{"0008", "0009"}, Return: "/", Error: i18n.M("sso.error.password", "0005"), Tenant: "0003", SSOActive: true,
			Connections: []connButton{{ID: "0004", Name: "0005", Active: true}}},
		"context": struct {
			Form    stepForm
			Choices []struct {
				ID, Name, Type string
				Checked        bool
			}
			Error i18n.Msg
		}{Form: stepForm{"0010", "0011"}, Choices: []struct {
			ID, Name, Type string
			Checked        bool
		}{{"0012", "0013", "0014", true}, {"0015", "0016", "0017", false}}, Error: i18n.M("context.error.missing")},
		"otp": struct {
			Form stepForm
			Sent []struct {
				Channel i18n.Msg
				To      string
			}
			SMSBlocked             bool
			NoCode                 i18n.Msg
			Restart                string
			ResendIn, AttemptsLeft int
			Error, Notice          i18n.Msg
		}{Form: stepForm{"0018", "0019"}, Sent: []struct {
			Channel i18n.Msg
			To      string
		}{{i18n.M("otp.by_email"), "0020"}, {i18n.M("otp.by_sms"), "0021"}},
			SMSBlocked: true, Restart: "/", ResendIn: 30, AttemptsLeft: 2, Error: i18n.M("otp.error.wrong"), Notice: i18n.M("otp.resent")},
		"otp#nocode": struct {
			Form stepForm
			Sent []struct {
				Channel i18n.Msg
				To      string
			}
			SMSBlocked             bool
			NoCode                 i18n.Msg
			Restart                string
			ResendIn, AttemptsLeft int
			Error, Notice          i18n.Msg
		}{Form: stepForm{"0022", "0023"}, NoCode: i18n.M("otp.none.sms_blocked"), Restart: "/"},
		"totp": struct {
			Form  stepForm
			Error i18n.Msg
		}{Form: stepForm{"0024", "0025"}, Error: i18n.M("totp.error.replay")},
		"message": Message{Title: i18n.M("msg.signed_in.title"), Message: i18n.M("msg.signed_in", "0004"), Link: "/", LinkText: i18n.M("link.sign_out")},
		// The page of an OAuth error that cannot go back to the app (server/errorpages.go).
		"message#detail":    Message{Title: i18n.M("err.request.title"), Message: i18n.M("err.request"), Detail: "0020", Link: "/", LinkText: i18n.M("link.start_page")},
		"logout":            LogoutForm{Action: "/", CSRF: "0005", Fields: []Field{{"0006", "0007"}}},
		"saml_post":         LogoutForm{Action: "https://idp.example/sso", Fields: []Field{{"SAMLRequest", "0060"}, {"RelayState", "0061"}}},
		"account":           accountSample(),
		"account#delegated": delegatedAccountSample(),
		"totp_enrol": struct {
			Form   stepForm
			QR     template.URL
			Secret string
			Error  i18n.Msg
		}{stepForm{"0050", "0051"}, "data:image/png;base64,0052", "0053", i18n.M("totpenrol.error.code")},
		"totp_enrol_codes": struct {
			Codes []string
			Next  string
		}{[]string{"0054-0055", "0056-0057"}, "/login?flow=0058"},
		"account_totp": struct {
			CSRF   string
			QR     template.URL
			Secret string
			Error  i18n.Msg
		}{"0040", "data:image/png;base64,0041", "0042", i18n.M("account.totp.error.code")},
		"account_codes": struct{ Codes []string }{[]string{"0043-0044", "0045-0046"}},
		"password_change": struct {
			Form          stepForm
			Login         string
			Reason, Error i18n.Msg
			Reasons       []i18n.Msg
		}{Form: stepForm{"0020", "0021"}, Login: "0022", Reason: i18n.M("pwchange.reason.forced"), Error: i18n.M("pwchange.error.policy"),
			Reasons: []i18n.Msg{i18n.M("pwchange.rule.too_short", 12), i18n.M("pwchange.rule.common")}},
		"password_forgot": struct {
			Tenant, Back string
			Error        i18n.Msg
		}{Tenant: "0023", Back: "/", Error: i18n.M("pwforgot.error.missing")},
		"password_reset": struct {
			Token, Login string
			Error        i18n.Msg
			Reasons      []i18n.Msg
		}{Token: "0024", Login: "0025", Error: i18n.M("pwchange.error.policy"), Reasons: []i18n.Msg{i18n.M("pwchange.rule.contains_login")}},
	}
	maps.Copy(m, consoleSamples()) // console_test.go
	return m
}

func pseudoPages(t *testing.T) *Pages {
	t.Helper()
	p, err := NewPages()
	if err != nil {
		t.Fatal(err)
	}
	loc := i18n.Pseudo()
	if p.t[loc.Lang()], err = parse(loc); err != nil {
		t.Fatal(err)
	}
	p.pseudo = true
	return p
}

func render(t *testing.T, p *Pages, r *http.Request, page string, data any) (int, http.Header, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	p.Render(rec, r, http.StatusOK, page, data)
	return rec.Code, rec.Header(), rec.Body.String()
}

var (
	styleRE   = regexp.MustCompile(`(?s)<style>.*?</style>|<script>.*?</script>`) // markup and code, not text
	tagRE     = regexp.MustCompile(`(?s)<[^>]*>`)
	visibleRE = regexp.MustCompile(`(?i)\b(?:placeholder|title|alt|aria-label|value)="([^"]*)"`)
	wordRE    = regexp.MustCompile(`[\p{L}]{2,}`)
	pseudoRE  = regexp.MustCompile(`⟦[^⟧]*⟧`)
)

// TestNoHardCodedText renders every page with the pseudo-locale (each
// message prints as ⟦key⟧): a word on the page outside ⟦…⟧ — in the text
// or in an attribute a user sees — was written into a template instead of
// going through the catalog (issue 9 §5).
func TestNoHardCodedText(t *testing.T) {
	p := pseudoPages(t)
	names, err := pageNames()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if _, ok := samples()[n]; !ok {
			t.Errorf("page %s has no sample here: every page is checked for hard-coded text", n)
		}
	}
	for page, data := range samples() {
		// "page#variant": another sample of the same page.
		name, _, _ := strings.Cut(page, "#")
		_, _, body := render(t, p, httptest.NewRequest("GET", "/", nil), name, data)
		if !strings.Contains(body, `<html lang="x-pseudo">`) {
			t.Errorf("%s: <html lang> not the chosen language", page)
		}
		if !strings.Contains(body, "⟦") {
			t.Fatalf("%s: nothing localized:\n%s", page, body)
		}
		var visible []string
		for _, m := range visibleRE.FindAllStringSubmatch(body, -1) {
			visible = append(visible, m[1])
		}
		text := tagRE.ReplaceAllString(styleRE.ReplaceAllString(body, ""), " ")
		visible = append(visible, text)
		for _, v := range visible {
			if w := wordRE.FindAllString(pseudoRE.ReplaceAllString(template.HTMLEscapeString(v), ""), -1); len(w) > 0 {
				// "doctype" is markup, not text.
				if len(w) == 1 && strings.EqualFold(w[0], "doctype") {
					continue
				}
				t.Errorf("%s: hard-coded text %q", page, w)
			}
		}
	}
}

// TestPagesTranslated renders each page for a German and a French
// browser: translated text, <html lang> and Content-Language.
func TestPagesTranslated(t *testing.T) {
	p, err := NewPages()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string][]string{
		"de": {
			"login":   {"<title>Anmelden · Sesame</title>", "Bei Sesame anmelden", "Anmeldename", "Passwort vergessen?", "Anmeldename oder Passwort ist falsch.", "Organisation:"},
			"message": {"<h1>Angemeldet</h1>", "Sie sind als 0004 angemeldet.", ">Abmelden</a>"},
			"logout":  {"Von Sesame abmelden?", "Sie werden von allen Anwendungen abgemeldet", "Angemeldet bleiben"},
		},
		"fr": {
			"login":   {"<title>Connexion · Sesame</title>", "Se connecter à Sesame", "Identifiant", "Mot de passe oublié ?", "Identifiant ou mot de passe incorrect.", "Organisation :"},
			"message": {"<h1>Connecté</h1>", "Vous êtes connecté en tant que 0004.", ">Se déconnecter</a>"},
			"logout":  {"Se déconnecter de Sesame ?", "Vous serez déconnecté de toutes les applications", "Rester connecté"},
		},
		"en": {
			"login":   {"Sign in to Sesame", "Invalid login name or password."},
			"message": {"You are signed in as 0004."},
			"logout":  {"Sign out of Sesame?"},
		},
	}
	for lang, pages := range want {
		for page, parts := range pages {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Accept-Language", lang+";q=0.9, es;q=0.2")
			code, h, body := render(t, p, r, page, samples()[page])
			if code != http.StatusOK || h.Get("Content-Language") != lang || !strings.Contains(body, `<html lang="`+lang+`">`) {
				t.Errorf("%s %s: %d, Content-Language %q, body:\n%s", lang, page, code, h.Get("Content-Language"), body)
			}
			for _, s := range parts {
				if !strings.Contains(body, template.HTMLEscapeString(s)) && !strings.Contains(body, s) {
					t.Errorf("%s %s: missing %q in\n%s", lang, page, s, body)
				}
			}
		}
	}
}

// TestRenderChoosesLanguage: the user's preference (context, then the
// UserLanguage hook) beats ui_locales, which beats Accept-Language.
func TestRenderChoosesLanguage(t *testing.T) {
	p, err := NewPages()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, hook, ctxUser, ui, accept, want string
	}{
		{"accept", "", "", "", "de-DE", "de"},
		{"ui_locales", "", "", "fr", "de-DE", "fr"},
		{"hook user", "fr", "", "de", "de-DE", "fr"},
		{"context user beats hook", "de", "fr", "", "", "fr"},
		{"nothing", "", "", "", "", "en"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p.UserLanguage = func(*http.Request) string { return c.hook }
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Accept-Language", c.accept)
			ctx := i18n.WithUILocales(r.Context(), c.ui)
			if c.ctxUser != "" {
				ctx = i18n.WithUserLanguage(ctx, c.ctxUser)
			}
			_, h, _ := render(t, p, r.WithContext(ctx), "logout", samples()["logout"])
			if got := h.Get("Content-Language"); got != c.want {
				t.Errorf("language %q, want %q", got, c.want)
			}
		})
	}
}

// TestRenderErrorIsClean500: a template that fails while executing gives
// a 500 with a short translated text, never half a page with a 200.
func TestRenderErrorIsClean500(t *testing.T) {
	p, err := NewPages()
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", "de")
	// The message page wants i18n.Msg; a struct without those fields fails
	// half-way through the layout.
	code, h, body := render(t, p, r, "message", struct{ Title i18n.Msg }{i18n.M("msg.signed_in.title")})
	if code != http.StatusInternalServerError || strings.Contains(body, "<html") || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") ||
		!strings.Contains(body, "Etwas ist schiefgelaufen") {
		t.Errorf("got %d %q %q", code, h.Get("Content-Type"), body)
	}
	code, _, _ = render(t, p, r, "nosuchpage", nil)
	if code != http.StatusInternalServerError {
		t.Errorf("unknown page: %d", code)
	}
}

// accountSample fills every branch of the account page (internal/account
// pageData): a local user with errors, TOTP enrolled, two sessions.
func delegatedAccountSample() any { return accountSampleOf(true) }

func accountSample() any { return accountSampleOf(false) }

func accountSampleOf(delegated bool) any {
	type sess struct {
		Handle, Started, LastSeen, IP string
		Current                       bool
	}
	type lang struct {
		Value    string
		Label    i18n.Msg
		Selected bool
	}
	return struct {
		CSRF, LoginName string
		Notice          i18n.Msg
		Local           bool
		DelegatedURL    string
		ProfileURL      string
		Password        struct{ Errors []i18n.Msg }
		TOTP            struct {
			Allowed, Enrolled bool
			CodesLeft         int
			Error             i18n.Msg
		}
		Sessions  []sess
		Languages []lang
	}{
		CSRF: "0020", LoginName: "0021", Notice: i18n.M("account.done.password"), Local: !delegated,
		DelegatedURL: "/0031", ProfileURL: "/0032",
		Password: struct{ Errors []i18n.Msg }{[]i18n.Msg{i18n.M("account.policy.too_short", 12), i18n.M("account.policy.common")}},
		TOTP: struct {
			Allowed, Enrolled bool
			CodesLeft         int
			Error             i18n.Msg
		}{true, true, 7, i18n.M("account.totp.error.enrolled")},
		Sessions:  []sess{{"0022", "0023", "0024", "0025", true}, {"0026", "0027", "0028", "0029", false}},
		Languages: []lang{{"", i18n.M("account.language.browser"), true}, {"0030", i18n.M("account.language.de"), false}},
	}
}

// TestPageScripts: a page with an inline script holds exactly the script
// its CSP allows by hash; pages without one allow no script.
func TestPageScripts(t *testing.T) {
	p := pseudoPages(t)
	for page, data := range samples() {
		name, _, _ := strings.Cut(page, "#")
		rec := httptest.NewRecorder()
		p.Render(rec, httptest.NewRequest("GET", "/", nil), http.StatusOK, name, data)
		body, csp := rec.Body.String(), rec.Header().Get("Content-Security-Policy")
		sc, ok := pageScripts[name]
		if !ok {
			if strings.Contains(body, "<script") || strings.Contains(csp, "script-src") {
				t.Errorf("%s: a script or script-src without an entry in pageScripts", page)
			}
			continue
		}
		if !strings.Contains(body, "<script>"+sc+"</script>") || !strings.Contains(csp, "script-src 'sha256-") {
			t.Errorf("%s: the script differs from pageScripts or is not allowed: %s", page, csp)
		}
	}
}
