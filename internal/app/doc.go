// Package app wires Sesame together for the command line: it loads the
// configuration, opens the store, bootstraps it, and runs the subcommands
// (serve, apply, export). cmd/sesame only calls Main.
package app
