package adminapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestUserTwoFactorSettings (R-2FA-1, issue 9 §3): a user's own one-time
// code mode and TOTP setting are set only by an admin with "2FA settings -
// Modify" (an editor of users gets 403), audited; bad values are a 400
// naming the member; delegated users are refused with a 400 (their IdP does
// MFA); a lost authenticator is removed with its recovery codes.
func TestUserTwoFactorSettings(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			ta := newTenantAdmin(t, backend)
			ad, ctx := ta.env.Admin(), context.Background()
			tom := ta.env.As("tenant-one/tom", pw)
			path := "/api/v1/users/" + ta.ursula + "/two-factor"
			if v := ad.Must(200, "GET", path, nil).Map(t); v["otp"] != "default" || v["totp"] != "default" || v["totpEnrolled"] != false {
				t.Fatalf("initial: %v", v)
			}
			// Editing users is not enough.
			ta.umaC.Must(403, "PUT", path, map[string]string{"otp": "sms", "totp": "allowed"})
			ta.umaC.Must(403, "PATCH", "/api/v1/users/"+ta.ursula, map[string]string{"twoFactor": "sms"})
			ta.tinaC.Must(403, "PUT", path, map[string]string{"otp": "sms", "totp": "allowed"})
			v := tom.Must(200, "PUT", path, map[string]string{"otp": "sms+email", "totp": "allowed"}).Map(t)
			if v["otp"] != "sms+email" || v["totp"] != "allowed" {
				t.Fatalf("set: %v", v)
			}
			if u := ad.Must(200, "GET", "/api/v1/users/"+ta.ursula, nil).Map(t); u["twoFactor"] != "sms+email" {
				t.Errorf("user after PUT: %v", u["twoFactor"])
			}
			if p, _ := ta.env.Store.TOTPPolicy(ctx, ta.ursula); p != "allowed" {
				t.Errorf("stored TOTP policy %q", p)
			}
			audit := ad.Must(200, "GET", "/api/v1/audit?targetId="+ta.ursula, nil)
			if !strings.Contains(string(audit.Body), `"user.two_factor"`) {
				t.Errorf("no audit event: %s", audit.Body)
			}
			for _, bad := range []struct {
				body any
				want string
			}{
				{map[string]string{"otp": "sometimes", "totp": "default"}, "otp"},
				{map[string]string{"otp": "sms"}, "totp"},
				{map[string]string{"totp": "allowed"}, "otp"},
				{map[string]string{"otp": "sms", "totp": "yes"}, "totp"},
				{map[string]any{"otp": "sms", "totp": "default", "extra": 1}, "extra"},
				{map[string]any{"otp": 6, "totp": "default"}, "otp"},
			} {
				r := tom.Do("PUT", path, bad.body)
				if r.Status != 400 || !strings.Contains(string(r.Body), bad.want) {
					t.Errorf("PUT %v: %d %s, want 400 naming %s", bad.body, r.Status, r.Body, bad.want)
				}
			}
			// Delegated users: their IdP does the second factor.
			ad.Must(200, "PUT", "/api/v1/domains/IDP", map[string]string{"kind": "delegated", "placement": "enterprise"})
			dan, err := ta.env.Store.CreateUser(ctx, model.User{LoginName: "dan", TenantID: ta.t1, Domain: "IDP", Kind: model.KindDelegated,
				Status: model.StatusActive, Contexts: []string{ta.t1}})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range []sesametest.Response{
				ad.Do("PUT", "/api/v1/users/"+dan.ID+"/two-factor", map[string]string{"otp": "sms", "totp": "default"}),
				ad.Do("PATCH", "/api/v1/users/"+dan.ID, map[string]string{"twoFactor": "sms"}),
			} {
				if r.Status != 400 || !strings.Contains(string(r.Body), "identity provider") {
					t.Errorf("2FA setting for a delegated user: %d %s", r.Status, r.Body)
				}
			}
			// A lost phone: the authenticator and its recovery codes go.
			now := time.Now()
			if err := ta.env.Store.PutTOTP(ctx, storage.TOTPEnrolment{UserID: ta.ursula, Secret: []byte("s"), CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
			if err := ta.env.Store.ConfirmTOTP(ctx, ta.ursula, 1, now); err != nil {
				t.Fatal(err)
			}
			if err := ta.env.Store.ReplaceRecoveryCodes(ctx, ta.ursula, [][]byte{[]byte("a"), []byte("b")}, now); err != nil {
				t.Fatal(err)
			}
			if v := ad.Must(200, "GET", path, nil).Map(t); v["totpEnrolled"] != true || v["recoveryCodesLeft"] != float64(2) {
				t.Fatalf("enrolled: %v", v)
			}
			ta.umaC.Must(403, "DELETE", path+"/totp", nil)
			tom.Must(204, "DELETE", path+"/totp", nil)
			if v := ad.Must(200, "GET", path, nil).Map(t); v["totpEnrolled"] != false || v["recoveryCodesLeft"] != float64(0) {
				t.Fatalf("after removal: %v", v)
			}
			if audit := ad.Must(200, "GET", "/api/v1/audit?targetId="+ta.ursula, nil); !strings.Contains(string(audit.Body), `"user.totp_remove"`) {
				t.Errorf("no removal audit event: %s", audit.Body)
			}
			if v := tom.Must(200, "PUT", path, map[string]string{"otp": "default", "totp": "default"}).Map(t); v["otp"] != "default" || v["totp"] != "default" {
				t.Errorf("back to the defaults: %v", v)
			}
		})
	}
}
