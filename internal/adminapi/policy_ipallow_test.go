package adminapi_test

import (
	"testing"

	"github.com/sesame-sso/sesame/internal/access"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestPolicyNarrowsAPIIPAllow (issue 8 item 21, R-EFF-5): the account's
// policy allows API calls from 203.0.113.0/24 only; a group granting
// 0.0.0.0/0 does not widen that. A caller the group allows but the policy
// does not is refused by POST /api/v1/authorize, and the rights API shows
// the narrowing in the trace.
func TestPolicyNarrowsAPIIPAllow(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newAPIWorld(t, backend)
			ad := w.env.Admin()
			ad.Must(200, "PUT", "/api/v1/contexts/"+w.acct+"/policy", map[string]any{"values": []map[string]string{
				{"module": "portal", "acl": "API IP Allow", "value": "203.0.113.0/24"}}})
			ask := func(ip string) decision {
				var d decision
				must200(t, w.ask("portal")("POST", "/api/v1/authorize", map[string]any{"credentials": login("t/anywhere", pw), "ip": ip, "module": "portal"})).JSON(t, &d)
				return d
			}
			if d := ask("198.51.100.9"); d.Allow || !hasReason(deniedReasons(t, w.env), "ip 198.51.100.9 not in API IP Allow") {
				t.Errorf("caller allowed by the group (0.0.0.0/0) but outside the policy: %+v %q", d, deniedReasons(t, w.env))
			}
			if d := ask("2001:db8:ffff::1"); d.Allow {
				t.Errorf("IPv6 caller outside the IPv4-only policy: %+v", d)
			}
			if d := ask("203.0.113.7"); !d.Allow {
				t.Errorf("caller inside both: %+v", d)
			}
			// "API users" (203.0.113.0/24, 2001:db8:1::/48) keeps its IPv4
			// range only.
			var d decision
			must200(t, w.ask("portal")("POST", "/api/v1/authorize", map[string]any{"credentials": login("t/api", pw), "ip": "2001:db8:1::1", "module": "portal"})).JSON(t, &d)
			if d.Allow {
				t.Errorf("IPv6 range the policy does not list: %+v", d)
			}

			var res access.Result
			ad.Must(200, "GET", "/api/v1/users/"+w.anywhere+"/rights?contextId="+w.acct+"&module=portal", nil).JSON(t, &res)
			if v, ok := res.Text("portal", "API IP Allow"); !ok || v != "203.0.113.0/24" {
				t.Errorf("effective API IP Allow = %q, %v; want the policy's 203.0.113.0/24", v, ok)
			}
			found := false
			for _, s := range res.Trace {
				if s.Step == access.StepPolicy && s.ACL == "API IP Allow" && s.Effect == "narrowed" && s.Previous == "0.0.0.0/0" && s.Value == "203.0.113.0/24" {
					found = true
				}
			}
			if !found {
				t.Errorf("the trace does not show the narrowing: %+v", res.Trace)
			}
		})
	}
}
