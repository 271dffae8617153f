package e2e_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sesame-sso/sesame/internal/testutil/mailtest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

var resetLink = regexp.MustCompile(`https?://[^\s"<>]+/password/reset\?token=[A-Za-z0-9_%-]+`)

// TestBrowserForgotPassword (R-PWD-2, issue 9 "Proven with real
// components"): in a real browser, the user follows "Forgot your
// password?" from the login page, asks for a link, opens the link from
// the mail the SMTP server received, sets a new password (a weak one is
// refused first, with the reason), is led back to sign in and signs in
// with the new password.
func TestBrowserForgotPassword(t *testing.T) {
	exe := chromium(t)
	ms := mailtest.New(t)
	ms.Start("none")
	env := sesametest.NewWith(t, "sqlite", sesametest.Options{Mail: ms})
	ad := env.Admin()
	acct := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": env.RootID})
	ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "nora", "domain": "ENTERPRISE", "contexts": []string{acct},
		"status": "active", "password": "ruby-lantern-orbit-123", "person": map[string]any{"firstName": "Nora", "email": "nora@example.com"}})

	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	t.Cleanup(cancel)
	b := startChrome(t, ctx, exe)
	do, read := b.do, b.read

	do("open the login page", chromedp.Navigate(env.Server.URL+"/login"), chromedp.WaitVisible(chromedp.ID("username")))
	do("forgot link", chromedp.Click(chromedp.CSS(`a[href="/password/forgot"]`)), chromedp.WaitVisible(chromedp.ID("login")))
	do("type login", chromedp.SendKeys(chromedp.ID("login"), "nora@example.com"))
	do("send", chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("message")))
	if h1 := read("sent page", chromedp.Text(chromedp.CSS("h1"))); !strings.Contains(h1, "Check your email") {
		t.Fatalf("after asking for a link: %q", h1)
	}
	var link string
	for deadline := time.Now().Add(15 * time.Second); link == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, m := range ms.Received() {
			if p := mailtest.Parse(t, m.Raw); p.Subject == "Reset your password" {
				link = resetLink.FindString(p.Text)
			}
		}
	}
	if link == "" {
		t.Fatal("no reset link in the inbox")
	}
	do("open the link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("new")))
	do("weak password", chromedp.SendKeys(chromedp.ID("new"), "short"), chromedp.SendKeys(chromedp.ID("confirm"), "short"),
		chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("pwreset-error")))
	if e := read("refusal", chromedp.Text(chromedp.ID("pwreset-error"))); !strings.Contains(e, "must be at least 12 characters long") {
		t.Fatalf("weak password refusal: %q", e)
	}
	const newPW = "maple-harbor-quartz-8812"
	do("new password", chromedp.SendKeys(chromedp.ID("new"), newPW), chromedp.SendKeys(chromedp.ID("confirm"), newPW),
		chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("message")))
	if h1 := read("done page", chromedp.Text(chromedp.CSS("h1"))); !strings.Contains(h1, "Password changed") {
		t.Fatalf("after the reset: %q", h1)
	}
	do("to sign in", chromedp.Click(chromedp.CSS(`a[href="/login"]`)), chromedp.WaitVisible(chromedp.ID("username")))
	do("type login name", chromedp.SendKeys(chromedp.ID("username"), "nora"))
	do("type password", chromedp.SendKeys(chromedp.ID("password"), newPW))
	do("sign in", chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("message")))
	if msg := read("signed in", chromedp.Text(chromedp.ID("message"))); !strings.Contains(msg, "signed in as nora") {
		t.Fatalf("after signing in with the new password: %q", msg)
	}
}
