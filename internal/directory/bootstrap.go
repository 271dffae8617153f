package directory

import (
	"context"
	"errors"
	"fmt"

	"github.com/sesame-sso/sesame/internal/catalog"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/internal/storage"
)

// AdminGroupName is the root group the bootstrap admin belongs to.
const AdminGroupName = "Sesame administrators"

// Bootstrapped tells what Bootstrap did.
type Bootstrapped struct {
	// Created is true on the first start (root and admin created).
	Created    bool
	RootID     string
	AdminLogin string
	// AdminPassword is set when it was generated; print it once.
	AdminPassword string
	Generated     bool
}

// Bootstrap brings a store to a usable state, idempotently (R-OPS-1): it
// loads the shipped ACL catalog (new rights of a new version are added),
// and on first start creates the root context, the CSP and ENTERPRISE
// domains, a global administrators group holding every cas right, and a
// root admin whose password is adminPassword or, when empty, a random one.
func (s *Service) Bootstrap(ctx context.Context, cat catalog.Catalog, adminLogin, adminPassword string) (Bootstrapped, error) {
	var b Bootstrapped
	// Issue 9 §2.1: a chosen admin password meets the policy; a generated
	// one is drawn until it does (a 20-character random one practically
	// always does at once).
	// The refusal stops the first start only: later starts ignore the
	// variable (the store keeps the password it was bootstrapped with).
	pol, who := s.PasswordPolicy(), password.Subject{LoginName: adminLogin}
	var weak error
	if adminPassword != "" {
		if v := pol.Check(adminPassword, who); len(v) > 0 {
			weak = fmt.Errorf("SESAME_BOOTSTRAP_ADMIN_PASSWORD does not meet the password policy (%s)", password.Message(v))
		}
	} else {
		for n := max(20, pol.MinLength); adminPassword == "" || len(pol.Check(adminPassword, who)) > 0; {
			adminPassword = password.Generate(n)
		}
		b.Generated = true
	}
	hash, err := s.hasher.Hash(ctx, adminPassword)
	if err != nil {
		return b, err
	}
	err = s.tx(ctx, func(st storage.Storage) error {
		for _, m := range cat.Modules {
			if err := st.UpsertModule(ctx, m); err != nil {
				return err
			}
		}
		if err := st.UpsertACLs(ctx, cat.ACLs); err != nil {
			return err
		}
		root, err := st.RootContext(ctx)
		if err == nil {
			b.RootID = root.ID
			return nil
		}
		if !errors.Is(err, model.ErrNotFound) {
			return err
		}
		if weak != nil {
			return weak
		}
		b.Created = true
		if root, err = st.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"}); err != nil {
			return err
		}
		b.RootID = root.ID
		for _, d := range []model.UserDomain{
			{Name: model.DomainCSP, Kind: model.KindLocal, Placement: model.PlacementRoot, Description: "Operator (CSP) staff, at root"},
			{Name: model.DomainEnterprise, Kind: model.KindLocal, Placement: model.PlacementEnterprise, Description: "Enterprise customers' users, in tenants and accounts"},
		} {
			if err := st.UpsertDomain(ctx, d); err != nil {
				return err
			}
		}
		var vals []model.ACLValue
		for _, a := range cat.ACLs {
			if a.Module == model.ModuleCAS && a.Type == model.ACLBoolean && !a.IsPreference() {
				vals = append(vals, model.ACLValue{Module: a.Module, Name: a.Name, Value: "true"})
			}
		}
		g, err := st.CreateGroup(ctx, model.Group{ContextID: root.ID, Name: AdminGroupName,
			Description: "Every right of Sesame's own administration (module cas)", Values: vals})
		if err != nil {
			return err
		}
		u, err := st.CreateUser(ctx, model.User{LoginName: adminLogin, TenantID: root.ID, Domain: model.DomainCSP,
			Kind: model.KindLocal, Status: model.StatusActive, PasswordHash: hash, Contexts: []string{root.ID}, PasswordSetAt: s.now()})
		if err != nil {
			return err
		}
		if err := st.AddMember(ctx, model.Membership{GroupID: g.ID, UserID: u.ID, ContextID: root.ID}); err != nil {
			return err
		}
		b.AdminLogin = u.LoginName
		return s.audit(ctx, st, System, "instance.bootstrap", "user", u.ID, root.ID, map[string]any{"admin": u.LoginName})
	})
	if err != nil {
		return Bootstrapped{}, fmt.Errorf("bootstrap: %w", err)
	}
	if b.Created {
		b.AdminPassword = adminPassword
	} else if weak != nil {
		s.log.Warn("SESAME_BOOTSTRAP_ADMIN_PASSWORD is ignored (the store is bootstrapped) and would not meet the password policy")
	}
	return b, nil
}
