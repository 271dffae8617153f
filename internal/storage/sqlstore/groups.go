package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/sesame-sso/sesame/internal/model"
)

const groupCols = `id, context_id, name, description, created_at, updated_at`

func scanGroup(sc interface{ Scan(...any) error }) (model.Group, error) {
	var (
		g       model.Group
		cr, upd int64
	)
	err := sc.Scan(&g.ID, &g.ContextID, &g.Name, &g.Description, &cr, &upd)
	g.CreatedAt, g.UpdatedAt = fromMicros(cr), fromMicros(upd)
	return g, err
}

func validateGroup(g model.Group) error {
	if strings.TrimSpace(g.Name) == "" {
		return model.Invalid("name", "is required")
	}
	if len(g.Name) > 200 {
		return model.Invalid("name", "is longer than 200 characters")
	}
	for _, r := range g.RoleNames {
		if strings.TrimSpace(r) == "" || len(r) > 200 {
			return model.Invalid("roleNames", "role names must be 1 to 200 characters")
		}
	}
	return nil
}

// CreateGroup implements storage.Storage.
func (s *Store) CreateGroup(ctx context.Context, g model.Group) (model.Group, error) {
	if err := validateGroup(g); err != nil {
		return g, err
	}
	if g.ID == "" {
		g.ID = uuid.NewString()
	}
	g.CreatedAt = s.now().UTC()
	g.UpdatedAt = g.CreatedAt
	err := s.inTx(ctx, func(tx *Store) error {
		if _, _, err := tx.getContext(ctx, g.ContextID, false); err != nil {
			if errors.Is(err, model.ErrNotFound) {
				return model.Invalid("contextId", "context %q does not exist", g.ContextID)
			}
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO user_groups (`+groupCols+`, name_lc) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			g.ID, g.ContextID, g.Name, g.Description, micros(g.CreatedAt), micros(g.UpdatedAt), strings.ToLower(g.Name)); err != nil {
			return fmt.Errorf("create group %q: %w", g.Name, err)
		}
		return tx.writeGroupChildren(ctx, g)
	})
	return g, err
}

func (s *Store) writeGroupChildren(ctx context.Context, g model.Group) error {
	if _, err := s.exec(ctx, `DELETE FROM group_roles WHERE group_id = $1`, g.ID); err != nil {
		return fmt.Errorf("write group roles: %w", err)
	}
	seen := map[string]bool{}
	for _, r := range g.RoleNames {
		if seen[r] {
			continue
		}
		seen[r] = true
		if _, err := s.exec(ctx, `INSERT INTO group_roles (group_id, role) VALUES ($1, $2)`, g.ID, r); err != nil {
			return fmt.Errorf("write group roles: %w", err)
		}
	}
	return s.replaceValues(ctx, "group_values", "group_id", g.ID, g.Values)
}

// fillGroups loads role names and values for groups.
func (s *Store) fillGroups(ctx context.Context, gs []model.Group) error {
	if len(gs) == 0 {
		return nil
	}
	ids := make([]string, len(gs))
	args := make([]any, len(gs))
	for i, g := range gs {
		ids[i], args[i] = g.ID, g.ID
	}
	vals, err := s.loadValues(ctx, "group_values", "group_id", ids)
	if err != nil {
		return err
	}
	rows, err := s.query(ctx, `SELECT group_id, role FROM group_roles WHERE group_id IN (`+placeholders(1, len(ids))+`) ORDER BY role`, args...)
	if err != nil {
		return fmt.Errorf("load group roles: %w", err)
	}
	defer rows.Close()
	roles := map[string][]string{}
	for rows.Next() {
		var id, r string
		if err := rows.Scan(&id, &r); err != nil {
			return fmt.Errorf("load group roles: %w", err)
		}
		roles[id] = append(roles[id], r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load group roles: %w", err)
	}
	for i := range gs {
		gs[i].Values = vals[gs[i].ID]
		gs[i].RoleNames = roles[gs[i].ID]
		if gs[i].Values == nil {
			gs[i].Values = []model.ACLValue{}
		}
		if gs[i].RoleNames == nil {
			gs[i].RoleNames = []string{}
		}
	}
	return nil
}

func (s *Store) getGroup(ctx context.Context, id string, forUpdate bool) (model.Group, error) {
	q := `SELECT ` + groupCols + ` FROM user_groups WHERE id = $1`
	if forUpdate {
		q += " FOR UPDATE"
	}
	g, err := scanGroup(s.queryRow(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return g, notFound("group", id)
	}
	if err != nil {
		return g, fmt.Errorf("get group %q: %w", id, err)
	}
	gs := []model.Group{g}
	if err := s.fillGroups(ctx, gs); err != nil {
		return g, err
	}
	return gs[0], nil
}

// GetGroup implements storage.Storage.
func (s *Store) GetGroup(ctx context.Context, id string) (model.Group, error) {
	return s.getGroup(ctx, id, false)
}

// UpdateGroup implements storage.Storage.
func (s *Store) UpdateGroup(ctx context.Context, id string, fn func(model.Group) (model.Group, error)) (model.Group, error) {
	var out model.Group
	err := s.inTx(ctx, func(tx *Store) error {
		old, err := tx.getGroup(ctx, id, true)
		if err != nil {
			return err
		}
		g, err := fn(old)
		if err != nil {
			return err
		}
		g.ID, g.ContextID, g.CreatedAt = old.ID, old.ContextID, old.CreatedAt
		g.UpdatedAt = tx.now().UTC()
		if err := validateGroup(g); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE user_groups SET name = $1, name_lc = $2, description = $3, updated_at = $4 WHERE id = $5`,
			g.Name, strings.ToLower(g.Name), g.Description, micros(g.UpdatedAt), id); err != nil {
			return fmt.Errorf("update group %q: %w", id, err)
		}
		if err := tx.writeGroupChildren(ctx, g); err != nil {
			return err
		}
		out = g
		return nil
	})
	return out, err
}

// DeleteGroup implements storage.Storage. Memberships, roles and values go
// with it (ON DELETE CASCADE).
func (s *Store) DeleteGroup(ctx context.Context, id string) error {
	res, err := s.exec(ctx, `DELETE FROM user_groups WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete group %q: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("group", id)
	}
	return nil
}

// ListGroups implements storage.Storage.
func (s *Store) ListGroups(ctx context.Context, contextIDs []string) ([]model.Group, error) {
	if len(contextIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(contextIDs))
	for i, id := range contextIDs {
		args[i] = id
	}
	rows, err := s.query(ctx, `SELECT `+groupCols+` FROM user_groups WHERE context_id IN (`+placeholders(1, len(args))+`) ORDER BY name_lc, name`, args...)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	var out []model.Group
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list groups: %w", err)
		}
		out = append(out, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	if err := s.fillGroups(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// AddMember implements storage.Storage; adding an existing membership is a
// no-op.
func (s *Store) AddMember(ctx context.Context, m model.Membership) error {
	_, err := s.exec(ctx, `INSERT INTO memberships (group_id, user_id, context_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		m.GroupID, m.UserID, m.ContextID)
	if err != nil {
		return fmt.Errorf("add member: %w", err)
	}
	return nil
}

// RemoveMember implements storage.Storage.
func (s *Store) RemoveMember(ctx context.Context, m model.Membership) error {
	res, err := s.exec(ctx, `DELETE FROM memberships WHERE group_id = $1 AND user_id = $2 AND context_id = $3`,
		m.GroupID, m.UserID, m.ContextID)
	if err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("membership: %w", model.ErrNotFound)
	}
	return nil
}

func (s *Store) listMemberships(ctx context.Context, col, id string) ([]model.Membership, error) {
	rows, err := s.query(ctx, `SELECT group_id, user_id, context_id FROM memberships WHERE `+col+` = $1 ORDER BY group_id, user_id, context_id`, id)
	if err != nil {
		return nil, fmt.Errorf("list memberships: %w", err)
	}
	defer rows.Close()
	var out []model.Membership
	for rows.Next() {
		var m model.Membership
		if err := rows.Scan(&m.GroupID, &m.UserID, &m.ContextID); err != nil {
			return nil, fmt.Errorf("list memberships: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ListMembers implements storage.Storage.
func (s *Store) ListMembers(ctx context.Context, groupID string) ([]model.Membership, error) {
	return s.listMemberships(ctx, "group_id", groupID)
}

// UserMemberships implements storage.Storage.
func (s *Store) UserMemberships(ctx context.Context, userID string) ([]model.Membership, error) {
	return s.listMemberships(ctx, "user_id", userID)
}

// RemoveUserMemberships implements storage.Storage.
func (s *Store) RemoveUserMemberships(ctx context.Context, userID string) error {
	if _, err := s.exec(ctx, `DELETE FROM memberships WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("remove memberships of %q: %w", userID, err)
	}
	return nil
}
