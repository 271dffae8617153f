package connector

import (
	"context"
	"net/http"
	"net/url"
)

// Identity is what the IdP asserted about the user, before any mapping
// (DESIGN note 2). Mapping it to a Sesame user is package federation's job.
type Identity struct {
	// Subject is the IdP's stable identifier of the user (OIDC "sub", the
	// configured userinfo claim in plain OAuth 2.0 mode, a SAML NameID).
	// Together with the connection it is the key of the delegated user
	// (R-FED-4); it is never empty.
	Subject string
	// Email and EmailVerified as the IdP states them; EmailVerified is false
	// unless the IdP says it is true (linking depends on it, R-FED-4).
	Email         string
	EmailVerified bool
	// Claims are all claims: for OIDC the ID token's claims over the userinfo
	// claims (a signed claim wins), as decoded from JSON (string, float64,
	// bool, []any, map[string]any).
	Claims map[string]any
	// Data is opaque connector state (upstream refresh token, ID token for
	// logout). It never leaves the server: store it sealed, hand it back to
	// Refresh and Logout of the same connection only.
	Data []byte
}

// Action says where the browser goes next: a redirect (RedirectURL) or an
// auto-submitted POST form (PostURL + PostForm, SAML HTTP-POST binding).
type Action struct {
	RedirectURL string
	PostURL     string
	PostForm    url.Values
}

// IsZero reports whether a names nowhere to go.
func (a Action) IsZero() bool { return a.RedirectURL == "" && a.PostURL == "" }

// Connector is one upstream IdP connection's protocol.
type Connector interface {
	// Begin starts a delegated login. state is the caller's (login Flow's)
	// unguessable state value, sent to the IdP and expected back;
	// callbackURL is where the IdP returns the browser. kept must be stored
	// by the caller (server-side, on the Flow) and given to Finish.
	Begin(ctx context.Context, state, callbackURL string) (a Action, kept []byte, err error)
	// Finish verifies the IdP's answer r (the callback request) against
	// kept and returns the asserted Identity. It compares the answer's
	// state with the one in kept itself. On failure the error is an *Error.
	Finish(ctx context.Context, r *http.Request, kept []byte) (Identity, error)
}

// Refresher is implemented by connectors that can re-ask the IdP for fresh
// claims without the browser (an upstream refresh token). A failure means
// the IdP no longer vouches for the user: the caller fails its own refresh.
// The returned Identity carries new Data when the upstream rotated its
// tokens; the caller stores it in place of the old.
type Refresher interface {
	Refresh(ctx context.Context, data []byte) (Identity, error)
}

// Logouter is implemented by connectors whose IdP can end its own session
// when Sesame's ends: OIDC RP-Initiated Logout (always a redirect), SAML
// single logout (a redirect, or an auto-submitted form where the IdP
// offers only the HTTP-POST binding). A zero Action with a nil error means
// there is nothing to do for this connection. returnURL is where the IdP
// sends the browser back, for protocols that take one (OIDC).
type Logouter interface {
	Logout(ctx context.Context, data []byte, returnURL string) (Action, error)
}
