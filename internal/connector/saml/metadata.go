package saml

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"

	crewjam "github.com/crewjam/saml"
)

// Metadata is the SP metadata of this connection (R-SAML-1), served at
// /saml/{connection}/metadata: entity id, ACS (HTTP-POST), SLO
// (HTTP-Redirect and HTTP-POST) when configured, the signing and encryption
// certificates of every configured key (both during a rotation overlap),
// the accepted NameID formats, AuthnRequestsSigned and
// WantAssertionsSigned="true".
func (c *Connector) Metadata(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sp := c.at(c.solicited, c.opt.Now())
	md := sp.Metadata()
	if len(md.SPSSODescriptors) != 1 {
		return nil, fmt.Errorf("saml: metadata: %d SPSSODescriptors", len(md.SPSSODescriptors))
	}
	d := &md.SPSSODescriptors[0]
	yes := true
	d.WantAssertionsSigned = &yes
	signed := c.cfg.SignAuthnRequests
	d.AuthnRequestsSigned = &signed
	d.NameIDFormats = []crewjam.NameIDFormat{NameIDPersistent, NameIDEmail, NameIDUnspecified}
	if c.alias != nil {
		d.AssertionConsumerServices = append(d.AssertionConsumerServices, crewjam.IndexedEndpoint{
			Binding: crewjam.HTTPPostBinding, Location: c.alias.String(), Index: len(d.AssertionConsumerServices) + 1})
	}
	if c.cfg.SLOURL == "" {
		// No SLO endpoint configured: none advertised (crewjam would list
		// services with an empty Location, which IdPs refuse).
		d.SingleLogoutServices = nil
	}
	var kds []crewjam.KeyDescriptor
	for _, use := range []string{"signing", "encryption"} {
		for _, k := range c.cfg.Keys {
			kd := crewjam.KeyDescriptor{Use: use, KeyInfo: crewjam.KeyInfo{X509Data: crewjam.X509Data{
				X509Certificates: []crewjam.X509Certificate{{Data: base64.StdEncoding.EncodeToString(k.Cert.Raw)}},
			}}}
			if use == "encryption" {
				kd.EncryptionMethods = []crewjam.EncryptionMethod{
					{Algorithm: "http://www.w3.org/2009/xmlenc11#aes256-gcm"},
					{Algorithm: "http://www.w3.org/2009/xmlenc11#aes128-gcm"},
					{Algorithm: "http://www.w3.org/2001/04/xmlenc#aes256-cbc"},
					{Algorithm: "http://www.w3.org/2001/04/xmlenc#aes128-cbc"},
				}
			}
			kds = append(kds, kd)
		}
	}
	d.KeyDescriptors = kds
	out, err := xml.MarshalIndent(md, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("saml: metadata: %w", err)
	}
	return append([]byte(xml.Header), out...), nil
}
