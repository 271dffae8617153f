package directory

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/sesame-sso/sesame/internal/identity"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// The directory side of SCIM provisioning (issue 12): internal/scim maps
// the protocol (RFC 7643/7644) onto these methods, called with SCIMActor.
// They keep the invariants: everything stays in the credential's tenant
// (a user or group of another tenant is "not found"), users and groups are
// created where the credential says, the lifecycle is the directory's
// (deactivation ends sessions and tokens, deletion anonymises, R-USR-1),
// and every change is audited with the credential as actor, in the same
// transaction as the change.

// SCIMUser is the state of a user as a SCIM client writes it: the
// directory's fields and the SCIM side (externalId, other attributes).
type SCIMUser struct {
	LoginName string
	Person    model.Person
	Active    bool
	// ExternalID, Attrs and Values as in storage.SCIMUser.
	ExternalID string
	Attrs      []byte
	Values     []storage.SCIMValue
}

// scimUserInTenant loads a user of the credential's tenant that is not
// deleted; anything else is "not found".
func scimUserInTenant(ctx context.Context, st storage.Storage, cred model.SCIMCredential, id string) (model.User, error) {
	if !model.PlausibleID(id) {
		return model.User{}, errHidden("user")
	}
	u, err := st.GetUser(ctx, id)
	if errors.Is(err, model.ErrNotFound) || (err == nil && (u.TenantID != cred.TenantID || u.Status == model.StatusDeleted)) {
		return model.User{}, errHidden("user")
	}
	return u, err
}

// scimDomain is the user domain of a credential's new users.
func scimDomain(ctx context.Context, st storage.Storage, cred model.SCIMCredential) (string, error) {
	if cred.DefaultDomain != "" {
		return cred.DefaultDomain, nil
	}
	if cred.ConnectionID != "" {
		c, err := st.GetConnection(ctx, cred.ConnectionID)
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			return "", err
		}
		if err == nil && c.UserDomain != "" {
			return c.UserDomain, nil
		}
	}
	return model.DomainEnterprise, nil
}

func (s *Service) putSCIMUser(ctx context.Context, st storage.Storage, cred model.SCIMCredential, userID string, w SCIMUser, isNew bool) (time.Time, error) {
	return st.PutSCIMUser(ctx, storage.SCIMUser{UserID: userID, TenantID: cred.TenantID, ExternalID: w.ExternalID,
		CredentialID: cred.ID, Attrs: w.Attrs, Values: w.Values, New: isNew})
}

// SCIMCreateUser creates an active (or, with Active false, inactive) user
// in the credential's context, with its SCIM side, the credential's
// default groups and — when the credential names a connection — as a
// delegated user linked to the connection by its externalId, so it signs
// in only through that connection.
func (s *Service) SCIMCreateUser(ctx context.Context, a Actor, cred model.SCIMCredential, w SCIMUser) (model.User, error) {
	var out model.User
	err := s.InTx(ctx, func(tx *Service) error {
		domain, err := scimDomain(ctx, tx.store, cred)
		if err != nil {
			return err
		}
		nu := NewUser{LoginName: w.LoginName, Domain: domain, Contexts: []string{cred.Target()}, Person: w.Person, Status: model.StatusActive}
		if cred.ConnectionID != "" {
			nu.Kind = model.KindDelegated
		}
		if out, err = tx.CreateUser(ctx, a, nu); err != nil {
			return err
		}
		if _, err := tx.putSCIMUser(ctx, tx.store, cred, out.ID, w, true); err != nil {
			return err
		}
		if cred.ConnectionID != "" && w.ExternalID != "" {
			if err := tx.LinkIdentity(ctx, a, model.IdentityLink{ConnectionID: cred.ConnectionID, Subject: w.ExternalID,
				UserID: out.ID, Email: w.Person.Email}, "scim"); err != nil {
				if errors.Is(err, model.ErrAlreadyExists) {
					return model.Errorf(model.ECONFLICT, "externalId", "externalId %q is linked to another user of the connection", w.ExternalID)
				}
				return err
			}
		}
		for _, g := range cred.DefaultGroups {
			if err := tx.store.AddMember(ctx, model.Membership{GroupID: g, UserID: out.ID, ContextID: cred.Target()}); err != nil {
				return err
			}
		}
		if !w.Active {
			out, err = tx.Transition(ctx, a, out.ID, model.StatusInactive)
		}
		return err
	})
	return out, err
}

// SCIMUpdateUser replaces a user of the credential's tenant with what fn
// makes of it (PUT and PATCH): fn sees the user, locked, and its SCIM
// side. A change of active is the lifecycle's deactivation or reactivation
// (sessions, refresh tokens and grants end with a deactivation).
func (s *Service) SCIMUpdateUser(ctx context.Context, a Actor, cred model.SCIMCredential, id string,
	fn func(u model.User, su storage.SCIMUser) (SCIMUser, error)) (model.User, error) {
	defer s.users.forget()
	var (
		out   model.User
		ended []endedSession
	)
	err := s.tx(ctx, func(st storage.Storage) error {
		if _, err := scimUserInTenant(ctx, st, cred, id); err != nil {
			return err
		}
		var (
			w    SCIMUser
			from model.UserStatus
		)
		u, err := st.UpdateUser(ctx, id, func(u model.User) (model.User, error) {
			sus, err := st.GetSCIMUsers(ctx, []string{id})
			if err != nil {
				return u, err
			}
			if w, err = fn(u, sus[id]); err != nil {
				return u, err
			}
			name, err := checkLoginName(w.LoginName)
			if err != nil {
				return u, err
			}
			if err := validatePerson(w.Person); err != nil {
				return u, err
			}
			if identity.LoginKeyOrLower(name) != identity.LoginKeyOrLower(u.LoginName) {
				if err := refuseRename(ctx, st); err != nil {
					return u, err
				}
			}
			from = u.Status
			u.LoginName, u.Person = name, w.Person
			switch {
			case w.Active && u.Status != model.StatusActive:
				u.Status = model.StatusActive
			case !w.Active && u.Status == model.StatusActive:
				u.Status = model.StatusInactive
			}
			return u, nil
		})
		if errors.Is(err, model.ErrAlreadyExists) {
			return errLoginTaken(w.LoginName)
		}
		if err != nil {
			return err
		}
		if _, err := s.putSCIMUser(ctx, st, cred, id, w, false); err != nil {
			return err
		}
		if err := s.audit(ctx, st, a, "user.update", "user", id, firstContext(u), map[string]any{"scim": true, "externalId": w.ExternalID}); err != nil {
			return err
		}
		if u.Status != from {
			if u.Status == model.StatusInactive {
				if ended, err = endUserSessions(ctx, st, id); err != nil {
					return err
				}
				if err := s.revokeUserGrants(ctx, st, id); err != nil {
					return err
				}
			}
			if err := s.audit(ctx, st, a, "user."+lifecycleVerb(from, u.Status), "user", id, firstContext(u),
				map[string]any{"from": from, "to": u.Status}); err != nil {
				return err
			}
		}
		out, err = st.GetUser(ctx, id)
		return err
	})
	if err == nil {
		s.notifyEnded(ctx, ended)
	}
	return out, err
}

// SCIMDeleteUser deletes a user of the credential's tenant: the
// lifecycle's deletion (anonymised, sessions and tokens ended, R-USR-1)
// with its SCIM side wiped; a draft is discarded.
func (s *Service) SCIMDeleteUser(ctx context.Context, a Actor, cred model.SCIMCredential, id string) error {
	return s.InTx(ctx, func(tx *Service) error {
		u, err := scimUserInTenant(ctx, tx.store, cred, id)
		if err != nil {
			return err
		}
		if u.Status == model.StatusDraft {
			return tx.Discard(ctx, a, id)
		}
		if _, err := tx.Transition(ctx, a, id, model.StatusDeleted); err != nil {
			return err
		}
		_, err = tx.putSCIMUser(ctx, tx.store, cred, id, SCIMUser{}, false)
		return err
	})
}

// SCIMGroup is the state of a group as a SCIM client writes it.
type SCIMGroup struct {
	Name       string
	ExternalID string
	// Members are user ids: the whole membership after the change.
	Members []string
}

// scimGroupInTenant loads a group of the credential's context.
func scimGroupInTenant(ctx context.Context, st storage.Storage, cred model.SCIMCredential, id string) (model.Group, error) {
	if !model.PlausibleID(id) {
		return model.Group{}, errHidden("group")
	}
	g, err := st.GetGroup(ctx, id)
	if errors.Is(err, model.ErrNotFound) || (err == nil && g.ContextID != cred.Target()) {
		return model.Group{}, errHidden("group")
	}
	return g, err
}

// SCIMCreateGroup creates a group in the credential's context with its
// members.
func (s *Service) SCIMCreateGroup(ctx context.Context, a Actor, cred model.SCIMCredential, w SCIMGroup) (model.Group, error) {
	var out model.Group
	err := s.InTx(ctx, func(tx *Service) error {
		var err error
		if out, err = tx.CreateGroup(ctx, a, model.Group{ContextID: cred.Target(), Name: w.Name}, ""); err != nil {
			return err
		}
		if err := tx.store.PutSCIMGroup(ctx, storage.SCIMGroup{GroupID: out.ID, TenantID: cred.TenantID, ExternalID: w.ExternalID}); err != nil {
			return err
		}
		if err := tx.setSCIMMembers(ctx, tx.store, a, cred, out, nil, w.Members); err != nil {
			return err
		}
		out, err = tx.store.GetGroup(ctx, out.ID)
		return err
	})
	return out, err
}

// SCIMUpdateGroup replaces a group of the credential's context with what
// fn makes of it (PUT and PATCH: name, externalId, members). The group row
// is locked first, so concurrent changes of one group's members run one
// after the other and none is lost.
func (s *Service) SCIMUpdateGroup(ctx context.Context, a Actor, cred model.SCIMCredential, id string,
	fn func(g model.Group, sg storage.SCIMGroup, members []string) (SCIMGroup, error)) (model.Group, error) {
	var out model.Group
	err := s.tx(ctx, func(st storage.Storage) error {
		if _, err := scimGroupInTenant(ctx, st, cred, id); err != nil {
			return err
		}
		var (
			w   SCIMGroup
			old []string
		)
		g, err := st.UpdateGroup(ctx, id, func(g model.Group) (model.Group, error) {
			sgs, err := st.GetSCIMGroups(ctx, []string{id})
			if err != nil {
				return g, err
			}
			ms, err := st.SCIMMembers(ctx, id)
			if err != nil {
				return g, err
			}
			for _, m := range ms {
				old = append(old, m.UserID)
			}
			if w, err = fn(g, sgs[id], slices.Clone(old)); err != nil {
				return g, err
			}
			if err := validateGroupName(w.Name); err != nil {
				return g, err
			}
			g.Name = w.Name
			return g, nil
		})
		if errors.Is(err, model.ErrAlreadyExists) {
			return model.Errorf(model.ECONFLICT, "displayName", "a group named %q already exists", w.Name)
		}
		if err != nil {
			return err
		}
		if err := st.PutSCIMGroup(ctx, storage.SCIMGroup{GroupID: id, TenantID: cred.TenantID, ExternalID: w.ExternalID}); err != nil {
			return err
		}
		if err := s.audit(ctx, st, a, "group.update", "group", id, g.ContextID, map[string]any{"name": g.Name, "scim": true}); err != nil {
			return err
		}
		if err := s.setSCIMMembers(ctx, st, a, cred, g, old, w.Members); err != nil {
			return err
		}
		out, err = st.GetGroup(ctx, id)
		return err
	})
	return out, err
}

func validateGroupName(name string) error {
	if name == "" || len(name) > 200 {
		return model.Invalid("displayName", "is required (at most 200 characters)")
	}
	return nil
}

// setSCIMMembers makes the group's members next (from old): every added
// user must be a user of the tenant assigned to the group's context; one
// audit event lists what changed.
func (s *Service) setSCIMMembers(ctx context.Context, st storage.Storage, a Actor, cred model.SCIMCredential, g model.Group, old, next []string) error {
	have, want := setOf(old), setOf(next)
	var added, removed []string
	for id := range want {
		if have[id] {
			continue
		}
		u, err := scimUserInTenant(ctx, st, cred, id)
		if err != nil {
			return model.Invalid("members", "user %q does not exist", id)
		}
		if !slices.Contains(u.Contexts, g.ContextID) {
			return model.Invalid("members", "user %q is not assigned to the group's context", id)
		}
		if err := st.AddMember(ctx, model.Membership{GroupID: g.ID, UserID: id, ContextID: g.ContextID}); err != nil {
			return err
		}
		added = append(added, id)
	}
	for id := range have {
		if want[id] {
			continue
		}
		if err := st.RemoveMember(ctx, model.Membership{GroupID: g.ID, UserID: id, ContextID: g.ContextID}); err != nil {
			return err
		}
		removed = append(removed, id)
	}
	if len(added)+len(removed) == 0 {
		return nil
	}
	slices.Sort(added)
	slices.Sort(removed)
	return s.audit(ctx, st, a, "group.members", "group", g.ID, g.ContextID, map[string]any{"added": added, "removed": removed})
}

// SCIMDeleteGroup deletes a group of the credential's context.
func (s *Service) SCIMDeleteGroup(ctx context.Context, a Actor, cred model.SCIMCredential, id string) error {
	return s.InTx(ctx, func(tx *Service) error {
		if _, err := scimGroupInTenant(ctx, tx.store, cred, id); err != nil {
			return err
		}
		return tx.DeleteGroup(ctx, a, id)
	})
}
