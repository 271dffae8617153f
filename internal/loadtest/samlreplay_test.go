package loadtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestSAMLPoolReplay: for every signature placement (and for responses
// dated ahead for a long run), the server consumes a
// pool response (303 to /login), refuses the same response posted again
// (the replay cache, R-SAML-3: 400 saying it was already used), takes the
// next, distinct response of the same user, and the worker then reports
// its share used up instead of posting anything twice.
func TestSAMLPoolReplay(t *testing.T) {
	srv := sesametest.New(t, "sqlite")
	ctx := context.Background()
	type run struct {
		mode string
		d    time.Duration
	}
	// The last run is long enough for its responses to be dated ahead
	// (samlTimes): the server must take those too.
	for _, r := range []run{{SignResponse, time.Second}, {SignAssertion, time.Second}, {SignBoth, time.Second}, {SignBoth, 2 * time.Minute}} {
		mode := r.mode
		t.Run(mode+"/"+r.d.String(), func(t *testing.T) {
			c := Config{URL: srv.Server.URL, Admin: "admin:" + sesametest.AdminPassword, Scenario: "saml-acs",
				Duration: r.d, Concurrency: 1, Users: 1, Timeout: 10 * time.Second, SAMLSign: mode, SAMLPool: 2}
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
			if got := signedElements(t, first); got != mode {
				t.Errorf("-saml-sign %s: the response has %s signed", mode, got)
			}
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

// signedElements says which of Response and Assertion carry a ds:Signature
// as a direct child, in -saml-sign's words.
func signedElements(t *testing.T, form []byte) string {
	t.Helper()
	v, err := url.ParseQuery(string(form))
	if err != nil {
		t.Fatal(err)
	}
	x, err := base64.StdEncoding.DecodeString(v.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(x); err != nil {
		t.Fatal(err)
	}
	resp := doc.Root()
	if resp == nil || resp.Tag != "Response" || len(resp.SelectElements("Assertion")) != 1 {
		t.Fatalf("not a Response with one Assertion: %s", x)
	}
	r, a := resp.SelectElement("Signature") != nil, resp.SelectElement("Assertion").SelectElement("Signature") != nil
	switch {
	case r && a:
		return SignBoth
	case r:
		return SignResponse
	case a:
		return SignAssertion
	}
	return "nothing"
}
