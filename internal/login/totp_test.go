package login_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	pqtotp "github.com/pquerna/otp/totp"

	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// enrolTOTP enrols userID's authenticator through totp.Authenticator (as
// the account page will) and returns the secret and recovery codes.
func (f *fixture) enrolTOTP(userID, account string) (string, []string) {
	f.t.Helper()
	ctx := context.Background()
	u, err := f.env.Store.GetUser(ctx, userID)
	if err != nil {
		f.t.Fatal(err)
	}
	a := f.env.SecondFactor.TOTP
	e, err := a.Enrol(ctx, u, account)
	if err != nil {
		f.t.Fatal(err)
	}
	rc, err := a.Confirm(ctx, userID, f.totpCode(e.Secret, 0))
	if err != nil {
		f.t.Fatal(err)
	}
	return e.Secret, rc
}

// totpCode is what an authenticator app shows for secret, steps time
// steps from the test clock's now (computed by pquerna/otp, not Sesame).
func (f *fixture) totpCode(secret string, steps int) string {
	f.t.Helper()
	c, err := pqtotp.GenerateCodeCustom(secret, f.clock.Now().Add(time.Duration(steps)*30*time.Second),
		pqtotp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func allowTOTP(tf *config.TwoFactor) { tf.TOTPAllowed = true }

// TestTOTPLogin (issue 9 §3.2, RFC 6238 §5.2): a user with an
// authenticator app is asked for its code instead of an emailed one; the
// code signs in (amr otp, mfa); the same code in another login is a
// replay and refused; a recovery code works once.
func TestTOTPLogin(t *testing.T) {
	onBackends(t, setupOpts{twoFactor: allowTOTP}, func(t *testing.T, f *fixture) {
		base := f.env.Server.URL
		secret, rc := f.enrolTOTP(f.carol, "carol")
		f.clock.Add(30 * time.Second) // the enrolment used the current step
		c := f.browser()
		p := f.signIn(c, base, "carol", "")
		if p.status != http.StatusOK || p.fields().Get("step") != "totp" || !strings.Contains(p.body, "authenticator app") {
			t.Fatalf("after the password: %d %s", p.status, p.body)
		}
		code := f.totpCode(secret, 0)
		f.submitCode(c, base, p, code)
		if !f.signedIn(c, base) {
			t.Fatal("the authenticator code did not sign in")
		}
		if ss := f.sessions(f.carol); len(ss) != 1 || !slices.Equal(ss[0].AMR, []string{"pwd", "otp", "mfa"}) {
			t.Fatalf("sessions %+v", ss)
		}
		if n := len(f.mail.Received()); n != 0 {
			t.Errorf("%d mails: a user with an authenticator app got an emailed code too", n)
		}
		// The same code again (another login within its time step).
		c2 := f.browser()
		p2 := f.signIn(c2, base, "carol", "")
		r := f.submitCode(c2, base, p2, code)
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "already been used") || f.signedIn(c2, base) {
			t.Fatalf("a replayed code: %d %s", r.status, r.body)
		}
		// A wrong code.
		bad := "000000"
		for _, s := range []int{-1, 0, 1} {
			if f.totpCode(secret, s) == bad {
				bad = "999999"
			}
		}
		if r := f.submitCode(c2, base, r, bad); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "This code is wrong") {
			t.Fatalf("a wrong code: %d %s", r.status, r.body)
		}
		// A recovery code, typed in upper case: once.
		f.submitCode(c2, base, r, strings.ToUpper(rc[0]))
		if !f.signedIn(c2, base) {
			t.Fatal("the recovery code did not sign in")
		}
		c3 := f.browser()
		p3 := f.signIn(c3, base, "carol", "")
		if r := f.submitCode(c3, base, p3, rc[0]); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "recovery code is wrong or has already been used") {
			t.Fatalf("a used recovery code: %d %s", r.status, r.body)
		}
		if n, _ := f.env.SecondFactor.TOTP.RecoveryCodesLeft(context.Background(), f.carol); n != 9 {
			t.Errorf("%d recovery codes left", n)
		}
		// The next time step's code works.
		f.clock.Add(30 * time.Second)
		f.submitCode(c3, base, p3, f.totpCode(secret, 0))
		if !f.signedIn(c3, base) {
			t.Fatal("the next code did not sign in")
		}
	})
}

// TestSecondFactorBruteForce (R-PWD-3): wrong authenticator, recovery and
// one-time codes are charged to the user's second-factor budget of the
// brute-force limiter; over it even the right code is refused, in this
// login and the next (the password, which passes, does not reset it),
// on every node; the limiter's lock is audited. A success resets it.
func TestSecondFactorBruteForce(t *testing.T) {
	tc := throttle.DefaultConfig()
	tc.Account = throttle.Policy{Free: 2, LockAfter: 4}
	tc.Source = throttle.Policy{Free: 1000, LockAfter: 10000}
	tc.BaseDelay, tc.MaxDelay, tc.LockDuration = time.Hour, time.Hour, time.Hour
	onBackends(t, setupOpts{twoFactor: allowTOTP, throttle: &tc}, func(t *testing.T, f *fixture) {
		base := f.env.Server.URL
		secret, _ := f.enrolTOTP(f.carol, "carol")
		f.clock.Add(30 * time.Second)
		bad := "000000"
		for _, s := range []int{-1, 0, 1} {
			if f.totpCode(secret, s) == bad {
				bad = "999999"
			}
		}
		c := f.browser()
		p := f.signIn(c, base, "carol", "")
		// Two free wrong guesses (one TOTP, one recovery), the third sets
		// the delay.
		for i, guess := range []string{bad, "aaaa-bbbb-cccc-dddd", bad} {
			if r := f.submitCode(c, base, p, guess); r.status != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d %s", i+1, r.status, r.body)
			}
		}
		r := f.submitCode(c, base, p, f.totpCode(secret, 0))
		if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Too many wrong codes. Try again in") || f.signedIn(c, base) {
			t.Fatalf("the right code over the budget: %d %s", r.status, r.body)
		}
		// A new login: the password passes, the second factor is still
		// refused — on another node too.
		n2 := f.env.Node(t, f.opts)
		c2 := f.browser()
		p2 := f.signIn(c2, n2.Server.URL, "carol", "")
		if p2.fields().Get("step") != "totp" {
			t.Fatalf("password in a new login: %d %s", p2.status, p2.body)
		}
		if r := f.submitCode(c2, n2.Server.URL, p2, f.totpCode(secret, 0)); r.status != http.StatusTooManyRequests || f.signedIn(c2, base) {
			t.Fatalf("the right code in a new login over the budget: %d %s", r.status, r.body)
		}
		audit := f.env.Admin().Must(http.StatusOK, "GET", "/api/v1/audit?targetId="+f.carol, nil)
		if !strings.Contains(string(audit.Body), `"login.second_factor"`) {
			t.Errorf("wrong codes not audited: %s", audit.Body)
		}
		// An admin unlock (POST /api/v1/users/{id}/unlock) lifts the
		// second-factor lock too and lets the right code in.
		f.env.Admin().Must(http.StatusNoContent, "POST", "/api/v1/users/"+f.carol+"/unlock", nil)
		f.submitCode(c2, n2.Server.URL, p2, f.totpCode(secret, 0))
		if !f.signedIn(c2, n2.Server.URL) {
			t.Fatal("the right code after the unlock did not sign in")
		}
	})
}

// TestOTPBruteForceAcrossLogins: one-time code guesses count against the
// same budget, so starting new logins (new challenges, new attempt
// limits) does not give an attacker who knows the password more guesses.
func TestOTPBruteForceAcrossLogins(t *testing.T) {
	tc := throttle.DefaultConfig()
	tc.Account = throttle.Policy{Free: 2, LockAfter: 4}
	tc.Source = throttle.Policy{Free: 1000, LockAfter: 10000}
	tc.BaseDelay, tc.MaxDelay, tc.LockDuration = time.Hour, time.Hour, time.Hour
	onBackends(t, setupOpts{throttle: &tc}, func(t *testing.T, f *fixture) {
		base := f.env.Server.URL
		mails := 0
		for login := range 3 {
			c := f.browser()
			p := f.signIn(c, base, "carol", "")
			mails++
			_, _, code := f.mailCode(mails)
			wrong := "000000"
			if code == wrong {
				wrong = "000001"
			}
			r := f.submitCode(c, base, p, wrong)
			if login < 3 && r.status != http.StatusUnauthorized {
				t.Fatalf("login %d, wrong code: %d %s", login+1, r.status, r.body)
			}
			if login == 2 {
				// Three wrong guesses over three logins: over budget.
				if r := f.submitCode(c, base, p, code); r.status != http.StatusTooManyRequests || f.signedIn(c, base) {
					t.Fatalf("the right code over the budget: %d %s", r.status, r.body)
				}
			}
		}
	})
}
