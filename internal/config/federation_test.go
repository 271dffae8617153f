package config

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFederationConfig (issue 10): defaults are bounded and refuse private
// networks; keys load from YAML and env; bad values are named by key; the
// decryption key must be RSA ≥ 2048.
func TestFederationConfig(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	h, j, cb := c.Federation.Durations()
	if !c.Federation.DenyPrivateNetworks || h != 10*time.Second || j != 30*time.Second || cb != 20*time.Second || c.Federation.MaxAnswerBytes != 1<<20 {
		t.Errorf("defaults: %+v", c.Federation)
	}
	dir := t.TempDir()
	keyFile := func(bits int) string {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "k"+string(rune('0'+bits/1024))+".pem")
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := keyFile(2048)
	p := write(t, "federation:\n  httpTimeout: 5s\n  maxAnswerBytes: 65536\n")
	env := map[string]string{"SESAME_FEDERATION_DENY_PRIVATE_NETWORKS": "false", "SESAME_FEDERATION_DECRYPTION_KEY_FILE": good}
	c, err := Load(p, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if k, err := c.Federation.DecryptionKey(); err != nil || k == nil || c.Federation.DenyPrivateNetworks || c.Federation.MaxAnswerBytes != 65536 {
		t.Errorf("loaded: %+v %v", c.Federation, err)
	}
	p = write(t, "federation:\n  httpTimeout: forever\n  maxAnswerBytes: 10\n  jwksRefetchInterval: 0s\n  callbackTimeout: 1h\n  decryptionKeyFile: "+keyFile(1024)+"\n")
	c, _ = Load(p, func(string) (string, bool) { return "", false })
	err = c.Validate()
	for _, want := range []string{"federation.httpTimeout", "federation.maxAnswerBytes", "federation.jwksRefetchInterval", "federation.callbackTimeout", "federation.decryptionKeyFile: "} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
}
