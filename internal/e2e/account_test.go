package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp"
	pqtotp "github.com/pquerna/otp/totp"

	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestBrowserAccountTOTP (issue 9 §3.2, §3.3, §5): a German browser opens
// /account, is sent to the login page and back, and sees the account page
// in German; it sets up an authenticator app with a code computed by
// pquerna/otp from the secret shown on the page (the QR code image loads
// under the page's CSP), sees the ten recovery codes once, and the account
// page afterwards shows only how many are left; a preferred language
// chosen there beats the browser's. On both storage backends.
func TestBrowserAccountTOTP(t *testing.T) {
	exe := chromium(t)
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) { browserAccountTOTP(t, exe, backend) })
	}
}

func browserAccountTOTP(t *testing.T, exe, backend string) {
	tf := config.DefaultTwoFactor()
	tf.TOTPAllowed, tf.TOTPIssuer = true, "Sesame"
	env := sesametest.NewWith(t, backend, sesametest.Options{TwoFactor: &tf})
	ad := env.Admin()
	acct := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": env.RootID})
	greta := ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "greta", "domain": "ENTERPRISE", "contexts": []string{acct},
		"status": "active", "password": "Apfelbaum-Wiese-2718"})

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	b := startChrome(t, ctx, exe, chromedp.Flag("lang", "de-DE"), chromedp.Flag("accept-lang", "de-DE,de"))
	do, read := b.do, b.read
	text := func(name, id string) string { return read(name, chromedp.Text(chromedp.ID(id))) }
	lang := func(name string) string {
		return read(name, chromedp.Evaluate[string]("document.documentElement.lang"))
	}

	// Not signed in: the login page, then back to /account — in German.
	do("open account page", chromedp.Navigate(env.Server.URL+"/account"), chromedp.WaitVisible(chromedp.ID("username")))
	if loc := read("location", chromedp.Location()); !strings.HasPrefix(loc, env.Server.URL+"/login?return=%2Faccount") {
		t.Fatalf("/account without a session went to %s", loc)
	}
	do("sign in", chromedp.SendKeys(chromedp.ID("username"), "greta"), chromedp.SendKeys(chromedp.ID("password"), "Apfelbaum-Wiese-2718"),
		chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("enrol-totp")))
	if l, h := lang("account page"), read("heading", chromedp.Text(chromedp.CSS("h1"))); l != "de" || h != "Ihr Konto" {
		t.Errorf("account page in a German browser: lang %q, heading %q", l, h)
	}
	if s := text("status", "totp-status"); s != "Es ist keine Authenticator-App eingerichtet." {
		t.Errorf("TOTP status: %q", s)
	}

	// Enrolment: the secret as text and the QR code, which must load.
	do("enrol", chromedp.Click(chromedp.ID("enrol-totp")), chromedp.WaitVisible(chromedp.ID("totp-secret")))
	secret := text("secret", "totp-secret")
	if w := read("QR code width", chromedp.Evaluate[string]("String(document.getElementById('totp-qr').complete ? document.getElementById('totp-qr').naturalWidth : -1)")); w != "256" {
		t.Errorf("the QR code did not load (naturalWidth %s); browser log:\n  %s", w, b.log())
	}
	code, err := pqtotp.GenerateCodeCustom(secret, time.Now(), pqtotp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatalf("secret %q from the page: %v", secret, err)
	}
	do("confirm with the app's code", chromedp.SendKeys(chromedp.ID("totp-code"), code), chromedp.Click(chromedp.ID("confirm-totp")),
		chromedp.WaitVisible(chromedp.ID("recovery-codes")))
	codes := read("recovery codes", chromedp.Text(chromedp.ID("recovery-codes")))
	if n := len(strings.Fields(codes)); n != 10 {
		t.Fatalf("%d recovery codes shown: %q", n, codes)
	}
	if ok, err := env.SecondFactor.TOTP.Enrolled(ctx, greta); !ok || err != nil {
		t.Fatalf("not enrolled after confirming: %v", err)
	}

	// Back on the account page: how many are left, never the codes.
	do("done", chromedp.Click(chromedp.ID("codes-done")), chromedp.WaitVisible(chromedp.ID("recovery-left")))
	if s := text("codes left", "recovery-left"); s != "Sie haben noch 10 Wiederherstellungscodes." {
		t.Errorf("codes left: %q", s)
	}
	do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("recovery-left")))
	body := read("page", chromedp.Text(chromedp.CSS("main")))
	for _, c := range strings.Fields(codes) {
		if strings.Contains(body, c) {
			t.Fatalf("recovery code %s shown again", c)
		}
	}

	// The preferred language beats the browser's: French, then the
	// browser's German again.
	do("choose French", chromedp.SetValue(chromedp.ID("language"), "fr"), chromedp.Click(chromedp.ID("save-language")),
		chromedp.WaitVisible(chromedp.ID("account-notice")))
	if l, n := lang("after choosing French"), text("notice", "account-notice"); l != "fr" || n != "Votre langue a été enregistrée." {
		t.Errorf("after choosing French: lang %q, notice %q", l, n)
	}
	// Mark this page, so the wait below is for the next one.
	read("mark the page", chromedp.Evaluate[string](`document.body.dataset.old = "1"`))
	do("choose the browser's", chromedp.SetValue(chromedp.ID("language"), ""), chromedp.Click(chromedp.ID("save-language")),
		chromedp.WaitVisible(chromedp.CSS(`body:not([data-old]) #account-notice`)))
	if l := lang("after choosing the browser's"); l != "de" {
		t.Errorf("after choosing the browser's language: lang %q", l)
	}
}
