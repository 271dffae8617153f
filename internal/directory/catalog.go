package directory

import (
	"context"
	"regexp"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

var moduleRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)

// ListModules lists the registered modules.
func (s *Service) ListModules(ctx context.Context) ([]model.Module, error) {
	return s.store.ListModules(ctx)
}

// ListACLs lists the catalog of a module ("" = all). User preferences are
// left out unless asked for (R-ACL-2).
func (s *Service) ListACLs(ctx context.Context, module string, withPreferences bool) ([]model.ACL, error) {
	if module != "" {
		if err := s.rights.ModuleExists(ctx, module); err != nil {
			return nil, err
		}
	}
	acls, err := s.store.ListACLs(ctx, module)
	if err != nil {
		return nil, err
	}
	out := make([]model.ACL, 0, len(acls))
	for _, a := range acls {
		if withPreferences || !a.IsPreference() {
			out = append(out, a)
		}
	}
	return out, nil
}

// RegisterModule creates or updates a module and its ACLs (R-ACL-1; "ACL
// catalog - Manage" at root).
func (s *Service) RegisterModule(ctx context.Context, a Actor, m model.Module, acls []model.ACL) error {
	if !moduleRE.MatchString(m.Name) {
		return model.Invalid("name", "module names are 1 to 40 lower-case letters, digits, - or _, starting with a letter")
	}
	seen := map[string]bool{}
	for i := range acls {
		acls[i].Module = m.Name
		if acls[i].Name == "" || len(acls[i].Name) > 200 {
			return model.Invalid("acls", "ACL names are 1 to 200 characters")
		}
		if acls[i].Category == "" || len(acls[i].Category) > 200 {
			return model.Invalid("acls", "ACL %q: category is 1 to 200 characters", acls[i].Name)
		}
		if acls[i].Type != model.ACLBoolean && acls[i].Type != model.ACLText {
			return model.Invalid("acls", "ACL %q: type must be boolean or text", acls[i].Name)
		}
		if seen[acls[i].Name] {
			return model.Invalid("acls", "ACL %q appears twice", acls[i].Name)
		}
		seen[acls[i].Name] = true
	}
	return s.tx(ctx, func(st storage.Storage) error {
		if err := s.atRoot(ctx, st, a, rightCatalogManage); err != nil {
			return err
		}
		if err := st.UpsertModule(ctx, m); err != nil {
			return err
		}
		if err := st.UpsertACLs(ctx, acls); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "module.register", "module", m.Name, "", map[string]any{"acls": len(acls)})
	})
}

// ListDomains lists user domains.
func (s *Service) ListDomains(ctx context.Context) ([]model.UserDomain, error) {
	return s.store.ListDomains(ctx)
}

// UpsertDomain creates or changes a user domain ("Contexts - Manage" at root).
func (s *Service) UpsertDomain(ctx context.Context, a Actor, d model.UserDomain) error {
	return s.tx(ctx, func(st storage.Storage) error {
		if err := s.atRoot(ctx, st, a, rightContextsManage); err != nil {
			return err
		}
		if err := st.UpsertDomain(ctx, d); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "domain.upsert", "domain", d.Name, "", nil)
	})
}
