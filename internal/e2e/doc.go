// Package e2e holds end-to-end tests that drive a real browser (headless
// Chromium through the DevTools protocol, github.com/chromedp/chromedp)
// against a running Sesame and applications protected by independent
// protocol client libraries. It has no production code.
//
// The admin console's walk (console_test.go) also writes screenshots of
// the main pages to $SESAME_ARTIFACTS (default testdata/artifacts, not
// committed) and audits every page with axe-core (axe_test.go: the npm
// package at an exact version, installed into a cache folder by the test
// when missing; skipped without npm unless CI=true).
package e2e
