package config

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestEnvVarsListsEveryVariable: every SESAME_* name the configuration and
// the app read is in EnvVars (what `serve --help` and docs/config.md show).
func TestEnvVarsListsEveryVariable(t *testing.T) {
	listed := map[string]bool{}
	for _, v := range EnvVars() {
		listed[v.Name] = true
	}
	re := regexp.MustCompile(`"(SESAME_[A-Z0-9_]+)"`)
	files, _ := filepath.Glob("*.go")
	app, _ := filepath.Glob("../app/*.go")
	for _, f := range append(files, app...) {
		if matched, _ := filepath.Match("*_test.go", filepath.Base(f)); matched {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if !listed[m[1]] {
				t.Errorf("%s reads %s, which EnvVars does not list", f, m[1])
			}
		}
	}
}
