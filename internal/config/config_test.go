package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, s string) string {
	p := filepath.Join(t.TempDir(), "sesame.yaml")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func noEnv(string) (string, bool) { return "", false }

func TestDefaultsAreValid(t *testing.T) {
	c, err := Load("", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Server.Addr != "127.0.0.1:8080" || c.DatabaseURL() != "sqlite://data/sesame.db" || c.Issuer() != "http://127.0.0.1:8080" {
		t.Fatalf("defaults: %+v %s %s", c, c.DatabaseURL(), c.Issuer())
	}
}

func TestFileThenEnv(t *testing.T) {
	p := write(t, "server:\n  addr: 0.0.0.0:9000\ndatabase:\n  url: postgres://db/sesame\n")
	env := map[string]string{"SESAME_LOG_LEVEL": "debug", "SESAME_SERVER_ADDR": "127.0.0.1:9100"}
	c, err := Load(p, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Addr != "127.0.0.1:9100" || c.Database.URL != "postgres://db/sesame" || c.Log.Level != "debug" {
		t.Fatalf("got %+v", c)
	}
}

func TestUnknownKeyNamed(t *testing.T) {
	// Load reads the rest; Validate lists the unknown key with the others.
	c, err := Load(write(t, "server:\n  adress: x\n"), noEnv)
	if err == nil {
		err = c.Validate()
	}
	if err == nil || !strings.Contains(err.Error(), "adress") {
		t.Fatalf("want error naming the unknown key, got %v", err)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	c := Default()
	c.Server.Addr = "nonsense"
	c.Database.URL = "mysql://x"
	c.Log.Level = "loud"
	c.Server.ExternalURL = "ftp://x"
	err := c.Validate()
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, key := range []string{"server.addr", "database.url", "log.level", "server.externalURL"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error does not name %s: %v", key, err)
		}
	}
}
