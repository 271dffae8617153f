package saml

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/xml"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	crewjam "github.com/crewjam/saml"

	"github.com/sesame-sso/sesame/internal/connector"
)

// Binding is how the AuthnRequest travels to the IdP (SAML bindings §3.4, §3.5).
type Binding string

const (
	BindingRedirect Binding = "redirect" // HTTP-Redirect (default)
	BindingPost     Binding = "post"     // HTTP-POST, an auto-submitted form
)

// Defaults and bounds.
const (
	DefaultClockSkew = 2 * time.Minute
	// MaxClockSkew is crewjam/saml's own fixed leeway (saml.MaxClockSkew,
	// 180 s); a larger per-connection skew could not be honoured.
	MaxClockSkew = 3 * time.Minute
	// DefaultMaxResponseBytes bounds the POSTed form (the base64 SAMLResponse
	// of a signed + encrypted assertion with many groups is some 30–60 KiB).
	DefaultMaxResponseBytes = 256 << 10
	maxMetadataBytes        = 4 << 20
)

// KeyPair is one SP key with its certificate. RSA only: the same key
// decrypts encrypted assertions (XML Encryption key transport is RSA).
type KeyPair struct {
	Key  *rsa.PrivateKey
	Cert *x509.Certificate
}

// Config is one SAML connection (R-SAML-1). Nothing here is fetched: the
// caller passes the IdP metadata bytes it stores or refreshed.
type Config struct {
	// IdPMetadata is the IdP's metadata XML: an EntityDescriptor or an
	// EntitiesDescriptor. With several IdP entities, IdPEntityID picks one
	// (R-SAML-1: "the admin picks the entity id").
	IdPMetadata []byte
	IdPEntityID string

	// EntityID is Sesame's SP entity id for this connection (the Audience);
	// ACSURL where the IdP posts its answer; SLOURL the logout endpoint
	// advertised in the metadata (optional).
	EntityID string
	ACSURL   string
	SLOURL   string
	// AliasACSURL, optional, is a second URL the IdP may post its answer
	// to (the marketplace consume path, seed 002): advertised as a second
	// AssertionConsumerService; a response posted there must name it as
	// Destination and Recipient.
	AliasACSURL string

	// Keys are the SP's keys: Keys[0] signs AuthnRequests and is the
	// preferred decryption key; Keys[1], optional, is the other key of a
	// rotation overlap: advertised in the metadata (signing and encryption)
	// and tried for decryption. At most two.
	Keys []KeyPair

	// AllowIdPInitiated accepts unsolicited responses (off by default,
	// R-SAML-2).
	AllowIdPInitiated bool
	// ClockSkew is the leeway on NotBefore / NotOnOrAfter; default 2 min,
	// at most 3 min.
	ClockSkew time.Duration
	// SignAuthnRequests signs AuthnRequests with Keys[0] (RSA-SHA256), for
	// IdPs that want it (WantAuthnRequestsSigned).
	SignAuthnRequests bool
	// Binding of the AuthnRequest; default redirect.
	Binding Binding
	// EmailAttribute names the attribute (Name or FriendlyName) that holds
	// the email; without it, or when absent, an emailAddress NameID is the
	// email.
	EmailAttribute string
	// MaxResponseBytes bounds the POSTed body; default 256 KiB.
	MaxResponseBytes int64
}

// NameID formats (SAML core §8.3).
const (
	NameIDUnspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
	NameIDEmail       = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
	NameIDPersistent  = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	NameIDTransient   = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
)

func configErr(format string, a ...any) error {
	return connector.Errorf(connector.ReasonConfig, nil, fmt.Sprintf(format, a...))
}

func (c *Config) validate() error {
	if c.EntityID == "" {
		return configErr("SP entity id missing")
	}
	acs, err := url.Parse(c.ACSURL)
	if err != nil || !acs.IsAbs() {
		return configErr("ACS URL %q is not an absolute URL", c.ACSURL)
	}
	if c.AliasACSURL != "" {
		if u, err := url.Parse(c.AliasACSURL); err != nil || !u.IsAbs() {
			return configErr("alias ACS URL %q is not an absolute URL", c.AliasACSURL)
		}
	}
	if c.SLOURL != "" {
		if u, err := url.Parse(c.SLOURL); err != nil || !u.IsAbs() {
			return configErr("SLO URL %q is not an absolute URL", c.SLOURL)
		}
	}
	if len(c.Keys) == 0 || len(c.Keys) > 2 {
		return configErr("SP keys: need one key, or two during a rotation, got %d", len(c.Keys))
	}
	for i, k := range c.Keys {
		if k.Key == nil || k.Cert == nil {
			return configErr("SP key %d: key and certificate required", i)
		}
		if k.Key.N.BitLen() < 2048 {
			return configErr("SP key %d: RSA key of %d bits, at least 2048 required", i, k.Key.N.BitLen())
		}
		pub, ok := k.Cert.PublicKey.(*rsa.PublicKey)
		if !ok || !pub.Equal(&k.Key.PublicKey) {
			return configErr("SP key %d: the certificate is not the key's", i)
		}
	}
	if c.ClockSkew == 0 {
		c.ClockSkew = DefaultClockSkew
	}
	if c.ClockSkew < 0 || c.ClockSkew > MaxClockSkew {
		return configErr("clock skew %s outside 0..%s", c.ClockSkew, MaxClockSkew)
	}
	switch c.Binding {
	case "":
		c.Binding = BindingRedirect
	case BindingRedirect, BindingPost:
	default:
		return configErr("binding %q: redirect or post", c.Binding)
	}
	if c.MaxResponseBytes == 0 {
		c.MaxResponseBytes = DefaultMaxResponseBytes
	}
	return nil
}

// pickEntity parses IdP metadata and returns the IdP entity to trust: the
// only one with an IDPSSODescriptor, or the one named id. The error names
// the choices when the choice is ambiguous or wrong.
func pickEntity(metadata []byte, id string) (*crewjam.EntityDescriptor, error) {
	if len(metadata) == 0 {
		return nil, configErr("IdP metadata missing")
	}
	if len(metadata) > maxMetadataBytes {
		return nil, configErr("IdP metadata larger than %d bytes", maxMetadataBytes)
	}
	if err := precheckXML(metadata, 64, 100000); err != nil {
		return nil, connector.Errorf(connector.ReasonConfig, err, "IdP metadata refused")
	}
	var all []crewjam.EntityDescriptor
	var root struct{ XMLName xml.Name }
	if err := xml.Unmarshal(metadata, &root); err != nil {
		return nil, connector.Errorf(connector.ReasonConfig, err, "IdP metadata is not XML")
	}
	switch root.XMLName.Local {
	case "EntitiesDescriptor":
		var es crewjam.EntitiesDescriptor
		if err := xml.NewDecoder(bytes.NewReader(metadata)).Decode(&es); err != nil {
			return nil, connector.Errorf(connector.ReasonConfig, err, "IdP metadata unreadable")
		}
		var walk func(*crewjam.EntitiesDescriptor)
		walk = func(e *crewjam.EntitiesDescriptor) {
			all = append(all, e.EntityDescriptors...)
			for i := range e.EntitiesDescriptors {
				walk(&e.EntitiesDescriptors[i])
			}
		}
		walk(&es)
	case "EntityDescriptor":
		var e crewjam.EntityDescriptor
		if err := xml.Unmarshal(metadata, &e); err != nil {
			return nil, connector.Errorf(connector.ReasonConfig, err, "IdP metadata unreadable")
		}
		all = append(all, e)
	default:
		return nil, configErr("IdP metadata root is <%s>, want EntityDescriptor or EntitiesDescriptor", root.XMLName.Local)
	}
	var idps []crewjam.EntityDescriptor
	var names []string
	for _, e := range all {
		if len(e.IDPSSODescriptors) > 0 {
			idps = append(idps, e)
			names = append(names, e.EntityID)
		}
	}
	sort.Strings(names)
	switch {
	case len(idps) == 0:
		return nil, configErr("IdP metadata has no IDPSSODescriptor")
	case id == "" && len(idps) == 1:
		return &idps[0], nil
	case id == "":
		return nil, configErr("IdP metadata has %d identity providers, pick one entity id: %s", len(idps), strings.Join(names, ", "))
	}
	for i := range idps {
		if idps[i].EntityID == id {
			return &idps[i], nil
		}
	}
	return nil, configErr("IdP entity id %q is not in the metadata; it has: %s", id, strings.Join(names, ", "))
}
