package cas_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestTicketAudit (issue 8 item 15, R-OPS-4): issuing a service ticket and
// every validation (success and failure) are audited with user, client,
// context and source IP, naming the ticket only by a hash prefix.
func TestTicketAudit(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		c := browser(t)
		svc := f.app1URL + "page"
		tk := ticketFor(t, f, c, svc, "")
		if r := validate(t, f, "/cas/p3/serviceValidate", svc, tk); failCode(r) != "" {
			t.Fatalf("validation: %+v", r)
		}
		if r := validate(t, f, "/cas/p3/serviceValidate", svc, tk); failCode(r) != "INVALID_TICKET" {
			t.Fatalf("second validation: %+v", r)
		}
		f.env.Svc.FlushAudit()
		type row struct {
			ActorID, Action, TargetID, ContextID, SourceIP, Outcome string
			Details                                                 map[string]any
		}
		read := func(action string) ([]row, string) {
			r := f.env.Admin().Must(http.StatusOK, "GET", "/api/v1/audit?action="+action, nil)
			var out struct{ Items []row }
			r.JSON(t, &out)
			return out.Items, string(r.Body)
		}
		issued, b1 := read("cas.ticket.issue")
		if len(issued) != 1 || issued[0].ActorID != f.carol || issued[0].ContextID != f.acct || issued[0].SourceIP != "127.0.0.1" ||
			issued[0].Outcome != "success" || issued[0].TargetID == "" || issued[0].Details["ticket"] == "" {
			t.Errorf("ticket issue: %s", b1)
		}
		validations, b2 := read("cas.ticket.validate")
		outcomes := map[string]string{}
		for _, v := range validations {
			code, _ := v.Details["code"].(string)
			outcomes[v.Outcome] = code
			if v.Details["ticket"] != issued[0].Details["ticket"] && len(issued) == 1 {
				t.Errorf("validation names another ticket: %+v", v)
			}
		}
		if len(validations) != 2 || outcomes["failure"] != "INVALID_TICKET" {
			t.Errorf("validations: %s", b2)
		}
		if strings.Contains(b1+b2, tk) || strings.Contains(b1+b2, tk[3:15]) {
			t.Errorf("the audit log contains the ticket: %s %s", b1, b2)
		}
	})
}
