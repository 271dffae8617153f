// Package login serves the one login page of every module (R-SSO-1) and
// the SSO session it creates.
//
// A login is a sequence of steps: the first factor (password, or later an
// upstream IdP), then — where configured — a second factor (R-2FA), then the
// context the user acts in (R-SSO-5). Each step ends in complete(), which
// runs the steps still due and, when none is left, starts the session and
// sends the browser back to where it came from. Today the chain is the
// password step and the default context; the 2FA and IdP steps plug into
// complete() without touching the protocols that call /login.
//
// The password check, the login record and the login/logout audit are
// internal/authn's (Handler.Authn); the context decisions the directory's.
// The session services of an ending session are read through the session
// manager's store (storage.Sessions); login must not import sqlstore or
// write the directory.
package login
