package directory

import (
	"slices"
	"strings"

	"github.com/sesame-sso/sesame/internal/model"
)

// Limits on a client's token settings.
const (
	maxAllowedScopes = 20
	maxAudience      = 20
)

// validateTokenSettings checks what shapes an OIDC client's tokens and what
// it may call (issue 8): AllowedScopes are well-formed scope tokens
// (RFC 6749 §3.3), Sesame's own ("sesame:…") only when known, and
// "sesame:admin" only for confidential clients (RFC 9700 §2.3: a public
// client cannot keep a token for the admin API to itself); Audience names
// resource servers by client id (RFC 9068 §3); only confidential clients
// may be policy-decision callers. Whether an audience entry names a
// registered client is not checked: `sesame apply` may create clients in any
// order, and a dangling entry grants nothing (introspection needs an
// authenticated client).
func validateTokenSettings(c model.Client) error {
	if len(c.AllowedScopes) > maxAllowedScopes {
		return model.Invalid("allowedScopes", "at most %d scopes", maxAllowedScopes)
	}
	for _, sc := range c.AllowedScopes {
		if !scopeToken(sc) {
			return model.Invalid("allowedScopes", "%q is not a scope token (RFC 6749 §3.3: printable ASCII without space, quote or backslash)", sc)
		}
		if strings.HasPrefix(sc, "sesame:") && sc != model.ScopeAdmin {
			return model.Invalid("allowedScopes", "%q is not a Sesame scope (known: %s)", sc, model.ScopeAdmin)
		}
		if sc == model.ScopeAdmin && c.Public {
			return model.Invalid("allowedScopes", "%s is only for confidential clients", model.ScopeAdmin)
		}
	}
	if len(c.Audience) > maxAudience {
		return model.Invalid("audience", "at most %d entries", maxAudience)
	}
	for i, aud := range c.Audience {
		if !model.PlausibleID(aud) {
			return model.Invalid("audience", "%q is not a client id", aud)
		}
		if aud == c.ID {
			return model.Invalid("audience", "a client is always in its own tokens' audience")
		}
		if slices.Contains(c.Audience[:i], aud) {
			return model.Invalid("audience", "%q appears twice", aud)
		}
	}
	if c.PolicyDecision && c.Public {
		return model.Invalid("policyDecision", "only a confidential client may call POST /api/v1/authorize")
	}
	return nil
}

// scopeToken: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) (RFC 6749 §3.3),
// at most 100 characters.
func scopeToken(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x21 || b > 0x7e || b == '"' || b == '\\' {
			return false
		}
	}
	return true
}
