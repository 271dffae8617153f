package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/sesame-sso/sesame/internal/model"
)

// Organisations of marketplaces (R-SAML-7, seed 002): (connection, uid) →
// account context. The primary key decides concurrent first logins of a
// new organisation; the unique context_id keeps one context per binding.

const orgCols = `connection_id, uid, context_id, created_at`

func scanOrganisation(sc interface{ Scan(...any) error }) (model.OrganisationLink, error) {
	var (
		o  model.OrganisationLink
		cr int64
	)
	err := sc.Scan(&o.ConnectionID, &o.UID, &o.ContextID, &cr)
	o.CreatedAt = fromMicros(cr)
	return o, err
}

// LinkOrganisation implements storage.Federation.
func (s *Store) LinkOrganisation(ctx context.Context, o model.OrganisationLink) error {
	if o.ConnectionID == "" || o.UID == "" || o.ContextID == "" {
		return model.Invalid("uid", "an organisation needs a connection, a uid and a context")
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = s.now().UTC()
	}
	if _, err := s.exec(ctx, `INSERT INTO organisation_links (`+orgCols+`) VALUES ($1, $2, $3, $4)`,
		o.ConnectionID, o.UID, o.ContextID, micros(o.CreatedAt)); err != nil {
		return fmt.Errorf("link organisation: %w", err)
	}
	return nil
}

// GetOrganisation implements storage.Federation.
func (s *Store) GetOrganisation(ctx context.Context, connectionID, uid string) (model.OrganisationLink, error) {
	o, err := scanOrganisation(s.queryRow(ctx, `SELECT `+orgCols+` FROM organisation_links WHERE connection_id = $1 AND uid = $2`,
		connectionID, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("organisation: %w", model.ErrNotFound)
	}
	if err != nil {
		return o, fmt.Errorf("organisation: %w", err)
	}
	return o, nil
}

// OrganisationsOfContexts implements storage.Federation.
func (s *Store) OrganisationsOfContexts(ctx context.Context, contextIDs []string) ([]model.OrganisationLink, error) {
	if len(contextIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(contextIDs))
	for i, id := range contextIDs {
		args[i] = id
	}
	rows, err := s.query(ctx, `SELECT `+orgCols+` FROM organisation_links WHERE context_id IN (`+placeholders(1, len(args))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("organisations of contexts: %w", err)
	}
	defer rows.Close()
	var out []model.OrganisationLink
	for rows.Next() {
		o, err := scanOrganisation(rows)
		if err != nil {
			return nil, fmt.Errorf("organisations of contexts: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
