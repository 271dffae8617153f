// Package config loads Sesame's configuration: defaults, then a YAML file
// (unknown keys are errors), then SESAME_* environment variables, then
// command-line flags. Validate reports every problem at once, each naming its
// key and, for keys from the file, its line (source.go, R-OPS-2). env.go
// lists every environment variable; docgen writes docs/config.md from the
// Config struct.
package config

//go:generate go run ./docgen -src . -o ../../docs/config.md
