package federation

import (
	"context"
	"errors"

	"github.com/sesame-sso/sesame/internal/model"
)

// Existing is the user a login of id through c would reach without
// creating one, read only (nothing is written): the linked user of
// (connection, subject), else — when the connection links by verified
// email and the IdP vouches for it — the tenant's one unlinked user with
// that email. found is false when the login would create a user (or the
// email matches several: Provision reports that). The SSO testing stage
// (R-SAML-8) uses it to refuse non-administrators before any write.
// Mapping errors are returned as by Map.
func (p *Provisioner) Existing(ctx context.Context, c model.Connection, id Identity) (u model.User, found bool, err error) {
	pr, err := Map(c, id)
	if err != nil {
		return model.User{}, false, err
	}
	link, err := p.Dir.IdentityLink(ctx, c.ID, pr.Subject)
	switch {
	case err == nil:
		u, err := p.Dir.Reader().GetUser(ctx, link.UserID)
		if err != nil {
			return u, false, err
		}
		return u, true, nil
	case !errors.Is(err, model.ErrNotFound):
		return model.User{}, false, err
	}
	if !c.LinkByVerifiedEmail || !pr.EmailVerified || pr.Email == "" {
		return model.User{}, false, nil
	}
	users, err := linkCandidates(ctx, p.Dir, c, pr.Email)
	if err != nil || len(users) != 1 {
		return model.User{}, false, err
	}
	return users[0], true, nil
}
