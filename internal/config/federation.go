package config

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Federation configures delegated login to customers' IdPs (issue 10):
// every back-channel request to an IdP is bounded in time and size, and
// by default never reaches loopback, private or link-local addresses
// (connections are set up by tenant administrators: SSRF towards internal
// services or cloud metadata otherwise). Go durations ("10s").
type Federation struct {
	// HTTPTimeout bounds one request to an IdP, body included.
	HTTPTimeout string `yaml:"httpTimeout"`
	// MaxAnswerBytes is the largest IdP answer read (larger: an error).
	MaxAnswerBytes int64 `yaml:"maxAnswerBytes"`
	// DenyPrivateNetworks refuses IdPs on loopback, private (RFC 1918,
	// RFC 4193) and link-local addresses; set false for on-premises IdPs.
	DenyPrivateNetworks bool `yaml:"denyPrivateNetworks"`
	// JWKSRefetchInterval is the least time between two fetches of an
	// IdP's keys caused by unknown key ids.
	JWKSRefetchInterval string `yaml:"jwksRefetchInterval"`
	// CallbackTimeout bounds a whole IdP callback (up to four requests).
	CallbackTimeout string `yaml:"callbackTimeout"`
	// MetadataRefresh is how often SAML connections given by a metadata
	// URL fetch it again (certificate rollover, R-SAML-1).
	MetadataRefresh string `yaml:"metadataRefresh"`
	// DecryptionKeyFile is a PEM RSA private key (≥ 2048 bit) IdPs may
	// encrypt ID tokens to; its public half is served at
	// /federation/jwks.json. Empty: none published.
	DecryptionKeyFile string `yaml:"decryptionKeyFile"`
}

// DefaultFederation are the defaults.
func DefaultFederation() Federation {
	return Federation{HTTPTimeout: "10s", MaxAnswerBytes: 1 << 20, DenyPrivateNetworks: true, JWKSRefetchInterval: "30s", CallbackTimeout: "20s",
		MetadataRefresh: "6h"}
}

// Durations parses the durations (validated by Validate).
func (f Federation) Durations() (httpTimeout, jwksRefetch, callback time.Duration) {
	p := func(s string) time.Duration { d, _ := time.ParseDuration(s); return d }
	return p(f.HTTPTimeout), p(f.JWKSRefetchInterval), p(f.CallbackTimeout)
}

// MetadataRefreshInterval parses MetadataRefresh (validated by Validate).
func (f Federation) MetadataRefreshInterval() time.Duration {
	d, _ := time.ParseDuration(f.MetadataRefresh)
	return d
}

// DecryptionKey reads DecryptionKeyFile (nil when unset).
func (f Federation) DecryptionKey() (*rsa.PrivateKey, error) {
	if f.DecryptionKeyFile == "" {
		return nil, nil
	}
	b, err := os.ReadFile(f.DecryptionKeyFile)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("%s holds no PEM block", f.DecryptionKeyFile)
	}
	var k any
	if k, err = x509.ParsePKCS8PrivateKey(blk.Bytes); err != nil {
		if k, err = x509.ParsePKCS1PrivateKey(blk.Bytes); err != nil {
			return nil, fmt.Errorf("%s: not a PKCS #8 or PKCS #1 private key", f.DecryptionKeyFile)
		}
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok || rk.N.BitLen() < 2048 {
		return nil, fmt.Errorf("%s: an RSA key of at least 2048 bit is required", f.DecryptionKeyFile)
	}
	return rk, nil
}

func (f Federation) validate(bad func(key, format string, args ...any)) {
	for key, v := range map[string]struct {
		s        string
		min, max time.Duration
	}{
		"federation.httpTimeout":         {f.HTTPTimeout, time.Second, 2 * time.Minute},
		"federation.jwksRefetchInterval": {f.JWKSRefetchInterval, time.Second, time.Hour},
		"federation.callbackTimeout":     {f.CallbackTimeout, time.Second, 5 * time.Minute},
		"federation.metadataRefresh":     {f.MetadataRefresh, time.Minute, 7 * 24 * time.Hour},
	} {
		if d, err := time.ParseDuration(v.s); err != nil || d < v.min || d > v.max {
			bad(key, "%q is not a duration between %v and %v", v.s, v.min, v.max)
		}
	}
	if f.MaxAnswerBytes < 16<<10 || f.MaxAnswerBytes > 64<<20 {
		bad("federation.maxAnswerBytes", "%d is not between 16384 and 67108864", f.MaxAnswerBytes)
	}
	if _, err := f.DecryptionKey(); err != nil {
		bad("federation.decryptionKeyFile", "%v", err)
	}
}

func (c *Config) applyFederationEnv(env func(string) (string, bool)) {
	if env == nil {
		env = os.LookupEnv
	}
	if v, ok := env("SESAME_FEDERATION_DENY_PRIVATE_NETWORKS"); ok {
		if b, err := strconv.ParseBool(v); err == nil {
			c.Federation.DenyPrivateNetworks = b
		} else {
			c.Federation.DenyPrivateNetworks = true // unreadable: the safe side
		}
	}
	if v, ok := env("SESAME_FEDERATION_DECRYPTION_KEY_FILE"); ok {
		c.Federation.DecryptionKeyFile = v
	}
}
