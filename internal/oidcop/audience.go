package oidcop

import (
	"slices"

	"github.com/sesame-sso/sesame/internal/model"
)

// pathAdminAPI is the admin API's resource: issuer + pathAdminAPI is the
// audience a token needs there (RFC 9068 §4; RFC 8707 §2 style URI).
const pathAdminAPI = "/api/v1"

// AdminAudience is the aud value of tokens for the admin API.
func (p *Provider) AdminAudience() string { return p.issuer + pathAdminAPI }

// tokenAudience is what a client's registration adds to the aud of its
// access tokens (RFC 9068 §3): its Audience entries (resource servers by
// client id), and the admin API's audience when the token has
// sesame:admin.
type tokenAudience struct {
	extra []string
	admin string
}

func (p *Provider) audience(c model.Client) tokenAudience {
	return tokenAudience{extra: c.Audience, admin: p.AdminAudience()}
}

// of is the aud of a token for clientID with scopes: the client first.
// op uses the same list for the ID token, whose azp then names the client
// (OIDC Core §2).
func (a tokenAudience) of(clientID string, scopes []string) []string {
	out := []string{clientID}
	for _, x := range a.extra {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	if a.admin != "" && slices.Contains(scopes, model.ScopeAdmin) {
		out = append(out, a.admin)
	}
	return out
}
