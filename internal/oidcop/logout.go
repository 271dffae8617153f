package oidcop

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/session"
)

const backChannelEvent = "http://schemas.openid.net/event/backchannel-logout"

// logoutToken builds and signs a Logout Token (OIDC Back-Channel Logout
// 1.0 §2.4) with the current signing key through go-jose.
func (p *Provider) logoutToken(ctx context.Context, clientID, userID, sessionID string) (string, error) {
	signer, err := p.keys.joseSigner(ctx, "logout+jwt")
	if err != nil {
		return "", err
	}
	now := p.now()
	claims := map[string]any{
		"iss": p.issuer, "aud": clientID, "sub": userID, "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
		"jti": session.Token(), "sid": sid(sessionID), "events": map[string]any{backChannelEvent: map[string]any{}},
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}

// SessionEnded is called when an SSO session ends (logout, R-SSO-7): every
// grant made under it is revoked, and every OIDC client that got tokens in
// it and registered a logout URL receives a logout token.
func (p *Provider) SessionEnded(ctx context.Context, s model.Session, _ []model.SessionService) {
	grants, err := p.store.SessionGrants(ctx, s.ID)
	if err != nil {
		p.log.ErrorContext(ctx, "session grants", "err", err)
	}
	told := map[string]bool{}
	var wg sync.WaitGroup
	for _, g := range grants {
		if err := p.revokeGrant(ctx, g.ID); err != nil {
			p.log.ErrorContext(ctx, "revoke grant at logout", "grant", g.ID, "err", err)
		}
		if told[g.ClientID] {
			continue
		}
		told[g.ClientID] = true
		c, err := p.oidcClient(ctx, g.ClientID)
		if err != nil || c.LogoutURL == "" {
			continue
		}
		wg.Add(1)
		go func(c model.Client) {
			defer wg.Done()
			if err := p.postLogout(ctx, c, s); err != nil {
				p.log.Warn("back-channel logout failed", "client", c.ID, "err", err)
			}
		}(c)
	}
	wg.Wait()
}

func (p *Provider) postLogout(ctx context.Context, c model.Client, s model.Session) error {
	tok, err := p.logoutToken(ctx, c.ID, s.UserID, s.ID)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.LogoutURL, strings.NewReader(url.Values{"logout_token": {tok}}.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.opts.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("logout URL answered %d", resp.StatusCode)
	}
	return nil
}
