package oidc

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/sesame-sso/sesame/internal/connector"
)

// verifyIDToken decrypts raw if it is a JWE (RFC 7516 compact: 5 parts),
// verifies the signed token inside (OIDC Core §3.1.3.7) and returns its
// claims and the signed token (kept as id_token_hint; RP-Initiated Logout
// §2 wants the decrypted one). needNonce: the nonce claim must equal nonce;
// otherwise a nonce present must still equal it (refresh, OIDC Core §12.2).
func (c *Connector) verifyIDToken(ctx context.Context, raw, nonce string, needNonce bool, accessToken string) (map[string]any, string, error) {
	signed := raw
	switch strings.Count(raw, ".") {
	case 4:
		inner, err := c.decrypt(raw)
		if err != nil {
			return nil, "", err
		}
		signed = inner
	case 2:
		if c.cfg.RequireEncryption {
			return nil, "", connector.Errorf(connector.ReasonDecrypt, nil, "ID token not encrypted but the connection requires it")
		}
	default:
		return nil, "", connector.Errorf(connector.ReasonToken, nil, "ID token is neither a JWS nor a JWE")
	}
	// The alg allow-list, checked here to name the failure and again by
	// go-oidc (SupportedSigningAlgs) and the key set.
	alg, err := headerAlg(signed)
	if err != nil {
		return nil, "", connector.Errorf(connector.ReasonToken, err, "ID token header")
	}
	if !slices.Contains(c.cfg.SigningAlgs, alg) {
		return nil, "", connector.Errorf(connector.ReasonAlgorithm, nil, fmt.Sprintf("ID token signed with %q, allowed: %s", clip(alg), strings.Join(c.cfg.SigningAlgs, ", ")))
	}
	res := &sigResult{}
	idt, err := c.verify.Verify(context.WithValue(ctx, sigResultKey{}, res), signed)
	if err != nil {
		return nil, "", c.verifyError(err, res, signed)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, "", connector.Errorf(connector.ReasonToken, err, "ID token claims")
	}
	if err := c.checkTimes(claims); err != nil {
		return nil, "", err
	}
	// OIDC Core §3.1.3.7 items 4–5: with several audiences azp is required;
	// when present it must be this client.
	azp, hasAZP := claims["azp"]
	if len(idt.Audience) > 1 && !hasAZP {
		return nil, "", connector.Errorf(connector.ReasonAZP, nil, "several audiences and no azp")
	}
	if hasAZP && azp != c.cfg.ClientID {
		return nil, "", connector.Errorf(connector.ReasonAZP, nil, fmt.Sprintf("azp %q is not this client", clip(fmt.Sprint(azp))))
	}
	// §3.1.3.7 item 11: the nonce binds the token to this browser's login.
	if (needNonce || idt.Nonce != "") && (idt.Nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1) {
		return nil, "", connector.Errorf(connector.ReasonNonce, nil, "ID token nonce is not this login's")
	}
	// §3.2.2.9 / §3.1.3.8: at_hash, when present, binds the access token.
	if idt.AccessTokenHash != "" && accessToken != "" {
		if err := idt.VerifyAccessToken(accessToken); err != nil {
			return nil, "", connector.Errorf(connector.ReasonToken, err, "at_hash")
		}
	}
	if idt.Subject == "" {
		return nil, "", connector.Errorf(connector.ReasonSubject, nil, "ID token without sub")
	}
	return claims, signed, nil
}

// verifyError names what go-oidc refused. go-oidc's errors are strings, so
// the reason comes from what the key set recorded and, once the signature
// is known good, from the (then trustworthy) claims.
func (c *Connector) verifyError(err error, res *sigResult, signed string) error {
	var exp *gooidc.TokenExpiredError
	switch {
	case res.called && res.err != nil:
		var fe *fetchError
		if errors.As(res.err, &fe) {
			return connector.Errorf(connector.ReasonUnreachable, fe.err, "jwks")
		}
		return connector.Errorf(connector.ReasonSignature, res.err, "ID token signature")
	case !res.called:
		return connector.Errorf(connector.ReasonToken, err, "ID token")
	case errors.As(err, &exp):
		return connector.Errorf(connector.ReasonExpired, nil, fmt.Sprintf("ID token expired at %s (skew %s)", exp.Expiry.UTC().Format(time.RFC3339), c.cfg.ClockSkew))
	}
	var cl struct {
		Iss string          `json:"iss"`
		Aud json.RawMessage `json:"aud"`
	}
	if p, perr := payloadOf(signed); perr == nil && json.Unmarshal(p, &cl) == nil {
		if cl.Iss != c.cfg.Issuer {
			return connector.Errorf(connector.ReasonIssuer, nil, fmt.Sprintf("ID token from issuer %q, expected %q", clip(cl.Iss), c.cfg.Issuer))
		}
		var one string
		var many []string
		if json.Unmarshal(cl.Aud, &one) == nil {
			many = []string{one}
		} else {
			_ = json.Unmarshal(cl.Aud, &many)
		}
		if !slices.Contains(many, c.cfg.ClientID) {
			return connector.Errorf(connector.ReasonAudience, nil, "ID token is for another client")
		}
	}
	if strings.Contains(err.Error(), "nbf") {
		return connector.Errorf(connector.ReasonNotYetValid, err, "ID token")
	}
	return connector.Errorf(connector.ReasonToken, err, "ID token")
}

// checkTimes checks nbf and iat against now + skew (go-oidc checks exp
// with the skew but nbf with a fixed 5 minutes and iat not at all).
func (c *Connector) checkTimes(claims map[string]any) error {
	limit := c.now().Add(c.cfg.ClockSkew)
	for _, name := range []string{"nbf", "iat"} {
		v, ok := claims[name]
		if !ok {
			continue
		}
		f, ok := v.(float64)
		if !ok {
			return connector.Errorf(connector.ReasonToken, nil, name+" is not a number")
		}
		if t := time.Unix(int64(f), 0); t.After(limit) {
			return connector.Errorf(connector.ReasonNotYetValid, nil, fmt.Sprintf("ID token %s %s is after now + skew %s", name, t.UTC().Format(time.RFC3339), c.cfg.ClockSkew))
		}
	}
	return nil
}

// decrypt opens a JWE ID token with Sesame's keys (key algorithms RSA-OAEP,
// RSA-OAEP-256; content A128GCM, A256GCM, A128CBC-HS256 — the parser
// refuses any other) and returns the nested signed JWT (OIDC Core §10.2).
func (c *Connector) decrypt(raw string) (string, error) {
	if len(c.cfg.DecryptionKeys) == 0 {
		return "", connector.Errorf(connector.ReasonDecrypt, nil, "encrypted ID token but the connection has no decryption key")
	}
	jwe, err := jose.ParseEncryptedCompact(raw, keyAlgs, contentEncs)
	if err != nil {
		return "", connector.Errorf(connector.ReasonDecrypt, err, "encrypted ID token")
	}
	kid, alg := jwe.Header.KeyID, jwe.Header.Algorithm
	tried := false
	for _, k := range c.cfg.DecryptionKeys {
		if (kid != "" && k.ID != kid) || (k.Algorithm != "" && k.Algorithm != alg) {
			continue
		}
		tried = true
		if inner, err := jwe.Decrypt(k.Key); err == nil {
			if strings.Count(string(inner), ".") != 2 {
				return "", connector.Errorf(connector.ReasonDecrypt, nil, "encrypted ID token does not hold a signed JWT")
			}
			return string(bytes.TrimSpace(inner)), nil
		}
	}
	if !tried {
		return "", connector.Errorf(connector.ReasonDecrypt, nil, fmt.Sprintf("encrypted to key %q (%s), which is not one of ours", clip(kid), clip(alg)))
	}
	return "", connector.Errorf(connector.ReasonDecrypt, nil, "encrypted ID token does not decrypt with our key")
}

func headerAlg(jwt string) (string, error) {
	h, _, ok := strings.Cut(jwt, ".")
	if !ok {
		return "", errors.New("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return "", fmt.Errorf("header: %w", err)
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(b, &hdr); err != nil {
		return "", fmt.Errorf("header: %w", err)
	}
	return hdr.Alg, nil
}

// payloadOf returns a JWS's payload without verifying it; callers use it
// only for tokens already verified (or to name why verification failed
// after the signature was found good).
func payloadOf(jwt string) ([]byte, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a JWS")
	}
	return base64.RawURLEncoding.DecodeString(parts[1])
}
