package cas_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestDeactivationOutlivesReactivation (R-USR-1, issue 8): a service ticket
// issued before a deactivation does not validate after the user is
// reactivated, and the SSO session the deactivation ended stays gone; a new
// login works again.
func TestDeactivationOutlivesReactivation(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		ad := f.env.Admin()
		c := browser(t)
		svc := f.app1URL + "page"
		before := ticketFor(t, f, c, svc, "")
		ad.Must(http.StatusOK, "POST", "/api/v1/users/"+f.carol+"/deactivate", nil)
		ad.Must(http.StatusOK, "POST", "/api/v1/users/"+f.carol+"/reactivate", nil)
		if r := validate(t, f, "/cas/serviceValidate", svc, before); r.ServiceResponse.AuthenticationSuccess != nil || failCode(r) != "INVALID_TICKET" {
			t.Errorf("a ticket from before the deactivation validates after reactivation: %+v", r.ServiceResponse)
		}
		resp, err := noRedirect(c).Get(f.env.Server.URL + "/cas/login?service=" + url.QueryEscape(svc))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("the SSO session came back with the reactivation: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		// Logging in again gives tickets that validate.
		after := ticketFor(t, f, c, svc, "")
		if r := validate(t, f, "/cas/serviceValidate", svc, after); r.ServiceResponse.AuthenticationSuccess == nil {
			t.Errorf("a ticket after a new login fails: %+v", r.ServiceResponse)
		}
	})
}
