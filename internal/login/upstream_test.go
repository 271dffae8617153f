package login_test

import (
	"errors"
	"net/url"
	"testing"

	"golang.org/x/oauth2"

	"github.com/sesame-sso/sesame/internal/connector/connectortest"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestUpstreamRefreshOutlivesSession (issue 10 item 6): a Sesame refresh
// token lives longer than the SSO session it came from; once the session
// has ended (timed out, purged), a refresh still asks the IdP — with the
// upstream state kept on the identity link — so a role removed there is
// gone after one refresh, and an IdP that refuses fails the refresh.
func TestUpstreamRefreshOutlivesSession(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := fedSetup(t, backend, nil)
			conn := f.connection(f.tenant, "Refreshing IdP", f.up, func(in *directory.ConnectionInput) {
				in.OIDC.RefreshRoles = true
			})
			app := f.newRP()
			c := fedBrowser()
			lp, ver := app.start(t, c)
			ret := lp.url.Query().Get("return")
			tok, _, info := app.finish(t, get(t, c, f.env.Server.URL+"/login?tenant=acme&connection="+conn.ID+"&return="+url.QueryEscape(ret)), ver)
			if rightsOf(info)["SIM - Activate"] != "true" || tok.RefreshToken == "" {
				t.Fatalf("first login: rights %v, refresh token %q", info, tok.RefreshToken)
			}
			// The session ends on its own (no logout: the grant lives on).
			uid := f.link(conn.ID, "u-1")
			ss, err := f.env.Store.ListUserSessions(bg, uid)
			if err != nil || len(ss) != 1 {
				t.Fatalf("sessions: %v %+v", err, ss)
			}
			if err := f.env.Store.DeleteSession(bg, ss[0].ID); err != nil {
				t.Fatal(err)
			}
			f.up.SetUser(connectortest.User{Subject: "u-1", Claims: map[string]any{"email": "ute@acme.example", "accounts": []any{"X-1:Viewer"}}})
			tok2, err := app.conf.TokenSource(bg, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			if err != nil {
				t.Fatalf("refresh after the session ended: %v", err)
			}
			if r := rightsOf(app.userinfo(t, tok2)); r["SIM - Activate"] == "true" {
				t.Errorf("role removed at the IdP still grants after the session ended: %v", r)
			}
			// A second refresh uses the rotated upstream state.
			tok3, err := app.conf.TokenSource(bg, &oauth2.Token{RefreshToken: tok2.RefreshToken}).Token()
			if err != nil {
				t.Fatalf("second refresh after the session ended: %v", err)
			}
			f.up.Misbehave(connectortest.Misbehaviour{RefreshFails: true})
			_, err = app.conf.TokenSource(bg, &oauth2.Token{RefreshToken: tok3.RefreshToken}).Token()
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
				t.Errorf("refresh with the upstream refusing, no session: %v", err)
			}
		})
	}
}
