package oidcop

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/text/language"

	"github.com/sesame-sso/sesame/internal/model"
)

// Sesame's claims (R-SSO-4), next to the standard ones of OIDC Core §5.1
// (sub = user id, preferred_username = login name, names, email).
const (
	claimTenant  = "tenant_id"
	claimContext = "context_id"
	claimModule  = "module"
	claimLogin   = "login_name"
	claimSID     = "sid"
	claimRights  = "rights"
)

// sid is the session id shown to apps (OIDC Back-Channel Logout §2.1): a
// one-way derivation of the stored session key.
func sid(sessionID string) string {
	if sessionID == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("sid:" + sessionID))
	return hex.EncodeToString(sum[:16])
}

func (p *Provider) activeUser(ctx context.Context, id string) (model.User, error) {
	u, err := p.svc.User(ctx, id)
	if err != nil {
		return u, fmt.Errorf("user: %w", err)
	}
	if u.Status != model.StatusActive {
		// A model error: an inactive user is an answer, not a store failure
		// (fault.Storage tells them apart).
		return u, model.Errorf(model.EFORBIDDEN, "", "user %s is %s", id, u.Status)
	}
	return u, nil
}

// setUserinfo fills the standard claims the scopes ask for.
func setUserinfo(ui *oidc.UserInfo, u model.User, scopes []string) {
	ui.Subject = u.ID
	if slices.Contains(scopes, oidc.ScopeProfile) {
		// Not a key (OIDC Core §5.7): the login name is unique only inside
		// its tenant and may be renamed; sub (the user id) is the stable one.
		ui.PreferredUsername = u.LoginName
		ui.GivenName, ui.FamilyName = u.Person.FirstName, u.Person.LastName
		ui.Name = strings.TrimSpace(u.Person.FirstName + " " + u.Person.LastName)
		if u.Person.Language != "" {
			if tag, err := language.Parse(u.Person.Language); err == nil {
				ui.Locale = oidc.NewLocale(tag)
			}
		}
		ui.AppendClaims(claimTenant, u.TenantID)
	}
	if slices.Contains(scopes, oidc.ScopeEmail) && u.Person.Email != "" {
		ui.Email = u.Person.Email
	}
	if slices.Contains(scopes, oidc.ScopePhone) && u.Person.Phone != "" {
		ui.PhoneNumber = u.Person.Phone
	}
}

// rightsMap is the compact form of effective rights released on request:
// assigned rights only, name → value.
func (p *Provider) rightsMap(ctx context.Context, u model.User, contextID, module string) (map[string]string, error) {
	res, err := p.svc.Rights().UserRights(ctx, u, contextID, module)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range res.Rights {
		if r.Assigned {
			out[r.Name] = r.Value
		}
	}
	return out, nil
}
