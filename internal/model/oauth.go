package model

import "time"

// ErrReused is returned when a single-use credential (an authorization code
// or a rotated refresh token) is presented a second time (RFC 6749 §4.1.2,
// RFC 9700 §4.14.2): the caller must revoke what was issued from it.
var ErrReused = &Error{Code: ECONFLICT, Message: "already used"}

// AuthRequest is a pending OAuth 2.0 / OIDC authorization request
// (RFC 6749 §4.1.1, OIDC Core §3.1.2.1), stored so that any node can finish
// it. Its ID doubles as the grant (token family) id once its code is
// redeemed.
type AuthRequest struct {
	ID                  string   `json:"id"`
	ClientID            string   `json:"clientId"`
	RedirectURI         string   `json:"redirectUri"`
	State               string   `json:"state,omitempty"`
	Nonce               string   `json:"nonce,omitempty"`
	ResponseType        string   `json:"responseType"`
	ResponseMode        string   `json:"responseMode,omitempty"`
	Scopes              []string `json:"scopes"`
	CodeChallenge       string   `json:"codeChallenge,omitempty"`
	CodeChallengeMethod string   `json:"codeChallengeMethod,omitempty"`
	Prompt              []string `json:"prompt,omitempty"`
	// MaxAge in seconds; nil when not requested (OIDC Core §3.1.2.1).
	MaxAge    *int64 `json:"maxAge,omitempty"`
	LoginHint string `json:"loginHint,omitempty"`
	// WantContext is the context the app asked for (R-SSO-5).
	WantContext string `json:"wantContext,omitempty"`
	// UILocales are the request's ui_locales (OIDC Core §3.1.2.1), for the
	// login page's language (issue 9 §5).
	UILocales []string `json:"uiLocales,omitempty"`

	// Set once the user is authenticated.
	UserID    string    `json:"userId,omitempty"`
	SessionID string    `json:"sessionId,omitempty"`
	ContextID string    `json:"contextId,omitempty"`
	AuthTime  time.Time `json:"authTime"`
	AMR       []string  `json:"amr,omitempty"`
	Done      bool      `json:"done"`

	ExpiresAt time.Time `json:"expiresAt"`
}

// Grant is a redeemed authorization: the family of every access and
// refresh token issued from one authorization code (or one client
// credentials call has none). Revoking it kills them all.
type Grant struct {
	ID        string    `json:"id"`
	ClientID  string    `json:"clientId"`
	UserID    string    `json:"userId"`
	SessionID string    `json:"sessionId"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// RefreshToken is a stored refresh token (ID is the SHA-256 of its value).
// Rotation marks the old one Used; presenting a used one revokes the family
// (RFC 9700 §4.14.2).
type RefreshToken struct {
	ID        string    `json:"id"`
	FamilyID  string    `json:"familyId"`
	ClientID  string    `json:"clientId"`
	UserID    string    `json:"userId"`
	SessionID string    `json:"sessionId"`
	ContextID string    `json:"contextId"`
	Scopes    []string  `json:"scopes"`
	Audience  []string  `json:"audience"`
	AMR       []string  `json:"amr"`
	AuthTime  time.Time `json:"authTime"`
	ExpiresAt time.Time `json:"expiresAt"`
	Used      bool      `json:"used"`
}

// SigningKey is a token signing key. It signs from SignFrom until
// SignUntil and stays published in the JWKS until ExpiresAt, so tokens it
// signed still verify after rotation.
type SigningKey struct {
	ID         string    `json:"id"`
	Algorithm  string    `json:"algorithm"`
	PrivatePEM []byte    `json:"-"`
	SignFrom   time.Time `json:"signFrom"`
	SignUntil  time.Time `json:"signUntil"`
	ExpiresAt  time.Time `json:"expiresAt"`
}
