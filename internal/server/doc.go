// Package server assembles Sesame's HTTP surface: health and readiness
// probes, the admin API, and the middleware every request passes through
// (request id, access log, panic recovery, security headers).
package server
