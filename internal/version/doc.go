// Package version tells which build is running: the module version, the VCS
// commit and the Go version, read from the binary's build information
// (runtime/debug.ReadBuildInfo). `sesame version`, the sesame_build_info
// metric and the log's first line print the same Info.
package version
