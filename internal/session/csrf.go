package session

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
)

// CSRFField is the form field that carries the token.
const CSRFField = "csrf"

// CSRFToken returns the request's anti-CSRF token for Sesame's own forms
// (the logout confirmation): derived from the session cookie, which a
// cross-site page can neither read nor set, so it needs no storage and
// holds on every node; "" without a session cookie. The database holds
// only the cookie's SHA-256, from which the token cannot be derived.
func (m *Manager) CSRFToken(r *http.Request) string {
	c, err := r.Cookie(m.CookieName())
	if err != nil || c.Value == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("sesame csrf v1\x00" + c.Value))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// CheckCSRF reports whether r is a POST carrying the session's token in
// CSRFField (compared in constant time).
func (m *Manager) CheckCSRF(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	want := m.CSRFToken(r)
	got := r.PostFormValue(CSRFField)
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
