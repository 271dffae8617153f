package declarative

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

// Connection is a connection to an external IdP (SPEC.md §6), matched by
// ID when given, else by owner and name. Owner is a context ref: "root"
// or a tenant. The client secret is never in the file: ClientSecretEnv
// names an environment variable that holds it when the file is applied;
// without it (or with the variable unset) an existing connection keeps its
// secret. Export keeps ids (the redirect URL registered at the IdP holds
// the id) and writes no secret.
type Connection struct {
	ID       string             `yaml:"id,omitempty"`
	Owner    string             `yaml:"owner"`
	Kind     string             `yaml:"kind"`
	Name     string             `yaml:"name"`
	LogoURL  string             `yaml:"logoUrl,omitempty"`
	Disabled bool               `yaml:"disabled,omitempty"`
	OIDC     model.OIDCSettings `yaml:"oidc"`
	// SAML are a saml connection's settings (R-SAML-1): the IdP metadata
	// XML inline (idpMetadata) or its metadataUrl, fetched when applied.
	// The SP keys are the instance's own: generated when created, never
	// in the file.
	SAML                *model.SAMLSettings      `yaml:"saml,omitempty"`
	ClientSecretEnv     string                   `yaml:"clientSecretEnv,omitempty"`
	Mapping             model.ClaimMapping       `yaml:"mapping,omitempty"`
	LinkByVerifiedEmail bool                     `yaml:"linkByVerifiedEmail,omitempty"`
	UserDomain          string                   `yaml:"userDomain,omitempty"`
	Domains             []model.ConnectionDomain `yaml:"domains,omitempty"`
	ProfileURL          string                   `yaml:"profileUrl,omitempty"`
	PasswordURL         string                   `yaml:"passwordUrl,omitempty"`
	// Enforcement is the SSO stage (off, testing, active; R-SAML-8) and
	// EnforceGroups the phased rollout's group ids.
	Enforcement   string   `yaml:"enforcement,omitempty"`
	EnforceGroups []string `yaml:"enforceGroups,omitempty"`
}

func (c Connection) input(owner string) directory.ConnectionInput {
	enabled := !c.Disabled
	var sm model.SAMLSettings
	if c.SAML != nil {
		sm = *c.SAML
	}
	return directory.ConnectionInput{SAML: sm, ID: c.ID, TenantID: owner, Kind: c.Kind, Name: c.Name, LogoURL: c.LogoURL, Enabled: &enabled,
		OIDC: c.OIDC, Mapping: c.Mapping, LinkByVerifiedEmail: c.LinkByVerifiedEmail, UserDomain: c.UserDomain,
		Domains: c.Domains, ProfileURL: c.ProfileURL, PasswordURL: c.PasswordURL,
		Enforcement: c.Enforcement, EnforceGroups: c.EnforceGroups}
}

// sameConnection compares what a file sets (not the secret).
func sameConnection(old model.Connection, in directory.ConnectionInput) bool {
	norm := func(xs []string) []string {
		if len(xs) == 0 {
			return nil
		}
		return xs
	}
	a, b := old.OIDC, in.OIDC
	a.Scopes, b.Scopes = norm(a.Scopes), norm(b.Scopes)
	doms := func(ds []model.ConnectionDomain) []model.ConnectionDomain {
		if len(ds) == 0 {
			return nil
		}
		return ds
	}
	if in.Kind == model.ConnectionSAML {
		// The file's SAML settings without what the instance keeps: its
		// SP certificates, metadata fetched from the URL, the binding's
		// default, linking (always on, R-SAML-6).
		sa, sb := old.SAML, in.SAML
		sa.SPCertificates, sb.SPCertificates = nil, nil
		if sb.MetadataURL != "" && sb.IdPMetadata == "" {
			sa.IdPMetadata = ""
		}
		if sb.Binding == "" {
			sb.Binding = model.SAMLBindingRedirect
		}
		if !reflect.DeepEqual(sa, sb) {
			return false
		}
		in.LinkByVerifiedEmail = old.LinkByVerifiedEmail
	}
	return old.Kind == in.Kind && old.Name == in.Name && old.LogoURL == in.LogoURL && old.Enabled == *in.Enabled &&
		reflect.DeepEqual(a, b) && reflect.DeepEqual(old.Mapping, in.Mapping) &&
		old.LinkByVerifiedEmail == in.LinkByVerifiedEmail && old.UserDomain == in.UserDomain &&
		reflect.DeepEqual(doms(old.Domains), doms(in.Domains)) && old.ProfileURL == in.ProfileURL && old.PasswordURL == in.PasswordURL &&
		enforcementOr(old.Enforcement) == enforcementOr(in.Enforcement) && reflect.DeepEqual(norm(old.EnforceGroups), norm(in.EnforceGroups))
}

func enforcementOr(e string) string {
	if e == "" {
		return model.EnforcementOff
	}
	return e
}

func (ap *applier) connections(ctx context.Context, d Document) error {
	claimed := map[string]int{}
	for i, c := range d.Connections {
		where := fmt.Sprintf("connections[%d]", i)
		owner, err := ap.ctxID(c.Owner, where+".owner")
		if err != nil {
			return err
		}
		in := c.input(owner)
		if c.ClientSecretEnv != "" {
			if sec, ok := os.LookupEnv(c.ClientSecretEnv); ok && sec != "" {
				in.ClientSecret = &sec
			} else {
				ap.sum.warn("connection %s: $%s is not set, the connection keeps its client secret (if any)", c.Name, c.ClientSecretEnv)
			}
		}
		old, found, err := ap.findConnection(ctx, c, owner, claimed, where)
		if err != nil {
			return err
		}
		if !found {
			nc, err := ap.svc.CreateConnection(ctx, ap.a, in)
			if err != nil {
				return entryError(where, c.Name, err)
			}
			claimed[nc.ID] = i
			ap.sum.Created++
			continue
		}
		if j, dup := claimed[old.ID]; dup {
			return model.Invalid(where, "is the same connection as connections[%d]", j)
		}
		claimed[old.ID] = i
		if old.TenantID != owner {
			return model.Invalid(where+".owner", "connection %s belongs to another owner; a connection never moves", old.ID)
		}
		if sameConnection(old, in) && in.ClientSecret == nil {
			ap.sum.Unchanged++
			continue
		}
		if _, err := ap.svc.UpdateConnection(ctx, ap.a, old.ID, in); err != nil {
			return entryError(where, c.Name, err)
		}
		ap.sum.Updated++
	}
	return nil
}

// findConnection finds the connection an entry describes: by ID, else the
// one of its owner with its name that no earlier entry matched.
func (ap *applier) findConnection(ctx context.Context, c Connection, owner string, claimed map[string]int, where string) (model.Connection, bool, error) {
	if c.ID != "" {
		old, err := ap.svc.GetConnection(ctx, ap.a, c.ID)
		if errors.Is(err, model.ErrNotFound) {
			return old, false, nil
		}
		return old, err == nil, err
	}
	all, err := ap.svc.ListConnections(ctx, ap.a, owner)
	if err != nil {
		return model.Connection{}, false, err
	}
	var match []model.Connection
	for _, x := range all {
		if _, taken := claimed[x.ID]; !taken && x.Name == c.Name {
			match = append(match, x)
		}
	}
	switch len(match) {
	case 0:
		return model.Connection{}, false, nil
	case 1:
		return match[0], true, nil
	}
	return model.Connection{}, false, model.Invalid(where+".id", "%d connections of this owner are named %q: give the id of the one you mean", len(match), c.Name)
}

func exportConnections(ctx context.Context, svc *directory.Service, d *Document, ref func(string) string) error {
	cs, err := svc.ListConnections(ctx, directory.System, "")
	if err != nil {
		return err
	}
	for _, c := range cs {
		ec := Connection{ID: c.ID, Owner: ref(c.TenantID), Kind: c.Kind, Name: c.Name, LogoURL: c.LogoURL, Disabled: !c.Enabled,
			OIDC: c.OIDC, Mapping: c.Mapping, LinkByVerifiedEmail: c.LinkByVerifiedEmail, UserDomain: c.UserDomain,
			Domains: c.Domains, ProfileURL: c.ProfileURL, PasswordURL: c.PasswordURL, EnforceGroups: c.EnforceGroups}
		if c.Enforcement != model.EnforcementOff {
			ec.Enforcement = c.Enforcement
		}
		if c.Kind == model.ConnectionSAML {
			sm := c.SAML
			sm.SPCertificates = nil
			if sm.MetadataURL != "" {
				sm.IdPMetadata = "" // fetched again when applied
			}
			ec.SAML, ec.LinkByVerifiedEmail = &sm, false
		}
		if len(ec.EnforceGroups) == 0 {
			ec.EnforceGroups = nil
		}
		if len(ec.Domains) == 0 {
			ec.Domains = nil
		}
		d.Connections = append(d.Connections, ec)
	}
	return nil
}
