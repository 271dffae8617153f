package cas_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestLoginContext (R-SSO-5, R-PRT-1): a CAS login URL may name the
// context; a customer below the user's account is allowed and is the
// ticket's context, a context outside the user's reach gets a clear 403
// page and no ticket.
func TestLoginContext(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		ad := f.env.Admin()
		cust := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "customer", "name": "Globex", "parentId": f.acct})
		other := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Initech", "parentId": f.env.RootID})
		c := browser(t)
		svc := f.app1URL + "page"
		tk := ticketFor(t, f, c, svc, "&context="+cust)
		r := validate(t, f, "/cas/p3/serviceValidate", svc, tk)
		if r.ServiceResponse.AuthenticationSuccess == nil || r.ServiceResponse.AuthenticationSuccess.Attributes["contextId"] != cust {
			t.Fatalf("ticket for the customer context: %+v", r.ServiceResponse)
		}
		resp, err := noRedirect(c).Get(f.env.Server.URL + "/cas/login?service=" + url.QueryEscape(svc) + "&context=" + other)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Location") != "" {
			t.Fatalf("login into a foreign context: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}
