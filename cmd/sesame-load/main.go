// Command sesame-load drives a running Sesame over loopback and prints
// throughput and latency percentiles; see docs/LOADTEST.md.
package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"runtime/pprof"

	"github.com/sesame-sso/sesame/internal/loadtest"
)

func main() {
	// The load generator shares the machine with the server it measures:
	// fewer collections leave more CPU to the server. GOGC still wins.
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(400)
	}
	// SESAME_LOAD_CPUPROFILE=FILE profiles the load command itself (what
	// its share of the machine goes to).
	if path := os.Getenv("SESAME_LOAD_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "sesame-load: cpu profile: %v\n", err)
			os.Exit(1)
		}
		code := loadtest.Main(os.Args[1:], os.Stdout, os.Stderr)
		pprof.StopCPUProfile()
		f.Close()
		os.Exit(code)
	}
	os.Exit(loadtest.Main(os.Args[1:], os.Stdout, os.Stderr))
}
