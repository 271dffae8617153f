package oidc_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/sesame-sso/sesame/internal/connector/connectortest"
	"github.com/sesame-sso/sesame/internal/connector/oidc"
)

// BenchmarkFinish is the protocol part of the delegated login callback
// (issue 10 performance): code exchange at a local upstream over loopback
// HTTP and ID token verification with a warm JWKS cache. Begin and the
// browser's trip to the authorize endpoint are outside the timer.
func BenchmarkFinish(b *testing.B) {
	p := connectortest.New(b, connectortest.Options{})
	c := open(b, p, nil, oidc.Options{})
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
