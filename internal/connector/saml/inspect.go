package saml

import crewjam "github.com/crewjam/saml"

// MetadataInfo is what CheckMetadata found in IdP metadata.
type MetadataInfo struct {
	// EntityID is the IdP entity the connection trusts (the only one, or
	// the one picked).
	EntityID string
}

// CheckMetadata validates IdP metadata as New would, without SP keys: it
// parses it (the same XML pre-check), picks the IdP entity (entityID, or
// the only one — several without a pick is an error listing the choices),
// and requires a signing certificate and, unless idpInitiatedOnly, a
// SingleSignOnService for binding. Errors are *connector.Error with
// ReasonConfig whose Detail says what is wrong, for an administrator
// (R-SAML-1: refused at save time with a clear message).
func CheckMetadata(metadata []byte, entityID string, binding Binding, idpInitiatedOnly bool) (MetadataInfo, error) {
	idp, err := pickEntity(metadata, entityID)
	if err != nil {
		return MetadataInfo{}, err
	}
	c := &Connector{cfg: Config{Binding: binding}}
	if c.cfg.Binding == "" {
		c.cfg.Binding = BindingRedirect
	}
	c.solicited = &crewjam.ServiceProvider{IDPMetadata: idp}
	if _, err := c.idpCerts(); err != nil {
		return MetadataInfo{}, err
	}
	if !idpInitiatedOnly && len(c.solicited.GetSSOBindingLocation(c.ssoBinding())) == 0 {
		return MetadataInfo{}, configErr("IdP metadata has no SingleSignOnService for the %s binding", c.cfg.Binding)
	}
	return MetadataInfo{EntityID: idp.EntityID}, nil
}
