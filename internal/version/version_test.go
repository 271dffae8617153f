package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}}}
	got := FromBuildInfo(bi)
	if got != (Info{Version: "v1.4.0", Commit: "abc123-dirty", GoVersion: "go1.26.8"}) {
		t.Fatalf("got %+v", got)
	}
	if s := got.String(); s != "sesame v1.4.0 (commit abc123-dirty, go1.26.8)" {
		t.Fatalf("String: %q", s)
	}
	// go run / go test: no VCS stamp, no module version.
	got = FromBuildInfo(&debug.BuildInfo{GoVersion: "go1.26.8"})
	if got.Version != "(devel)" || got.Commit != "unknown" {
		t.Fatalf("unstamped build: %+v", got)
	}
	if g := Get(); !strings.HasPrefix(g.GoVersion, "go") {
		t.Fatalf("Get: %+v", g)
	}
}
