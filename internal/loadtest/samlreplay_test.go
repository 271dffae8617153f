package loadtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestSAMLPoolReplay: for every signature placement, the server consumes a
// pool response (303 to /login), refuses the same response posted again
// (the replay cache, R-SAML-3: 400 saying it was already used), takes the
// next, distinct response of the same user, and the worker then reports
// its share used up instead of posting anything twice.
func TestSAMLPoolReplay(t *testing.T) {
	srv := sesametest.New(t, "sqlite")
	ctx := context.Background()
	for _, mode := range SAMLSignModes {
		t.Run(mode, func(t *testing.T) {
			c := Config{URL: srv.Server.URL, Admin: "admin:" + sesametest.AdminPassword, Scenario: "saml-acs",
				Duration: time.Second, Concurrency: 1, Users: 1, Timeout: 10 * time.Second, SAMLSign: mode, SAMLPool: 2}
			if err := c.validate(); err != nil {
				t.Fatal(err)
			}
			base, _ := url.Parse(c.URL)
			tr := newTransport(1)
			defer tr.CloseIdleConnections()
			e := &env{cfg: c, base: base, tr: tr, suffix: randHex(4), admin: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
			if err := e.setUp(ctx, false, false); err != nil {
				t.Fatal(err)
			}
			if err := e.setUpSAML(ctx); err != nil {
				t.Fatal(err)
			}
			defer func() {
				for _, err := range append(e.tearDownSAML(ctx, io.Discard), e.tearDown(ctx)...) {
					t.Error(err)
				}
			}()
			ws, err := e.prepareSAML(ctx, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			w := ws[0]
			st := w.state.(*samlState)
			if len(st.bodies) != 2 {
				t.Fatalf("pool of %d, want 2", len(st.bodies))
			}
			first := bytes.Clone(st.bodies[0])
			if err := e.samlACS(ctx, w); err != nil {
				t.Fatalf("first consume: %v", err)
			}
			// The same response again, as samlACS would post it.
			resp, err := http.Post(e.saml.acsPost, "application/x-www-form-urlencoded", bytes.NewReader(first))
			if err != nil {
				t.Fatal(err)
			}
			b := readBody(resp)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "already used") {
				t.Errorf("replayed response: status %d, want 400 saying it was already used: %s", resp.StatusCode, pageReason(b))
			}
			if err := e.samlACS(ctx, w); err != nil {
				t.Fatalf("second response of the same user: %v", err)
			}
			if err := e.samlACS(ctx, w); !errors.Is(err, errPoolEmpty) {
				t.Fatalf("after the pool: %v, want errPoolEmpty", err)
			}
		})
	}
}
