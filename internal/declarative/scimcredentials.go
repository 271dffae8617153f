package declarative

import (
	"context"
	"fmt"
	"slices"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

// SCIMCredential is a tenant's SCIM credential (issue 12), matched by
// tenant and name among the credentials that are not revoked. A new one's
// token is printed once in the summary; an existing one is never changed
// (its token is with the customer): to change its settings, revoke it and
// apply again. Connection is a connection id or the name of one of the
// tenant's connections; Context a context ref; DefaultGroups group names
// of the context users are created in.
type SCIMCredential struct {
	Tenant        string   `yaml:"tenant"`
	Name          string   `yaml:"name"`
	Connection    string   `yaml:"connection,omitempty"`
	Context       string   `yaml:"context,omitempty"`
	DefaultGroups []string `yaml:"defaultGroups,omitempty"`
	DefaultDomain string   `yaml:"defaultDomain,omitempty"`
}

func (ap *applier) scimCredentials(ctx context.Context, d Document) error {
	for i, sc := range d.SCIMCredentials {
		where := fmt.Sprintf("scimCredentials[%d]", i)
		in, err := ap.scimInput(ctx, sc, where)
		if err != nil {
			return err
		}
		have, err := ap.svc.ListSCIMCredentials(ctx, ap.a, in.TenantID)
		if err != nil {
			return err
		}
		idx := slices.IndexFunc(have, func(c model.SCIMCredential) bool { return c.RevokedAt == nil && c.Name == sc.Name })
		if idx >= 0 {
			old := have[idx]
			groups := in.DefaultGroups
			if groups == nil {
				groups = []string{}
			}
			if old.ConnectionID != in.ConnectionID || old.ContextID != in.ContextID || old.DefaultDomain != in.DefaultDomain ||
				!sameStrings(old.DefaultGroups, groups) {
				return model.Invalid(where, "SCIM credential %q exists with other settings: revoke it (DELETE /api/v1/scim-credentials/%s) and apply again for a new token", sc.Name, old.ID)
			}
			ap.sum.Unchanged++
			continue
		}
		c, err := ap.svc.CreateSCIMCredential(ctx, ap.a, in)
		if err != nil {
			return entryError(where, sc.Name, err)
		}
		if ap.sum.SCIMTokens == nil {
			ap.sum.SCIMTokens = map[string]string{}
		}
		ap.sum.SCIMTokens[sc.Name+" ("+c.ID+")"] = c.Token
		ap.sum.Created++
	}
	return nil
}

// scimInput resolves an entry's references.
func (ap *applier) scimInput(ctx context.Context, sc SCIMCredential, where string) (directory.NewSCIMCredential, error) {
	tenant, err := ap.ctxID(sc.Tenant, where+".tenant")
	if err != nil {
		return directory.NewSCIMCredential{}, err
	}
	in := directory.NewSCIMCredential{TenantID: tenant, Name: sc.Name, DefaultDomain: sc.DefaultDomain}
	target := tenant
	if sc.Context != "" {
		if in.ContextID, err = ap.ctxID(sc.Context, where+".context"); err != nil {
			return in, err
		}
		target = in.ContextID
	}
	if sc.Connection != "" {
		cs, err := ap.svc.ListConnections(ctx, ap.a, tenant)
		if err != nil {
			return in, err
		}
		for _, c := range cs {
			if c.ID == sc.Connection || c.Name == sc.Connection {
				in.ConnectionID = c.ID
			}
		}
		if in.ConnectionID == "" {
			return in, model.Invalid(where+".connection", "the tenant has no connection %q", sc.Connection)
		}
	}
	for _, name := range sc.DefaultGroups {
		g, ok, err := ap.findGroup(ctx, target, name)
		if err != nil {
			return in, err
		}
		if !ok {
			return in, model.Invalid(where+".defaultGroups", "no group %q in the context users are created in", name)
		}
		in.DefaultGroups = append(in.DefaultGroups, g.ID)
	}
	return in, nil
}

// exportSCIMCredentials writes the live credentials (never a token:
// applying the export elsewhere mints new ones).
func exportSCIMCredentials(ctx context.Context, svc *directory.Service, d *Document, ref func(string) string) error {
	cs, err := svc.ListSCIMCredentials(ctx, directory.System, "")
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.RevokedAt != nil {
			continue
		}
		e := SCIMCredential{Tenant: ref(c.TenantID), Name: c.Name, Connection: c.ConnectionID, DefaultDomain: c.DefaultDomain}
		if c.ContextID != "" {
			e.Context = ref(c.ContextID)
		}
		for _, id := range c.DefaultGroups {
			g, err := svc.Reader().GetGroup(ctx, id)
			if err != nil {
				return fmt.Errorf("scim credential %s: group %s: %w", c.ID, id, err)
			}
			e.DefaultGroups = append(e.DefaultGroups, g.Name)
		}
		d.SCIMCredentials = append(d.SCIMCredentials, e)
	}
	return nil
}
