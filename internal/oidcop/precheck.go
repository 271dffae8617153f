package oidcop

import (
	"errors"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// precheck is the pre-filter run before any signature work (issue 8 item
// 19): the token must parse as a compact JWS with the configured algorithm
// and carry an exp that has not passed. It reads the payload without
// verifying it, so it only ever refuses: a token is active only after the
// full signature check that follows (op.VerifyAccessToken).
func (p *Provider) precheck(raw string, now time.Time) error {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{p.keys.alg})
	if err != nil {
		return fmt.Errorf("malformed token: %w", err)
	}
	var c jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&c); err != nil {
		return fmt.Errorf("malformed token claims: %w", err)
	}
	if c.Expiry == nil || !c.Expiry.Time().After(now) {
		return errors.New("token expired or without exp")
	}
	// Several nodes behind one name must share server.externalURL: a node
	// left at its default (http://its-own-address) refuses the others'
	// tokens, and the debug log says why (issue 14 §5).
	if c.Issuer != p.issuer {
		return fmt.Errorf("token issued by %q, not by this server's issuer %q (every node needs the same server.externalURL)", c.Issuer, p.issuer)
	}
	return nil
}
