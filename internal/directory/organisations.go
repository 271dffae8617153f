package directory

import (
	"context"
	"fmt"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Organisations of marketplaces (R-SAML-7, seed 002), the directory side:
// internal/federation decides which organisations a login names and calls
// these with ConnectionActor inside its InTx; contexts are created and
// renamed through the audited context paths.

// Organisation reads the binding of (connection, uid) in this Service's
// transaction.
func (s *Service) Organisation(ctx context.Context, connectionID, uid string) (model.OrganisationLink, error) {
	return s.store.GetOrganisation(ctx, connectionID, uid)
}

// OrganisationsOfContexts lists the organisation bindings of contexts.
func (s *Service) OrganisationsOfContexts(ctx context.Context, contextIDs []string) ([]model.OrganisationLink, error) {
	return s.store.OrganisationsOfContexts(ctx, contextIDs)
}

// CreateOrganisation creates the account context of a new organisation of
// connection c under c's tenant, named name with the uid as its number
// (admins find it by uid, R-CTX-1), and binds (c, uid) to it —
// audited as context.create and organisation.link. A taken (c, uid)
// answers ErrAlreadyExists: the caller lost the race of two first logins
// and retries, finding the winner's context.
func (s *Service) CreateOrganisation(ctx context.Context, a Actor, c model.Connection, uid, name string) (model.Context, error) {
	var out model.Context
	err := s.tx(ctx, func(st storage.Storage) error {
		var err error
		if out, err = st.CreateContext(ctx, model.Context{Type: model.ContextAccount, Name: name, Number: uid, ParentID: c.TenantID}); err != nil {
			return fmt.Errorf("organisation %q: %w", uid, err)
		}
		if err := s.audit(ctx, st, a, "context.create", "context", out.ID, out.ID,
			map[string]any{"name": out.Name, "type": out.Type, "organisation": uid}); err != nil {
			return err
		}
		if err := st.LinkOrganisation(ctx, model.OrganisationLink{ConnectionID: c.ID, UID: uid, ContextID: out.ID}); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "organisation.link", "context", out.ID, out.ID,
			map[string]any{"connection": c.ID, "uid": uid})
	})
	return out, err
}
