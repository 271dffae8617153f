package conformance

import (
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// testUserGrants: UserGrants lists every grant of one user — whichever
// session it came from, also when that session is gone — and no one
// else's, ordered by id.
func testUserGrants(t *testing.T, s storage.Storage) {
	root, u := ssoUser(t, s)
	other := must(s.CreateUser(ctx, model.User{LoginName: "other", TenantID: root.ID, Domain: "D", Kind: model.KindLocal, Status: model.StatusActive, Contexts: []string{root.ID}}))
	now := time.Now().UTC()
	until := now.Add(time.Hour).Truncate(time.Millisecond)
	grant := func(id string, user model.User, session string) model.Grant {
		ar := pendingRequest(id, now)
		check(t, s.CreateAuthRequest(ctx, ar))
		code := keyHash("code-" + id)
		check(t, s.CompleteAuthRequest(ctx, completed(ar, root, user.ID, session, now), code))
		must(s.RedeemAuthCode(ctx, code, now, until))
		return model.Grant{ID: id, ClientID: ar.ClientID, UserID: user.ID, SessionID: session, ExpiresAt: until}
	}
	if gs := must(s.UserGrants(ctx, u.ID)); len(gs) != 0 {
		t.Fatalf("grants before any: %+v", gs)
	}
	want := []model.Grant{grant("ug-1", u, "sess-a"), grant("ug-2", u, "sess-b"), grant("ug-3", u, "")}
	grant("ug-4", other, "sess-a")
	must(s.DeleteUserSessions(ctx, u.ID)) // the grants outlive their sessions
	got := must(s.UserGrants(ctx, u.ID))
	if len(got) != len(want) {
		t.Fatalf("UserGrants: %+v, want %+v", got, want)
	}
	for i := range want {
		if g, w := got[i], want[i]; g.ID != w.ID || g.ClientID != w.ClientID || g.UserID != w.UserID || g.SessionID != w.SessionID || !g.ExpiresAt.Equal(w.ExpiresAt) {
			t.Errorf("UserGrants[%d] = %+v, want %+v", i, g, w)
		}
	}
	if gs := must(s.UserGrants(ctx, "no-such-user")); len(gs) != 0 {
		t.Errorf("grants of an unknown user: %+v", gs)
	}
}
