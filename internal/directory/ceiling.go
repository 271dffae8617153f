package directory

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/sesame-sso/sesame/internal/access"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// No escalation (issue 8 item 6): an admin grants — through group values,
// templates applied to groups, memberships and access policies — only
// values at most as strong as their own effective values in the context
// the grant lands in, and acts on users (password reset, API keys, changes,
// lifecycle) only when the user's cas rights are no stronger than theirs.
//
// "At most as strong as" (ceiling.allows):
//   - boolean: "false" always; "true" only if the actor's value is true;
//   - portal / API IP Allow (a list of CIDR ranges): every granted range lies
//     inside one of the actor's ranges; an actor range of length 0
//     (0.0.0.0/0, ::/0) covers every address, as in access.CheckAPIIP;
//   - any other text right: the actor holds it with exactly that value
//     (text rights have no order, so equal is the only safe "not stronger").
//
// The actor's values are evaluated where their authority over the target
// comes from: the target context when they are assigned to it, otherwise
// the nearest ancestor they are assigned to (the same context authorize
// evaluates). Root administrators (anchored at root) are limited by their
// own values in module cas only: application modules' rights are the
// operator's to hand out (SPEC §1: the CSP operator defines modules' access
// rights), and nobody holds every application right. The system actor
// (bootstrap, `sesame apply`) is not limited.

// ceiling is what one actor may grant in one context.
type ceiling struct {
	all    bool // system actor: anything
	atRoot bool // root administrator: application modules unlimited
	rights map[model.ACLRef]access.Right
}

// ceilingFor evaluates the actor's effective values for a grant in
// contextID.
func (s *Service) ceilingFor(ctx context.Context, st storage.Storage, a Actor, contextID string) (ceiling, error) {
	if a.System {
		return ceiling{all: true}, nil
	}
	at, ok, err := anchor(ctx, st, a, contextID)
	if err != nil {
		return ceiling{}, err
	}
	if !ok {
		return ceiling{}, errHidden("context")
	}
	root, err := st.RootContext(ctx)
	if err != nil {
		return ceiling{}, err
	}
	res, err := s.rights.Evaluate(ctx, st, a.User, at, "")
	if err != nil {
		return ceiling{}, err
	}
	c := ceiling{atRoot: at == root.ID, rights: make(map[model.ACLRef]access.Right, len(res.Rights))}
	for _, r := range res.Rights {
		c.rights[model.ACLRef{Module: r.Module, Name: r.Name}] = r
	}
	return c, nil
}

// allows reports whether granting v stays within the ceiling.
func (c ceiling) allows(v model.ACLValue) bool {
	if c.all || c.atRoot && v.Module != model.ModuleCAS {
		return true
	}
	r, ok := c.rights[v.Ref()]
	if !ok {
		// Unknown ACLs and preferences are refused by validateValues;
		// nothing else is beyond the actor's own rights.
		return false
	}
	switch r.Type {
	case model.ACLBoolean:
		return v.Value != "true" || r.Value == "true"
	case model.ACLText:
		if !r.Assigned {
			return false
		}
		if isIPAllow(v.Ref()) {
			return cidrsWithin(v.Value, r.Value)
		}
		return v.Value == r.Value
	}
	return false
}

// allowsUnbounded reports whether the actor may lift every restriction on
// ref (removing a policy that restricted it): true for booleans, any
// address for API IP Allow, the right held at all for other text rights
// (a policy only keeps or drops a text right, R-EFF-5).
func (c ceiling) allowsUnbounded(ref model.ACLRef, typ model.ACLType) bool {
	switch {
	case typ == model.ACLBoolean:
		return c.allows(model.ACLValue{Module: ref.Module, Name: ref.Name, Value: "true"})
	case isIPAllow(ref):
		return c.allows(model.ACLValue{Module: ref.Module, Name: ref.Name, Value: "0.0.0.0/0,::/0"})
	}
	if c.all || c.atRoot && ref.Module != model.ModuleCAS {
		return true
	}
	return c.rights[ref].Assigned
}

// check refuses values beyond the ceiling, naming them (403: the actor is
// known and may manage the target, just not grant this much).
func (c ceiling) check(field string, vals []model.ACLValue) error {
	var over []string
	for _, v := range vals {
		if !c.allows(v) {
			over = append(over, v.Ref().String())
		}
	}
	return overError(field, over)
}

func overError(field string, over []string) error {
	if len(over) == 0 {
		return nil
	}
	return model.Errorf(model.EFORBIDDEN, field, "you cannot grant more than your own rights in this context: %s exceed(s) yours", listed(over))
}

// listed names at most five rights.
func listed(over []string) string {
	if len(over) > 5 {
		return strings.Join(over[:5], ", ") + fmt.Sprintf(" and %d more", len(over)-5)
	}
	return strings.Join(over, ", ")
}

// exceeding lists the rights r holds beyond the ceiling: booleans true and
// assigned text values — with before, only those that rose (became true,
// or got a text value they did not have).
func (c ceiling) exceeding(r access.Result, before map[model.ACLRef]access.Right) []string {
	var over []string
	for _, x := range r.Rights {
		b := before[model.ACLRef{Module: x.Module, Name: x.Name}]
		rose := x.Type == model.ACLBoolean && x.Value == "true" && b.Value != "true" ||
			x.Type == model.ACLText && x.Assigned && (!b.Assigned || b.Value != x.Value)
		if rose && !c.allows(model.ACLValue{Module: x.Module, Name: x.Name, Value: x.Value}) {
			over = append(over, x.Module+"/"+x.Name)
		}
	}
	return over
}

// changedValues returns the values of next that old does not already hold
// with the same value: only those are granted by this change.
func changedValues(old, next []model.ACLValue) []model.ACLValue {
	had := make(map[model.ACLValue]bool, len(old))
	for _, v := range old {
		had[v] = true
	}
	var out []model.ACLValue
	for _, v := range next {
		if !had[v] {
			out = append(out, v)
		}
	}
	return out
}

// addsRoleNames reports whether next maps role names old did not: the
// group's values then reach new (delegated) users (R-EFF-1).
func addsRoleNames(old, next []string) bool {
	for _, n := range next {
		if !slices.ContainsFunc(old, func(o string) bool { return strings.EqualFold(o, n) }) {
			return true
		}
	}
	return false
}

func isIPAllow(ref model.ACLRef) bool {
	return ref.Module == model.ModulePortal && ref.Name == model.ACLAPIIPAllow
}

// cidrsWithin reports whether every range of granted lies inside a range of
// held (both portal / API IP Allow values, R-ACL-3).
func cidrsWithin(granted, held string) bool {
	gs, err := access.ParseCIDRList(granted)
	if err != nil {
		return false
	}
	hs, err := access.ParseCIDRList(held)
	if err != nil {
		return false
	}
	for _, g := range gs {
		if !slices.ContainsFunc(hs, func(h netip.Prefix) bool { return prefixWithin(g, h) }) {
			return false
		}
	}
	return true
}

// prefixWithin reports whether g ⊆ h. A zero-length h is "any address" of
// either family (access.CheckAPIIP treats 0.0.0.0/0 so).
func prefixWithin(g, h netip.Prefix) bool {
	if h.Bits() == 0 {
		return true
	}
	return g.Addr().Is4() == h.Addr().Is4() && h.Bits() <= g.Bits() && h.Contains(g.Addr())
}

// checkNotStronger refuses to act on user u when u holds cas rights the
// actor does not hold in one of u's contexts (an admin must not take over a
// stronger account by resetting its password or minting it a key).
func (s *Service) checkNotStronger(ctx context.Context, st storage.Storage, a Actor, u model.User) error {
	if a.System || a.User.ID == u.ID {
		return nil
	}
	ctxs := u.Contexts
	if len(ctxs) == 0 {
		ctxs = []string{u.TenantID}
	}
	for _, c := range ctxs {
		ceil, err := s.ceilingFor(ctx, st, a, c)
		if err != nil {
			return err
		}
		theirs, err := s.rights.Evaluate(ctx, st, u, c, model.ModuleCAS)
		if err != nil {
			return err
		}
		if over := ceil.exceeding(theirs, nil); len(over) > 0 {
			return model.Errorf(model.EFORBIDDEN, "", "the user holds cas rights you do not hold (%s): you cannot act on them", listed(over))
		}
	}
	return nil
}

// checkPolicyGrant checks a policy change in contextID: every value the new
// policy sets that the old one did not (a policy value is what the policy
// lets through, R-EFF-5), or, when the policy is removed, every right the
// old policy held back.
func (s *Service) checkPolicyGrant(ctx context.Context, st storage.Storage, a Actor, contextID string, next []model.ACLValue) error {
	if a.System {
		return nil
	}
	ceil, err := s.ceilingFor(ctx, st, a, contextID)
	if err != nil {
		return err
	}
	old, had, err := st.GetPolicy(ctx, contextID)
	if err != nil {
		return err
	}
	if next != nil {
		if !had {
			old = nil
		}
		return ceil.check("values", changedValues(old, next))
	}
	if !had {
		return nil
	}
	acls, err := st.ListACLs(ctx, "")
	if err != nil {
		return err
	}
	kept := make(map[model.ACLRef]string, len(old))
	for _, v := range old {
		kept[v.Ref()] = v.Value
	}
	var over []string
	for _, acl := range acls {
		if acl.IsPreference() {
			continue
		}
		pv, has := kept[acl.Ref()]
		restricted := acl.Type == model.ACLBoolean && pv != "true" || acl.Type == model.ACLText && (!has || pv == "" || isIPAllow(acl.Ref()))
		if restricted && !ceil.allowsUnbounded(acl.Ref(), acl.Type) {
			over = append(over, acl.Ref().String())
		}
	}
	return overError("", over)
}

// checkGrant refuses vals in contextID when they exceed the actor's own.
func (s *Service) checkGrant(ctx context.Context, st storage.Storage, a Actor, contextID string, vals []model.ACLValue) error {
	if a.System || len(vals) == 0 {
		return nil
	}
	ceil, err := s.ceilingFor(ctx, st, a, contextID)
	if err != nil {
		return err
	}
	return ceil.check("values", vals)
}

// checkAssignment refuses a context assignment that gives u, in a context
// added (not in old), rights beyond the actor's there: a delegated user gets
// the groups matching their IdP role names on assignment alone (R-EFF-1).
func (s *Service) checkAssignment(ctx context.Context, st storage.Storage, a Actor, u model.User, old map[string]bool) error {
	if a.System {
		return nil
	}
	for _, c := range u.Contexts {
		if old[c] {
			continue
		}
		ceil, err := s.ceilingFor(ctx, st, a, c)
		if err != nil {
			return err
		}
		r, err := s.rights.Evaluate(ctx, st, u, c, "")
		if err != nil {
			return err
		}
		if over := ceil.exceeding(r, nil); len(over) > 0 {
			return model.Errorf(model.EFORBIDDEN, "contexts", "in context %s the user would get rights you do not hold (%s)", c, listed(over))
		}
	}
	return nil
}
