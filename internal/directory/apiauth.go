package directory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/sesame-sso/sesame/internal/access"
	"github.com/sesame-sso/sesame/internal/model"
)

// This file answers the questions an authenticated user and the portals
// ask about API access: which contexts may the user act in (R-SSO-5,
// R-PRT-1), what are the user's own rights (R-EFF-6), and the policy
// decision for an API call (R-SSO-6, R-ACL-3, R-MOD-*).

// OwnRights evaluates the actor's own effective rights (R-EFF-6). An empty
// contextID means the context of the actor's token, else the user's default
// context; an empty module means the token's module, else every module.
// Contexts the actor may not act in look missing.
func (s *Service) OwnRights(ctx context.Context, a Actor, contextID, module string) (access.Result, error) {
	if a.System || a.User.ID == "" {
		return access.Result{}, model.Errorf(model.EUNAUTHORIZED, "", "only a user has rights of their own")
	}
	if contextID == "" {
		contextID = a.ContextID
	}
	if contextID == "" {
		contextID = s.rights.DefaultContext(ctx, a.User, "")
	}
	if module == "" {
		module = a.Module
	}
	if module != "" {
		if err := s.rights.ModuleExists(ctx, module); err != nil {
			return access.Result{}, err
		}
	}
	ok, err := s.rights.CanActIn(ctx, a.User, contextID)
	if err != nil {
		return access.Result{}, err
	}
	if !ok {
		return access.Result{}, errHidden("context")
	}
	return s.rights.Evaluate(ctx, s.store, a.User, contextID, module)
}

// APIQuery is what a portal asks about one of its API callers (R-SSO-6).
type APIQuery struct {
	// IP is the API caller's address as the portal saw it.
	IP netip.Addr
	// Module is the module whose API is called.
	Module string
	// ACL optionally names a right of Module the call needs.
	ACL string
	// ContextID is optional: default the token's context, else the
	// user's default context.
	ContextID string
}

// APIDecision is the policy decision for an API call. Reason explains a
// denial in words a portal can log or show.
type APIDecision struct {
	Allow     bool             `json:"allow" doc:"The decision." example:"true"`
	Reason    string           `json:"reason,omitempty" doc:"On a denial always \"access denied\" (wrong credentials and missing rights look alike); the audit log has the detailed reason." example:"access denied"`
	User      *APIDecisionUser `json:"user,omitempty" doc:"The authenticated API caller (when the credentials were valid)."`
	ContextID string           `json:"contextId,omitempty" doc:"The context the decision applies to." example:"6f1c2d0e-8a55-4c1b-9a53-2b8f3e1d7c10"`
	Module    string           `json:"module" doc:"The module asked about." example:"portal"`
	// Via says how the credentials authenticated (basic, apikey, bearer).
	Via string          `json:"via,omitempty" doc:"How the credentials authenticated: basic, apikey or bearer." example:"basic"`
	ACL *APIDecisionACL `json:"acl,omitempty" doc:"The right asked for with acl, and its value for this user in this context."`
}

// APIDecisionUser identifies the authenticated API caller.
type APIDecisionUser struct {
	ID        string `json:"id" doc:"The user's id." example:"0b6c9a52-3f4e-4d8a-9e61-7a1d2c3b4e5f"`
	LoginName string `json:"loginName" doc:"The login name (without the tenant slug)." example:"fleet-bot"`
	TenantID  string `json:"tenantId" doc:"The user's tenant (the root context for root users)." example:"9d8e7f60-1a2b-4c3d-8e9f-0a1b2c3d4e5f"`
}

// APIDecisionACL reports the right the portal asked about: a boolean value
// for boolean rights, the text (or null when not assigned) for text rights.
type APIDecisionACL struct {
	Name  string        `json:"name" doc:"The right's name." example:"SIM - Price Plan Modify"`
	Type  model.ACLType `json:"type" doc:"boolean or text." example:"boolean"`
	Value any           `json:"value" doc:"true/false for a boolean right; the text, or null when not assigned, for a text right." example:"true"`
}

// ReasonDenied is the one reason a portal gets for any denial, wrong
// credentials and missing rights alike (issue 8: the endpoint must not
// tell a valid login from an invalid one); the audit event carries the
// detailed reason (R-OPS-4).
const ReasonDenied = "access denied"

// Detailed deny reasons (audit only) that do not depend on the request.
const (
	ReasonBadCredentials = "invalid credentials"
	ReasonNoAPIAccess    = "no API access: API IP Allow not set"
	ReasonBadIPAllow     = "no API access: the API IP Allow value is invalid"
)

// ValidateAPIQuery checks the parts of a query that do not depend on the
// caller: the module exists and the ACL, when named, is a right of it.
// Failures are EINVALID errors naming the field.
func (s *Service) ValidateAPIQuery(ctx context.Context, q APIQuery) error {
	if !q.IP.IsValid() {
		return model.Invalid("ip", "is required: the API caller's IPv4 or IPv6 address")
	}
	if q.Module == "" {
		return model.Invalid("module", "is required")
	}
	if err := s.rights.ModuleExists(ctx, q.Module); err != nil {
		return err
	}
	if q.ACL != "" {
		if _, err := s.queryACL(ctx, q.Module, q.ACL); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) queryACL(ctx context.Context, module, name string) (model.ACL, error) {
	acls, err := s.store.ListACLs(ctx, module)
	if err != nil {
		return model.ACL{}, err
	}
	for _, a := range acls {
		if a.Name == name {
			if a.IsPreference() {
				return a, model.Invalid("acl", "%q is a user preference, not a right", name)
			}
			return a, nil
		}
	}
	return model.ACL{}, model.Invalid("acl", "module %s has no right %q", module, name)
}

// DecideAPI is the policy decision point portals call for their API callers
// (R-SSO-6). Only a policy-decision client may ask, about its own module
// (policyCaller; else EFORBIDDEN). subject resolves the API caller's
// credentials; an EUNAUTHORIZED error from it is a denial. The API caller
// must then be active, may act in the context (R-SSO-5, R-PRT-1), may use
// the module (R-MOD-1..3), and its address must be in its API IP Allow
// ranges (R-ACL-3); a named boolean right must be true, a text right is
// reported. Bad input is an EINVALID error; a decision, allow or deny, is
// not an error. Every decision is audited with its detailed reason
// (R-OPS-4), never with the credentials; a denial answers only
// ReasonDenied, so the portal cannot tell a wrong password from a missing
// right (issue 8: no password oracle).
func (s *Service) DecideAPI(ctx context.Context, caller Actor, q APIQuery, subject func(context.Context) (Actor, error)) (APIDecision, error) {
	q.IP = q.IP.Unmap()
	if err := s.ValidateAPIQuery(ctx, q); err != nil {
		return APIDecision{}, err
	}
	if err := s.PolicyCaller(ctx, caller, q.Module); err != nil {
		return APIDecision{}, err
	}
	d, err := s.decideAPI(ctx, caller, q, subject)
	if err != nil {
		return APIDecision{}, err
	}
	outcome := model.OutcomeSuccess
	if !d.Allow {
		outcome = model.OutcomeDenied
	}
	details := map[string]any{"module": d.Module, "ip": q.IP.String(), "allow": d.Allow}
	if d.Reason != "" {
		details["reason"] = d.Reason
	}
	if d.Via != "" {
		details["via"] = d.Via
	}
	if q.ACL != "" {
		details["acl"] = q.ACL
	}
	target := ""
	if d.User != nil {
		target = d.User.ID
	}
	if err := s.store.AppendAudit(context.WithoutCancel(ctx), model.AuditEvent{Time: s.now(), ActorID: caller.id(), Action: "api.authorize",
		TargetType: "user", TargetID: target, ContextID: d.ContextID, SourceIP: caller.IP, Outcome: outcome, Details: details}); err != nil {
		s.log.ErrorContext(ctx, "audit api decision", "err", err)
	}
	if !d.Allow {
		// The portal learns only that the call is denied: not whether the
		// credentials were right, whose they are, or which check failed.
		return APIDecision{Allow: false, Reason: ReasonDenied, Module: d.Module}, nil
	}
	return d, nil
}

// PolicyCaller checks who may ask for decisions (issue 8: the endpoint is
// otherwise a password oracle): only a registered policy-decision client
// (Client.PolicyDecision, confidential, OIDC), authenticated by its own
// client credentials token, and only about its own module (module "": not
// checked yet). A refusal is EFORBIDDEN and audited.
func (s *Service) PolicyCaller(ctx context.Context, caller Actor, module string) error {
	err := s.policyCaller(ctx, caller, module)
	if model.ErrorCode(err) == model.EFORBIDDEN {
		s.AuditDenied(context.WithoutCancel(ctx), caller, "api.authorize", "", "", err.Error())
	}
	return err
}

func (s *Service) policyCaller(ctx context.Context, caller Actor, module string) error {
	if caller.System || caller.User.ID != "" || caller.ClientID == "" || caller.Via != ViaBearer {
		return model.Errorf(model.EFORBIDDEN, "", "only a policy-decision client, with its own client credentials token, may ask for decisions")
	}
	c, err := s.Client(ctx, caller.ClientID)
	if errors.Is(err, model.ErrNotFound) {
		return model.Errorf(model.EFORBIDDEN, "", "client %s is not registered", caller.ClientID)
	}
	if err != nil {
		return fmt.Errorf("policy caller: %w", err)
	}
	if !c.PolicyDecision || c.Public || c.Protocol != model.ProtocolOIDC {
		return model.Errorf(model.EFORBIDDEN, "", "client %s is not a policy-decision client", c.ID)
	}
	if module != "" && c.Module != module {
		return model.Errorf(model.EFORBIDDEN, "", "client %s decides for module %s only", c.ID, c.Module)
	}
	return nil
}

func (s *Service) decideAPI(ctx context.Context, caller Actor, q APIQuery, subject func(context.Context) (Actor, error)) (APIDecision, error) {
	d := APIDecision{Module: q.Module}
	deny := func(format string, args ...any) (APIDecision, error) {
		d.Allow, d.Reason = false, fmt.Sprintf(format, args...)
		return d, nil
	}
	who, err := subject(ctx)
	if model.ErrorCode(err) == model.EUNAUTHORIZED {
		return deny(ReasonBadCredentials)
	}
	if err != nil {
		return d, err
	}
	u := who.User
	if u.ID == "" || u.Status != model.StatusActive {
		return deny(ReasonBadCredentials)
	}
	d.Via = who.Via
	d.User = &APIDecisionUser{ID: u.ID, LoginName: u.LoginName, TenantID: u.TenantID}
	// A token is bound to the module and context it was issued for, and
	// is for this portal: issued for its module or naming it in aud
	// (RFC 9068 §4).
	if who.Module != "" && who.Module != q.Module {
		return deny("the token was issued for module %s, not %s", who.Module, q.Module)
	}
	if who.Via == ViaBearer && who.Module == "" && !slices.Contains(who.Audience, caller.ClientID) {
		return deny("the token is neither for module %s nor for client %s", q.Module, caller.ClientID)
	}
	if who.ContextID != "" && q.ContextID != "" && who.ContextID != q.ContextID {
		return deny("the token was issued for another context: get a token for context %s first", q.ContextID)
	}
	d.ContextID = cmp.Or(q.ContextID, who.ContextID)
	if d.ContextID == "" {
		d.ContextID = s.rights.DefaultContext(ctx, u, "")
	}
	if d.ContextID == "" {
		return deny("user is not assigned to any context")
	}
	ok, err := s.rights.CanActIn(ctx, u, d.ContextID)
	if err != nil {
		return d, err
	}
	if !ok {
		ctxID := d.ContextID
		d.ContextID = ""
		return deny("user may not act in context %s", ctxID)
	}
	ok, why, err := s.rights.ModuleAccess(ctx, u, q.Module, d.ContextID)
	if err != nil {
		return d, err
	}
	if !ok {
		return deny("user may not use module %s: %s", q.Module, why)
	}
	rights, err := s.rights.Evaluate(ctx, s.store, u, d.ContextID, q.Module)
	if err != nil {
		return d, err
	}
	if q.ACL != "" {
		acl, err := s.queryACL(ctx, q.Module, q.ACL)
		if err != nil {
			return d, err
		}
		d.ACL = &APIDecisionACL{Name: acl.Name, Type: acl.Type}
		if acl.Type == model.ACLBoolean {
			d.ACL.Value = rights.Bool(q.Module, acl.Name)
		} else if v, ok := rights.Text(q.Module, acl.Name); ok {
			d.ACL.Value = v
		}
	}
	// R-ACL-3: the module's own API IP Allow when it defines one, else
	// portal / API / API IP Allow.
	ipRights, ipModule := rights, q.Module
	if !hasRight(rights, q.Module, model.ACLAPIIPAllow) {
		ipModule = model.ModulePortal
		if q.Module != model.ModulePortal {
			if ipRights, err = s.rights.Evaluate(ctx, s.store, u, d.ContextID, model.ModulePortal); err != nil {
				return d, err
			}
		}
	}
	if ok, why := checkIPAllow(ipRights, ipModule, q.IP); !ok {
		return deny("%s", why)
	}
	if d.ACL != nil && d.ACL.Type == model.ACLBoolean && d.ACL.Value != true {
		return deny("right %q of module %s is not granted", q.ACL, q.Module)
	}
	d.Allow = true
	return d, nil
}

func hasRight(r access.Result, module, name string) bool {
	for _, x := range r.Rights {
		if x.Module == module && x.Name == name {
			return true
		}
	}
	return false
}

// checkIPAllow applies R-ACL-3 to ip: no value (or an empty one) means no
// API access at all; a /0 range (0.0.0.0/0, ::/0) means no IP check;
// otherwise ip must fall in one of the IPv4/IPv6 ranges.
func checkIPAllow(r access.Result, module string, ip netip.Addr) (bool, string) {
	v, ok := r.Text(module, model.ACLAPIIPAllow)
	if !ok || strings.TrimSpace(v) == "" {
		return false, ReasonNoAPIAccess
	}
	ps, err := access.ParseCIDRList(v)
	if err != nil {
		return false, ReasonBadIPAllow
	}
	ip = ip.Unmap()
	for _, p := range ps {
		if p.Bits() == 0 || p.Contains(ip) {
			return true, ""
		}
	}
	return false, fmt.Sprintf("ip %s not in API IP Allow", ip)
}
