package conformance

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// testOAuth: OAuth 2.0 / OIDC state (R-SSO-2). The subtests share one
// store and use their own ids; PurgeExpired runs last.
func testOAuth(t *testing.T, s storage.Storage) {
	root, u := ssoUser(t, s)
	other := must(s.CreateUser(ctx, model.User{LoginName: "other", TenantID: root.ID, Domain: "D", Kind: model.KindLocal, Status: model.StatusActive, Contexts: []string{root.ID}}))
	t.Run("AuthRequests", func(t *testing.T) { testAuthRequests(t, s, root) })
	t.Run("AuthCodes", func(t *testing.T) { testAuthCodes(t, s, root, u) })
	t.Run("DeleteAuthRequest", func(t *testing.T) { testDeleteAuthRequest(t, s, root, u) })
	t.Run("RefreshTokens", func(t *testing.T) { testRefreshTokens(t, s, root, u, other) })
	t.Run("Revocation", func(t *testing.T) { testRevocation(t, s, root, u) })
	t.Run("SigningKeys", func(t *testing.T) { testSigningKeys(t, s) })
	t.Run("PurgeExpired", func(t *testing.T) { testPurgeExpired(t, s, root, u) })
}

// pendingRequest is an authorization request as the authorize endpoint
// stores it, before the user has logged in.
func pendingRequest(id string, now time.Time) model.AuthRequest {
	return model.AuthRequest{ID: id, ClientID: "client-1", RedirectURI: "https://app.example.com/cb", State: "state-" + id,
		Nonce: "nonce-" + id, ResponseType: "code", Scopes: []string{"openid", "profile"},
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", CodeChallengeMethod: "S256",
		ExpiresAt: now.Add(10 * time.Minute)}
}

// completed is ar once the user has authenticated.
func completed(ar model.AuthRequest, root model.Context, userID, sessionID string, now time.Time) model.AuthRequest {
	ar.UserID, ar.SessionID, ar.ContextID = userID, sessionID, root.ID
	ar.AuthTime = now.Add(-time.Minute)
	ar.AMR = []string{"pwd", "otp"}
	ar.Done = true
	return ar
}

// sameAuthRequest compares every field (times with Equal).
func sameAuthRequest(t *testing.T, what string, got, want model.AuthRequest) {
	t.Helper()
	if !got.AuthTime.Equal(want.AuthTime) || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("%s: times: auth %v expires %v, want %v, %v", what, got.AuthTime, got.ExpiresAt, want.AuthTime, want.ExpiresAt)
	}
	g, w := got, want
	g.AuthTime, g.ExpiresAt, w.AuthTime, w.ExpiresAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, fmtAuthRequest(g), fmtAuthRequest(w))
	}
}

func fmtAuthRequest(ar model.AuthRequest) string {
	maxAge := "nil"
	if ar.MaxAge != nil {
		maxAge = fmt.Sprint(*ar.MaxAge)
	}
	ar.MaxAge = nil
	return fmt.Sprintf("%+v MaxAge=%s", ar, maxAge)
}

func testAuthRequests(t *testing.T, s storage.Storage, root model.Context) {
	now := time.Now().UTC()
	// max_age=0 must not read back as "not requested" (OIDC Core §3.1.2.1).
	zero := int64(0)
	full := model.AuthRequest{ID: "ar-full", ClientID: "client-1", RedirectURI: "https://app.example.com/cb?x=1",
		State: "af0ifjsldkj", Nonce: "n-0S6_WzA2Mj", ResponseType: "code", ResponseMode: "form_post",
		Scopes:        []string{"openid", "profile", "email", "offline_access"},
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", CodeChallengeMethod: "S256",
		Prompt: []string{"login", "consent"}, MaxAge: &zero, LoginHint: "alice@example.com", WantContext: root.ID,
		UILocales: []string{"fr-CA", "de"},
		AuthTime:  now.Add(-time.Hour), ExpiresAt: now.Add(10 * time.Minute)}
	check(t, s.CreateAuthRequest(ctx, full))
	got, err := s.GetAuthRequest(ctx, full.ID, now)
	check(t, err)
	sameAuthRequest(t, "round trip", got, full)
	if got.MaxAge == nil || *got.MaxAge != 0 {
		t.Errorf("MaxAge 0 read back as %v", got.MaxAge)
	}

	age := int64(3600)
	withAge := pendingRequest("ar-age", now)
	withAge.MaxAge = &age
	check(t, s.CreateAuthRequest(ctx, withAge))
	if got, err := s.GetAuthRequest(ctx, withAge.ID, now); err != nil || got.MaxAge == nil || *got.MaxAge != 3600 {
		t.Errorf("MaxAge 3600: %v %v", got.MaxAge, err)
	}
	// A request without max_age or prompt reads back without them.
	plain := pendingRequest("ar-plain", now)
	check(t, s.CreateAuthRequest(ctx, plain))
	got, err = s.GetAuthRequest(ctx, plain.ID, now)
	check(t, err)
	sameAuthRequest(t, "plain round trip", got, plain)
	if got.MaxAge != nil || len(got.Prompt) != 0 || !got.AuthTime.IsZero() || got.Done || got.UserID != "" {
		t.Errorf("plain request grew fields: %s", fmtAuthRequest(got))
	}

	// An id is never reused: a second create does not overwrite.
	dup := pendingRequest(full.ID, now)
	dup.ClientID = "intruder"
	if err := s.CreateAuthRequest(ctx, dup); err == nil {
		t.Error("a second request with the same id was created")
	}
	if got, err := s.GetAuthRequest(ctx, full.ID, now); err != nil || got.ClientID != "client-1" {
		t.Errorf("duplicate create overwrote the request: %+v %v", got, err)
	}

	// Expired requests are not found.
	short := pendingRequest("ar-short", now)
	short.ExpiresAt = now.Add(time.Second)
	check(t, s.CreateAuthRequest(ctx, short))
	if _, err := s.GetAuthRequest(ctx, short.ID, now); err != nil {
		t.Errorf("live request: %v", err)
	}
	if _, err := s.GetAuthRequest(ctx, short.ID, now.Add(2*time.Second)); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("expired request: %v", err)
	}
	if _, err := s.GetAuthRequest(ctx, full.ID, now.Add(time.Hour)); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("expired request: %v", err)
	}
	if _, err := s.GetAuthRequest(ctx, "no-such", now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown request: %v", err)
	}
}

func testAuthCodes(t *testing.T, s storage.Storage, root model.Context, u model.User) {
	now := time.Now().UTC()
	grantUntil := now.Add(90 * 24 * time.Hour).Truncate(time.Millisecond)
	ar := pendingRequest("ac-1", now)
	check(t, s.CreateAuthRequest(ctx, ar))
	done := completed(ar, root, u.ID, "sess-ac", now)
	check(t, s.CompleteAuthRequest(ctx, done, keyHash("code-1")))
	// The completed request is what GetAuthRequest now returns.
	got, err := s.GetAuthRequest(ctx, ar.ID, now)
	check(t, err)
	sameAuthRequest(t, "completed request", got, done)

	// A request completes once: a second code is refused and not stored.
	again := completed(ar, root, "someone-else", "sess-other", now)
	if err := s.CompleteAuthRequest(ctx, again, keyHash("code-1b")); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("second CompleteAuthRequest: %v", err)
	}
	if got, err := s.GetAuthRequest(ctx, ar.ID, now); err != nil || got.UserID != u.ID || got.SessionID != "sess-ac" {
		t.Errorf("second CompleteAuthRequest overwrote the request: %+v %v", got, err)
	}
	if _, err := s.RedeemAuthCode(ctx, keyHash("code-1b"), now, grantUntil); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("the refused second code redeems: %v", err)
	}
	unknown := completed(pendingRequest("no-such", now), root, u.ID, "sess-ac", now)
	if err := s.CompleteAuthRequest(ctx, unknown, keyHash("code-x")); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("CompleteAuthRequest of an unknown request: %v", err)
	}

	// Redemption returns the completed request and records its grant.
	red, err := s.RedeemAuthCode(ctx, keyHash("code-1"), now, grantUntil)
	if err != nil {
		t.Fatalf("RedeemAuthCode: %v", err)
	}
	sameAuthRequest(t, "redeemed request", red, done)
	if _, err := s.GetAuthRequest(ctx, ar.ID, now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("GetAuthRequest after redemption: %v", err)
	}
	if err := s.CompleteAuthRequest(ctx, done, keyHash("code-1c")); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("CompleteAuthRequest after redemption: %v", err)
	}
	wantGrant := model.Grant{ID: ar.ID, ClientID: "client-1", UserID: u.ID, SessionID: "sess-ac", ExpiresAt: grantUntil}
	checkGrants(t, s, "sess-ac", wantGrant)
	if g, err := s.GetGrant(ctx, ar.ID); err != nil || g.ClientID != "client-1" || g.UserID != u.ID || g.SessionID != "sess-ac" || !g.ExpiresAt.Equal(grantUntil) {
		t.Errorf("GetGrant: %+v %v", g, err)
	}
	if _, err := s.GetGrant(ctx, "no-such-grant"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("GetGrant of an unknown grant: %v", err)
	}
	if gs := must(s.SessionGrants(ctx, "sess-other")); len(gs) != 0 {
		t.Errorf("grants of another session: %+v", gs)
	}

	// The code comes back: ErrReused with the request, so the caller can
	// revoke the grant; no second grant.
	reused, err := s.RedeemAuthCode(ctx, keyHash("code-1"), now, grantUntil)
	if !errors.Is(err, model.ErrReused) {
		t.Errorf("second redemption: %v, want ErrReused", err)
	}
	if reused.ID != ar.ID || reused.ClientID != "client-1" || reused.UserID != u.ID || reused.SessionID != "sess-ac" {
		t.Errorf("second redemption must return the request: %s", fmtAuthRequest(reused))
	}
	checkGrants(t, s, "sess-ac", wantGrant)

	if _, err := s.RedeemAuthCode(ctx, keyHash("no-such-code"), now, grantUntil); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown code: %v", err)
	}

	// An expired code is not found (and not "reused"), and records nothing.
	exp := pendingRequest("ac-expired", now)
	exp.ExpiresAt = now.Add(time.Minute)
	check(t, s.CreateAuthRequest(ctx, exp))
	check(t, s.CompleteAuthRequest(ctx, completed(exp, root, u.ID, "sess-exp", now), keyHash("code-exp")))
	if _, err := s.RedeemAuthCode(ctx, keyHash("code-exp"), now.Add(2*time.Minute), grantUntil); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("expired code: %v", err)
	}
	if gs := must(s.SessionGrants(ctx, "sess-exp")); len(gs) != 0 {
		t.Errorf("an expired code recorded a grant: %+v", gs)
	}

	// A request never completed has no code.
	pend := pendingRequest("ac-pending", now)
	check(t, s.CreateAuthRequest(ctx, pend))
	if _, err := s.RedeemAuthCode(ctx, keyHash("code-pending"), now, grantUntil); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("code of a request never completed: %v", err)
	}
	if got, err := s.GetAuthRequest(ctx, pend.ID, now); err != nil || got.Done {
		t.Errorf("pending request after a failed redemption: %+v %v", got, err)
	}

	// A code hash names one request: a clash is refused and leaves the
	// second request pending.
	clash := pendingRequest("ac-clash", now)
	check(t, s.CreateAuthRequest(ctx, clash))
	if err := s.CompleteAuthRequest(ctx, completed(clash, root, u.ID, "sess-clash", now), keyHash("code-1")); err == nil {
		t.Error("two requests completed with one code hash")
	}
	if got, err := s.GetAuthRequest(ctx, clash.ID, now); err != nil || got.Done {
		t.Errorf("request after a refused completion: %+v %v", got, err)
	}
}

func checkGrants(t *testing.T, s storage.Storage, sessionID string, want ...model.Grant) {
	t.Helper()
	gs, err := s.SessionGrants(ctx, sessionID)
	if err != nil {
		t.Fatalf("SessionGrants: %v", err)
	}
	if len(gs) != len(want) {
		t.Fatalf("SessionGrants(%s): %+v, want %+v", sessionID, gs, want)
	}
	for i := range want {
		g, w := gs[i], want[i]
		if g.ID != w.ID || g.ClientID != w.ClientID || g.UserID != w.UserID || g.SessionID != w.SessionID || !g.ExpiresAt.Equal(w.ExpiresAt) {
			t.Errorf("SessionGrants(%s)[%d] = %+v, want %+v", sessionID, i, g, w)
		}
	}
}

func testDeleteAuthRequest(t *testing.T, s storage.Storage, root model.Context, u model.User) {
	now := time.Now().UTC()
	grantUntil := now.Add(time.Hour).Truncate(time.Millisecond)
	// A pending request is deleted.
	check(t, s.CreateAuthRequest(ctx, pendingRequest("del-pending", now)))
	check(t, s.DeleteAuthRequest(ctx, "del-pending"))
	if _, err := s.GetAuthRequest(ctx, "del-pending", now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("deleted request: %v", err)
	}
	// A completed request not yet redeemed is deleted with its code.
	ar := pendingRequest("del-completed", now)
	check(t, s.CreateAuthRequest(ctx, ar))
	check(t, s.CompleteAuthRequest(ctx, completed(ar, root, u.ID, "sess-del", now), keyHash("code-del-completed")))
	check(t, s.DeleteAuthRequest(ctx, ar.ID))
	if _, err := s.RedeemAuthCode(ctx, keyHash("code-del-completed"), now, grantUntil); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("code of a deleted request: %v", err)
	}
	// A redeemed request is kept, so its code is still recognised.
	ar = pendingRequest("del-redeemed", now)
	check(t, s.CreateAuthRequest(ctx, ar))
	check(t, s.CompleteAuthRequest(ctx, completed(ar, root, u.ID, "sess-del", now), keyHash("code-del-redeemed")))
	must(s.RedeemAuthCode(ctx, keyHash("code-del-redeemed"), now, grantUntil))
	check(t, s.DeleteAuthRequest(ctx, ar.ID))
	reused, err := s.RedeemAuthCode(ctx, keyHash("code-del-redeemed"), now, grantUntil)
	if !errors.Is(err, model.ErrReused) || reused.ID != ar.ID {
		t.Errorf("redeemed code after DeleteAuthRequest: %v (request %q), want ErrReused with the request", err, reused.ID)
	}
	checkGrants(t, s, "sess-del", model.Grant{ID: ar.ID, ClientID: "client-1", UserID: u.ID, SessionID: "sess-del", ExpiresAt: grantUntil})
	// Deleting what is not there is harmless.
	if err := s.DeleteAuthRequest(ctx, "no-such"); err != nil && !errors.Is(err, model.ErrNotFound) {
		t.Errorf("delete unknown: %v", err)
	}
}

func refreshToken(name, family, userID string, root model.Context, now time.Time) model.RefreshToken {
	return model.RefreshToken{ID: keyHash(name), FamilyID: family, ClientID: "client-1", UserID: userID, SessionID: "sess-" + family,
		ContextID: root.ID, Scopes: []string{"openid", "offline_access"}, Audience: []string{"client-1", "api"},
		AMR: []string{"pwd"}, AuthTime: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour)}
}

func sameRefreshToken(t *testing.T, what string, got, want model.RefreshToken) {
	t.Helper()
	if !got.AuthTime.Equal(want.AuthTime) || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("%s: times: auth %v expires %v, want %v, %v", what, got.AuthTime, got.ExpiresAt, want.AuthTime, want.ExpiresAt)
	}
	g, w := got, want
	g.AuthTime, g.ExpiresAt, w.AuthTime, w.ExpiresAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, g, w)
	}
}

func testRefreshTokens(t *testing.T, s storage.Storage, root model.Context, u, other model.User) {
	now := time.Now().UTC()
	rt := refreshToken("rt-1", "fam-1", u.ID, root, now)
	check(t, s.CreateRefreshToken(ctx, rt))
	got, err := s.GetRefreshToken(ctx, rt.ID, now)
	check(t, err)
	sameRefreshToken(t, "round trip", got, rt)

	dup := refreshToken("rt-1", "fam-intruder", other.ID, root, now)
	if err := s.CreateRefreshToken(ctx, dup); err == nil {
		t.Error("a second token with the same id was created")
	}

	// Rotation: a used token is still found, marked Used; using it again
	// is ErrReused.
	check(t, s.UseRefreshToken(ctx, rt.ID))
	got, err = s.GetRefreshToken(ctx, rt.ID, now)
	check(t, err)
	want := rt
	want.Used = true
	sameRefreshToken(t, "used token", got, want)
	if err := s.UseRefreshToken(ctx, rt.ID); !errors.Is(err, model.ErrReused) {
		t.Errorf("second use: %v, want ErrReused", err)
	}

	if _, err := s.GetRefreshToken(ctx, keyHash("no-such"), now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
	short := refreshToken("rt-short", "fam-1", u.ID, root, now)
	short.ExpiresAt = now.Add(time.Second)
	check(t, s.CreateRefreshToken(ctx, short))
	if _, err := s.GetRefreshToken(ctx, short.ID, now.Add(2*time.Second)); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("expired token: %v", err)
	}

	// Rotation runs in a transaction: a failed one leaves the old token
	// unused and no new token; a committed one does both.
	old := refreshToken("rt-rotate", "fam-2", u.ID, root, now)
	check(t, s.CreateRefreshToken(ctx, old))
	boom := errors.New("boom")
	err = s.InTx(ctx, func(tx storage.Storage) error {
		if err := tx.UseRefreshToken(ctx, old.ID); err != nil {
			return err
		}
		if err := tx.CreateRefreshToken(ctx, refreshToken("rt-rotated-lost", "fam-2", u.ID, root, now)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("rolled-back rotation: %v", err)
	}
	if got, err := s.GetRefreshToken(ctx, old.ID, now); err != nil || got.Used {
		t.Errorf("rolled-back rotation used the old token: %+v %v", got, err)
	}
	if _, err := s.GetRefreshToken(ctx, keyHash("rt-rotated-lost"), now); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("rolled-back rotation created a token: %v", err)
	}
	check(t, s.InTx(ctx, func(tx storage.Storage) error {
		if err := tx.UseRefreshToken(ctx, old.ID); err != nil {
			return err
		}
		return tx.CreateRefreshToken(ctx, refreshToken("rt-rotated", "fam-2", u.ID, root, now))
	}))
	if got, err := s.GetRefreshToken(ctx, old.ID, now); err != nil || !got.Used {
		t.Errorf("rotated token: %+v %v", got, err)
	}
	if got, err := s.GetRefreshToken(ctx, keyHash("rt-rotated"), now); err != nil || got.Used || got.FamilyID != "fam-2" {
		t.Errorf("new token: %+v %v", got, err)
	}

	// DeleteUserRefreshTokens removes that user's tokens only.
	theirs := refreshToken("rt-other", "fam-3", other.ID, root, now)
	check(t, s.CreateRefreshToken(ctx, theirs))
	check(t, s.DeleteUserRefreshTokens(ctx, u.ID))
	for _, name := range []string{"rt-1", "rt-short", "rt-rotate", "rt-rotated"} {
		if _, err := s.GetRefreshToken(ctx, keyHash(name), now); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("%s survived DeleteUserRefreshTokens: %v", name, err)
		}
	}
	if got, err := s.GetRefreshToken(ctx, theirs.ID, now); err != nil || got.UserID != other.ID {
		t.Errorf("another user's token was deleted: %+v %v", got, err)
	}
}

func testRevocation(t *testing.T, s storage.Storage, root model.Context, u model.User) {
	now := time.Now().UTC()
	until := now.Add(time.Hour)
	a1 := refreshToken("rv-a1", "grant-A", u.ID, root, now)
	a2 := refreshToken("rv-a2", "grant-A", u.ID, root, now)
	b1 := refreshToken("rv-b1", "grant-B", u.ID, root, now)
	for _, rt := range []model.RefreshToken{a1, a2, b1} {
		check(t, s.CreateRefreshToken(ctx, rt))
	}
	check(t, s.UseRefreshToken(ctx, a1.ID))
	if r := must(s.Revoked(ctx, now, "grant-A", "jti-1")); r {
		t.Error("revoked before any revocation")
	}

	check(t, s.RevokeGrant(ctx, "grant-A", until))
	for _, rt := range []model.RefreshToken{a1, a2} {
		if _, err := s.GetRefreshToken(ctx, rt.ID, now); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("refresh token of a revoked grant: %v", err)
		}
	}
	if _, err := s.GetRefreshToken(ctx, b1.ID, now); err != nil {
		t.Errorf("refresh token of another grant: %v", err)
	}
	revoked := func(now time.Time, grant, jti string, want bool) {
		t.Helper()
		got, err := s.Revoked(ctx, now, grant, jti)
		if err != nil {
			t.Fatalf("Revoked: %v", err)
		}
		if got != want {
			t.Errorf("Revoked(%v, %q, %q) = %v, want %v", now.Sub(until), grant, jti, got, want)
		}
	}
	revoked(now, "grant-A", "grant-A.anything", true)
	revoked(now, "grant-A", "", true)
	revoked(until.Add(-time.Second), "grant-A", "x", true)
	revoked(until.Add(time.Second), "grant-A", "x", false)
	revoked(now, "grant-B", "grant-B.x", false)
	revoked(now, "", "", false)
	// Revoking twice (two replays at once) is fine.
	check(t, s.RevokeGrant(ctx, "grant-A", until))
	revoked(now, "grant-A", "x", true)

	check(t, s.RevokeTokenID(ctx, "jti-1", until))
	revoked(now, "grant-C", "jti-1", true)
	revoked(now, "", "jti-1", true)
	revoked(until.Add(time.Second), "grant-C", "jti-1", false)
	revoked(now, "grant-C", "jti-2", false)
	check(t, s.RevokeTokenID(ctx, "jti-1", until))
	revoked(now, "grant-C", "jti-1", true)
	// Grant ids and token ids are separate names.
	revoked(now, "jti-1", "jti-2", false)
	revoked(now, "grant-C", "grant-A", false)
}

// newSigningKey makes a real P-256 key, so PEM round trips are byte for
// byte what a provider stores.
func newSigningKey(t *testing.T, id string, from time.Time) model.SigningKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	from = from.UTC().Truncate(time.Millisecond)
	return model.SigningKey{ID: id, Algorithm: "ES256", PrivatePEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		SignFrom: from, SignUntil: from.Add(24 * time.Hour), ExpiresAt: from.Add(48 * time.Hour)}
}

func sameKeys(t *testing.T, what string, got []model.SigningKey, want ...model.SigningKey) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d keys, want %d", what, len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Algorithm != w.Algorithm || !bytes.Equal(g.PrivatePEM, w.PrivatePEM) ||
			!g.SignFrom.Equal(w.SignFrom) || !g.SignUntil.Equal(w.SignUntil) || !g.ExpiresAt.Equal(w.ExpiresAt) {
			t.Errorf("%s[%d]: %s %s from %v until %v expires %v (PEM equal %v), want %s", what, i, g.ID, g.Algorithm,
				g.SignFrom, g.SignUntil, g.ExpiresAt, bytes.Equal(g.PrivatePEM, w.PrivatePEM), w.ID)
		}
	}
}

func testSigningKeys(t *testing.T, s storage.Storage) {
	now := time.Now()
	// Ids sort the other way round from SignFrom.
	next := newSigningKey(t, "key-a-next", now.Add(24*time.Hour))
	cur := newSigningKey(t, "key-b-current", now)
	if ks := must(s.ListSigningKeys(ctx)); len(ks) != 0 {
		t.Fatalf("keys in a new store: %+v", ks)
	}
	rotate := func(add ...model.SigningKey) []model.SigningKey {
		t.Helper()
		var seen []model.SigningKey
		check(t, s.RotateSigningKeys(ctx, func(keys []model.SigningKey) ([]model.SigningKey, error) {
			seen = keys
			return add, nil
		}))
		return seen
	}
	// Added out of order on purpose: the list is ordered by SignFrom.
	if seen := rotate(next); len(seen) != 0 {
		t.Errorf("fn saw keys in an empty store: %+v", seen)
	}
	sameKeys(t, "fn sees the stored key", rotate(cur), next)
	sameKeys(t, "fn sees both keys", rotate(), cur, next)
	sameKeys(t, "ListSigningKeys", must(s.ListSigningKeys(ctx)), cur, next)

	// An error from fn stores nothing and comes back.
	boom := errors.New("boom")
	err := s.RotateSigningKeys(ctx, func([]model.SigningKey) ([]model.SigningKey, error) {
		return []model.SigningKey{newSigningKey(t, "key-lost", now.Add(48*time.Hour))}, boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("fn error: %v", err)
	}
	// A key that cannot be stored (duplicate id) fails the whole rotation.
	err = s.RotateSigningKeys(ctx, func([]model.SigningKey) ([]model.SigningKey, error) {
		return []model.SigningKey{newSigningKey(t, "key-lost-2", now.Add(72*time.Hour)), cur}, nil
	})
	if err == nil {
		t.Error("a duplicate key id was stored")
	}
	sameKeys(t, "after failed rotations", must(s.ListSigningKeys(ctx)), cur, next)
}

func testPurgeExpired(t *testing.T, s storage.Storage, root model.Context, u model.User) {
	// Timestamps are stored to the microsecond at least.
	now := time.Now().UTC().Truncate(time.Millisecond)
	past := now.Add(-time.Minute) // expired
	early := now.Add(-time.Hour)  // when the expired things were still live
	future := now.Add(time.Hour)  // live

	// Authorization requests.
	oldAR, newAR := pendingRequest("p-ar-old", now), pendingRequest("p-ar-new", now)
	oldAR.ExpiresAt, newAR.ExpiresAt = past, future
	check(t, s.CreateAuthRequest(ctx, oldAR))
	check(t, s.CreateAuthRequest(ctx, newAR))
	// Grants: an expired and a live one of one session.
	for _, g := range []struct {
		id    string
		until time.Time
	}{{"p-g-old", past}, {"p-g-new", future}} {
		ar := pendingRequest(g.id, now)
		check(t, s.CreateAuthRequest(ctx, ar))
		check(t, s.CompleteAuthRequest(ctx, completed(ar, root, u.ID, "p-sess", now), keyHash("code-"+g.id)))
		must(s.RedeemAuthCode(ctx, keyHash("code-"+g.id), now, g.until))
	}
	// Refresh tokens.
	oldRT, newRT := refreshToken("p-rt-old", "p-fam", u.ID, root, early), refreshToken("p-rt-new", "p-fam", u.ID, root, now)
	oldRT.ExpiresAt, newRT.ExpiresAt = past, future
	check(t, s.CreateRefreshToken(ctx, oldRT))
	check(t, s.CreateRefreshToken(ctx, newRT))
	// Revocations.
	check(t, s.RevokeTokenID(ctx, "p-jti-old", past))
	check(t, s.RevokeGrant(ctx, "p-grant-old", past))
	check(t, s.RevokeTokenID(ctx, "p-jti-new", future))
	// Signing keys.
	oldKey := newSigningKey(t, "p-key-old", now.Add(-3*time.Hour))
	oldKey.SignUntil, oldKey.ExpiresAt = now.Add(-2*time.Hour), past
	newKey := newSigningKey(t, "p-key-new", now.Add(-time.Hour))
	check(t, s.RotateSigningKeys(ctx, func([]model.SigningKey) ([]model.SigningKey, error) {
		return []model.SigningKey{oldKey, newKey}, nil
	}))
	// Tickets and sessions.
	check(t, s.CreateTicket(ctx, model.Ticket{ID: "p-t-old", Kind: model.TicketService, Service: "s", UserID: u.ID, ExpiresAt: past}))
	check(t, s.CreateTicket(ctx, model.Ticket{ID: "p-t-new", Kind: model.TicketService, Service: "s", UserID: u.ID, ExpiresAt: future}))
	check(t, s.CreateSession(ctx, model.Session{ID: "p-s-old", UserID: u.ID, AuthTime: early, ExpiresAt: past}))
	check(t, s.CreateSession(ctx, model.Session{ID: "p-s-new", UserID: u.ID, AuthTime: early, ExpiresAt: future}))

	// present reports whether each expired thing is still stored, by
	// reading it as of a time when it was live.
	present := func() map[string]bool {
		t.Helper()
		found := func(err error) bool {
			if err != nil && !errors.Is(err, model.ErrNotFound) {
				t.Fatal(err)
			}
			return err == nil
		}
		_, arErr := s.GetAuthRequest(ctx, "p-ar-old", early)
		_, rtErr := s.GetRefreshToken(ctx, oldRT.ID, early)
		_, tkErr := s.GetTicket(ctx, "p-t-old", early)
		_, ssErr := s.GetSession(ctx, "p-s-old", early)
		m := map[string]bool{
			"auth request":     found(arErr),
			"refresh token":    found(rtErr),
			"ticket":           found(tkErr),
			"session":          found(ssErr),
			"jti revocation":   must(s.Revoked(ctx, early, "", "p-jti-old")),
			"grant revocation": must(s.Revoked(ctx, early, "p-grant-old", "")),
		}
		for _, g := range must(s.SessionGrants(ctx, "p-sess")) {
			if g.ID == "p-g-old" {
				m["grant"] = true
			}
		}
		for _, k := range must(s.ListSigningKeys(ctx)) {
			if k.ID == oldKey.ID {
				m["signing key"] = true
			}
		}
		return m
	}
	all := []string{"auth request", "refresh token", "ticket", "session", "jti revocation", "grant revocation", "grant", "signing key"}
	before := present()
	for _, what := range all {
		if !before[what] {
			t.Fatalf("setup: expired %s not stored before the purge", what)
		}
	}

	check(t, s.PurgeExpired(ctx, now))

	after := present()
	for _, what := range all {
		if after[what] {
			t.Errorf("expired %s survived PurgeExpired", what)
		}
	}
	// Live state stays.
	if _, err := s.GetAuthRequest(ctx, "p-ar-new", now); err != nil {
		t.Errorf("live auth request: %v", err)
	}
	if _, err := s.GetRefreshToken(ctx, newRT.ID, now); err != nil {
		t.Errorf("live refresh token: %v", err)
	}
	if !must(s.Revoked(ctx, now, "", "p-jti-new")) {
		t.Error("live revocation purged")
	}
	checkGrants(t, s, "p-sess", model.Grant{ID: "p-g-new", ClientID: "client-1", UserID: u.ID, SessionID: "p-sess", ExpiresAt: future})
	keep := false
	for _, k := range must(s.ListSigningKeys(ctx)) {
		if k.ID == newKey.ID {
			keep = true
		}
	}
	if !keep {
		t.Error("live signing key purged")
	}
	if _, err := s.GetTicket(ctx, "p-t-new", now); err != nil {
		t.Errorf("live ticket: %v", err)
	}
	if _, err := s.GetSession(ctx, "p-s-new", now); err != nil {
		t.Errorf("live session: %v", err)
	}
	// A live code still redeems after a purge.
	ar := pendingRequest("p-ar-code", now)
	check(t, s.CreateAuthRequest(ctx, ar))
	check(t, s.CompleteAuthRequest(ctx, completed(ar, root, u.ID, "p-sess-2", now), keyHash("code-p-ar-code")))
	check(t, s.PurgeExpired(ctx, now))
	if _, err := s.RedeemAuthCode(ctx, keyHash("code-p-ar-code"), now, future); err != nil {
		t.Errorf("live code after PurgeExpired: %v", err)
	}
}

// oauthRaces: single-use credentials and key creation under concurrent
// callers (several nodes, or one node's parallel requests).
func oauthRaces(t *testing.T, newStorage New) {
	const n = 20
	t.Run("AuthCode", func(t *testing.T) {
		s := newStorage(t)
		root, u := ssoUser(t, s)
		now := time.Now().UTC()
		ar := pendingRequest("race", now)
		check(t, s.CreateAuthRequest(ctx, ar))
		check(t, s.CompleteAuthRequest(ctx, completed(ar, root, u.ID, "sess-race", now), keyHash("code-race")))
		wins := raceWins(t, n, model.ErrReused, func(int) error {
			got, err := s.RedeemAuthCode(ctx, keyHash("code-race"), now, now.Add(time.Hour))
			if errors.Is(err, model.ErrReused) && got.ID != ar.ID {
				t.Errorf("ErrReused without the request: %q", got.ID)
			}
			return err
		})
		if wins != 1 {
			t.Errorf("%d redemptions of one code succeeded, want 1", wins)
		}
		if gs := must(s.SessionGrants(ctx, "sess-race")); len(gs) != 1 {
			t.Errorf("grants: %+v", gs)
		}
	})
	t.Run("RefreshToken", func(t *testing.T) {
		s := newStorage(t)
		root, u := ssoUser(t, s)
		now := time.Now().UTC()
		rt := refreshToken("rt-race", "fam", u.ID, root, now)
		check(t, s.CreateRefreshToken(ctx, rt))
		ok := raceWins(t, n, model.ErrReused, func(int) error { return s.UseRefreshToken(ctx, rt.ID) })
		if ok != 1 {
			t.Errorf("%d uses of one refresh token succeeded, want 1", ok)
		}
		if got := must(s.GetRefreshToken(ctx, rt.ID, now)); !got.Used {
			t.Error("token not marked used")
		}
	})
	t.Run("RefreshRotation", func(t *testing.T) {
		// The provider's rotation: use the old token and store its
		// successor in one transaction. Exactly one successor survives.
		s := newStorage(t)
		root, u := ssoUser(t, s)
		now := time.Now().UTC()
		rt := refreshToken("rt-rot", "fam", u.ID, root, now)
		check(t, s.CreateRefreshToken(ctx, rt))
		ok := raceWins(t, n, model.ErrReused, func(i int) error {
			return s.InTx(ctx, func(tx storage.Storage) error {
				if err := tx.UseRefreshToken(ctx, rt.ID); err != nil {
					return err
				}
				return tx.CreateRefreshToken(ctx, refreshToken(fmt.Sprintf("rt-rot-%d", i), "fam", u.ID, root, now))
			})
		})
		succ := 0
		for i := 0; i < n; i++ {
			if _, err := s.GetRefreshToken(ctx, keyHash(fmt.Sprintf("rt-rot-%d", i)), now); err == nil {
				succ++
			}
		}
		if ok != 1 || succ != 1 {
			t.Errorf("%d rotations committed, %d successors stored, want 1 and 1", ok, succ)
		}
	})
	t.Run("SigningKeys", func(t *testing.T) {
		// Nodes starting together each add a key only when there is none:
		// the store's lock leaves exactly one.
		s := newStorage(t)
		now := time.Now()
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				err := s.RotateSigningKeys(ctx, func(existing []model.SigningKey) ([]model.SigningKey, error) {
					if len(existing) > 0 {
						return nil, nil
					}
					// Like the provider, make the key under the lock. An
					// RSA key takes a while: long enough for the other
					// callers to connect and read the table unless the
					// store holds them off.
					k := newSigningKey(t, fmt.Sprintf("key-%02d", i), now)
					time.Sleep(200 * time.Millisecond)
					return []model.SigningKey{k}, nil
				})
				if err != nil {
					t.Errorf("RotateSigningKeys: %v", err)
				}
			}(i)
		}
		close(start)
		wg.Wait()
		if ks := must(s.ListSigningKeys(ctx)); len(ks) != 1 {
			t.Errorf("%d signing keys after concurrent rotations, want 1", len(ks))
		}
	})
}
