package main

import (
	"bytes"
	"os"
	"regexp"
	"testing"
)

// TestReferenceUpToDate fails when docs/config.md is not what the config
// struct says: run `go generate ./internal/config/`.
func TestReferenceUpToDate(t *testing.T) {
	want, err := Reference("..")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("docs/config.md is out of date with internal/config: run go generate ./internal/config/")
	}
	if m := regexp.MustCompile(`R-[A-Z0-9]+-\d+|issue \d+`).Find(want); m != nil {
		t.Errorf("the reference names %q, which its readers cannot look up", m)
	}
	for _, key := range []string{"`server.managementAddr`", "`tracing.endpoint`", "`throttle.trustedProxies`", "`SESAME_MASTER_KEY`"} {
		if !bytes.Contains(want, []byte(key)) {
			t.Errorf("%s missing from the reference", key)
		}
	}
}
