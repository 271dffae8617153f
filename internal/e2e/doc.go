// Package e2e holds end-to-end tests that drive a real browser (headless
// Chromium through the DevTools protocol, github.com/chromedp/chromedp)
// against a running Sesame and applications protected by independent
// protocol client libraries. It has no production code.
package e2e
