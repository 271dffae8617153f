package connector

import (
	"errors"
	"strings"
)

// Reason is a stable, machine-readable cause of a failed delegated login.
// Pages map it to a message, audit entries record it; it never carries
// data from the IdP.
type Reason string

// The reasons. Values are stable: they are stored in audit entries.
const (
	// ReasonConfig: the connection is misconfigured (caught when opened or
	// when the discovery document contradicts it).
	ReasonConfig Reason = "config"
	// ReasonUnreachable: the IdP did not answer usably: timeout, network
	// error, an answer too large, too many redirects.
	ReasonUnreachable Reason = "unreachable"
	// ReasonDiscovery: the discovery document is missing, not JSON, or names
	// another issuer.
	ReasonDiscovery Reason = "discovery"
	// ReasonState: the answer's state is missing or is not this flow's.
	ReasonState Reason = "state"
	// ReasonMixUp: the answer comes from another IdP than the one this flow
	// was sent to (RFC 9207 iss parameter, or kept from another connection).
	ReasonMixUp Reason = "mix_up"
	// ReasonIdP: the IdP answered with an error (Error.IdPError holds its
	// code, e.g. access_denied).
	ReasonIdP Reason = "idp_error"
	// ReasonExchange: the code could not be exchanged at the token endpoint
	// (refused, PKCE mismatch, replayed code, malformed answer).
	ReasonExchange Reason = "exchange"
	// ReasonToken: the ID token is missing or malformed.
	ReasonToken Reason = "token"
	// ReasonDecrypt: an encrypted ID token could not be decrypted with
	// Sesame's key, used a refused algorithm, or was expected encrypted.
	ReasonDecrypt Reason = "decrypt"
	// ReasonAlgorithm: the token is signed with an algorithm outside the
	// connection's allow-list (none, HS256, …).
	ReasonAlgorithm Reason = "algorithm"
	// ReasonSignature: the signature does not verify with the IdP's keys
	// (including an unknown key id after the rate-limited refetch).
	ReasonSignature Reason = "signature"
	// ReasonIssuer, ReasonAudience, ReasonAZP: the token is for another
	// issuer, another client, or was requested by another party.
	ReasonIssuer   Reason = "issuer"
	ReasonAudience Reason = "audience"
	ReasonAZP      Reason = "azp"
	// ReasonExpired, ReasonNotYetValid: exp / nbf / iat outside the allowed
	// clock skew.
	ReasonExpired     Reason = "expired"
	ReasonNotYetValid Reason = "not_yet_valid"
	// ReasonNonce: the token's nonce is not this flow's (replay, injection).
	ReasonNonce Reason = "nonce"
	// ReasonSubject: no subject, or userinfo names another subject than the
	// ID token (OIDC Core §5.3.4), or a refresh returned another subject.
	ReasonSubject Reason = "subject"
	// ReasonUserinfo: the userinfo answer is refused or malformed.
	ReasonUserinfo Reason = "userinfo"
	// ReasonRefresh: the upstream refresh failed or is unavailable.
	ReasonRefresh Reason = "refresh"
)

// Error is a failed connector call. Reason is for pages and audit;
// IdPError the IdP's own error code when it sent one; Detail and the
// wrapped Err say what failed for the audit and logs. None contains a
// token, an authorization code, a verifier or a secret.
type Error struct {
	Reason   Reason
	IdPError string
	Detail   string
	Err      error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("connector: ")
	b.WriteString(string(e.Reason))
	if e.IdPError != "" {
		b.WriteString(" (" + e.IdPError + ")")
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf is a convenience for implementations: an *Error with reason r,
// detail and the wrapped cause (may be nil).
func Errorf(r Reason, err error, detail string) *Error {
	return &Error{Reason: r, Detail: detail, Err: err}
}

// ReasonOf returns the Reason of err's *Error, or "" when err carries none.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}
