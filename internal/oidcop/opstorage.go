package oidcop

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/fault"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/session"
	"github.com/sesame-sso/sesame/internal/storage"
)

// opStorage implements op.Storage (and its optional client credentials,
// end-session and claims interfaces) on Sesame's store.
type opStorage struct{ p *Provider }

var (
	_ op.Storage                        = opStorage{}
	_ op.ClientCredentialsStorage       = opStorage{}
	_ op.CanSetUserinfoFromRequest      = opStorage{}
	_ op.CanGetPrivateClaimsFromRequest = opStorage{}
	_ op.CanTerminateSessionFromRequest = opStorage{}
)

type ctxKey int

const wantContextKey ctxKey = 1

// Limits on request parameters (oversized input is refused, not stored).
const (
	maxParam     = 2048
	maxScopes    = 20
	authRequestT = 10 * time.Minute
	// maxUILocales bounds the ui_locales kept (the first ones: the
	// preferred).
	maxUILocales = 10
)

// CreateAuthRequest stores the request after Sesame's own checks on top of
// op's: PKCE with S256 is required for every client (RFC 7636; RFC 9700
// §2.1.1) and "plain" is refused; parameters are bounded.
func (s opStorage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if req.CodeChallenge == "" {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE is required: send code_challenge with code_challenge_method=S256")
	}
	if req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256 (plain is not allowed)")
	}
	if len(req.CodeChallenge) < 43 || len(req.CodeChallenge) > 128 {
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge must be 43 to 128 characters (RFC 7636 §4.2)")
	}
	for name, v := range map[string]string{"state": req.State, "nonce": req.Nonce, "login_hint": req.LoginHint} {
		if len(v) > maxParam {
			return nil, oidc.ErrInvalidRequest().WithDescription("%s is too long", name)
		}
	}
	if len(req.Scopes) > maxScopes {
		return nil, oidc.ErrInvalidScope().WithDescription("too many scopes")
	}
	if req.ResponseMode != "" && req.ResponseMode != oidc.ResponseModeQuery {
		return nil, oidc.ErrInvalidRequest().WithDescription("only response_mode=query is supported")
	}
	want, _ := ctx.Value(wantContextKey).(string)
	if len(want) > 100 {
		return nil, oidc.ErrInvalidRequest().WithDescription("context is too long")
	}
	m := model.AuthRequest{ID: uuid.NewString(), ClientID: req.ClientID, RedirectURI: req.RedirectURI, State: req.State, Nonce: req.Nonce,
		ResponseType: string(req.ResponseType), ResponseMode: string(req.ResponseMode), Scopes: req.Scopes,
		CodeChallenge: req.CodeChallenge, CodeChallengeMethod: string(req.CodeChallengeMethod), Prompt: req.Prompt,
		LoginHint: req.LoginHint, WantContext: want, ExpiresAt: s.p.now().Add(authRequestT)}
	for _, t := range req.UILocales {
		if len(m.UILocales) == maxUILocales {
			break
		}
		m.UILocales = append(m.UILocales, t.String())
	}
	if req.MaxAge != nil {
		v := int64(*req.MaxAge)
		m.MaxAge = &v
	}
	if err := s.p.store.CreateAuthRequest(ctx, m); err != nil {
		return nil, s.storeErr(ctx, "store auth request", err)
	}
	if holder, ok := ctx.Value(createdKey{}).(*model.AuthRequest); ok {
		*holder = m
	}
	return s.wrap(ctx, m), nil
}

func (s opStorage) wrap(ctx context.Context, m model.AuthRequest) *authRequest {
	c, _ := s.p.oidcClient(ctx, m.ClientID)
	return &authRequest{m: m, module: c.Module, aud: s.p.audience(c)}
}

func (s opStorage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	if len(id) > 64 || !storable(id) {
		return nil, fmt.Errorf("auth request: %w", model.ErrNotFound)
	}
	m, err := s.p.store.GetAuthRequest(ctx, id, s.p.now())
	if err != nil {
		return nil, s.storeErr(ctx, "load auth request", err)
	}
	return s.wrap(ctx, m), nil
}

// AuthRequestByCode redeems a code. A code that comes back revokes every
// token issued from it (RFC 6749 §4.1.2).
func (s opStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	if len(code) > 1024 {
		return nil, errors.New("code too long")
	}
	now := s.p.now()
	// The grant outlives every refresh token a client may have (90 days).
	codeHash := session.Hash(code)
	m, err := s.p.store.RedeemAuthCode(ctx, codeHash, now, now.Add(90*24*time.Hour))
	if errors.Is(err, model.ErrReused) {
		s.p.log.Warn("authorization code reused: revoking its grant", "client", m.ClientID, "grant", m.ID)
		s.p.auditTheft(ctx, directory.AuditCodeReplay, m.UserID, m.ClientID, m.ID, codeHash)
		if rerr := s.p.revokeGrant(context.WithoutCancel(ctx), m.ID); rerr != nil {
			s.p.log.ErrorContext(ctx, "revoke grant", "err", rerr)
		}
		return nil, err
	}
	if err != nil {
		// A store failure leaves the code unredeemed: the client hears
		// server_error (not invalid_grant) and may retry with it.
		return nil, s.storeErr(ctx, "redeem auth code", err)
	}
	if !m.Done {
		return nil, errors.New("authorization not completed")
	}
	return s.wrap(ctx, m), nil
}

// SaveAuthCode stores the code with the request completed by
// Provider.complete (passed in ctx).
func (s opStorage) SaveAuthCode(ctx context.Context, id, code string) error {
	m, ok := ctx.Value(completedKey{}).(*model.AuthRequest)
	if !ok || m.ID != id || !m.Done {
		return errors.New("authorization not completed")
	}
	return s.storeErr(ctx, "save auth code", s.p.store.CompleteAuthRequest(ctx, *m, session.Hash(code)))
}

// DeleteAuthRequest: op calls it only once the code was redeemed, and a
// redeemed request stays until it expires (so a replayed code is
// recognised, RFC 6749 §4.1.2); PurgeExpired removes it then.
func (s opStorage) DeleteAuthRequest(context.Context, string) error { return nil }

// newTokenID makes a jti that names its grant, so a revoked grant is
// found from the token alone.
func newTokenID(grant string) string { return grant + "." + session.Token()[:22] }

func grantOf(jti string) string {
	if i := strings.LastIndexByte(jti, '.'); i > 0 {
		return jti[:i]
	}
	return ""
}

func (s opStorage) accessTTL(ctx context.Context, clientID string) time.Duration {
	if c, err := s.p.oidcClient(ctx, clientID); err == nil && c.AccessTTL > 0 {
		return c.AccessTTL
	}
	return s.p.opts.AccessTTL
}

func (s opStorage) refreshTTL(ctx context.Context, clientID string) time.Duration {
	if c, err := s.p.oidcClient(ctx, clientID); err == nil && c.RefreshTTL > 0 {
		return c.RefreshTTL
	}
	return s.p.opts.RefreshTTL
}

// CreateAccessToken returns the id of a JWT access token op signs. Client
// credentials tokens are not stored: they are checked by signature and
// expiry, and revoked by jti.
func (s opStorage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	now := s.p.now()
	if cc, ok := req.(*ccRequest); ok {
		jti := newTokenID("cc")
		s.p.auditIssue(ctx, grantType(req), tokenFacts{clientID: cc.clientID, module: cc.module, scopes: cc.scopes}, jti, "")
		return jti, now.Add(cc.ttl), nil
	}
	f, ok := facts(req)
	if !ok {
		return "", time.Time{}, oidc.ErrUnsupportedGrantType()
	}
	// The grant was recorded when the code was redeemed.
	jti := newTokenID(f.grantID)
	s.p.auditIssue(ctx, grantType(req), f, jti, "")
	return jti, now.Add(s.accessTTL(ctx, f.clientID)), nil
}

// CreateAccessAndRefreshTokens issues an access token id and a new refresh
// token. With currentRefreshToken set this is a rotation: the old token is
// marked used atomically, and if it already was, the whole family is
// revoked (RFC 9700 §4.14.2).
func (s opStorage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, currentRefreshToken string) (string, string, time.Time, error) {
	f, ok := facts(req)
	if !ok {
		return "", "", time.Time{}, oidc.ErrUnsupportedGrantType()
	}
	now := s.p.now()
	exp := now.Add(s.accessTTL(ctx, f.clientID))
	rt := model.RefreshToken{FamilyID: f.grantID, ClientID: f.clientID, UserID: f.userID, SessionID: f.sessionID,
		ContextID: f.contextID, Scopes: f.scopes, Audience: []string{f.clientID}, ExpiresAt: now.Add(s.refreshTTL(ctx, f.clientID))}
	switch r := req.(type) {
	case *authRequest:
		rt.AMR, rt.AuthTime = r.m.AMR, r.m.AuthTime
	case *refreshRequest:
		rt.AMR, rt.AuthTime = r.m.AMR, r.m.AuthTime
		// A rotated token never outlives the family's first expiry window.
		if r.m.ExpiresAt.Before(rt.ExpiresAt) {
			rt.ExpiresAt = r.m.ExpiresAt
		}
	}
	token := "rt_" + session.Token()
	rt.ID = session.Hash(token)
	err := s.p.store.InTx(ctx, func(tx storage.Storage) error {
		if currentRefreshToken != "" {
			if err := tx.UseRefreshToken(ctx, session.Hash(currentRefreshToken)); err != nil {
				return err
			}
		}
		return tx.CreateRefreshToken(ctx, rt)
	})
	if errors.Is(err, model.ErrReused) {
		s.p.auditTheft(ctx, directory.AuditRefreshReuse, f.userID, f.clientID, f.grantID, session.Hash(currentRefreshToken))
		s.revokeFamily(ctx, f.grantID, "refresh token reused during rotation")
		return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("refresh token already used")
	}
	if err != nil {
		return "", "", time.Time{}, s.unavailable(ctx, "issue refresh token", err)
	}
	jti := newTokenID(f.grantID)
	s.p.auditIssue(ctx, grantType(req), f, jti, rt.ID)
	return jti, token, exp, nil
}

func (s opStorage) revokeFamily(ctx context.Context, grant, why string) {
	s.p.log.Warn("revoking token family", "grant", grant, "reason", why)
	if err := s.p.revokeGrant(context.WithoutCancel(ctx), grant); err != nil {
		s.p.log.ErrorContext(ctx, "revoke grant", "err", err)
	}
}

// TokenRequestByRefreshToken finds a refresh token. A used one means the
// token was stolen or replayed: its family is revoked.
func (s opStorage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	if len(token) > 256 {
		return nil, op.ErrInvalidRefreshToken
	}
	rt, err := s.p.store.GetRefreshToken(ctx, session.Hash(token), s.p.now())
	if fault.Storage(err) {
		return nil, s.unavailable(ctx, "load refresh token", err)
	}
	if err != nil {
		return nil, op.ErrInvalidRefreshToken
	}
	if rt.Used {
		s.p.auditTheft(ctx, directory.AuditRefreshReuse, rt.UserID, rt.ClientID, rt.FamilyID, rt.ID)
		s.revokeFamily(ctx, rt.FamilyID, "used refresh token presented again")
		return nil, op.ErrInvalidRefreshToken
	}
	u, err := s.p.svc.User(ctx, rt.UserID)
	if fault.Storage(err) {
		return nil, s.unavailable(ctx, "load refresh token user", err)
	}
	if err != nil || u.Status != model.StatusActive {
		return nil, op.ErrInvalidRefreshToken
	}
	c, err := s.p.oidcClient(ctx, rt.ClientID)
	if err != nil {
		return nil, op.ErrInvalidRefreshToken
	}
	if s.p.UpstreamRefresh != nil {
		// Fresh roles without a new login (issue 10 §6): the IdP is asked
		// again; if it no longer vouches for the user, neither do we.
		if err := s.p.UpstreamRefresh(ctx, rt.UserID, rt.SessionID); err != nil {
			if fault.Storage(err) {
				return nil, s.unavailable(ctx, "upstream refresh", err)
			}
			s.p.log.Info("refresh refused by the upstream refresh", "user", rt.UserID, "err", err)
			return nil, op.ErrInvalidRefreshToken
		}
	}
	return &refreshRequest{m: rt, module: c.Module, aud: s.p.audience(c)}, nil
}

// TerminateSession is op's fallback; Sesame ends sessions through
// TerminateSessionFromRequest.
func (s opStorage) TerminateSession(context.Context, string, string) error { return nil }

// TerminateSessionFromRequest is RP-initiated logout (OIDC RP-Initiated
// Logout 1.0 §2): it ends the browser's SSO session and tells every app.
func (s opStorage) TerminateSessionFromRequest(ctx context.Context, req *op.EndSessionRequest) (string, error) {
	hx, _ := ctx.Value(httpKey{}).(*httpPair)
	if hx != nil {
		s.p.endSession(hx.w, hx.r)
	}
	if req.RedirectURI != "" {
		return req.RedirectURI, nil
	}
	return s.p.issuer + "/logout", nil
}

// RevokeToken is RFC 7009 §2.1. op passes a refresh token as its id (from
// GetRefreshTokenInfo, with its user) or, when it could not tell, as the
// token itself (without a user); an access token as its jti with its
// subject. A refresh token revokes its whole family and must belong to the
// calling client; an access token is revoked by its jti.
func (s opStorage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *oidc.Error {
	now := s.p.now()
	rt, err := model.RefreshToken{}, error(model.ErrNotFound)
	if isHashID(tokenOrID) {
		rt, err = s.p.store.GetRefreshToken(ctx, tokenOrID, now) // by id
	}
	if err != nil && !fault.Storage(err) && userID == "" {
		rt, err = s.p.store.GetRefreshToken(ctx, session.Hash(tokenOrID), now) // by value
	}
	if fault.Storage(err) {
		// Not "unknown token" (which answers 200): the client must retry.
		return s.unavailable(ctx, "load refresh token", err)
	}
	if err == nil {
		if rt.ClientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("the token was not issued to this client")
		}
		if err := s.p.revokeGrant(ctx, rt.FamilyID); err != nil {
			return oidc.ErrServerError()
		}
		return nil
	}
	if userID == "" {
		return nil // RFC 7009 §2.2: an invalid token is not an error
	}
	// An access token: its client is the subject of a client credentials
	// token, else the client of its grant.
	owner := userID
	if grant := grantOf(tokenOrID); grant != "cc" {
		if !storable(grant) {
			return nil // not a grant id: nothing this client may revoke
		}
		g, err := s.p.store.GetGrant(ctx, grant)
		if fault.Storage(err) {
			return s.unavailable(ctx, "load grant", err)
		}
		if err != nil {
			return nil // unknown grant: nothing this client may revoke
		}
		owner = g.ClientID
	}
	if owner != clientID {
		return oidc.ErrInvalidClient().WithDescription("the token was not issued to this client")
	}
	if err := s.p.revokeTokenID(ctx, tokenOrID); err != nil {
		return oidc.ErrServerError()
	}
	return nil
}

// isHashID reports whether s can be a stored token id (hex SHA-256): only
// then is it looked up as one (anything else — a raw token, hostile bytes
// PostgreSQL would refuse — is not an id).
func isHashID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (s opStorage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	if len(token) > 256 {
		return "", "", op.ErrInvalidRefreshToken
	}
	rt, err := s.p.store.GetRefreshToken(ctx, session.Hash(token), s.p.now())
	if fault.Storage(err) {
		return "", "", s.unavailable(ctx, "load refresh token", err)
	}
	if err != nil {
		return "", "", op.ErrInvalidRefreshToken
	}
	return rt.UserID, rt.ID, nil
}

func (s opStorage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	return s.p.keys.current(ctx)
}

func (s opStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{s.p.keys.alg}, nil
}

func (s opStorage) KeySet(context.Context) ([]op.Key, error) { return s.p.keys.published(), nil }

func (s opStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.p.oidcClient(ctx, id)
	if model.ErrorCode(err) == model.ENOTFOUND {
		return nil, fmt.Errorf("unknown client")
	}
	if err != nil {
		return nil, s.unavailable(ctx, "load client", err)
	}
	return s.p.opClient(c), nil
}

func (s opStorage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	c, err := s.p.oidcClient(ctx, id)
	if model.ErrorCode(err) == model.ENOTFOUND {
		s.p.auditClientAuth(ctx, id, "unknown client")
		return errors.New("invalid client credentials")
	}
	if err != nil {
		return s.unavailable(ctx, "load client", err)
	}
	// R-PWD-3: client authentication goes through the brute-force limiter
	// (per client and source); over budget it is refused without checking.
	err = s.p.authn.GuardSecret(ctx, id, func() bool { return checkSecret(c, secret) })
	if model.ErrorCode(err) == model.ETOOMANY {
		return oidc.ErrInvalidClient().WithDescription("too many failed attempts: try again later")
	}
	if model.ErrorCode(err) == model.EUNAUTHORIZED {
		// GuardSecret audited it (budgeted).
		return errors.New("invalid client credentials")
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

func (s opStorage) ClientCredentials(ctx context.Context, id, secret string) (op.Client, error) {
	if err := s.AuthorizeClientIDSecret(ctx, id, secret); err != nil {
		return nil, err
	}
	return s.GetClientByClientID(ctx, id)
}

func (s opStorage) ClientCredentialsTokenRequest(ctx context.Context, id string, scopes []string) (op.TokenRequest, error) {
	c, err := s.p.oidcClient(ctx, id)
	if fault.Storage(err) {
		return nil, s.unavailable(ctx, "load client", err)
	}
	if err != nil {
		return nil, oidc.ErrInvalidClient()
	}
	for _, sc := range scopes {
		if sc == oidc.ScopeOpenID || sc == oidc.ScopeOfflineAccess || !scopeAllowed(c, sc) {
			return nil, oidc.ErrInvalidScope().WithDescription("scope %s is not available with client_credentials", sc)
		}
	}
	ttl := c.AccessTTL
	if ttl <= 0 {
		ttl = s.p.opts.AccessTTL
	}
	return &ccRequest{clientID: id, scopes: scopes, module: c.Module, ttl: ttl, aud: s.p.audience(c)}, nil
}

func (s opStorage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

func (s opStorage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, _, subject, _ string) error {
	u, err := s.p.activeUser(ctx, subject)
	if err != nil {
		return err
	}
	setUserinfo(ui, u, supportedScopes)
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims (OIDC Core §5.1).
func (s opStorage) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	u, err := s.p.activeUser(ctx, req.GetSubject())
	if err != nil {
		return s.storeErr(ctx, "load user", err)
	}
	setUserinfo(ui, u, scopes)
	if f, ok := facts(req.(op.TokenRequest)); ok {
		ui.AppendClaims(claimContext, f.contextID)
		ui.AppendClaims(claimModule, f.module)
		ui.AppendClaims(claimSID, sid(f.sessionID))
	}
	return nil
}

func (s opStorage) SetIntrospectionFromToken(ctx context.Context, ir *oidc.IntrospectionResponse, _, subject, _ string) error {
	u, err := s.p.activeUser(ctx, subject)
	if err != nil {
		return err
	}
	ui := new(oidc.UserInfo)
	setUserinfo(ui, u, supportedScopes)
	ir.SetUserInfo(ui)
	return nil
}

// GetPrivateClaimsFromRequest adds Sesame's claims to access tokens
// (R-SSO-4: tenant, context, module; rights are not in the token).
func (s opStorage) GetPrivateClaimsFromRequest(ctx context.Context, req op.TokenRequest, _ []string) (map[string]any, error) {
	// op does not put the granted scopes in a JWT access token; RFC 9068
	// §2.2.3 wants them in "scope".
	scope := strings.Join(req.GetScopes(), " ")
	if cc, ok := req.(*ccRequest); ok {
		out := map[string]any{claimModule: cc.module}
		if scope != "" {
			out["scope"] = scope
		}
		return out, nil
	}
	f, ok := facts(req)
	if !ok {
		return nil, nil
	}
	u, err := s.p.activeUser(ctx, f.userID)
	if err != nil {
		return nil, s.storeErr(ctx, "load user", err)
	}
	out := map[string]any{claimContext: f.contextID, claimModule: f.module, claimTenant: u.TenantID,
		claimLogin: u.LoginName, claimSID: sid(f.sessionID), "scope": scope}
	if len(f.amr) > 0 {
		// RFC 8176 amr of the session: the admin API's R-SAML-8 check.
		out["amr"] = f.amr
	}
	return out, nil
}

func (s opStorage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s opStorage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("private_key_jwt client authentication is not supported")
}

func (s opStorage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("the JWT profile grant is not supported")
}

func (s opStorage) Health(ctx context.Context) error { return s.p.store.Ping(ctx) }
