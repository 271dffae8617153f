// Package config loads Sesame's configuration: defaults, then a YAML file
// (unknown keys are errors), then SESAME_* environment variables, then
// command-line flags. Validate reports every problem at once, each naming its
// key (R-OPS-2).
package config
