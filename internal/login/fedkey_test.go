package login_test

import (
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/sesame-sso/sesame/internal/connector/connectortest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// jwksKey reads the one key of base's /federation/jwks.json.
func jwksKey(t *testing.T, base string) jose.JSONWebKey {
	t.Helper()
	resp, err := http.Get(base + "/federation/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || resp.StatusCode != http.StatusOK || len(set.Keys) != 1 {
		t.Fatalf("jwks: %d %v %+v", resp.StatusCode, err, set)
	}
	return set.Keys[0]
}

// TestGeneratedEncryptionKey (issue 10 item 2, seed 000): without a
// configured key file, Sesame generates its ID token encryption key once
// (RSA ≥ 2048, stored sealed), publishes only its public half with use
// "enc", serves the same key from every node, and an IdP encrypting ID
// tokens to the published key signs users in.
func TestGeneratedEncryptionKey(t *testing.T) {
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			f := fedSetup(t, backend, nil)
			k := jwksKey(t, f.env.Server.URL)
			pub, ok := k.Key.(*rsa.PublicKey)
			if !ok || !k.IsPublic() || k.Use != "enc" || pub.N.BitLen() < 2048 || k.KeyID == "" {
				t.Fatalf("published key: %T public=%v use=%q kid=%q", k.Key, k.IsPublic(), k.Use, k.KeyID)
			}
			if again := jwksKey(t, f.env.Server.URL); again.KeyID != k.KeyID {
				t.Errorf("the key changed between two requests: %s, %s", k.KeyID, again.KeyID)
			}
			n2 := f.env.Node(t, sesametest.Options{})
			if other := jwksKey(t, n2.Server.URL); other.KeyID != k.KeyID {
				t.Errorf("node 2 publishes another key: %s, node 1 %s", other.KeyID, k.KeyID)
			}
			up := connectortest.New(t, connectortest.Options{EncryptTo: pub, EncryptKID: k.KeyID})
			up.SetUser(connectortest.User{Subject: "g-1", Claims: map[string]any{"email": "g@acme.example", "accounts": []any{"X-1:Admin"}}})
			conn := f.connection(f.tenant, "Encrypting IdP", up, nil)
			c := fedBrowser()
			if p := f.callback(c, f.atIdP(c, f.env.Server.URL+"/login?tenant=acme&connection="+conn.ID, up)); p.status != http.StatusOK || f.link(conn.ID, "g-1") == "" {
				t.Fatalf("login with an ID token encrypted to the generated key: %d %s", p.status, p.body)
			}
		})
	}
}
