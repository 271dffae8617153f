package directory

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"time"

	"github.com/sesame-sso/sesame/internal/catalog"
	"github.com/sesame-sso/sesame/internal/identity"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/internal/storage"
)

// NewUser is the input of CreateUser.
type NewUser struct {
	LoginName string       `json:"loginName" doc:"The name the user signs in with; required, unique within the domain." example:"anna.muster"`
	Domain    string       `json:"domain" doc:"The user domain (CSP, ENTERPRISE or a custom one); decides the kind and where the user may be placed (R-USR-2)." example:"ENTERPRISE"`
	Contexts  []string     `json:"contexts" doc:"Ids of the contexts to assign the user to; at least one; CSP users only at root, ENTERPRISE users only in tenants or accounts (R-USR-2)." example:"[\"9d7e1f20-5b3a-4c8e-a1d2-6f4b8c0e2a31\"]"`
	Person    model.Person `json:"person" doc:"Personal data (name, email, phone, language)."`
	TwoFactor string       `json:"twoFactor" doc:"One-time-code channel: empty (instance default, the default), disabled, sms, email or sms+email (R-2FA-1)." example:"email"`
	// Status is draft (default) or active.
	Status model.UserStatus `json:"status" doc:"draft (the default: created but cannot sign in) or active." example:"active"`
	// Password (plain, hashed here) or PasswordHash (argon2id PHC or
	// bcrypt, within the hasher's band; only from `sesame apply`, the admin
	// API refuses it); at most one.
	Password     string `json:"password,omitempty" doc:"Optional initial password for a local user; write-only; must meet the password policy (400 naming each broken rule)." example:"correct-horse-battery-staple"`
	PasswordHash string `json:"passwordHash,omitempty" doc:"Not accepted by the admin API (only by sesame apply): an argon2id or bcrypt hash instead of password." example:"$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"`
	// Kind is only honoured for system actors (delegated users come from
	// their IdP, R-USR-3); defaults to the domain's kind.
	Kind model.UserKind `json:"-"`
	// EmailUndeliverable marks the email as a virtual address (a
	// marketplace's, seed 002); only honoured for system actors.
	EmailUndeliverable bool `json:"-"`
}

// UserPatch changes person data, 2FA setting or login name.
type UserPatch struct {
	// EmailUndeliverable sets or clears the virtual-address mark (system
	// actors only). Without it, a changed email clears the mark: a new
	// address is a real one.
	EmailUndeliverable *bool `json:"-"`

	LoginName *string       `json:"loginName" doc:"New login name; absent: unchanged." example:"anna.muster2"`
	Person    *model.Person `json:"person" doc:"New personal data, replacing all of it; absent: unchanged."`
	TwoFactor *string       `json:"twoFactor" doc:"New one-time-code channel: empty (instance default), disabled, sms, email or sms+email; absent: unchanged; not for delegated users (their IdP does MFA)." example:"sms"`
	// IfUpdatedAt, when set, is the user's UpdatedAt the edit started
	// from: a user changed since is a stale edit (model.ErrStale, a
	// conflict on "updatedAt") and nothing is written (the console's forms).
	IfUpdatedAt time.Time `json:"-"`
}

func validatePerson(p model.Person) error {
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			return model.Invalid("person.email", "%q is not an email address", p.Email)
		}
	}
	if p.Phone != "" && !regexp.MustCompile(`^\+?[0-9 ()-]{3,32}$`).MatchString(p.Phone) {
		return model.Invalid("person.phone", "%q is not a phone number", p.Phone)
	}
	if p.Language != "" && !regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$`).MatchString(p.Language) {
		return model.Invalid("person.language", "%q is not a language tag (e.g. en, de-CH)", p.Language)
	}
	for field, v := range map[string]string{"firstName": p.FirstName, "lastName": p.LastName} {
		if len(v) > 200 {
			return model.Invalid("person."+field, "is longer than 200 characters")
		}
	}
	if len(p.Avatar) > 2048 {
		return model.Invalid("person.avatar", "is longer than 2048 characters (store a URL)")
	}
	return nil
}

func validateTwoFactor(v string) error {
	switch v {
	case model.TwoFactorDefault, model.TwoFactorDisabled, model.TwoFactorSMS, model.TwoFactorEmail, model.TwoFactorBoth:
		return nil
	}
	return model.Invalid("twoFactor", "must be empty (instance default), disabled, sms, email or sms+email")
}

// checkPlacement enforces R-USR-2: where a domain's users may live, and one
// tenant for all of a user's contexts. It returns the user's tenant.
func checkPlacement(ctx context.Context, st storage.Storage, d model.UserDomain, contexts []string) (string, error) {
	if len(contexts) == 0 {
		return "", model.Invalid("contexts", "assign the user to at least one context")
	}
	tenant := ""
	for _, id := range contexts {
		c, err := st.GetContext(ctx, id)
		if errors.Is(err, model.ErrNotFound) {
			return "", model.Invalid("contexts", "context %q does not exist", id)
		}
		if err != nil {
			return "", err
		}
		switch d.Placement {
		case model.PlacementRoot:
			if c.Type != model.ContextRoot {
				return "", model.Invalid("contexts", "users of domain %s live at root only, not in %s %q", d.Name, c.Type, c.Name)
			}
		case model.PlacementEnterprise:
			if c.Type == model.ContextRoot {
				return "", model.Invalid("contexts", "users of domain %s live in tenant, account or customer contexts, not at root", d.Name)
			}
		}
		if tenant != "" && c.TenantID != tenant {
			return "", model.Invalid("contexts", "all of a user's contexts must be in one tenant")
		}
		tenant = c.TenantID
	}
	return tenant, nil
}

// CreateUser creates a user ("CAS users - Create or Modify" in each of the
// user's contexts).
func (s *Service) CreateUser(ctx context.Context, a Actor, nu NewUser) (model.User, error) {
	name, err := checkLoginName(nu.LoginName)
	if err != nil {
		return model.User{}, err
	}
	nu.LoginName = name
	if err := validatePerson(nu.Person); err != nil {
		return model.User{}, err
	}
	if err := validateTwoFactor(nu.TwoFactor); err != nil {
		return model.User{}, err
	}
	switch nu.Status {
	case "":
		nu.Status = model.StatusDraft
	case model.StatusDraft, model.StatusActive:
	default:
		return model.User{}, model.Invalid("status", "a new user is draft or active")
	}
	if nu.Password != "" && nu.PasswordHash != "" {
		return model.User{}, model.Invalid("password", "give a password or a passwordHash, not both")
	}
	if nu.Password != "" {
		if err := s.checkPassword(nu.Password, password.Subject{LoginName: nu.LoginName, Email: nu.Person.Email}); err != nil {
			return model.User{}, err
		}
	}
	if err := s.CheckImportedHash(a, nu.PasswordHash); err != nil {
		return model.User{}, err
	}
	hash := nu.PasswordHash
	if nu.Password != "" {
		if hash, err = s.hasher.Hash(ctx, nu.Password); err != nil {
			return model.User{}, fmt.Errorf("hash password: %w", err)
		}
	}
	var out model.User
	err = s.tx(ctx, func(st storage.Storage) error {
		d, err := st.GetDomain(ctx, nu.Domain)
		if errors.Is(err, model.ErrNotFound) {
			return model.Invalid("domain", "user domain %q does not exist", nu.Domain)
		}
		if err != nil {
			return err
		}
		kind := d.Kind
		if a.System && nu.Kind != "" {
			kind = nu.Kind
		}
		if kind == model.KindDelegated && !a.System {
			return model.Invalid("domain", "users of domain %s are delegated: their identity provider creates them", d.Name)
		}
		if kind == model.KindDelegated && hash != "" {
			return model.Invalid("password", "delegated users have no password in Sesame")
		}
		for _, c := range nu.Contexts {
			if err := s.authorize(ctx, st, a, rightUsersWrite, c); err != nil {
				if model.ErrorCode(err) == model.ENOTFOUND {
					return model.Invalid("contexts", "context %q does not exist", c)
				}
				return err
			}
		}
		tenant, err := checkPlacement(ctx, st, d, nu.Contexts)
		if err != nil {
			return err
		}
		if err := checkUserManagedByIdP(ctx, st, a, tenant, "added"); err != nil {
			return err
		}
		out, err = st.CreateUser(ctx, model.User{
			LoginName: nu.LoginName, TenantID: tenant, Domain: d.Name, Kind: kind, Status: nu.Status,
			Person: nu.Person, TwoFactor: nu.TwoFactor, PasswordHash: hash, Contexts: nu.Contexts,
			PasswordSetAt: setAt(hash, s.now()), EmailUndeliverable: nu.EmailUndeliverable && a.System,
		})
		if errors.Is(err, model.ErrAlreadyExists) {
			return errLoginTaken(nu.LoginName)
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, st, a, "user.create", "user", out.ID, nu.Contexts[0], map[string]any{"loginName": out.LoginName, "domain": d.Name, "status": out.Status})
	})
	return out, err
}

// visibleUser loads a user the actor may read ("CAS users - Read" in one of
// the user's contexts); others look missing.
func (s *Service) visibleUser(ctx context.Context, st storage.Storage, a Actor, id string) (model.User, error) {
	u, err := st.GetUser(ctx, id)
	if err != nil {
		return u, err
	}
	if a.System {
		return u, nil
	}
	ctxs := u.Contexts
	if len(ctxs) == 0 {
		ctxs = []string{u.TenantID}
	}
	for _, c := range ctxs {
		if ok, err := s.can(ctx, st, a, rightUsersRead, c); err != nil {
			return model.User{}, err
		} else if ok {
			return u, nil
		}
	}
	return model.User{}, errHidden("user")
}

// authorizeOnUser checks right in every context of the user, and that the
// user holds no cas right the actor lacks (issue 8 item 6).
func (s *Service) authorizeOnUser(ctx context.Context, st storage.Storage, a Actor, right string, u model.User) error {
	ctxs := u.Contexts
	if len(ctxs) == 0 {
		ctxs = []string{u.TenantID}
	}
	for _, c := range ctxs {
		if err := s.authorize(ctx, st, a, right, c); err != nil {
			return err
		}
	}
	return s.checkNotStronger(ctx, st, a, u)
}

// userToChange loads a user the actor may see and checks right on it
// (visibleUser, then authorizeOnUser).
func (s *Service) userToChange(ctx context.Context, st storage.Storage, a Actor, right, id string) (model.User, error) {
	u, err := s.visibleUser(ctx, st, a, id)
	if err != nil {
		return u, err
	}
	return u, s.authorizeOnUser(ctx, st, a, right, u)
}

// GetUser reads one user.
func (s *Service) GetUser(ctx context.Context, a Actor, id string) (model.User, error) {
	return s.visibleUser(ctx, s.store, a, id)
}

// ListUsers lists the users the actor may read.
func (s *Service) ListUsers(ctx context.Context, a Actor, f model.UserFilter) ([]model.User, bool, error) {
	within, err := s.reach(ctx, s.store, a, rightUsersRead)
	if err != nil {
		return nil, false, err
	}
	if within != nil {
		root, err := s.store.RootContext(ctx)
		if err != nil {
			return nil, false, err
		}
		atRoot := false
		for _, w := range within {
			atRoot = atRoot || w == root.ID
		}
		if !atRoot {
			f.Within = within
		}
	}
	return s.store.ListUsers(ctx, f)
}

// UpdateUser changes person data, 2FA setting or login name of a local user
// (delegated users are read-only, R-USR-3).
func (s *Service) UpdateUser(ctx context.Context, a Actor, id string, p UserPatch) (model.User, error) {
	defer s.users.forget()
	if p.Person != nil {
		if err := validatePerson(*p.Person); err != nil {
			return model.User{}, err
		}
	}
	if p.TwoFactor != nil {
		if err := validateTwoFactor(*p.TwoFactor); err != nil {
			return model.User{}, err
		}
	}
	if p.LoginName != nil {
		name, err := checkLoginName(*p.LoginName)
		if err != nil {
			return model.User{}, err
		}
		p.LoginName = &name
	}
	var out model.User
	err := s.tx(ctx, func(st storage.Storage) error {
		u, err := s.visibleUser(ctx, st, a, id)
		if err != nil {
			return err
		}
		if p.TwoFactor != nil {
			if err := s.authorizeOnUser(ctx, st, a, catalog.TwoFactorSettingsModify, u); err != nil {
				return err
			}
			if err := refuseDelegated2FA(u); err != nil && !a.System && *p.TwoFactor != u.TwoFactor {
				return err // twofactor.go
			}
		}
		if p.Person != nil || p.LoginName != nil {
			if err := s.authorizeOnUser(ctx, st, a, rightUsersWrite, u); err != nil {
				return err
			}
		}
		if p.LoginName != nil && identity.LoginKeyOrLower(*p.LoginName) != identity.LoginKeyOrLower(u.LoginName) {
			if err := refuseRename(ctx, st); err != nil {
				return err
			}
		}
		out, err = st.UpdateUser(ctx, id, func(u model.User) (model.User, error) {
			if u.Status == model.StatusDeleted {
				return u, model.Errorf(model.ECONFLICT, "status", "a deleted user cannot be changed")
			}
			if !p.IfUpdatedAt.IsZero() && p.IfUpdatedAt.UnixMicro() != u.UpdatedAt.UnixMicro() {
				return u, model.Errorf(model.ECONFLICT, "updatedAt", "%v", model.ErrStale.Message)
			}
			if u.Kind == model.KindDelegated && !a.System {
				if err := refuseIdPOwned(u, p); err != nil {
					return u, err
				}
			}
			if p.Person != nil {
				if p.Person.Email != u.Person.Email {
					u.EmailUndeliverable = false
				}
				u.Person = *p.Person
			}
			if p.EmailUndeliverable != nil && a.System {
				u.EmailUndeliverable = *p.EmailUndeliverable
			}
			if p.LoginName != nil {
				u.LoginName = *p.LoginName
			}
			if p.TwoFactor != nil {
				u.TwoFactor = *p.TwoFactor
			}
			return u, nil
		})
		if errors.Is(err, model.ErrAlreadyExists) {
			return errLoginTaken(*p.LoginName)
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, st, a, "user.update", "user", id, firstContext(out), nil)
	})
	return out, err
}

// refuseIdPOwned answers an admin edit of what a delegated user's IdP owns
// (R-USR-3): the login name and the person data the claims carry (names,
// email, phone). Language and avatar are Sesame's own and stay editable.
// The error names the first such field the patch changes.
func refuseIdPOwned(u model.User, p UserPatch) error {
	refuse := func(field string) error {
		return model.Errorf(model.EFORBIDDEN, field,
			"%s of a delegated user is managed by the identity provider: change it there (the next sign-in brings it here)", field)
	}
	if p.LoginName != nil && *p.LoginName != u.LoginName {
		return refuse("loginName")
	}
	if p.Person == nil {
		return nil
	}
	for _, f := range []struct{ name, old, new string }{
		{"person.firstName", u.Person.FirstName, p.Person.FirstName},
		{"person.lastName", u.Person.LastName, p.Person.LastName},
		{"person.email", u.Person.Email, p.Person.Email},
		{"person.phone", u.Person.Phone, p.Person.Phone},
	} {
		if f.old != f.new {
			return refuse(f.name)
		}
	}
	return nil
}

func firstContext(u model.User) string {
	if len(u.Contexts) > 0 {
		return u.Contexts[0]
	}
	return u.TenantID
}

// SetUserContexts replaces the contexts a user is assigned to. The actor
// needs "CAS users - Create or Modify" in every context added or removed;
// memberships in removed contexts go with them.
func (s *Service) SetUserContexts(ctx context.Context, a Actor, id string, contexts []string) (model.User, error) {
	defer s.users.forget()
	var out model.User
	err := s.tx(ctx, func(st storage.Storage) error {
		u, err := s.visibleUser(ctx, st, a, id)
		if err != nil {
			return err
		}
		if u.Status == model.StatusDeleted {
			return model.Errorf(model.ECONFLICT, "status", "a deleted user cannot be changed")
		}
		d, err := st.GetDomain(ctx, u.Domain)
		if err != nil {
			return err
		}
		tenant, err := checkPlacement(ctx, st, d, contexts)
		if err != nil {
			return err
		}
		if tenant != u.TenantID {
			return model.Invalid("contexts", "a user stays in the tenant it was created in")
		}
		if err := s.checkNotStronger(ctx, st, a, u); err != nil {
			return err
		}
		old, next := setOf(u.Contexts), setOf(contexts)
		for c := range old {
			if !next[c] {
				if err := s.authorize(ctx, st, a, rightUsersWrite, c); err != nil {
					return err
				}
			}
		}
		for c := range next {
			if !old[c] {
				if err := s.authorize(ctx, st, a, rightUsersWrite, c); err != nil {
					if model.ErrorCode(err) == model.ENOTFOUND {
						return model.Invalid("contexts", "context %q does not exist", c)
					}
					return err
				}
			}
		}
		ms, err := st.UserMemberships(ctx, id)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if !next[m.ContextID] {
				if err := st.RemoveMember(ctx, m); err != nil {
					return err
				}
			}
		}
		out, err = st.UpdateUser(ctx, id, func(u model.User) (model.User, error) {
			u.Contexts = contexts
			return u, nil
		})
		if err != nil {
			return err
		}
		if err := s.checkAssignment(ctx, st, a, out, old); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "user.contexts", "user", id, firstContext(out), map[string]any{"contexts": contexts})
	})
	return out, err
}

func setOf(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// Transition moves a user through the lifecycle (R-USR-1): activate (draft
// → active), deactivate (active → inactive), reactivate (inactive →
// active), delete (→ deleted: anonymized, final).
func (s *Service) Transition(ctx context.Context, a Actor, id string, to model.UserStatus) (model.User, error) {
	defer s.users.forget()
	right := rightUsersLifecycle
	if to == model.StatusDeleted {
		right = rightUsersDelete
	}
	var (
		out   model.User
		ended []endedSession
	)
	err := s.tx(ctx, func(st storage.Storage) error {
		u, err := s.visibleUser(ctx, st, a, id)
		if err != nil {
			return err
		}
		if err := s.authorizeOnUser(ctx, st, a, right, u); err != nil {
			return err
		}
		if !a.System && u.ID == a.User.ID && to != model.StatusActive {
			return model.Errorf(model.ECONFLICT, "status", "you cannot deactivate or delete yourself")
		}
		if to == model.StatusDeleted {
			if err := checkUserManagedByIdP(ctx, st, a, u.TenantID, "deleted"); err != nil {
				return err
			}
		}
		from := u.Status
		out, err = st.UpdateUser(ctx, id, func(u model.User) (model.User, error) {
			if !model.CanTransition(u.Status, to) {
				return u, model.Errorf(model.ECONFLICT, "status", "a %s user cannot become %s", u.Status, to)
			}
			u.Status = to
			if to == model.StatusDeleted {
				u = anonymize(u)
			}
			return u, nil
		})
		if err != nil {
			return err
		}
		if to != model.StatusActive {
			if ended, err = endUserSessions(ctx, st, id); err != nil {
				return err
			}
			// …and access tokens stay dead after a reactivation.
			if err := s.revokeUserGrants(ctx, st, id); err != nil {
				return err
			}
		}
		if to == model.StatusDeleted {
			if err := st.RemoveUserMemberships(ctx, id); err != nil {
				return err
			}
			if err := st.SetUserRoles(ctx, id, nil); err != nil {
				return err
			}
			// …and its external identities (R-USR-1): a later login at
			// the IdP finds no user and cannot revive this one.
			if err := st.DeleteUserIdentityLinks(ctx, id); err != nil {
				return err
			}
			// Deactivated users keep their API keys (they fail until
			// reactivation); deletion is final, so the keys go.
			if _, err := st.DeleteUserAPIKeys(ctx, id); err != nil {
				return err
			}
		}
		return s.audit(ctx, st, a, "user."+lifecycleVerb(from, to), "user", id, firstContext(out), map[string]any{"from": from, "to": to})
	})
	if err == nil {
		s.notifyEnded(ctx, ended)
	}
	return out, err
}

// endUserSessions ends a user's SSO sessions and refresh tokens inside the
// caller's transaction and returns the sessions, to announce after commit
// (notifyEnded). R-USR-1: they stop working at once; reactivation or a new
// password does not revive them.
func endUserSessions(ctx context.Context, st storage.Storage, id string) ([]endedSession, error) {
	var ended []endedSession
	sessions, err := st.ListUserSessions(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, ss := range sessions {
		svcs, err := st.SessionServices(ctx, ss.ID)
		if err != nil {
			return nil, err
		}
		ended = append(ended, endedSession{ss, svcs})
	}
	if _, err := st.DeleteUserSessions(ctx, id); err != nil {
		return nil, err
	}
	if err := st.DeleteUserRefreshTokens(ctx, id); err != nil {
		return nil, err
	}
	return ended, nil
}

type endedSession struct {
	s    model.Session
	svcs []model.SessionService
}

// notifyEnded tells the apps of sessions a lifecycle change ended, in the
// background: the administrator's request does not wait for them.
func (s *Service) notifyEnded(ctx context.Context, ended []endedSession) {
	if len(ended) == 0 || len(s.onSessionEnd) == 0 {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		for _, e := range ended {
			for _, f := range s.onSessionEnd {
				f(ctx, e.s, e.svcs)
			}
		}
	}()
}

func lifecycleVerb(from, to model.UserStatus) string {
	switch {
	case to == model.StatusDeleted:
		return "delete"
	case to == model.StatusInactive:
		return "deactivate"
	case from == model.StatusInactive:
		return "reactivate"
	}
	return "activate"
}

// anonymize wipes every personal field (R-USR-1); the id stays so the audit
// log still resolves.
func anonymize(u model.User) model.User {
	u.LoginName = "deleted-" + u.ID
	u.Person = model.Person{}
	u.PasswordHash = ""
	u.TwoFactor = ""
	u.FirstLoginAt, u.LastLoginAt = nil, nil
	return u
}

// Discard removes a draft user for good.
func (s *Service) Discard(ctx context.Context, a Actor, id string) error {
	defer s.users.forget()
	return s.tx(ctx, func(st storage.Storage) error {
		u, err := s.userToChange(ctx, st, a, rightUsersWrite, id)
		if err != nil {
			return err
		}
		if err := checkUserManagedByIdP(ctx, st, a, u.TenantID, "deleted"); err != nil {
			return err
		}
		if u.Status != model.StatusDraft {
			return model.Errorf(model.ECONFLICT, "status", "only draft users can be discarded; a %s user is deleted (anonymized) instead", u.Status)
		}
		if err := st.DeleteUser(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, st, a, "user.discard", "user", id, firstContext(u), nil)
	})
}

// SetPassword sets a local user's password on an admin's behalf (or the
// user's own); see ResetPassword.
func (s *Service) SetPassword(ctx context.Context, a Actor, id, pw string) error {
	return s.ResetPassword(ctx, a, id, pw, PasswordReset{})
}

// PasswordReset are the options of ResetPassword.
type PasswordReset struct {
	// RevokeAPIKeys deletes the user's API keys as well.
	RevokeAPIKeys bool `json:"revokeApiKeys" doc:"Also delete the user's API keys (default false)." example:"true"`
	// MustChange makes the user's next login ask for a new password
	// before anything else (issue 9 §2.3: an admin reset).
	MustChange bool `json:"mustChange" doc:"The user's next login asks for a new password before anything else (default false)." example:"true"`
}

// ResetPassword sets a local user's password and, like a deactivation,
// ends everything the old password let anyone start (issue 8 item 8): the
// user's SSO sessions and refresh tokens go in the same transaction, the
// access tokens of all the user's grants are revoked, the sessions'
// apps are told after commit (CAS single logout, OIDC back-channel logout),
// and with o.RevokeAPIKeys the user's API keys go too.
func (s *Service) ResetPassword(ctx context.Context, a Actor, id, pw string, o PasswordReset) error {
	defer s.users.forget()
	// The rules that need no user first (no hashing for a short one); the
	// login name and email once the actor may see the user (issue 9 §2.1).
	if err := s.checkPassword(pw, password.Subject{}); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	var ended []endedSession
	err = s.tx(ctx, func(st storage.Storage) error {
		u, err := s.visibleUser(ctx, st, a, id)
		if err != nil {
			return err
		}
		if err := s.authorizeOnUser(ctx, st, a, rightPasswordReset, u); err != nil {
			return err
		}
		if err := s.checkPassword(pw, subjectOf(u)); err != nil {
			return err
		}
		if _, err := st.UpdateUser(ctx, id, func(u model.User) (model.User, error) {
			if u.Kind != model.KindLocal {
				return u, model.Invalid("password", "delegated users change their password at their identity provider")
			}
			if u.Status == model.StatusDeleted {
				return u, model.Errorf(model.ECONFLICT, "status", "a deleted user cannot be changed")
			}
			u.PasswordHash, u.PasswordSetAt, u.PasswordMustChange = hash, s.now(), o.MustChange
			return u, nil
		}); err != nil {
			return err
		}
		// Sessions, grants and pending reset links (R-PWD-2) end with the
		// old password (passwords.go).
		if ended, err = s.endCredentials(ctx, st, id); err != nil {
			return err
		}
		details := map[string]any{"sessionsEnded": len(ended), "mustChange": o.MustChange}
		if o.RevokeAPIKeys {
			n, err := st.DeleteUserAPIKeys(ctx, id)
			if err != nil {
				return err
			}
			details["apiKeysRevoked"] = n
		}
		return s.audit(ctx, st, a, "user.password_reset", "user", id, firstContext(u), details)
	})
	if err == nil {
		s.notifyEnded(ctx, ended)
	}
	return err
}

// ListAudit reads the audit log ("Audit - Read"; an admin below root sees
// events of the contexts in reach).
func (s *Service) ListAudit(ctx context.Context, a Actor, f model.AuditFilter) ([]model.AuditEvent, bool, error) {
	// What this node queued (auditqueue.go) is written before the read,
	// so an administrator sees an event as soon as its request answered.
	s.FlushAudit()
	within, err := s.reach(ctx, s.store, a, rightAuditRead)
	if err != nil {
		return nil, false, err
	}
	if within != nil {
		if len(within) == 0 {
			return nil, false, model.Errorf(model.EFORBIDDEN, "", "you need the right %q (module cas)", rightAuditRead)
		}
		root, err := s.store.RootContext(ctx)
		if err != nil {
			return nil, false, err
		}
		if !setOf(within)[root.ID] {
			f.Within = within
		}
	}
	return s.store.ListAudit(ctx, f)
}
