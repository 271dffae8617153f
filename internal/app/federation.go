package app

import (
	"fmt"

	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/connector/oidc"
	"github.com/sesame-sso/sesame/internal/server"
)

// federationOptions turns the federation.* keys into the server's
// delegated-login options (issue 10): one bounded back-channel client,
// private networks refused unless federation.denyPrivateNetworks is
// false, and Sesame's ID token decryption key when one is configured.
func federationOptions(c config.Federation) (server.Federation, error) {
	httpTimeout, refetch, callback := c.Durations()
	f := server.Federation{
		Limits:               oidc.Limits{Timeout: httpTimeout, MaxBody: c.MaxAnswerBytes},
		AllowPrivateNetworks: !c.DenyPrivateNetworks,
		KeyRefetchInterval:   refetch,
		CallbackTimeout:      callback,
		MetadataRefresh:      c.MetadataRefreshInterval(),
	}
	k, err := c.DecryptionKey()
	if err != nil {
		return f, fmt.Errorf("federation.decryptionKeyFile: %w", err)
	}
	if k != nil {
		// kid: a digest of the public modulus, stable across restarts
		// and nodes sharing the key file. Without a file the server
		// generates one and stores it sealed (server/fedkey.go).
		f.DecryptionKeys = []oidc.DecryptionKey{{ID: server.KeyID(k), Key: k}}
	}
	return f, nil
}
