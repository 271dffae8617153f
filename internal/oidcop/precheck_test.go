package oidcop_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestIntrospectionSkipsSignatureWorkForJunk (issue 8 item 19): expired
// and malformed tokens are refused on format and exp without a signature
// check, however often they are replayed; a well-formed token with a bad
// signature is checked once, then refused from memory for a short while;
// every one of them is inactive, and a valid token stays active.
func TestIntrospectionSkipsSignatureWorkForJunk(t *testing.T) {
	for _, b := range sesametest.Backends {
		t.Run(b, func(t *testing.T) {
			clk := &testClock{}
			f := setup(t, b, sesametest.Options{Now: clk.now})
			p := f.env.Handler.OIDC
			old := f.login(t, f.browser(t), f.app1, "carol", carolPW)
			clk.advance(11 * time.Minute) // past the 10 min access token lifetime
			fresh := f.login(t, f.browser(t), f.app1, "carol", carolPW)
			parts := strings.Split(fresh.AccessToken, ".")
			forged := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString([]byte("not the signature"))
			none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."
			replay := func(name, tok string, n int, wantChecks uint64) {
				t.Helper()
				before := p.SignatureChecks()
				for range n {
					if got := f.introspect(t, f.app1, tok); got["active"] != false {
						t.Fatalf("%s is active: %v", name, got)
					}
				}
				if got := p.SignatureChecks() - before; got != wantChecks {
					t.Errorf("%s replayed %d times: %d signature checks, want %d", name, n, got, wantChecks)
				}
			}
			replay("an expired token", old.AccessToken, 20, 0)
			for name, tok := range map[string]string{"junk": "junk", "three dots": "a.b.c", "alg none": none,
				"two parts": parts[0] + "." + parts[1]} {
				replay(name, tok, 5, 0)
			}
			replay("a forged signature", forged, 20, 1)
			clk.advance(6 * time.Second) // past the refusal memory
			replay("a forged signature later", forged, 5, 1)
			if got := f.introspect(t, f.app1, fresh.AccessToken); got["active"] != true {
				t.Errorf("valid token: %v", got)
			}
			if st := bearerGet(t, f.env.Server.URL+"/oauth2/userinfo", old.AccessToken); st != http.StatusUnauthorized {
				t.Errorf("expired token at userinfo: %d", st)
			}
		})
	}
}
