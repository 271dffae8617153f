package oidc_test

import (
	"context"
	"strconv"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/sesame-sso/sesame/internal/connector/connectortest"
	"github.com/sesame-sso/sesame/internal/connector/oidc"
)

// BenchmarkFinish is the protocol part of the delegated login callback
// (issue 10 performance): code exchange at a local upstream over loopback
// HTTP and ID token verification with a warm JWKS cache. Begin and the
// browser's trip to the authorize endpoint are outside the timer.
// The upstream signs on the same machine (its RSA signature is most of
// the RS256/PS256 figure).
func BenchmarkFinish(b *testing.B) {
	for _, alg := range []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256} {
		b.Run(string(alg), func(b *testing.B) { benchFinish(b, connectortest.Options{Alg: alg}, nil) })
	}
	dk := newEncKey(b, "enc", "")
	b.Run("RS256+RSA-OAEP-256+A128GCM", func(b *testing.B) {
		benchFinish(b, connectortest.Options{EncryptTo: &dk.Key.PublicKey, EncryptKID: "enc"}, func(c *oidc.Config) {
			c.DecryptionKeys = []oidc.DecryptionKey{dk}
		})
	})
}

func benchFinish(b *testing.B, po connectortest.Options, edit func(*oidc.Config)) {
	p := connectortest.New(b, po)
	c := open(b, p, edit, oidc.Options{})
	ctx := context.Background()
	if _, err := login(b, p, c); err != nil { // warm discovery and JWKS
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		a, kept, err := c.Begin(ctx, "state-"+strconv.Itoa(i), callback)
		if err != nil {
			b.Fatal(err)
		}
		r := p.Callback(b, a.RedirectURL)
		b.StartTimer()
		if _, err := c.Finish(ctx, r, kept); err != nil {
			b.Fatal(err)
		}
	}
}
