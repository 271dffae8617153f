package oidcop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/sesame-sso/sesame/internal/fault"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/session"
)

// maxToken bounds a presented token (a Sesame JWT is well under 2 KiB).
const maxToken = 8192

// Token is a verified, live access token.
type Token struct {
	Claims   *oidc.AccessTokenClaims
	User     model.User // zero for client credentials tokens
	ClientID string
	// Client is the token's client as registered now (live state).
	Client    model.Client
	ContextID string
	Module    string
	Scopes    []string
}

// IsClient reports a client credentials token (the client is the subject).
func (t Token) IsClient() bool { return t.User.ID == "" }

func claimString(c *oidc.AccessTokenClaims, name string) string {
	s, _ := c.Claims[name].(string)
	return s
}

// Verify checks an access token the way every resource endpoint does:
// signature with an allowed algorithm from Sesame's keys (never "none" or
// HS256), issuer, expiry, then live state — not revoked (jti or grant), the
// user still active, the client still registered (R-USR-1: deactivation
// makes tokens inactive at once).
func (p *Provider) Verify(ctx context.Context, raw string) (Token, error) {
	e, err := p.verify(ctx, raw)
	if err != nil {
		return Token{}, err
	}
	return e.t, nil
}

// verify is Verify returning the cache entry.
func (p *Provider) verify(ctx context.Context, raw string) (*verifyEntry, error) {
	if raw == "" || len(raw) > maxToken {
		return nil, errors.New("token missing or too long")
	}
	now := p.now()
	k := p.cache.key(raw)
	if p.cache.refused(k, now) {
		return nil, errRefused
	}
	old, fresh := p.cache.get(k, now)
	if old != nil && fresh {
		if !old.live {
			return nil, errors.New("token revoked or its user inactive")
		}
		return old, nil
	}
	gen := p.cache.gen.Load()
	e := &verifyEntry{}
	if old != nil {
		e.t, e.exp = old.t, old.exp
	} else {
		// Format and expiry first, without any signature work (issue 8
		// item 19): a replayed expired or malformed token costs a parse.
		if err := p.precheck(raw, now); err != nil {
			p.cache.refuse(k, now)
			p.log.DebugContext(ctx, "access token refused", "reason", err)
			return nil, err
		}
		p.sigChecks.Add(1)
		claims, err := op.VerifyAccessToken[*oidc.AccessTokenClaims](ctx, raw, p.verifier)
		if err != nil {
			if ctx.Err() == nil {
				p.cache.refuse(k, now)
				p.log.DebugContext(ctx, "access token refused", "reason", err)
			}
			return nil, fmt.Errorf("verify: %w", err)
		}
		if claims.JWTID == "" || claims.ClientID == "" {
			p.cache.refuse(k, now)
			return nil, errors.New("not a Sesame access token")
		}
		e.t = Token{Claims: claims, ClientID: claims.ClientID, Scopes: claims.Scopes, ContextID: claimString(claims, claimContext)}
		e.exp = claims.Expiration.AsTime()
	}
	t, err := p.live(ctx, e.t)
	if err != nil && (ctx.Err() != nil || errors.Is(err, ErrUnavailable)) {
		return nil, err // not an answer about the token: nothing cached
	}
	e.t, e.live, e.checked, e.gen = t, err == nil, now, gen
	p.cache.put(k, e)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// live checks what can change after a token was signed: a revoked jti or
// grant, the client's registration, the user's status.
func (p *Provider) live(ctx context.Context, t Token) (Token, error) {
	claims := t.Claims
	revoked, err := p.store.Revoked(ctx, p.now(), grantOf(claims.JWTID), claims.JWTID)
	if err != nil {
		return t, unavailable(fmt.Errorf("revocations: %w", err))
	}
	if revoked {
		return t, errors.New("token revoked")
	}
	c, err := p.oidcClient(ctx, claims.ClientID)
	if fault.Storage(err) {
		return t, unavailable(fmt.Errorf("client: %w", err))
	}
	if err != nil {
		return t, fmt.Errorf("client: %w", err)
	}
	t.Module, t.Client = c.Module, c
	if claims.Subject == claims.ClientID && strings.HasPrefix(claims.JWTID, "cc.") {
		t.User = model.User{}
		return t, nil
	}
	u, err := p.activeUser(ctx, claims.Subject)
	if fault.Storage(err) {
		return t, unavailable(err)
	}
	if err != nil {
		return t, err
	}
	t.User = u
	return t, nil
}

// ErrUnavailable marks a token check that could not be made because the
// store failed (issue 8 item 23): the answer is 503 "try again", never
// "inactive" or "invalid token", and nothing is cached.
var ErrUnavailable = errors.New("token state cannot be read right now")

func unavailable(err error) error { return fmt.Errorf("%w: %w", ErrUnavailable, err) }

// tokenUnavailable answers a token check the store could not make.
func (p *Provider) tokenUnavailable(w http.ResponseWriter, r *http.Request, err error) {
	fault.Log(r.Context(), p.log, "token check", err)
	w.Header().Set("Retry-After", "1")
	oauthError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "the server cannot check tokens right now: try again")
}

// bearerError answers a refused bearer token (RFC 6750 §3.1): 403
// insufficient_scope for a valid token that is not for this resource, else
// 401 invalid_token.
func bearerError(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrInsufficient) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="sesame", error="insufficient_scope"`)
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "insufficient_scope", "error_description": err.Error()})
		return
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="sesame", error="invalid_token"`)
	writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "the access token is not valid"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="sesame"`)
	}
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// introspect is RFC 7662 token introspection for JWT access tokens and
// refresh tokens. The caller is an authenticated confidential client.
func (p *Provider) introspect(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the request body could not be read (at most 64 KiB)")
		return
	}
	clientID, err := p.authenticateClient(r)
	if err != nil {
		p.clientAuthFailed(w, r, err)
		return
	}
	raw := r.PostForm.Get("token")
	if raw == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "token is required")
		return
	}
	inactive := map[string]any{"active": false}
	if len(raw) > maxToken {
		writeJSON(w, http.StatusOK, inactive)
		return
	}
	ctx := r.Context()
	if hint := r.PostForm.Get("token_type_hint"); hint == "refresh_token" || strings.HasPrefix(raw, "rt_") {
		p.introspectRefresh(w, r, raw, clientID)
		return
	}
	e, err := p.verify(ctx, raw)
	if errors.Is(err, ErrUnavailable) {
		p.tokenUnavailable(w, r, err)
		return
	}
	if err != nil || !mayIntrospect(e.t, clientID) {
		writeJSON(w, http.StatusOK, inactive)
		return
	}
	t, c := e.t, e.t.Claims
	withRights := !t.IsClient() && slices.Contains(c.Scopes, scopeRights)
	if b := e.resp.Load(); b != nil && !withRights {
		writeRaw(w, *b)
		return
	}
	out := map[string]any{"active": true, "client_id": c.ClientID, "token_type": "Bearer", "exp": c.Expiration.AsTime().Unix(),
		"iat": c.IssuedAt.AsTime().Unix(), "sub": c.Subject, "aud": []string(c.Audience), "iss": c.Issuer, "jti": c.JWTID,
		claimModule: t.Module}
	if len(c.Scopes) > 0 {
		out["scope"] = strings.Join(c.Scopes, " ")
	}
	if !t.IsClient() {
		u := t.User
		out["username"] = u.LoginName
		out[claimTenant], out[claimContext] = u.TenantID, t.ContextID
		out["given_name"], out["family_name"], out["email"] = u.Person.FirstName, u.Person.LastName, u.Person.Email
	}
	if withRights {
		// Rights are evaluated on every call: they change with groups.
		rights, err := p.rightsMap(ctx, t.User, t.ContextID, t.Module)
		if err != nil {
			p.log.ErrorContext(r.Context(), "rights for introspection", "err", err)
			oauthError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "rights could not be evaluated")
			return
		}
		out[claimRights] = rights
		writeJSON(w, http.StatusOK, out)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "")
		return
	}
	b = append(b, '\n')
	e.resp.Store(&b)
	writeRaw(w, b)
}

// mayIntrospect is RFC 7662 §4: a client learns about a token only when
// it was issued to that client, or names it in aud and the token's client
// still lists it as an audience (Client.Audience); otherwise the answer is
// active:false, as for any token it has no business with.
func mayIntrospect(t Token, caller string) bool {
	if caller == t.ClientID {
		return true
	}
	return slices.Contains(t.Claims.Audience, caller) && slices.Contains(t.Client.Audience, caller)
}

func writeRaw(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// introspectRefresh answers for a refresh token, only to its own client.
// It only reads: a rotated (used) token is inactive here, and only the
// token endpoint treats its return as theft.
func (p *Provider) introspectRefresh(w http.ResponseWriter, r *http.Request, raw, clientID string) {
	inactive := map[string]any{"active": false}
	rt, err := p.store.GetRefreshToken(r.Context(), session.Hash(raw), p.now())
	if err != nil || rt.Used || rt.ClientID != clientID {
		writeJSON(w, http.StatusOK, inactive)
		return
	}
	if _, err := p.activeUser(r.Context(), rt.UserID); err != nil {
		writeJSON(w, http.StatusOK, inactive)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"active": true, "client_id": rt.ClientID, "token_type": "refresh_token",
		"sub": rt.UserID, "exp": rt.ExpiresAt.Unix(), "scope": strings.Join(rt.Scopes, " "), claimContext: rt.ContextID})
}

// authenticateClient checks a confidential client's credentials: HTTP
// Basic with form-encoded id and secret (RFC 6749 §2.3.1) or
// client_id/client_secret in the body. The form must be parsed. The check
// goes through the brute-force limiter like the token endpoint's (R-PWD-3,
// per client and source). It answers errClientAuth for wrong credentials,
// an ETOOMANY error over budget and a store failure as such (issue 8 item
// 23: an outage is not the client's fault).
func (p *Provider) authenticateClient(r *http.Request) (string, error) {
	id, secret, basic := r.BasicAuth()
	if basic {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return "", errClientAuth
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id == "" || secret == "" {
		return "", errClientAuth
	}
	ctx := r.Context()
	actx := context.WithValue(ctx, httpKey{}, &httpPair{r: r})
	c, err := p.oidcClient(ctx, id)
	if fault.Storage(err) {
		return "", err
	}
	if err != nil {
		p.auditClientAuth(actx, id, "introspection: unknown client")
		return "", errClientAuth
	}
	err = p.authn.GuardSecret(ctx, id, func() bool { return checkSecret(c, secret) })
	if err == nil {
		return id, nil
	}
	switch model.ErrorCode(err) {
	case model.EUNAUTHORIZED:
		// GuardSecret audited it (budgeted).
		return "", errClientAuth
	}
	return "", err
}

// errClientAuth is a failed client authentication (RFC 6749 §5.2
// invalid_client).
var errClientAuth = errors.New("client authentication failed")

// clientAuthFailed answers a failed authenticateClient: 401 invalid_client,
// 429 over the brute-force budget, 503 when the store failed.
func (p *Provider) clientAuthFailed(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errClientAuth):
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
	case model.ErrorCode(err) == model.ETOOMANY:
		w.Header().Set("Retry-After", "60")
		oauthError(w, http.StatusTooManyRequests, "invalid_client", "too many failed attempts: try again later")
	default:
		fault.Log(r.Context(), p.log, "introspection client authentication", err)
		w.Header().Set("Retry-After", "1")
		oauthError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "the server cannot check credentials right now: try again")
	}
}

// bearer takes the access token from the Authorization header (RFC 6750
// §2.1) or, for POST, the form (§2.2).
func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(nil, r.Body, 64<<10)
		return r.PostFormValue("access_token")
	}
	return ""
}

// userinfo is OIDC Core §5.3: the claims the token's scopes allow, plus
// Sesame's context and module, and the effective rights on scope "rights".
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	raw := bearer(r)
	if raw == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="sesame"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "a bearer access token is required"})
		return
	}
	t, err := p.VerifyFor(r.Context(), raw, ResourceUser)
	if errors.Is(err, ErrUnavailable) {
		p.tokenUnavailable(w, r, err)
		return
	}
	if err != nil {
		bearerError(w, err)
		return
	}
	ui := new(oidc.UserInfo)
	setUserinfo(ui, t.User, t.Scopes)
	out := map[string]any{}
	b, _ := json.Marshal(ui)
	_ = json.Unmarshal(b, &out)
	out[claimContext], out[claimModule] = t.ContextID, t.Module
	if slices.Contains(t.Scopes, scopeRights) {
		rights, err := p.rightsMap(r.Context(), t.User, t.ContextID, t.Module)
		if err != nil {
			p.log.ErrorContext(r.Context(), "rights for userinfo", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
			return
		}
		out[claimRights] = rights
	}
	writeJSON(w, http.StatusOK, out)
}
