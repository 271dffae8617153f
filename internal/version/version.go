package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Info describes the running build.
type Info struct {
	// Version is the main module's version ("v1.2.3", or "(devel)" for a
	// build from a work tree).
	Version string
	// Commit is the VCS revision the binary was built from ("unknown"
	// when the build had no VCS information, e.g. `go run` or `go test`),
	// with "-dirty" when the tree had uncommitted changes.
	Commit string
	// GoVersion is the toolchain that built the binary.
	GoVersion string
}

// Get reads the build information of the running binary.
func Get() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{Version: "(unknown)", Commit: "unknown", GoVersion: runtime.Version()}
	}
	return FromBuildInfo(bi)
}

// FromBuildInfo extracts Info from build information.
func FromBuildInfo(bi *debug.BuildInfo) Info {
	in := Info{Version: bi.Main.Version, Commit: "unknown", GoVersion: bi.GoVersion}
	if in.Version == "" {
		in.Version = "(devel)"
	}
	if in.GoVersion == "" {
		in.GoVersion = runtime.Version()
	}
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Commit = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && in.Commit != "unknown" {
		in.Commit += "-dirty"
	}
	return in
}

// String is the one-line form `sesame version` prints.
func (i Info) String() string {
	return fmt.Sprintf("sesame %s (commit %s, %s)", i.Version, i.Commit, i.GoVersion)
}
