package directory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/sesame-sso/sesame/internal/catalog"
	"github.com/sesame-sso/sesame/internal/clients"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/seal"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Connections to external IdPs (SPEC.md §6, R-FED-1..5): CRUD, owned by
// the root context or a tenant, authorized with "Identity providers -
// Manage" / "- Read" (module cas) at the owner, audited. The client secret
// is write-only: sealed with the master key (internal/seal, the row id as
// additional data) and never returned.

const (
	rightIdPManage = catalog.IdentityProvidersManage
	rightIdPRead   = catalog.IdentityProvidersRead
)

// SetSealer installs the master-key sealer for connection client secrets
// (nil: stored plain, as signing keys and TOTP secrets are without a
// master key). Call it before serving.
func (s *Service) SetSealer(sl *seal.Sealer) { s.sealer = sl }

// Sealer is the master-key sealer (nil without a master key): the login
// engine seals a delegated session's upstream tokens with it.
func (s *Service) Sealer() *seal.Sealer { return s.sealer }

// ConnectionInput is a connection as an administrator (or `sesame apply`)
// writes it: the whole connection (PUT semantics).
type ConnectionInput struct {
	// TenantID is the owner: the root context or a tenant (fixed once
	// created; on update empty or the same).
	TenantID string             `json:"tenantId" doc:"The owner: root's id or a tenant's; required on create; on update empty or the same." example:"9d7e1f20-5b3a-4c8e-a1d2-6f4b8c0e2a31"`
	Kind     string             `json:"kind" doc:"oidc (OpenID Connect by discovery), oauth2 (OAuth 2.0 with explicit endpoints) or saml (SAML 2.0); fixed at creation." example:"oidc"`
	Name     string             `json:"name" doc:"Display name, shown on the login page's button." example:"Muster Entra ID"`
	LogoURL  string             `json:"logoUrl" doc:"Optional logo for the login page's button (https URL)." example:"https://portal.example.com/logos/entra.svg"`
	Enabled  *bool              `json:"enabled" doc:"Whether users can sign in through it; absent: true on create, unchanged on update." example:"true"`
	OIDC     model.OIDCSettings `json:"oidc" doc:"Protocol settings of oidc and oauth2 connections."`
	// SAML are a saml connection's settings (spCertificates is read
	// only: ignored here).
	SAML    model.SAMLSettings `json:"saml" doc:"Protocol settings of a saml connection (R-SAML-1..6)."`
	Mapping model.ClaimMapping `json:"mapping" doc:"Which claims (SAML: attributes) hold what (R-FED-3)."`
	// ClientSecret is write-only: nil keeps the stored one, "" removes it.
	ClientSecret        *string                  `json:"clientSecret" doc:"OIDC/OAuth 2.0: the client secret registered at the IdP; write-only, stored sealed; absent: kept; \"\": removed." example:"example-secret-from-the-idp"`
	LinkByVerifiedEmail bool                     `json:"linkByVerifiedEmail" doc:"A first login links to the tenant's one existing user with the same email, only when the IdP says the email is verified (R-FED-4); default false." example:"true"`
	UserDomain          string                   `json:"userDomain" doc:"User domain of the users it creates; default CSP for a root connection, ENTERPRISE for a tenant's." example:"ENTERPRISE"`
	Domains             []model.ConnectionDomain `json:"domains" doc:"Email domains for home-realm discovery (R-FED-5): a user typing name@domain is sent to this IdP; only verified ones are used, and only a root administrator marks one verified." example:"[{\"domain\": \"muster.example\", \"verified\": true}]"`
	ProfileURL          string                   `json:"profileUrl" doc:"Where a delegated user's \"show profile\" link goes (R-USR-3); optional." example:"https://myaccount.microsoft.com/"`
	PasswordURL         string                   `json:"passwordUrl" doc:"Where a delegated user's \"change password\" link goes (R-USR-3); optional." example:"https://mysignins.microsoft.com/security-info/password/change"`
	// Enforcement is the SSO enforcement stage: off (default), testing,
	// active (R-SAML-8). Lowering it from active needs an administrator
	// signed in with a password (amr pwd, not fed).
	Enforcement string `json:"enforcement" doc:"SSO stage (R-SAML-8): off (default), testing (only the tenant's administrators sign in through it; not on the login page) or active (the tenant's users must sign in through it: no password login, no user creation or deletion by administrators). Leaving active needs a caller signed in with a password." example:"testing"`
	// EnforceGroups: phased rollout, only members of these groups (ids)
	// are forced while active; empty = every user of the tenant.
	EnforceGroups []string `json:"enforceGroups" doc:"Phased rollout: when not empty, an active connection forces only members of these groups (ids); the others keep their password. Empty: every user of the tenant." example:"[\"2a6c9e14-3f8b-4d70-b5a1-7e9c0d2f4b68\"]"`
	// Version, when set on update, must be the current one (else 409):
	// two administrators editing at once do not overwrite each other.
	Version int64 `json:"version" doc:"On update: the version read; if the connection changed since, 409 and nothing is written; 0 or absent: not checked." example:"3"`
	// ID is honoured for system actors only (`sesame apply` keeps ids
	// across instances: the redirect URL registered at the IdP holds it).
	ID string `json:"-"`
}

var (
	claimPathRE = regexp.MustCompile(`^[A-Za-z0-9_:/.#$@-]{1,200}$`)
	domainRE    = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	scopeRE     = regexp.MustCompile(`^[\x21\x23-\x5b\x5d-\x7e]{1,200}$`) // RFC 6749 §3.3 scope-token
)

func checkConnURL(field, raw string, required bool) error {
	if raw == "" {
		if required {
			return model.Invalid(field, "is required")
		}
		return nil
	}
	u, err := clients.ParseURL(raw)
	if err != nil {
		return model.Invalid(field, "%v", err)
	}
	if clients.PlainHTTP(u) {
		return model.Invalid(field, "must be https (plain http only for loopback hosts)")
	}
	return nil
}

func checkClaim(field, path string) error {
	if path == "" {
		return nil
	}
	if !claimPathRE.MatchString(path) || strings.HasPrefix(path, ".") || strings.HasSuffix(path, ".") || strings.Contains(path, "..") {
		return model.Invalid(field, "%q is not a claim name or dotted path (e.g. realm_access.roles)", path)
	}
	return nil
}

// validateMapping checks an OIDC claim mapping (R-FED-3).
func validateMapping(m model.ClaimMapping) error {
	if m.Preset != "" && !slices.Contains(model.MappingPresets, m.Preset) {
		return model.Invalid("mapping.preset", "must be empty or one of %v", model.MappingPresets)
	}
	return validateMappingWith(m, checkClaim)
}

// validateMappingWith checks a mapping whose claim (or SAML attribute)
// names checkClaim accepts.
func validateMappingWith(m model.ClaimMapping, checkClaim func(field, name string) error) error {
	for field, p := range map[string]string{"mapping.subject": m.Subject, "mapping.email": m.Email,
		"mapping.emailVerified": m.EmailVerified, "mapping.firstName": m.FirstName, "mapping.lastName": m.LastName,
		"mapping.phone": m.Phone, "mapping.contexts": m.Contexts} {
		if err := checkClaim(field, p); err != nil {
			return err
		}
	}
	if len(m.Roles) > 10 {
		return model.Invalid("mapping.roles", "at most 10 role claims")
	}
	for _, p := range m.Roles {
		if p == "" {
			return model.Invalid("mapping.roles", "a role claim must not be empty")
		}
		if err := checkClaim("mapping.roles", p); err != nil {
			return err
		}
	}
	if cr := m.ContextRoles; cr != nil {
		if cr.Claim == "" {
			return model.Invalid("mapping.contextRoles.claim", "is required")
		}
		if err := checkClaim("mapping.contextRoles.claim", cr.Claim); err != nil {
			return err
		}
		switch {
		case cr.Separator != "" && (cr.Key != "" || cr.Role != ""):
			return model.Invalid("mapping.contextRoles.separator", "give a separator (entries \"key:role\") or key and role (object entries), not both")
		case cr.Separator == "" && (cr.Key == "" || cr.Role == ""):
			return model.Invalid("mapping.contextRoles.key", "object entries need both key and role (the members naming the account and the role)")
		case len(cr.Separator) > 5:
			return model.Invalid("mapping.contextRoles.separator", "at most 5 characters")
		}
		if err := checkClaim("mapping.contextRoles.key", cr.Key); err != nil {
			return err
		}
		if err := checkClaim("mapping.contextRoles.role", cr.Role); err != nil {
			return err
		}
	}
	if o := m.Organisation; o != nil {
		if o.UID == "" {
			return model.Invalid("mapping.organisation.uid", "is required: the claim holding the organisation's id (e.g. group_uid)")
		}
		for field, p := range map[string]string{"mapping.organisation.uid": o.UID, "mapping.organisation.name": o.Name,
			"mapping.organisation.role": o.Role} {
			if err := checkClaim(field, p); err != nil {
				return err
			}
		}
	}
	switch m.AccountKey {
	case "", model.AccountKeyID, model.AccountKeyNumber:
	default:
		return model.Invalid("mapping.accountKey", "must be id or number")
	}
	if len(m.Require) > 10 {
		return model.Invalid("mapping.require", "at most 10 required claims")
	}
	for claim, vals := range m.Require {
		if claim == "" {
			return model.Invalid("mapping.require", "a required claim needs a name")
		}
		if err := checkClaim("mapping.require", claim); err != nil {
			return err
		}
		if len(vals) == 0 || len(vals) > 100 {
			return model.Invalid("mapping.require."+claim, "list 1 to 100 accepted values")
		}
	}
	return nil
}

// validateConnection checks everything but ownership and domain
// verification; errors name the field.
func validateConnection(c model.Connection) error {
	if n := strings.TrimSpace(c.Name); n == "" || len(c.Name) > 100 {
		return model.Invalid("name", "must be 1 to 100 characters")
	}
	if err := checkConnURL("logoUrl", c.LogoURL, false); err != nil {
		return err
	}
	switch c.Kind {
	case model.ConnectionOIDC, model.ConnectionOAuth2:
		if err := validateOIDC(c); err != nil {
			return err
		}
	case model.ConnectionSAML:
		if err := validateSAML(c); err != nil {
			return err
		}
	default:
		return model.Invalid("kind", "must be oidc, oauth2 or saml")
	}
	for field, u := range map[string]string{"profileUrl": c.ProfileURL, "passwordUrl": c.PasswordURL} {
		if err := checkConnURL(field, u, false); err != nil {
			return err
		}
	}
	if !slices.Contains(model.EnforcementModes, c.Enforcement) {
		return model.Invalid("enforcement", "must be one of %v", model.EnforcementModes)
	}
	if len(c.EnforceGroups) > 100 {
		return model.Invalid("enforceGroups", "at most 100 groups")
	}
	if len(c.Domains) > 50 {
		return model.Invalid("domains", "at most 50 domains")
	}
	seen := map[string]bool{}
	for _, d := range c.Domains {
		if !domainRE.MatchString(d.Domain) {
			return model.Invalid("domains", "%q is not a lower-case DNS domain name", d.Domain)
		}
		if seen[d.Domain] {
			return model.Invalid("domains", "%q is listed twice", d.Domain)
		}
		seen[d.Domain] = true
	}
	return nil
}

// validateOIDC checks an oidc or oauth2 connection's protocol settings and
// claim mapping (R-FED-2, R-FED-3).
func validateOIDC(c model.Connection) error {
	o := c.OIDC
	switch c.Kind {
	case model.ConnectionOIDC:
		if o.DiscoveryURL == "" {
			if o.Issuer == "" {
				return model.Invalid("oidc.discoveryUrl", "give the discovery URL, or the issuer with explicit authorizeUrl, tokenUrl and jwksUrl")
			}
			for field, u := range map[string]string{"oidc.authorizeUrl": o.AuthorizeURL, "oidc.tokenUrl": o.TokenURL, "oidc.jwksUrl": o.JWKSURL} {
				if err := checkConnURL(field, u, true); err != nil {
					return err
				}
			}
		}
		if err := checkConnURL("oidc.discoveryUrl", o.DiscoveryURL, false); err != nil {
			return err
		}
	case model.ConnectionOAuth2:
		if o.DiscoveryURL != "" {
			return model.Invalid("oidc.discoveryUrl", "plain OAuth 2.0 connections have explicit endpoints; use kind oidc for discovery")
		}
		for field, u := range map[string]string{"oidc.authorizeUrl": o.AuthorizeURL, "oidc.tokenUrl": o.TokenURL, "oidc.userinfoUrl": o.UserinfoURL} {
			if err := checkConnURL(field, u, true); err != nil {
				return err
			}
		}
	}
	if o.Issuer != "" {
		if err := checkConnURL("oidc.issuer", o.Issuer, false); err != nil {
			return err
		}
	}
	for field, u := range map[string]string{"oidc.authorizeUrl": o.AuthorizeURL, "oidc.tokenUrl": o.TokenURL,
		"oidc.userinfoUrl": o.UserinfoURL, "oidc.jwksUrl": o.JWKSURL, "oidc.endSessionUrl": o.EndSessionURL} {
		if err := checkConnURL(field, u, false); err != nil {
			return err
		}
	}
	if o.ClientID == "" || len(o.ClientID) > 255 || strings.ContainsFunc(o.ClientID, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return model.Invalid("oidc.clientId", "must be 1 to 255 characters without control characters")
	}
	if len(o.Scopes) > 20 {
		return model.Invalid("oidc.scopes", "at most 20 scopes")
	}
	for _, sc := range o.Scopes {
		if !scopeRE.MatchString(sc) {
			return model.Invalid("oidc.scopes", "%q is not a scope token (RFC 6749 §3.3)", sc)
		}
	}
	return validateMapping(c.Mapping)
}

// connectionFromInput builds the stored connection from in over old.
func (s *Service) connectionFromInput(in ConnectionInput, old model.Connection) (model.Connection, error) {
	c := old
	c.Kind, c.Name, c.LogoURL = in.Kind, strings.TrimSpace(in.Name), in.LogoURL
	if in.Enabled != nil {
		c.Enabled = *in.Enabled
	} else if old.Version == 0 { // a new connection is enabled unless said otherwise
		c.Enabled = true
	}
	c.OIDC, c.Mapping = in.OIDC, in.Mapping
	c.LinkByVerifiedEmail, c.UserDomain = in.LinkByVerifiedEmail, in.UserDomain
	if c.Kind == model.ConnectionSAML {
		// R-SAML-6: a first SAML login links to the tenant's one user
		// with the email (always); the OIDC settings do not apply.
		c.OIDC, c.LinkByVerifiedEmail = model.OIDCSettings{}, true
		certs := old.SAML.SPCertificates
		c.SAML = in.SAML
		c.SAML.SPCertificates = certs
		if c.SAML.Binding == "" {
			c.SAML.Binding = model.SAMLBindingRedirect
		}
		if err := s.ensureSPKeys(&c); err != nil {
			return c, err
		}
	} else {
		c.SAML, c.SealedSPKeys = model.SAMLSettings{}, nil
	}
	c.ProfileURL, c.PasswordURL = in.ProfileURL, in.PasswordURL
	c.Enforcement, c.EnforceGroups = in.Enforcement, in.EnforceGroups
	if c.Enforcement == "" {
		c.Enforcement = model.EnforcementOff
	}
	if c.EnforceGroups == nil {
		c.EnforceGroups = []string{}
	}
	c.Domains = make([]model.ConnectionDomain, len(in.Domains))
	for i, d := range in.Domains {
		c.Domains[i] = model.ConnectionDomain{Domain: strings.ToLower(strings.TrimSpace(d.Domain)), Verified: d.Verified}
	}
	if in.ClientSecret != nil {
		switch sec := *in.ClientSecret; {
		case sec == "":
			c.SealedSecret = nil
		case len(sec) > 1024 || strings.ContainsFunc(sec, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			return c, model.Invalid("clientSecret", "must be at most 1024 characters without control characters")
		default:
			sealed, err := s.sealer.Seal(connSealID(c.ID), []byte(sec))
			if err != nil {
				return c, fmt.Errorf("seal client secret: %w", err)
			}
			c.SealedSecret = sealed
		}
	}
	c.HasClientSecret = len(c.SealedSecret) > 0
	return c, validateConnection(c)
}

func connSealID(id string) string { return "connection:" + id }

// checkOwner checks the owner is the root context or a tenant.
func checkOwner(ctx context.Context, st storage.Storage, id string) error {
	if id == "" {
		return model.Invalid("tenantId", "is required: the root context or a tenant")
	}
	c, err := st.GetContext(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return model.Invalid("tenantId", "context %q does not exist", id)
	}
	if err != nil {
		return err
	}
	if c.Type != model.ContextRoot && c.Type != model.ContextTenant {
		return model.Invalid("tenantId", "a connection belongs to the root context or a tenant, not a %s", c.Type)
	}
	return nil
}

// checkDomainVerification: marking a domain verified (or unverified) is
// for root administrators (or `sesame apply`) — a tenant cannot claim
// another's email domain for home-realm discovery. Others may add and
// remove domains; a new one is unverified.
func (s *Service) checkDomainVerification(ctx context.Context, st storage.Storage, a Actor, c *model.Connection, old model.Connection) error {
	if a.System {
		return nil
	}
	was := map[string]bool{}
	for _, d := range old.Domains {
		was[d.Domain] = d.Verified
	}
	for _, d := range c.Domains {
		if d.Verified == was[d.Domain] {
			continue
		}
		root, err := st.RootContext(ctx)
		if err != nil {
			return err
		}
		if ok, err := s.can(ctx, st, a, rightIdPManage, root.ID); err != nil || ok {
			return err
		}
		return model.Errorf(model.EFORBIDDEN, "domains", "only a root administrator marks an email domain verified (%q)", d.Domain)
	}
	return nil
}

func errDomainTaken(err error) error {
	return model.Errorf(model.ECONFLICT, "domains", "a verified domain belongs to another connection already (%v)", err)
}

func connAudit(c model.Connection, secretChanged bool) map[string]any {
	d := map[string]any{"name": c.Name, "kind": c.Kind, "enabled": c.Enabled, "version": c.Version, "secretChanged": secretChanged,
		"enforcement": c.Enforcement}
	if c.Kind == model.ConnectionSAML {
		sum := sha256.Sum256([]byte(c.SAML.IdPMetadata))
		d["idpEntityId"], d["metadataSha256"], d["allowIdpInitiated"] = c.SAML.IdPEntityID, hex.EncodeToString(sum[:]), c.SAML.AllowIdPInitiated
	}
	return d
}

// CreateConnection creates a connection ("Identity providers - Manage" at
// the owner).
func (s *Service) CreateConnection(ctx context.Context, a Actor, in ConnectionInput) (model.Connection, error) {
	var out model.Connection
	if err := s.fetchSAMLMetadata(ctx, &in); err != nil {
		return out, err
	}
	err := s.tx(ctx, func(st storage.Storage) error {
		if err := checkOwner(ctx, st, in.TenantID); err != nil {
			return err
		}
		if err := s.authorize(ctx, st, a, rightIdPManage, in.TenantID); err != nil {
			if model.ErrorCode(err) == model.ENOTFOUND {
				return model.Invalid("tenantId", "context %q does not exist", in.TenantID)
			}
			return err
		}
		id := uuid.NewString()
		if a.System && in.ID != "" {
			if !model.PlausibleID(in.ID) || len(in.ID) > 64 {
				return model.Invalid("id", "must be 1 to 64 printable characters")
			}
			id = in.ID
		}
		c, err := s.connectionFromInput(in, model.Connection{ID: id, TenantID: in.TenantID})
		if err != nil {
			return err
		}
		if err := s.checkUserDomain(ctx, st, c); err != nil {
			return err
		}
		if err := checkEnforceGroups(ctx, st, c); err != nil {
			return err
		}
		if err := s.checkDomainVerification(ctx, st, a, &c, model.Connection{}); err != nil {
			return err
		}
		if _, err := st.GetConnection(ctx, c.ID); err == nil {
			return model.Errorf(model.ECONFLICT, "id", "a connection with id %q exists", c.ID)
		}
		out, err = st.CreateConnection(ctx, c)
		if errors.Is(err, model.ErrAlreadyExists) {
			return errDomainTaken(err)
		}
		if err != nil {
			return err
		}
		if err := s.audit(ctx, st, a, "connection.create", "connection", out.ID, out.TenantID, connAudit(out, in.ClientSecret != nil)); err != nil {
			return err
		}
		return s.auditEnforcement(ctx, st, a, model.Connection{Enforcement: model.EnforcementOff, EnforceGroups: []string{}}, out)
	})
	return out, err
}

func (s *Service) checkUserDomain(ctx context.Context, st storage.Storage, c model.Connection) error {
	if c.UserDomain == "" {
		return nil
	}
	if _, err := st.GetDomain(ctx, c.UserDomain); errors.Is(err, model.ErrNotFound) {
		return model.Invalid("userDomain", "user domain %q does not exist", c.UserDomain)
	} else if err != nil {
		return err
	}
	return nil
}

// visibleConnection loads a connection the actor may read ("Identity
// providers - Read" or "- Manage" at its owner); others look missing.
func (s *Service) visibleConnection(ctx context.Context, st storage.Storage, a Actor, id string) (model.Connection, error) {
	if !model.PlausibleID(id) {
		return model.Connection{}, errHidden("connection")
	}
	c, err := st.GetConnection(ctx, id)
	if err != nil {
		return c, err
	}
	if a.System {
		return c, nil
	}
	for _, right := range []string{rightIdPRead, rightIdPManage} {
		if ok, err := s.can(ctx, st, a, right, c.TenantID); err != nil {
			return model.Connection{}, err
		} else if ok {
			return c, nil
		}
	}
	return model.Connection{}, errHidden("connection")
}

// GetConnection reads one connection.
func (s *Service) GetConnection(ctx context.Context, a Actor, id string) (model.Connection, error) {
	return s.visibleConnection(ctx, s.store, a, id)
}

// ListConnections lists the connections the actor may read, of one owner
// (tenantID) or of every owner in reach ("").
func (s *Service) ListConnections(ctx context.Context, a Actor, tenantID string) ([]model.Connection, error) {
	all, err := s.store.ListConnections(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if a.System {
		return all, nil
	}
	out := []model.Connection{}
	allowed := map[string]bool{}
	for _, c := range all {
		ok, seen := allowed[c.TenantID]
		if !seen {
			for _, right := range []string{rightIdPRead, rightIdPManage} {
				if ok, err = s.can(ctx, s.store, a, right, c.TenantID); err != nil {
					return nil, err
				} else if ok {
					break
				}
			}
			allowed[c.TenantID] = ok
		}
		if ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// UpdateConnection replaces a connection's settings ("Identity providers -
// Manage" at its owner); the version is bumped, so opened connectors are
// reopened.
func (s *Service) UpdateConnection(ctx context.Context, a Actor, id string, in ConnectionInput) (model.Connection, error) {
	var out, prev model.Connection
	if err := s.fetchSAMLMetadata(ctx, &in); err != nil {
		return out, err
	}
	err := s.tx(ctx, func(st storage.Storage) error {
		cur, err := s.visibleConnection(ctx, st, a, id)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, st, a, rightIdPManage, cur.TenantID); err != nil {
			return err
		}
		if in.TenantID != "" && in.TenantID != cur.TenantID {
			return model.Invalid("tenantId", "a connection stays with its owner (delete and create it instead)")
		}
		out, err = st.UpdateConnection(ctx, id, func(old model.Connection) (model.Connection, error) {
			if in.Version != 0 && in.Version != old.Version {
				return old, model.ErrStale
			}
			c, err := s.connectionFromInput(in, old)
			if err != nil {
				return c, err
			}
			if err := s.checkUserDomain(ctx, st, c); err != nil {
				return c, err
			}
			if err := checkEnforceGroups(ctx, st, c); err != nil {
				return c, err
			}
			if err := checkLowering(a, old, c); err != nil {
				return c, err
			}
			prev = old
			return c, s.checkDomainVerification(ctx, st, a, &c, old)
		})
		if errors.Is(err, model.ErrAlreadyExists) {
			return errDomainTaken(err)
		}
		if err != nil {
			return err
		}
		if err := s.audit(ctx, st, a, "connection.update", "connection", id, out.TenantID, connAudit(out, in.ClientSecret != nil)); err != nil {
			return err
		}
		return s.auditEnforcement(ctx, st, a, prev, out)
	})
	return out, err
}

// DeleteConnection removes a connection and its identity links ("Identity
// providers - Manage" at its owner). Its users stay (they can no longer
// sign in through it).
func (s *Service) DeleteConnection(ctx context.Context, a Actor, id string) error {
	return s.tx(ctx, func(st storage.Storage) error {
		c, err := s.visibleConnection(ctx, st, a, id)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, st, a, rightIdPManage, c.TenantID); err != nil {
			return err
		}
		// Deleting an active connection turns SSO off (R-SAML-8).
		if err := checkLowering(a, c, model.Connection{Enforcement: model.EnforcementOff}); err != nil {
			return err
		}
		if err := st.DeleteConnection(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "connection.delete", "connection", id, c.TenantID, map[string]any{"name": c.Name})
	})
}

// ConnectionSecret opens a connection's client secret for its connector
// ("" when none is set). It never leaves the server.
func (s *Service) ConnectionSecret(c model.Connection) (string, error) {
	if len(c.SealedSecret) == 0 {
		return "", nil
	}
	b, err := s.sealer.Open(connSealID(c.ID), c.SealedSecret, "connection client secret")
	if err != nil {
		return "", fmt.Errorf("connection %s: %w", c.ID, err)
	}
	return string(b), nil
}

// Connection reads a connection without an actor, for the login path
// (which connection a callback names; the federation package).
func (s *Service) Connection(ctx context.Context, id string) (model.Connection, error) {
	if !model.PlausibleID(id) {
		return model.Connection{}, errHidden("connection")
	}
	return s.store.GetConnection(ctx, id)
}

// ConnectionVersion is the stored version of connection id, for the
// login's cache of opened connectors (no actor, as Connection).
func (s *Service) ConnectionVersion(ctx context.Context, id string) (int64, error) {
	if !model.PlausibleID(id) {
		return 0, errHidden("connection")
	}
	return s.store.ConnectionVersion(ctx, id)
}
