package oidcop_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/oidcop"
	"github.com/sesame-sso/sesame/internal/session"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
	"github.com/sesame-sso/sesame/web"
)

// TestSigningKeysSealedAtRest: with a master key the stored signing keys
// are ciphertext, tokens still verify, and a node without the key (or
// with another) refuses to start rather than sign with something else.
func TestSigningKeysSealedAtRest(t *testing.T) {
	master := bytes.Repeat([]byte{7}, 32)
	onBackends(t, sesametest.Options{OIDC: oidcop.Options{MasterKey: master}}, func(t *testing.T, f *fixture) {
		keys, err := f.env.Store.ListSigningKeys(context.Background())
		if err != nil || len(keys) == 0 {
			t.Fatalf("keys: %v %v", keys, err)
		}
		for _, k := range keys {
			if bytes.Contains(k.PrivatePEM, []byte("PRIVATE KEY")) || !bytes.HasPrefix(k.PrivatePEM, []byte("sesame-sealed:v1:")) {
				t.Fatalf("key %s stored in the clear: %.40s", k.ID, k.PrivatePEM)
			}
		}
		tok := f.login(t, f.browser(t), f.app1, "carol", carolPW)
		f.idToken(t, f.app1, tok)
		pages, _ := web.NewPages()
		mgr := &session.Manager{Store: f.env.Store}
		log := slog.New(slog.DiscardHandler)
		for name, key := range map[string][]byte{"no master key": nil, "another master key": bytes.Repeat([]byte{8}, 32)} {
			_, err := oidcop.New(context.Background(), f.env.Svc, f.env.Store, mgr, pages, log, oidcop.Options{Issuer: f.env.Server.URL, MasterKey: key})
			if err == nil || !strings.Contains(err.Error(), "master key") && !strings.Contains(err.Error(), "SESAME_MASTER_KEY") {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
}
