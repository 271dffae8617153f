package login_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// TestOTPByEmailOIDC (R-2FA-1..2, R-MSG-2, issue 9 §1): an app sends the
// browser to Sesame; after the password the page asks for a code and says
// where it went (masked); the code comes from the mail the SMTP server
// really received; the login completes and the ID token (verified by
// go-oidc) says amr ["pwd","otp","mfa"]. Before the code there is no
// session.
func TestOTPByEmailOIDC(t *testing.T) {
	onBackends(t, setupOpts{}, func(t *testing.T, f *fixture) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		app := f.newRP(ctx)
		verifier := oauth2.GenerateVerifier()
		c := f.browser()
		start := get(t, c, app.conf.AuthCodeURL("st4te", oauth2.S256ChallengeOption(verifier)))
		if !start.has("username") {
			t.Fatalf("no login page: %d %s", start.status, start.body)
		}
		otpPage := f.signIn(c, f.env.Server.URL, "carol", start.url.Query().Get("return"))
		if otpPage.status != http.StatusOK || !otpPage.has("code") || !strings.Contains(otpPage.body, "c…@acme.example") ||
			otpPage.fields().Get("step") != "otp" || otpPage.has("otp-sms-blocked") {
			t.Fatalf("after the password: %d %s", otpPage.status, otpPage.body)
		}
		if len(f.sessions(f.carol)) != 0 {
			t.Fatal("a session exists before the second factor")
		}
		m, raw, code := f.mailCode(1)
		if !slices.Equal(raw.Rcpt, []string{"carol@acme.example"}) || m.Subject != "Your sign-in code" ||
			!strings.Contains(m.Text, "Hello Carol Jones") || !strings.Contains(m.Text, "valid for 5 minutes") {
			t.Errorf("mail to %v: %q %q", raw.Rcpt, m.Subject, m.Text)
		}
		// A reload shows the page again and sends nothing more.
		if again := get(t, c, otpPage.url.String()); !again.has("code") || again.fields().Get("step") != "otp" {
			t.Fatalf("reload: %d %s", again.status, again.body)
		}
		done := f.submitCode(c, f.env.Server.URL, otpPage, code)
		if done.loc == nil || !strings.HasPrefix(done.loc.String(), app.srv.URL+"/cb") {
			t.Fatalf("after the code: %d %v %s", done.status, done.loc, done.body)
		}
		tok, err := app.conf.Exchange(ctx, done.loc.Query().Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		idt, err := app.verifier.Verify(ctx, tok.Extra("id_token").(string))
		if err != nil {
			t.Fatal(err)
		}
		var claims struct {
			AMR []string `json:"amr"`
		}
		if err := idt.Claims(&claims); err != nil || !slices.Equal(claims.AMR, []string{"pwd", "otp", "mfa"}) {
			t.Fatalf("amr %v (%v)", claims.AMR, err)
		}
		if n := len(f.mail.Received()); n != 1 {
			t.Errorf("%d mails for one login", n)
		}
	})
}

// TestOTPBySMS (R-2FA-1, R-2FA-4, §4.3): a user whose own setting is SMS
// gets the code through the HTTP gateway — his number, the text and the
// language (German, his preference) checked — and the page in German.
func TestOTPBySMS(t *testing.T) {
	onBackends(t, setupOpts{}, func(t *testing.T, f *fixture) {
		dieter := f.user("dieter", model.Person{FirstName: "Dieter", Phone: "+41 79 123 45 67", Email: "dieter@acme.example", Language: "de"}, "sms")
		c := f.browser()
		p := f.signIn(c, f.env.Server.URL, "dieter", "")
		if p.status != http.StatusOK || !strings.Contains(p.body, "per SMS an") || !strings.Contains(p.body, "&#43;41…67") || !strings.Contains(p.body, `lang="de"`) {
			t.Fatalf("OTP page: %d %s", p.status, p.body)
		}
		r, code := f.smsCode(1)
		if r.To != "+41791234567" || r.Language != "de" || !strings.Contains(r.Text, "Ihr Anmeldecode: "+code) ||
			!strings.Contains(r.Text, "5 Minuten") || r.Auth != "Bearer test-sms-token" {
			t.Errorf("SMS %+v", r)
		}
		if n := len(f.mail.Received()); n != 0 {
			t.Errorf("%d mails in SMS mode", n)
		}
		f.submitCode(c, f.env.Server.URL, p, code)
		ss := f.sessions(dieter)
		if len(ss) != 1 || !slices.Equal(ss[0].AMR, []string{"pwd", "otp", "mfa"}) {
			t.Fatalf("sessions %+v", ss)
		}
	})
}

// TestOTPSMSBlocked (R-2FA-3): a number that does not match the MSISDN
// pattern gets no SMS and the page says the SMS was blocked. With SMS
// only, the login is refused (a missing phone is no way around the second
// factor) and audited; with SMS and email the code goes by email and the
// page still says the SMS was blocked. A user without any address is
// refused too.
func TestOTPSMSBlocked(t *testing.T) {
	onBackends(t, setupOpts{}, func(t *testing.T, f *fixture) {
		pat := f.user("pat", model.Person{Phone: "0791234567", Email: "pat@acme.example"}, "sms")
		c := f.browser()
		p := f.signIn(c, f.env.Server.URL, "pat", "")
		if p.status != http.StatusForbidden || !p.has("otp-nocode") || !strings.Contains(p.body, "the SMS was blocked") || p.has("code") {
			t.Fatalf("SMS only, number refused: %d %s", p.status, p.body)
		}
		// The login is over: a code posted now finds none.
		if after := f.submitCode(c, f.env.Server.URL, page{body: `<input type="hidden" name="step" value="otp">`}, "123456"); !strings.Contains(after.body, "expired") {
			t.Errorf("after the refusal: %d %s", after.status, after.body)
		}
		if len(f.sessions(pat)) != 0 {
			t.Error("a session without a second factor")
		}
		audit := f.env.Admin().Must(http.StatusOK, "GET", "/api/v1/audit?targetId="+pat, nil)
		if !strings.Contains(string(audit.Body), "sms blocked") {
			t.Errorf("no audit entry: %s", audit.Body)
		}
		f.env.Admin().Must(http.StatusOK, "PUT", "/api/v1/users/"+pat+"/two-factor", map[string]string{"otp": "sms+email", "totp": "default"})
		c = f.browser()
		p = f.signIn(c, f.env.Server.URL, "pat", "")
		if p.status != http.StatusOK || !p.has("otp-sms-blocked") || !strings.Contains(p.body, "p…@acme.example") || strings.Contains(p.body, "by SMS") {
			t.Fatalf("SMS and email, number refused: %d %s", p.status, p.body)
		}
		_, _, code := f.mailCode(1)
		f.submitCode(c, f.env.Server.URL, p, code)
		if len(f.sessions(pat)) != 1 {
			t.Error("no session with the emailed code")
		}
		// Nothing ever went to the gateway or into the outbox for the number.
		if got := f.sms.received(); len(got) != 0 {
			t.Errorf("SMS sent: %+v", got)
		}
		for _, st := range []string{storage.MessageQueued, storage.MessageSent, storage.MessageFailed} {
			ms, err := f.env.Store.ListMessages(context.Background(), st, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				if m.Channel == storage.ChannelSMS {
					t.Errorf("an SMS in the outbox: %+v", m)
				}
			}
		}
		f.user("nobody", model.Person{}, "email")
		p = f.signIn(f.browser(), f.env.Server.URL, "nobody", "")
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "no email address or phone number") {
			t.Fatalf("no address: %d %s", p.status, p.body)
		}
	})
}

// TestOTPAttacks (issue 9 "bad input and attacks"): a wrong code, an
// expired code, a code of an earlier login, a code from another user's
// login, brute force (the attempt limit kills the challenge), the resend
// cool-down, the OTP form posted before the password, a replay of the
// OTP POST after completion, a double submit of the right code.
func TestOTPAttacks(t *testing.T) {
	onBackends(t, setupOpts{}, func(t *testing.T, f *fixture) {
		base := f.env.Server.URL
		mails := 0
		next := func() string { mails++; _, _, c := f.mailCode(mails); return c }
		wrong := func(code string) string { // a code that is not code
			if code == "000000" {
				return "000001"
			}
			return "000000"
		}

		t.Run("wrong then right", func(t *testing.T) {
			c := f.browser()
			p := f.signIn(c, base, "carol", "")
			code := next()
			r := f.submitCode(c, base, p, wrong(code))
			if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "This code is wrong.") || !strings.Contains(r.body, "4 attempts left") {
				t.Fatalf("wrong code: %d %s", r.status, r.body)
			}
			f.submitCode(c, base, r, code)
			if !f.signedIn(c, base) {
				t.Fatal("the right code after a wrong one did not sign in")
			}
			// The same code in a new login: that login has a code of its own.
			c2 := f.browser()
			p2 := f.signIn(c2, base, "carol", "")
			fresh := next()
			if fresh == code {
				t.Skip("the same random code twice")
			}
			if r := f.submitCode(c2, base, p2, code); r.status != http.StatusUnauthorized || f.signedIn(c2, base) {
				t.Fatalf("a code of an earlier login: %d %s", r.status, r.body)
			}
		})

		t.Run("another user's code", func(t *testing.T) {
			f.user("dave", model.Person{Email: "dave@acme.example"}, "")
			cc, cd := f.browser(), f.browser()
			pc := f.signIn(cc, base, "carol", "")
			carolCode := next()
			f.signIn(cd, base, "dave", "")
			daveCode := next()
			if daveCode == carolCode {
				t.Skip("the same random code twice")
			}
			if r := f.submitCode(cc, base, pc, daveCode); r.status != http.StatusUnauthorized || f.signedIn(cc, base) {
				t.Fatalf("dave's code in carol's login: %d %s", r.status, r.body)
			}
		})

		t.Run("expired", func(t *testing.T) {
			c := f.browser()
			p := f.signIn(c, base, "carol", "")
			code := next()
			f.clock.Add(5*time.Minute + time.Second)
			r := f.submitCode(c, base, p, code)
			if r.status != http.StatusBadRequest || !strings.Contains(r.body, "This code has expired") || !r.has("resend") || f.signedIn(c, base) {
				t.Fatalf("expired code: %d %s", r.status, r.body)
			}
			// A new code: the cool-down is long over.
			r = f.resend(c, base, r)
			if r.status != http.StatusOK || !r.has("otp-notice") {
				t.Fatalf("resend: %d %s", r.status, r.body)
			}
			fresh := next()
			if fresh != code {
				if r := f.submitCode(c, base, r, code); r.status != http.StatusBadRequest && r.status != http.StatusUnauthorized {
					t.Fatalf("the old code after a resend: %d", r.status)
				}
			}
			f.submitCode(c, base, r, fresh)
			if !f.signedIn(c, base) {
				t.Fatal("the new code did not sign in")
			}
		})

		t.Run("cool-down", func(t *testing.T) {
			c := f.browser()
			p := f.signIn(c, base, "carol", "")
			if !p.has("otp-resend-wait") || !strings.Contains(p.body, "new code in 30 seconds") {
				t.Errorf("the page does not say when a new code can be asked for: %s", p.body)
			}
			code := next()
			r := f.resend(c, base, p)
			if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Please wait 30 seconds") {
				t.Fatalf("resend within the cool-down: %d %s", r.status, r.body)
			}
			f.clock.Add(31 * time.Second)
			r = f.resend(c, base, r)
			if r.status != http.StatusOK || r.has("otp-resend-wait") && !strings.Contains(r.body, "30 seconds") {
				t.Fatalf("resend after the cool-down: %d %s", r.status, r.body)
			}
			fresh := next()
			if n := len(f.mail.Received()); n != mails {
				t.Fatalf("%d mails, want %d (one resend refused)", n, mails)
			}
			if fresh != code {
				if r := f.submitCode(c, base, r, code); r.status != http.StatusUnauthorized {
					t.Errorf("the replaced code: %d", r.status)
				}
			}
			f.submitCode(c, base, r, fresh)
			if !f.signedIn(c, base) {
				t.Fatal("the resent code did not sign in")
			}
		})

		t.Run("brute force", func(t *testing.T) {
			c := f.browser()
			p := f.signIn(c, base, "carol", "")
			code := next()
			var r page
			for i := range 5 {
				r = f.submitCode(c, base, p, wrong(code))
				if i < 4 && r.status != http.StatusUnauthorized {
					t.Fatalf("guess %d: %d %s", i+1, r.status, r.body)
				}
			}
			if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Too many wrong codes") {
				t.Fatalf("the fifth wrong guess: %d %s", r.status, r.body)
			}
			// The challenge is dead: the right code no longer works.
			if r := f.submitCode(c, base, p, code); r.status != http.StatusTooManyRequests || f.signedIn(c, base) {
				t.Fatalf("the right code after the limit: %d %s", r.status, r.body)
			}
			// A new code (a new challenge) — bounded per login.
			r = f.resend(c, base, r)
			fresh := next()
			f.submitCode(c, base, r, fresh)
			if !f.signedIn(c, base) {
				t.Fatal("a new code after the limit did not sign in")
			}
		})

		t.Run("out of order", func(t *testing.T) {
			c := f.browser()
			lp := get(t, c, base+"/login")
			v := lp.fields()
			v.Set("step", "otp")
			v.Set("code", "123456")
			r := post(t, c, base+"/login", v)
			if !r.has("username") || r.has("code") || f.signedIn(c, base) {
				t.Fatalf("the OTP form before the password: %d %s", r.status, r.body)
			}
			time.Sleep(100 * time.Millisecond) // the worker would have sent by now
			if n := len(f.mail.Received()); n != mails {
				t.Errorf("a code was sent for an out-of-order post: %d mails", n)
			}
		})

		t.Run("replay after completion", func(t *testing.T) {
			c := f.browser()
			p := f.signIn(c, base, "carol", "")
			code := next()
			v := p.fields()
			v.Set("code", code)
			post(t, c, base+"/login", v)
			if !f.signedIn(c, base) {
				t.Fatal("not signed in")
			}
			before := len(f.sessions(f.carol))
			r := post(t, c, base+"/login", v)
			if r.status != http.StatusBadRequest || !strings.Contains(r.body, "expired or was already completed") {
				t.Fatalf("replayed OTP post: %d %s", r.status, r.body)
			}
			// And from a browser without the login cookie at all.
			if r := post(t, f.browser(), base+"/login", v); r.status != http.StatusBadRequest {
				t.Fatalf("replay without the cookie: %d", r.status)
			}
			if n := len(f.sessions(f.carol)); n != before {
				t.Errorf("the replay made a session: %d → %d", before, n)
			}
		})

		t.Run("double submit", func(t *testing.T) {
			f.user("erin", model.Person{Email: "erin@acme.example"}, "")
			c := f.browser()
			p := f.signIn(c, base, "erin", "")
			code := next()
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					v := p.fields()
					v.Set("code", code)
					resp, err := c.PostForm(base+"/login", v)
					if err == nil {
						resp.Body.Close()
						if resp.StatusCode >= 500 {
							t.Errorf("double submit: %d", resp.StatusCode)
						}
					}
				}()
			}
			wg.Wait()
			if n := len(f.sessions(f.ids["erin"])); n != 1 {
				t.Fatalf("%d sessions from one code", n)
			}
		})
	})
}

// TestOTPTwoNodes (issue 9 §1): the password on node 1, the code on node
// 2; one mail although both nodes run an outbox worker.
func TestOTPTwoNodes(t *testing.T) {
	onBackends(t, setupOpts{}, func(t *testing.T, f *fixture) {
		n2 := f.env.Node(t, f.opts)
		c := f.browser()
		p := f.signIn(c, f.env.Server.URL, "carol", "")
		_, _, code := f.mailCode(1)
		r := f.submitCode(c, n2.Server.URL, p, code)
		if r.status != http.StatusOK || !f.signedIn(c, n2.Server.URL) {
			t.Fatalf("code on node 2: %d %s", r.status, r.body)
		}
		time.Sleep(200 * time.Millisecond)
		if n := len(f.mail.Received()); n != 1 {
			t.Errorf("%d mails with two workers", n)
		}
	})
}

// TestOTPSMTPDown (R-MSG-2): with the SMTP server down the login still
// answers clearly (the code page, no 500); the mail goes out once the
// server is back, and the code in it signs in.
func TestOTPSMTPDown(t *testing.T) {
	onBackends(t, setupOpts{}, func(t *testing.T, f *fixture) {
		f.mail.Stop()
		c := f.browser()
		p := f.signIn(c, f.env.Server.URL, "carol", "")
		if p.status != http.StatusOK || !p.has("code") || !p.has("otp-sent") {
			t.Fatalf("with SMTP down: %d %s", p.status, p.body)
		}
		time.Sleep(300 * time.Millisecond) // at least one failed attempt
		if n := len(f.mail.Received()); n != 0 {
			t.Fatalf("%d mails while down", n)
		}
		f.mail.Start("none")
		_, _, code := f.mailCode(1)
		f.submitCode(c, f.env.Server.URL, p, code)
		if !f.signedIn(c, f.env.Server.URL) {
			t.Fatal("the code sent after the outage did not sign in")
		}
	})
}

// TestOTPNotDue (R-2FA-1, R-2FA-5): codes off for a user by his own
// setting; first-login-only mode asks at the first login only (the stored
// first-login time); delegated users are never asked (Settings.Due; their
// IdP does MFA — unit-tested in internal/otp).
func TestOTPNotDue(t *testing.T) {
	onBackends(t, setupOpts{twoFactor: func(tf *config.TwoFactor) { tf.FirstLoginOnly = true }}, func(t *testing.T, f *fixture) {
		off := f.user("olga", model.Person{Email: "olga@acme.example"}, "disabled")
		f.signIn(f.browser(), f.env.Server.URL, "olga", "")
		if len(f.sessions(off)) != 1 {
			t.Fatal("codes disabled for the user, yet no session after the password")
		}
		c := f.browser()
		p := f.signIn(c, f.env.Server.URL, "carol", "")
		if !p.has("code") {
			t.Fatalf("first login without a code page: %s", p.body)
		}
		_, _, code := f.mailCode(1)
		f.submitCode(c, f.env.Server.URL, p, code)
		c = f.browser()
		if p := f.signIn(c, f.env.Server.URL, "carol", ""); p.has("code") || !f.signedIn(c, f.env.Server.URL) {
			t.Fatalf("second login asked for a code in first-login-only mode: %s", p.body)
		}
		ss := f.sessions(f.carol)
		amrs := [][]string{ss[0].AMR, ss[1].AMR}
		if !slices.ContainsFunc(amrs, func(a []string) bool { return slices.Equal(a, []string{"pwd"}) }) {
			t.Errorf("amr of the sessions: %v", amrs)
		}
	})
}

// TestOTPResendBounded (R-2FA-1): resends of one code are bounded by
// twofactor.maxSends; past it the login ends with a page that says so,
// and the page's forms find no login any more.
func TestOTPResendBounded(t *testing.T) {
	onBackends(t, setupOpts{twoFactor: func(tf *config.TwoFactor) { tf.MaxSends = 2 }}, func(t *testing.T, f *fixture) {
		base := f.env.Server.URL
		c := f.browser()
		p := f.signIn(c, base, "carol", "")
		f.clock.Add(31 * time.Second)
		if r := f.resend(c, base, p); r.status != http.StatusOK || !r.has("otp-notice") {
			t.Fatalf("second send: %d %s", r.status, r.body)
		}
		f.clock.Add(31 * time.Second)
		r := f.resend(c, base, p)
		if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "No more codes can be sent for this sign-in") {
			t.Fatalf("third send: %d %s", r.status, r.body)
		}
		_, _, code := f.mailCode(2)
		if r := f.submitCode(c, base, p, code); r.status != http.StatusBadRequest || !strings.Contains(r.body, "expired or was already completed") {
			t.Fatalf("the code after the login ended: %d %s", r.status, r.body)
		}
		if n := len(f.mail.Received()); n != 2 {
			t.Errorf("%d mails, want 2", n)
		}
	})
}
