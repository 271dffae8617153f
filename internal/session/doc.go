// Package session manages browser SSO sessions (R-SSO-1): an opaque random
// cookie (HttpOnly, SameSite=Lax, Secure under https) whose SHA-256 is the
// session's key in the store, so any node serves any session and a database
// leak yields no usable cookie. Every login starts a new session (a cookie
// planted before login is never promoted: no session fixation).
//
// Manager.Store is session.Store: storage.Sessions (sessions, their
// services, activity) plus GetUser for a Manager without a cached user
// lookup. session must not import directory or the protocol packages.
package session
