package sesametest

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	formAction = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	hiddenPair = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// LogoutForm reads a logout confirmation page (web/templates/logout.html):
// the form's action and hidden fields; ok is false when page is no such
// confirmation.
func LogoutForm(page string) (action string, fields url.Values, ok bool) {
	if !strings.Contains(page, `id="confirm-logout"`) {
		return "", nil, false
	}
	m := formAction.FindStringSubmatch(page)
	if m == nil {
		return "", nil, false
	}
	fields = url.Values{}
	for _, h := range hiddenPair.FindAllStringSubmatch(page, -1) {
		fields.Add(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	return html.UnescapeString(m[1]), fields, true
}

// Logout signs the browser c out the way a user does: it opens
// base+path (a logout URL) and, when Sesame asks for confirmation, posts
// the confirmation form. It returns the last response (body closed) and
// its body.
func Logout(t testing.TB, c *http.Client, base, path string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	action, fields, ok := LogoutForm(string(b))
	if !ok {
		return resp, string(b)
	}
	if resp, err = c.PostForm(base+action, fields); err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}
