// Command sesame-load drives a running Sesame over loopback and prints
// throughput and latency percentiles; see docs/LOADTEST.md.
package main

import (
	"os"

	"github.com/sesame-sso/sesame/internal/loadtest"
)

func main() {
	os.Exit(loadtest.Main(os.Args[1:], os.Stdout, os.Stderr))
}
