package e2e_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/testutil/mailtest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestBrowserOTPLogin (issue 9 "proven with real components"): in a real
// browser an OpenID Connect app sends the user to Sesame; after the
// password the page asks for the code it emailed (and says where to); the
// code read from the mail the SMTP server received signs the user in to
// the app.
func TestBrowserOTPLogin(t *testing.T) {
	exe := chromium(t)
	mail := mailtest.New(t)
	mail.Start("none")
	tf := config.DefaultTwoFactor()
	tf.Default = "email"
	env := sesametest.NewWith(t, "sqlite", sesametest.Options{Mail: mail, TwoFactor: &tf})
	ad := env.Admin()
	acct := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": env.RootID})
	ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "carol", "domain": "ENTERPRISE", "contexts": []string{acct},
		"status": "active", "password": "ruby-lantern-orbit-123", "person": map[string]string{"email": "carol@acme.example"}})
	oapp := newOIDCApp(t, "127.0.0.2:0")
	reg := ad.Must(http.StatusCreated, "POST", "/api/v1/clients", map[string]any{"name": "App", "module": "portal", "protocol": "oidc",
		"redirectUris": []string{oapp.srv.URL + "/cb"}, "grantTypes": []string{"authorization_code"}}).Map(t)

	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	t.Cleanup(cancel)
	oapp.register(ctx, t, env.Server.URL, reg["id"].(string), reg["secret"].(string))
	b := startChrome(t, ctx, exe)
	do, read := b.do, b.read

	do("open the app", chromedp.Navigate(oapp.srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("username")))
	do("type login name", chromedp.SendKeys(chromedp.ID("username"), "carol"))
	do("type password", chromedp.SendKeys(chromedp.ID("password"), "ruby-lantern-orbit-123"))
	do("submit", chromedp.Click(chromedp.ID("submit")))
	do("wait for the code page", chromedp.WaitVisible(chromedp.ID("code")))
	if to := read("destination", chromedp.Text(chromedp.ID("otp-destinations"))); !strings.Contains(to, "c…@acme.example") {
		t.Fatalf("the code page says it went to %q", to)
	}
	deadline := time.Now().Add(15 * time.Second)
	for len(mail.Received()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no mail with the code")
		}
		time.Sleep(20 * time.Millisecond)
	}
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(mailtest.Parse(t, mail.Received()[0].Raw).Text)
	if code == "" {
		t.Fatal("no code in the mail")
	}
	do("type the code", chromedp.SendKeys(chromedp.ID("code"), code))
	do("submit the code", chromedp.Click(chromedp.ID("submit")))
	do("wait for the app", chromedp.WaitVisible(chromedp.ID("hello")))
	if hello, loc := read("app", chromedp.Text(chromedp.ID("hello"))), read("location", chromedp.Location()); hello != "hello carol" || !strings.HasPrefix(loc, oapp.srv.URL) {
		t.Fatalf("after the code: %q at %s", hello, loc)
	}
}
