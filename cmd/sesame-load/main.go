// Command sesame-load drives a running Sesame over loopback and prints
// throughput and latency percentiles; see docs/LOADTEST.md.
package main

import (
	"os"
	"runtime/debug"

	"github.com/sesame-sso/sesame/internal/loadtest"
)

func main() {
	// The load generator shares the machine with the server it measures:
	// fewer collections leave more CPU to the server. GOGC still wins.
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(400)
	}
	os.Exit(loadtest.Main(os.Args[1:], os.Stdout, os.Stderr))
}
