package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryProblemAtOnce: unknown keys, values of the wrong type and values
// Validate refuses are listed together, each with its key and line.
func TestEveryProblemAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sesame.yaml")
	yml := `server:
  adr: 127.0.0.1:8080
  maxBodyBytes: lots
log:
  level: loud
sever:
  addr: x
throttle:
  trustedProxies: [10.0.0.0/8, not-a-cidr]
tracing:
  sampleRatio: 2
`
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("Load stopped at the first problem: %v", err)
	}
	err = c.Validate()
	if err == nil {
		t.Fatal("accepted")
	}
	got := strings.Split(err.Error(), "\n")
	want := []string{
		path + ":2: server.adr: unknown key (did you mean addr?)",
		path + ":3: server.maxBodyBytes: cannot unmarshal !!str `lots` into int64",
		path + ":5: log.level: \"loud\" is not one of debug, info, warn, error",
		path + ":6: sever: unknown key (did you mean server?)",
		path + ":9: throttle.trustedProxies",
		path + ":11: tracing.sampleRatio: 2 is not between 0 and 1",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(got), len(want), err)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d:\n got %s\nwant %s…", i, got[i], want[i])
		}
	}
	// Not YAML at all: one error, with the line.
	_ = os.WriteFile(path, []byte("server: [\n"), 0o600)
	if _, err := Load(path, nil); err == nil || !strings.Contains(err.Error(), "line") {
		t.Errorf("broken YAML: %v", err)
	}
	// A problem from the environment has no line.
	_ = os.WriteFile(path, []byte("log:\n  format: json\n"), 0o600)
	c, _ = Load(path, func(k string) (string, bool) { return "nowhere", k == "SESAME_LOG_LEVEL" })
	if err := c.Validate(); err == nil || err.Error() != `log.level: "nowhere" is not one of debug, info, warn, error` {
		t.Errorf("env problem: %v", err)
	}
}
