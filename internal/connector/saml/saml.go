package saml

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	crewjam "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/sesame-sso/sesame/internal/connector"
)

// SAML-specific reasons (stable, stored in audit entries), next to the
// shared ones of package connector (signature, audience, expired,
// not_yet_valid, issuer, decrypt, state, subject, config).
const (
	// ReasonMalformed: the request or the XML is refused before any
	// signature check (size, base64, DOCTYPE/entities, not well formed,
	// artifact/SimpleSign bindings).
	ReasonMalformed connector.Reason = "malformed"
	// ReasonUnsolicited: an IdP-initiated response on a connection that
	// does not allow it, or an unsolicited one where a request was made.
	ReasonUnsolicited connector.Reason = "unsolicited"
	// ReasonInResponseTo: the response answers another AuthnRequest.
	ReasonInResponseTo connector.Reason = "in_response_to"
	// ReasonDestination: Destination / Recipient is not this ACS.
	ReasonDestination connector.Reason = "destination"
	// ReasonNameIDFormat: the NameID format is refused (transient, R-SAML-4).
	ReasonNameIDFormat connector.Reason = "nameid_format"
	// ReasonReplay: the assertion id was seen before (Options.Replay).
	ReasonReplay connector.Reason = "replay"
	// ReasonStatus: the IdP answered with a non-success status.
	ReasonStatus connector.Reason = "status"
)

// ErrReplay is what an Options.Replay function returns for an assertion id
// it has already recorded.
var ErrReplay = errors.New("saml: assertion already used")

// Options are the connector's collaborators.
type Options struct {
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
	// Replay, when set, is called by Finish with the verified assertion's
	// id and the instant until which it must be remembered; it must record
	// it atomically and return ErrReplay (or any error) when it was already
	// recorded. The store-backed cache makes a replay fail on every node.
	Replay func(ctx context.Context, assertionID string, until time.Time) error
	Logger *slog.Logger
}

// Connector is one SAML connection. Safe for concurrent use.
type Connector struct {
	cfg        Config
	opt        Options
	solicited  *crewjam.ServiceProvider // InResponseTo required
	idpStarted *crewjam.ServiceProvider // AllowIDPInitiated (nil when not allowed)
	acs        url.URL
	alias      *url.URL // Config.AliasACSURL
}

var _ connector.Connector = (*Connector)(nil)

// New builds the connector; no network. Config errors are *connector.Error
// with ReasonConfig.
func New(cfg Config, opt Options) (*Connector, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	idp, err := pickEntity(cfg.IdPMetadata, cfg.IdPEntityID)
	if err != nil {
		return nil, err
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Connector{cfg: cfg, opt: opt}
	c.acs = mustURL(cfg.ACSURL)
	if cfg.AliasACSURL != "" {
		u := mustURL(cfg.AliasACSURL)
		c.alias = &u
	}
	c.solicited = c.newSP(idp, false)
	if len(c.solicited.GetSSOBindingLocation(c.ssoBinding())) == 0 && !cfg.AllowIdPInitiated {
		return nil, configErr("IdP metadata has no SingleSignOnService for the %s binding", cfg.Binding)
	}
	if _, err := c.idpCerts(); err != nil {
		return nil, err
	}
	if cfg.AllowIdPInitiated {
		c.idpStarted = c.newSP(idp, true)
	}
	return c, nil
}

func mustURL(s string) url.URL {
	u, _ := url.Parse(s) // validated
	return *u
}

func (c *Connector) ssoBinding() string {
	if c.cfg.Binding == BindingPost {
		return crewjam.HTTPPostBinding
	}
	return crewjam.HTTPRedirectBinding
}

func (c *Connector) newSP(idp *crewjam.EntityDescriptor, unsolicited bool) *crewjam.ServiceProvider {
	sp := &crewjam.ServiceProvider{
		EntityID:                         c.cfg.EntityID,
		Key:                              c.cfg.Keys[0].Key,
		Certificate:                      c.cfg.Keys[0].Cert,
		AcsURL:                           c.acs,
		IDPMetadata:                      idp,
		AuthnNameIDFormat:                crewjam.UnspecifiedNameIDFormat,
		AllowIDPInitiated:                unsolicited,
		AssertionConsumerServiceBindings: []string{crewjam.HTTPPostBinding},
		LogoutBindings:                   []string{crewjam.HTTPRedirectBinding, crewjam.HTTPPostBinding},
		MetadataValidDuration:            7 * 24 * time.Hour,
		// SHA-1 signatures are refused (collisions are practical; ADFS and
		// Entra ID sign with SHA-256 by default): ASVS V6.2.
		RejectSHA1Signatures: true,
		// RequireSignedResponseForCBC stays off: Entra ID and ADFS sign the
		// assertion only and encrypt it with AES-CBC (see the notes).
	}
	if c.cfg.SLOURL != "" {
		sp.SloURL = mustURL(c.cfg.SLOURL)
	}
	if len(c.cfg.Keys) > 1 {
		sp.DecryptionKeys = append(sp.DecryptionKeys, c.cfg.Keys[1].Key)
	}
	if c.cfg.SignAuthnRequests {
		sp.SignatureMethod = dsig.RSASHA256SignatureMethod
	}
	return sp
}

// idpCerts checks that the metadata holds at least one usable signing
// certificate (a connection that could accept nothing is a config error).
func (c *Connector) idpCerts() ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, d := range c.solicited.IDPMetadata.IDPSSODescriptors {
		for _, kd := range d.KeyDescriptors {
			if kd.Use != "" && kd.Use != "signing" {
				continue
			}
			for _, x := range kd.KeyInfo.X509Data.X509Certificates {
				raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(x.Data), ""))
				if err != nil {
					return nil, connector.Errorf(connector.ReasonConfig, err, "IdP signing certificate not base64")
				}
				cert, err := x509.ParseCertificate(raw)
				if err != nil {
					return nil, connector.Errorf(connector.ReasonConfig, err, "IdP signing certificate unreadable")
				}
				out = append(out, cert)
			}
		}
	}
	if len(out) == 0 {
		return nil, configErr("IdP metadata has no signing certificate")
	}
	return out, nil
}

// kept is what Begin asks the caller to store on its Flow.
type kept struct {
	RequestID string `json:"request_id"`
	State     string `json:"state"`
	EntityID  string `json:"sp"` // binds kept to this connection
}

// Begin builds an AuthnRequest (R-SAML-2): HTTP-Redirect (signed query
// when SignAuthnRequests, SAML bindings §3.4.4.1) or an HTTP-POST form
// (enveloped signature), RelayState = state. callbackURL must be empty or
// the configured ACS URL (the IdP only posts to what its metadata copy
// says).
func (c *Connector) Begin(ctx context.Context, state, callbackURL string) (connector.Action, []byte, error) {
	if state == "" {
		return connector.Action{}, nil, connector.Errorf(connector.ReasonState, nil, "empty state")
	}
	if callbackURL != "" && callbackURL != c.cfg.ACSURL {
		return connector.Action{}, nil, configErr("callback URL %q is not the connection's ACS URL %q", callbackURL, c.cfg.ACSURL)
	}
	sp := c.at(c.solicited, c.opt.Now())
	binding := c.ssoBinding()
	dest := sp.GetSSOBindingLocation(binding)
	if dest == "" {
		return connector.Action{}, nil, configErr("IdP metadata has no SingleSignOnService for the %s binding", c.cfg.Binding)
	}
	req, err := sp.MakeAuthenticationRequest(dest, binding, crewjam.HTTPPostBinding)
	if err != nil {
		return connector.Action{}, nil, connector.Errorf(connector.ReasonConfig, err, "building the AuthnRequest")
	}
	k, err := json.Marshal(kept{RequestID: req.ID, State: state, EntityID: c.cfg.EntityID})
	if err != nil {
		return connector.Action{}, nil, fmt.Errorf("saml: kept: %w", err)
	}
	if binding == crewjam.HTTPRedirectBinding {
		u, err := req.Redirect(state, sp)
		if err != nil {
			return connector.Action{}, nil, connector.Errorf(connector.ReasonConfig, err, "redirect binding")
		}
		return connector.Action{RedirectURL: u.String()}, k, nil
	}
	buf, err := elementBytes(req.Element())
	if err != nil {
		return connector.Action{}, nil, fmt.Errorf("saml: AuthnRequest: %w", err)
	}
	return connector.Action{PostURL: dest, PostForm: url.Values{
		"SAMLRequest": {base64.StdEncoding.EncodeToString(buf)},
		"RelayState":  {state},
	}}, k, nil
}
