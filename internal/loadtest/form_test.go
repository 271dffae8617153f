package loadtest

import (
	"net/url"
	"strings"
	"testing"
)

// codePage is a code page as another helper might write it: field names
// of its own, a resend form, a named submit button, attributes in any
// order and quoting.
const codePage = `<!doctype html><html><head><title>Enter your code · Sesame</title></head><body>
<h1>Enter your code</h1>
<form method="post" action="/login"><input type="hidden" name="step" value="otp"><input type="hidden" name="flow" value="a1b2c3">
  <input type=hidden name='resend' value="1"><button type="submit">Send a new code</button></form>
<form action="/login" method="POST" novalidate>
  <input type="hidden" name="step" value="otp"><input name="flow" type="hidden" value="a1b2&amp;c3">
  <label for="c">Code</label>
  <input id="c" name="otp_code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]*" required autofocus>
  <input type="checkbox" name="trust" value="yes" checked>
  <input type="text" name="ignored" disabled>
  <button type="submit" name="action" value="verify">Verify</button>
  <button type="submit" name="action" value="cancel">Cancel</button>
</form></body></html>`

func TestCodeForm(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:8080/login?flow=a1b2c3")
	forms := parseForms([]byte(codePage), base)
	if len(forms) != 2 {
		t.Fatalf("forms: %+v", forms)
	}
	f, ok := codeForm(forms)
	if !ok {
		t.Fatal("no code form found")
	}
	if f.Action != "http://127.0.0.1:8080/login" || f.Method != "POST" {
		t.Errorf("action %q method %q", f.Action, f.Method)
	}
	if vt := f.visibleText(); len(vt) != 1 || vt[0].Name != "otp_code" {
		t.Errorf("visible text inputs: %+v", vt)
	}
	v := f.values()
	want := url.Values{"step": {"otp"}, "flow": {"a1b2&c3"}, "trust": {"yes"}, "action": {"verify"}}
	if v.Encode() != want.Encode() {
		t.Errorf("values %v, want %v", v, want)
	}
	if _, ok := passwordForm(forms); ok {
		t.Error("a code page has no password form")
	}
}

// TestLoginFormOfSesame: the password form of the real template (stepfields
// + return, username, password).
func TestPasswordForm(t *testing.T) {
	page := `<form method="post" action="/login" novalidate>
  <input type="hidden" name="step" value="password"><input type="hidden" name="flow" value="0123456789ab">
  <input type="hidden" name="return" value="/oauth2/login?id=x&amp;y=1">
  <label for="username">Name</label>
  <input type="text" id="username" name="username" value="" autocomplete="username" required autofocus>
  <input type="password" id="password" name="password" autocomplete="current-password" required>
  <button type="submit" id="submit">Sign in</button>
</form>`
	base, _ := url.Parse("http://h/login?return=%2F")
	f, ok := passwordForm(parseForms([]byte(page), base))
	if !ok {
		t.Fatal("no password form")
	}
	if f.Action != "http://h/login" || f.visibleText()[0].Name != "username" || f.byType("password")[0].Name != "password" {
		t.Errorf("form: %+v", f)
	}
	if v := f.values(); v.Get("return") != "/oauth2/login?id=x&y=1" || v.Get("step") != "password" || v.Get("flow") != "0123456789ab" || len(v) != 3 {
		t.Errorf("values: %v", v)
	}
	if _, ok := codeForm(parseForms([]byte(page), base)); ok {
		t.Error("the password form is not a code form")
	}
	// A page without a form (a "signed in" message): neither.
	none := parseForms([]byte(`<h1>Signed in</h1><p><a href="/logout">Sign out</a></p>`), base)
	if _, ok := codeForm(none); ok {
		t.Error("code form on a page without forms")
	}
	if strings.Contains(pageTitle([]byte(codePage)), "<") {
		t.Error("title")
	}
}
