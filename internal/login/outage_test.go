package login_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/mailtest"
	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestPasswordPagesDuringOutage (issue 8 item 23): with the database gone,
// the forgot page, the reset link and the forced change answer 503 "try
// again" — never "link not valid", never a policy complaint — and change
// nothing; once it is back the same link and the same login work.
func TestPasswordPagesDuringOutage(t *testing.T) {
	db := pgtest.NewDatabase(t)
	ms := mailtest.New(t)
	ms.Start("none")
	env := sesametest.NewWith(t, "postgres", sesametest.Options{StoreURL: db.DSN, Mail: ms, ForgotFloor: time.Millisecond})
	base := env.Server.URL
	id := createUser(t, env, "pia", model.Person{Email: "pia@example.com"}, firstPW)
	c := followingBrowser()
	forgot(t, c, base, "pia")
	link := linkRE.FindString(waitMail(t, ms, "pia@example.com", "Reset your password").Text)
	_, form := getPage(t, c, link)
	env.Admin().Must(http.StatusNoContent, "PUT", "/api/v1/users/"+id+"/password", map[string]any{"password": secondPW, "mustChange": true})
	forced := followingBrowser()
	_, change := signIn(t, forced, base, "pia", secondPW)
	if !isChangePage(change) {
		t.Fatalf("setup: no change page:\n%s", change)
	}
	// The admin reset killed the first link; ask for another.
	forgot(t, c, base, "pia")
	deadline := time.Now().Add(15 * time.Second)
	for mailsTo(ms, "pia@example.com") < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	for _, m := range ms.Received() {
		if l := linkRE.FindString(mailtest.Parse(t, m.Raw).Text); l != "" && l != link {
			link = l
		}
	}
	_, form = getPage(t, c, link)

	db.Stop()
	stopped := true
	defer func() {
		if stopped {
			db.Start()
		}
	}()
	tryAgain := func(name string, st int, p string) {
		t.Helper()
		if st != http.StatusServiceUnavailable || strings.Contains(p, "not valid") || strings.Contains(p, "cannot be used") {
			t.Errorf("%s during the outage: %d\n%s", name, st, p)
		}
	}
	st, p := forgot(t, c, base, "pia")
	tryAgain("forgot", st, p)
	st, p = getPage(t, c, link)
	tryAgain("reset link (GET)", st, p)
	st, p = submit(t, c, base, "/password/reset", form, url.Values{"new": {thirdPW}, "confirm": {thirdPW}})
	tryAgain("reset link (POST)", st, p)
	st, p = submit(t, forced, base, "/login", change, url.Values{"new": {thirdPW}, "confirm": {thirdPW}})
	tryAgain("forced change", st, p)
	db.Start()
	stopped = false

	if st, p := submit(t, forced, base, "/login", change, url.Values{"new": {thirdPW}, "confirm": {thirdPW}}); st != http.StatusOK || !strings.Contains(p, signedIn) {
		t.Fatalf("forced change after the outage: %d\n%s", st, p)
	}
	// The change ended pending links (the password was set meanwhile).
	if st, _ := getPage(t, c, link); st != http.StatusBadRequest {
		t.Errorf("a link from before the change still works: %d", st)
	}
	u, _ := env.Store.GetUser(context.Background(), id)
	if !env.Svc.PasswordMatches(context.Background(), u.PasswordHash, thirdPW) {
		t.Error("the change after the outage was not stored")
	}
}
