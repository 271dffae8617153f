package account_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	pqtotp "github.com/pquerna/otp/totp"

	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

var (
	secretRE   = regexp.MustCompile(`<code id="totp-secret">([A-Z2-7]+)</code>`)
	qrRE       = regexp.MustCompile(`<img id="totp-qr" src="data:image/png;base64,[A-Za-z0-9+/=&#;]{100,}"`)
	recoveryRE = regexp.MustCompile(`<li><code>([0-9a-z]{4}(?:-[0-9a-z]{4}){3})</code></li>`)
)

// code is what an authenticator app shows for secret now (pquerna/otp,
// independent of Sesame's verifier), offset by steps time steps.
func code(t *testing.T, secret string, steps int) string {
	t.Helper()
	c, err := pqtotp.GenerateCodeCustom(secret, time.Now().Add(time.Duration(steps)*30*time.Second),
		pqtotp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wrongCode is a code no time step around now shows.
func wrongCode(t *testing.T, secret string) string {
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if c != code(t, secret, -1) && c != code(t, secret, 0) && c != code(t, secret, 1) {
			return c
		}
	}
	t.Fatal("no wrong code")
	return ""
}

func recoveryCodes(body string) []string {
	var out []string
	for _, m := range recoveryRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestTOTPEnrolment (issue 9 §3.2): the page shows a QR code (a data: URL
// the page's CSP allows) and the secret as text; a wrong first code is
// refused and shows the same secret again; a code computed by pquerna/otp
// from the shown secret confirms it; the ten recovery codes are shown on
// that answer only — neither the account page nor a repeated post shows
// them again; regenerating and removing need the current password.
func TestTOTPEnrolment(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		b := f.browser(t, "en")
		p := b.login("carol", carolPW)
		if !strings.Contains(p.body, "No authenticator app is set up.") {
			t.Fatalf("account page before enrolment:\n%s", p.body)
		}
		p = b.post("/account/totp/enrol", nil)
		m := secretRE.FindStringSubmatch(p.body)
		if p.status != http.StatusOK || m == nil || !qrRE.MatchString(p.body) {
			t.Fatalf("enrolment page: %d\n%s", p.status, p.body)
		}
		if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src data:") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("CSP %q does not allow the QR code (or allows more)", csp)
		}
		secret := m[1]
		// A wrong code: refused, the same secret shown again.
		p = b.post("/account/totp/confirm", url.Values{"code": {wrongCode(t, secret)}})
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, "The code is wrong.") || !strings.Contains(p.body, secret) {
			t.Fatalf("wrong code: %d\n%s", p.status, p.body)
		}
		if ok, _ := f.env.SecondFactor.TOTP.Enrolled(f.ctx, f.carol); ok {
			t.Fatal("a wrong code confirmed the enrolment")
		}
		confirm := url.Values{"code": {code(t, secret, 0)}}
		p = b.post("/account/totp/confirm", confirm)
		codes := recoveryCodes(p.body)
		if p.status != http.StatusOK || len(codes) != 10 {
			t.Fatalf("confirm: %d, %d recovery codes\n%s", p.status, len(codes), p.body)
		}
		// Shown once: not on the account page, not on a repeated post.
		p = b.get("/account")
		if !strings.Contains(p.body, "An authenticator app is set up") || !strings.Contains(p.body, "You have 10 recovery codes left.") {
			t.Errorf("account page after enrolment:\n%s", p.body)
		}
		again := b.post("/account/totp/confirm", confirm)
		for _, c := range codes {
			if strings.Contains(p.body, c) || strings.Contains(again.body, c) {
				t.Fatalf("recovery code %s shown again", c)
			}
		}
		if again.status != http.StatusConflict {
			t.Errorf("confirm again: %d", again.status)
		}
		if _, err := f.env.SecondFactor.TOTP.Enrol(f.ctx, f.user(t, f.carol), "carol"); err == nil {
			t.Error("a second enrolment over a confirmed one")
		}
		if p := b.post("/account/totp/enrol", nil); p.status != http.StatusConflict || secretRE.MatchString(p.body) {
			t.Errorf("enrol while enrolled: %d", p.status)
		}
		// A recovery code works once (the login step's business; here: the
		// stored hashes match what was shown).
		if err := f.env.SecondFactor.TOTP.UseRecoveryCode(f.ctx, f.carol, codes[0]); err != nil {
			t.Fatalf("a shown recovery code: %v", err)
		}
		if p := b.get("/account"); !strings.Contains(p.body, "You have 9 recovery codes left.") {
			t.Errorf("count after one use:\n%s", p.body)
		}

		// New recovery codes: the current password is needed.
		for _, pw := range []string{"", "not-her-password"} {
			p = b.post("/account/totp/recovery", url.Values{"password": {pw}})
			if p.status/100 != 4 || len(recoveryCodes(p.body)) != 0 {
				t.Fatalf("regenerate with password %q: %d", pw, p.status)
			}
		}
		p = b.post("/account/totp/recovery", url.Values{"password": {carolPW}})
		fresh := recoveryCodes(p.body)
		if len(fresh) != 10 || fresh[0] == codes[0] {
			t.Fatalf("regenerate: %d\n%s", p.status, p.body)
		}
		if err := f.env.SecondFactor.TOTP.UseRecoveryCode(f.ctx, f.carol, codes[1]); err == nil {
			t.Error("an old recovery code works after regenerating")
		}

		// Removal: the current password, not just the session.
		p = b.post("/account/totp/remove", url.Values{"password": {"not-her-password"}})
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "The current password is wrong.") {
			t.Fatalf("remove with a wrong password: %d", p.status)
		}
		if ok, _ := f.env.SecondFactor.TOTP.Enrolled(f.ctx, f.carol); !ok {
			t.Fatal("removed with a wrong password")
		}
		p = b.post("/account/totp/remove", url.Values{"password": {carolPW}})
		if p.url.RawQuery != "done=totp_removed" || !strings.Contains(p.body, "The authenticator app was removed.") {
			t.Fatalf("remove: %d %s", p.status, p.url)
		}
		if ok, _ := f.env.SecondFactor.TOTP.Enrolled(f.ctx, f.carol); ok {
			t.Error("still enrolled after removal")
		}
		if n, _ := f.env.SecondFactor.TOTP.RecoveryCodesLeft(f.ctx, f.carol); n != 0 {
			t.Errorf("%d recovery codes left after removal", n)
		}
	})
}

// TestTOTPNotAllowed: where the admin does not allow authenticator apps
// the section is not shown and enrolment is refused.
func TestTOTPNotAllowed(t *testing.T) {
	tf := config.DefaultTwoFactor()
	onBackends(t, sesametest.Options{TwoFactor: &tf}, func(t *testing.T, f *fixture) {
		b := f.browser(t, "en")
		p := b.login("carol", carolPW)
		if strings.Contains(p.body, "totp-heading") {
			t.Error("the authenticator section is shown although not allowed")
		}
		p = b.post("/account/totp/enrol", nil)
		if p.status != http.StatusForbidden || !strings.Contains(html.UnescapeString(p.body), "not enabled for your account") {
			t.Errorf("enrol: %d\n%s", p.status, p.body)
		}
		// The admin allows it for carol alone (her own setting).
		f.env.Admin().Must(http.StatusOK, "PUT", "/api/v1/users/"+f.carol+"/two-factor", map[string]string{"otp": "default", "totp": "allowed"})
		if p := b.post("/account/totp/enrol", nil); p.status != http.StatusOK || !secretRE.MatchString(p.body) {
			t.Errorf("enrol when allowed for the user: %d", p.status)
		}
	})
}
