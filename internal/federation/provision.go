package federation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unicode"

	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/model"
)

// Outcome says what Provision did.
type Outcome string

const (
	// Created: a first login created a delegated user and its link.
	Created Outcome = "created"
	// Linked: a first login linked an existing user by verified email.
	Linked Outcome = "linked"
	// Updated: a later login changed the user's data, roles or contexts.
	Updated Outcome = "updated"
	// Unchanged: a later login found everything as the IdP says.
	Unchanged Outcome = "unchanged"
)

// LinkError refuses a first login that would link by email when several
// users of the tenant have that email (R-FED-4, R-SAML-6): the login
// fails, and Message tells the administrator what to do.
type LinkError struct {
	ConnectionID string
	Users        int
	Message      string
}

func (e *LinkError) Error() string { return e.Message }

// Provisioner creates, links and updates users just in time (R-FED-4).
type Provisioner struct {
	Dir *directory.Service
	Log *slog.Logger
}

// Login maps what the IdP asserted and provisions the user: Map, then
// Provision; a mapping error is audited as federation.mapping_failed
// naming the claim.
func (p *Provisioner) Login(ctx context.Context, c model.Connection, id Identity) (model.User, Outcome, error) {
	pr, err := Map(c, id)
	if err != nil {
		var me *MappingError
		if errors.As(err, &me) {
			p.Dir.AuditFederation(ctx, actor(ctx, c), "federation.mapping_failed", "connection", c.ID, c.TenantID,
				map[string]any{"claim": me.Claim, "reason": me.Reason})
		}
		return model.User{}, "", err
	}
	return p.Provision(ctx, c, pr)
}

func actor(ctx context.Context, c model.Connection) directory.Actor {
	return directory.ConnectionActor(c.ID, clientip.From(ctx))
}

// Provision creates, links or updates the user of pr (R-FED-4) in one
// directory transaction (DESIGN note 2):
//  1. the link (connection, subject) exists: update names, email, phone,
//     roles and contexts;
//  2. no link, the connection allows linking and the IdP says the email
//     is verified: link the tenant's one user with that email (several:
//     *LinkError);
//  3. otherwise create a delegated user in the connection's tenant and
//     its link.
//
// A lost race for the link or the login name rolls the transaction back
// and retries once; the retry finds the winner's link and updates.
func (p *Provisioner) Provision(ctx context.Context, c model.Connection, pr Profile) (model.User, Outcome, error) {
	if !c.Enabled {
		return model.User{}, "", model.Errorf(model.EFORBIDDEN, "connection", "the connection %q is disabled", c.Name)
	}
	if pr.Subject == "" {
		return model.User{}, "", &MappingError{Claim: effective(c).Subject, Reason: "the subject is empty"}
	}
	a := actor(ctx, c)
	var (
		u   model.User
		out Outcome
		err error
	)
	for attempt := 0; attempt < 2; attempt++ {
		var unresolved []string
		err = p.Dir.InTx(ctx, func(tx *directory.Service) error {
			var e error
			u, out, unresolved, e = p.once(ctx, tx, a, c, pr, attempt > 0)
			return e
		})
		if err == nil {
			if len(unresolved) > 0 {
				p.Dir.AuditFederation(ctx, a, "federation.account_unresolved", "user", u.ID, c.TenantID,
					map[string]any{"accounts": unresolved, "accountKey": pr.AccountKey})
			}
			return u, out, nil
		}
		if attempt == 0 && lostRace(err) {
			continue
		}
		break
	}
	var le *LinkError
	if errors.As(err, &le) {
		p.Dir.AuditFederation(ctx, a, "federation.link_refused", "connection", c.ID, c.TenantID,
			map[string]any{"users": le.Users, "subject": pr.Subject})
	}
	return model.User{}, "", err
}

// ErrNotLinked refuses a refresh whose identity no longer leads to the
// user the refresh token was issued to (unlinked, deleted, or another
// person at the IdP).
var ErrNotLinked = model.Errorf(model.EUNAUTHORIZED, "", "the identity provider's account is no longer linked to this user")

// Refresh applies what the IdP asserted at an upstream refresh to the user
// a Sesame refresh token was issued to (issue 10 §6): the claims are mapped
// and the linked user is updated — roles removed at the IdP are gone from
// the rights at once. It never creates or links a user: without the link
// (connection, subject) → userID the refresh fails with ErrNotLinked, as
// it does for a user who is no longer active.
func (p *Provisioner) Refresh(ctx context.Context, c model.Connection, id Identity, userID string) (model.User, Outcome, error) {
	if !c.Enabled {
		return model.User{}, "", model.Errorf(model.EFORBIDDEN, "connection", "the connection %q is disabled", c.Name)
	}
	pr, err := Map(c, id)
	if err != nil {
		var me *MappingError
		if errors.As(err, &me) {
			p.Dir.AuditFederation(ctx, actor(ctx, c), "federation.mapping_failed", "user", userID, c.TenantID,
				map[string]any{"claim": me.Claim, "reason": me.Reason, "refresh": true})
		}
		return model.User{}, "", err
	}
	a := actor(ctx, c)
	var (
		u          model.User
		out        Outcome
		unresolved []string
	)
	err = p.Dir.InTx(ctx, func(tx *directory.Service) error {
		link, err := tx.IdentityLink(ctx, c.ID, pr.Subject)
		if errors.Is(err, model.ErrNotFound) {
			return ErrNotLinked
		}
		if err != nil {
			return err
		}
		if link.UserID != userID {
			return ErrNotLinked
		}
		cur, err := tx.Reader().GetUser(ctx, userID)
		if err != nil {
			return err
		}
		if cur.Status != model.StatusActive {
			return ErrNotLinked
		}
		u, out, unresolved, err = p.update(ctx, tx, a, c, pr, cur, link, Unchanged)
		return err
	})
	if err != nil {
		return model.User{}, "", err
	}
	if len(unresolved) > 0 {
		p.Dir.AuditFederation(ctx, a, "federation.account_unresolved", "user", u.ID, c.TenantID,
			map[string]any{"accounts": unresolved, "accountKey": pr.AccountKey})
	}
	return u, out, nil
}

// lostRace: another login of the same subject committed the link (or the
// login name) first.
func lostRace(err error) bool {
	if errors.Is(err, model.ErrAlreadyExists) {
		return true
	}
	var me *model.Error
	return errors.As(err, &me) && me.Code == model.ECONFLICT && me.Field == "loginName"
}

// once is one attempt, inside tx.
func (p *Provisioner) once(ctx context.Context, tx *directory.Service, a directory.Actor, c model.Connection, pr Profile, retry bool) (model.User, Outcome, []string, error) {
	link, err := tx.IdentityLink(ctx, c.ID, pr.Subject)
	switch {
	case err == nil:
		u, err := tx.Reader().GetUser(ctx, link.UserID)
		if err != nil {
			return u, "", nil, fmt.Errorf("linked user: %w", err)
		}
		return p.update(ctx, tx, a, c, pr, u, link, Unchanged)
	case !errors.Is(err, model.ErrNotFound):
		return model.User{}, "", nil, err
	}
	link = model.IdentityLink{ConnectionID: c.ID, Subject: pr.Subject, Email: pr.Email}
	// Linking by email: only when the connection allows it and the IdP
	// vouches for the email — an unverified email never reaches an
	// existing (admin) account.
	if c.LinkByVerifiedEmail && pr.EmailVerified && pr.Email != "" {
		users, err := linkCandidates(ctx, tx, c, pr.Email)
		if err != nil {
			return model.User{}, "", nil, err
		}
		switch len(users) {
		case 0:
		case 1:
			link.UserID = users[0].ID
			if err := tx.LinkIdentity(ctx, a, link, "verified email"); err != nil {
				return model.User{}, "", nil, err
			}
			return p.update(ctx, tx, a, c, pr, users[0], link, Linked)
		default:
			return model.User{}, "", nil, &LinkError{ConnectionID: c.ID, Users: len(users), Message: fmt.Sprintf(
				"Several users of this tenant have the email address %s, so the sign-in through %q cannot tell which one to link. "+
					"An administrator must make the email addresses unique.", pr.Email, c.Name)}
		}
	}
	contexts, roles, unresolved, err := resolve(ctx, tx, c, pr)
	if err != nil {
		return model.User{}, "", nil, err
	}
	orgs, orgRoles, err := organisationContexts(ctx, tx, a, c, pr)
	if err != nil {
		return model.User{}, "", nil, err
	}
	contexts, roles = union(contexts, orgs...), append(roles, orgRoles...)
	if len(contexts) == 0 {
		contexts = []string{c.TenantID}
	}
	domain, err := userDomain(ctx, tx, c, contexts)
	if err != nil {
		return model.User{}, "", nil, err
	}
	name, err := loginName(ctx, tx, c, pr, retry)
	if err != nil {
		return model.User{}, "", nil, err
	}
	u, err := tx.CreateUser(ctx, a, directory.NewUser{LoginName: name, Domain: domain, Contexts: contexts,
		Person: model.Person{FirstName: pr.FirstName, LastName: pr.LastName, Email: pr.Email, Phone: pr.Phone},
		Status: model.StatusActive, Kind: model.KindDelegated, EmailUndeliverable: pr.VirtualEmail})
	if err != nil {
		return u, "", nil, err
	}
	link.UserID = u.ID
	if err := tx.LinkIdentity(ctx, a, link, "created"); err != nil {
		return u, "", nil, err
	}
	if len(roles) > 0 {
		if err := tx.SetUserRoles(ctx, a, u.ID, roles); err != nil {
			return u, "", nil, err
		}
	}
	return u, Created, unresolved, nil
}

// linkCandidates are the tenant's users with the email that are not
// linked to this connection already (under another subject: another
// person at the IdP, or an earlier account there).
func linkCandidates(ctx context.Context, tx *directory.Service, c model.Connection, email string) ([]model.User, error) {
	users, err := tx.UsersWithEmail(ctx, c.TenantID, email, 20)
	if err != nil {
		return nil, err
	}
	out := users[:0]
	for _, u := range users {
		links, err := tx.UserIdentityLinks(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(links, func(l model.IdentityLink) bool { return l.ConnectionID == c.ID }) {
			out = append(out, u)
		}
	}
	return out, nil
}

// update brings a linked user in line with the IdP: names, email and
// phone (a claim the IdP does not send leaves the value alone); for
// delegated users also roles and — when the IdP names accounts — the
// context assignments. A local user linked by email keeps its contexts,
// groups and roles (R-SAML-6; IdP roles feed e1 only for delegated users,
// R-EFF-1).
func (p *Provisioner) update(ctx context.Context, tx *directory.Service, a directory.Actor, c model.Connection, pr Profile,
	u model.User, link model.IdentityLink, out Outcome) (model.User, Outcome, []string, error) {
	if u.Status == model.StatusDeleted {
		return u, "", nil, model.Errorf(model.EFORBIDDEN, "", "the linked user was deleted")
	}
	person := u.Person
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&person.FirstName, pr.FirstName)
	set(&person.LastName, pr.LastName)
	set(&person.Email, pr.Email)
	set(&person.Phone, pr.Phone)
	changed := func() {
		if out == Unchanged {
			out = Updated
		}
	}
	virtual := u.EmailUndeliverable
	if pr.Email != "" {
		virtual = pr.VirtualEmail
	}
	var err error
	if person != u.Person || virtual != u.EmailUndeliverable {
		if u, err = tx.UpdateUser(ctx, a, u.ID, directory.UserPatch{Person: &person, EmailUndeliverable: &virtual}); err != nil {
			return u, "", nil, err
		}
		changed()
	}
	var unresolved []string
	if u.Kind == model.KindDelegated {
		var (
			contexts []string
			roles    []model.RoleAssignment
		)
		contexts, roles, unresolved, err = resolve(ctx, tx, c, pr)
		if err != nil {
			return u, "", nil, err
		}
		orgs, orgRoles, err := organisationContexts(ctx, tx, a, c, pr)
		if err != nil {
			return u, "", nil, err
		}
		kept, err := keptOrganisations(ctx, tx, c, u, orgs)
		if err != nil {
			return u, "", nil, err
		}
		have, err := tx.Reader().UserRoles(ctx, u.ID)
		if err != nil {
			return u, "", nil, err
		}
		// Organisations add up (organisations.go): the account claims,
		// when the IdP sends them, replace the other assignments.
		switch {
		case len(contexts) > 0:
			contexts = union(contexts, append(orgs, kept...)...)
		case len(orgs) > 0:
			contexts = union(slices.Clone(u.Contexts), orgs...)
		}
		roles = append(roles, orgRoles...)
		for _, r := range have {
			if slices.Contains(kept, r.ContextID) {
				roles = append(roles, r)
			}
		}
		if len(contexts) > 0 && !sameSet(contexts, u.Contexts) {
			if u, err = tx.SetUserContexts(ctx, a, u.ID, contexts); err != nil {
				return u, "", nil, err
			}
			changed()
		}
		if !sameRoles(have, roles) {
			if err := tx.SetUserRoles(ctx, a, u.ID, roles); err != nil {
				return u, "", nil, err
			}
			changed()
		}
	}
	if link.Email != pr.Email || out != Linked {
		link.Email = pr.Email
		if err := tx.TouchIdentityLink(ctx, link); err != nil {
			return u, "", nil, err
		}
	}
	return u, out, unresolved, nil
}

// resolve turns the profile's accounts into contexts of the connection's
// tenant (by id or number, R-FED-3) and its roles into role assignments.
// Keys that name no context of the tenant are left out and returned (the
// caller audits them): an IdP never reaches another tenant's contexts.
func resolve(ctx context.Context, tx *directory.Service, c model.Connection, pr Profile) ([]string, []model.RoleAssignment, []string, error) {
	ids := map[string]string{}
	var (
		contexts, unresolved []string
	)
	for _, k := range pr.Accounts {
		id, err := resolveKey(ctx, tx, c, pr.AccountKey, k)
		if err != nil {
			return nil, nil, nil, err
		}
		if id == "" {
			unresolved = append(unresolved, k)
			continue
		}
		ids[k] = id
		if !slices.Contains(contexts, id) {
			contexts = append(contexts, id)
		}
	}
	roles := make([]model.RoleAssignment, 0, len(pr.Roles)+len(pr.ContextRoles))
	for _, r := range pr.Roles {
		roles = append(roles, model.RoleAssignment{Role: r})
	}
	for _, cr := range pr.ContextRoles {
		if id := ids[cr.Account]; id != "" {
			roles = append(roles, model.RoleAssignment{ContextID: id, Role: cr.Role})
		}
	}
	return contexts, roles, unresolved, nil
}

func resolveKey(ctx context.Context, tx *directory.Service, c model.Connection, by, key string) (string, error) {
	switch by {
	case model.AccountKeyNumber:
		cs, err := tx.ContextsByNumber(ctx, c.TenantID, key)
		if err != nil {
			return "", err
		}
		if len(cs) != 1 { // none, or ambiguous: never guess
			return "", nil
		}
		return cs[0].ID, nil
	default:
		if !model.PlausibleID(key) {
			return "", nil
		}
		x, err := tx.Reader().GetContext(ctx, key)
		if errors.Is(err, model.ErrNotFound) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		if x.TenantID != c.TenantID { // never another tenant's context
			return "", nil
		}
		return x.ID, nil
	}
}

// userDomain is the connection's user domain, or CSP for users at root
// and ENTERPRISE below (R-USR-2).
func userDomain(ctx context.Context, tx *directory.Service, c model.Connection, contexts []string) (string, error) {
	if c.UserDomain != "" {
		return c.UserDomain, nil
	}
	root, err := tx.Reader().RootContext(ctx)
	if err != nil {
		return "", err
	}
	if slices.Contains(contexts, root.ID) {
		return model.DomainCSP, nil
	}
	return model.DomainEnterprise, nil
}

// loginName picks a delegated user's login name: the email (or the
// subject), reduced to the login alphabet; when it is taken in the tenant
// — or on the retry after a lost race that found no link — a suffix
// derived from (connection, subject) makes it unique. Nobody signs in
// with it (delegated users have no password); admins and CAS services see
// it.
func loginName(ctx context.Context, tx *directory.Service, c model.Connection, pr Profile, retry bool) (string, error) {
	base := pr.Email
	if base == "" {
		base = pr.Subject
	}
	base = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._@+-", r) {
			return r
		}
		return '-'
	}, base)
	base = strings.Trim(base, "-.")
	if len(base) > 150 {
		base = base[:150]
	}
	if base == "" || strings.HasPrefix(strings.ToLower(base), "deleted-") {
		base = "idp"
	}
	sum := sha256.Sum256([]byte(c.ID + "\x00" + pr.Subject))
	unique := base + "+" + hex.EncodeToString(sum[:5])
	if retry {
		return unique, nil
	}
	_, err := tx.Reader().GetUserByLogin(ctx, c.TenantID, base)
	switch {
	case err == nil:
		return unique, nil
	case errors.Is(err, model.ErrNotFound):
		return base, nil
	}
	return "", err
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

func sameRoles(a, b []model.RoleAssignment) bool {
	key := func(rs []model.RoleAssignment) []string {
		out := make([]string, 0, len(rs))
		for _, r := range rs {
			out = append(out, r.ContextID+"\x00"+r.Role)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(key(a), key(b))
}
