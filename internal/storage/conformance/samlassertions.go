package conformance

import (
	"errors"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// testSAMLConnection: a SAML connection's settings and sealed SP keys are
// stored and read back, and an update keeps or replaces the keys.
func testSAMLConnection(t *testing.T, s storage.Storage) {
	root := must(s.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"}))
	in := model.Connection{TenantID: root.ID, Kind: model.ConnectionSAML, Name: "ADFS", Enabled: true,
		SAML: model.SAMLSettings{IdPMetadata: "<EntityDescriptor/>", IdPEntityID: "https://idp.example/adfs", AllowIdPInitiated: true,
			ClockSkewSeconds: 90, SignRequests: true, Binding: model.SAMLBindingPost,
			SPCertificates: []model.SPCertificate{{PEM: "CERT", SHA256: "ab", NotAfter: time.Unix(2000000000, 0).UTC()}}},
		Mapping:      model.ClaimMapping{Preset: model.PresetADFS, Email: "Email"},
		SealedSPKeys: []byte("sealed-keys")}
	c := must(s.CreateConnection(ctx, in))
	got := must(s.GetConnection(ctx, c.ID))
	if got.SAML.IdPEntityID != in.SAML.IdPEntityID || got.SAML.IdPMetadata != in.SAML.IdPMetadata || !got.SAML.AllowIdPInitiated ||
		got.SAML.ClockSkewSeconds != 90 || !got.SAML.SignRequests || got.SAML.Binding != model.SAMLBindingPost ||
		len(got.SAML.SPCertificates) != 1 || got.SAML.SPCertificates[0].PEM != "CERT" || string(got.SealedSPKeys) != "sealed-keys" ||
		got.Mapping.Preset != model.PresetADFS {
		t.Fatalf("stored SAML connection = %+v", got)
	}
	up := must(s.UpdateConnection(ctx, c.ID, func(old model.Connection) (model.Connection, error) {
		old.SealedSPKeys = []byte("rotated")
		return old, nil
	}))
	if got := must(s.GetConnection(ctx, c.ID)); string(got.SealedSPKeys) != "rotated" || up.Version != 2 {
		t.Fatalf("after update: keys %q version %d", got.SealedSPKeys, up.Version)
	}
	// An OIDC connection stores no SAML settings.
	o := must(s.CreateConnection(ctx, model.Connection{TenantID: root.ID, Kind: model.ConnectionOIDC, Name: "O", Enabled: true,
		SAML: model.SAMLSettings{IdPEntityID: "ignored"}}))
	if got := must(s.GetConnection(ctx, o.ID)); got.SAML.IdPEntityID != "" || got.SealedSPKeys != nil {
		t.Fatalf("OIDC connection with SAML settings: %+v", got.SAML)
	}
}

// testSAMLAssertions: the replay cache (R-SAML-3). An id is used once per
// connection until it expires; another connection's id of the same value
// is another assertion; PurgeExpired forgets expired ids.
func testSAMLAssertions(t *testing.T, s storage.Storage) {
	now := time.Now().UTC()
	check(t, s.UseAssertionID(ctx, "conn-a", "_id1", now.Add(5*time.Minute)))
	if err := s.UseAssertionID(ctx, "conn-a", "_id1", now.Add(5*time.Minute)); !errors.Is(err, storage.ErrReplay) {
		t.Fatalf("second use = %v, want ErrReplay", err)
	}
	if model.ErrorCode(storage.ErrReplay) == model.EINTERNAL {
		t.Fatal("ErrReplay must be a domain answer, not a store failure")
	}
	check(t, s.UseAssertionID(ctx, "conn-b", "_id1", now.Add(5*time.Minute)))
	// An expired id left before the purge: its assertion is refused as
	// expired by the connector; the cache does not call it a replay.
	check(t, s.UseAssertionID(ctx, "conn-a", "_old", now.Add(-time.Second)))
	check(t, s.UseAssertionID(ctx, "conn-a", "_old", now.Add(time.Minute)))
	if err := s.UseAssertionID(ctx, "conn-a", "_old", now.Add(time.Minute)); !errors.Is(err, storage.ErrReplay) {
		t.Fatalf("use of a taken-over id = %v, want ErrReplay", err)
	}
	check(t, s.UseAssertionID(ctx, "conn-a", "_short", now.Add(time.Second)))
	check(t, s.PurgeExpired(ctx, now.Add(2*time.Second)))
	check(t, s.UseAssertionID(ctx, "conn-a", "_short", now.Add(time.Minute))) // purged: usable (the connector refuses it as expired)
	if err := s.UseAssertionID(ctx, "conn-a", "_id1", now.Add(5*time.Minute)); !errors.Is(err, storage.ErrReplay) {
		t.Fatalf("an unexpired id was purged: %v", err)
	}
	wantCode(t, s.UseAssertionID(ctx, "", "_x", now), model.EINVALID)
}

// samlAssertionRace: one assertion posted to many nodes at once has
// exactly one winner.
func samlAssertionRace(t *testing.T, s storage.Storage) {
	until := time.Now().Add(5 * time.Minute)
	const n = 30
	if wins := raceWins(t, n, storage.ErrReplay, func(int) error {
		return s.UseAssertionID(ctx, "conn-race", "_same", until)
	}); wins != 1 {
		t.Fatalf("%d of %d concurrent uses of one assertion id won, want exactly 1", wins, n)
	}
}

// testSessionsByConnection: a user's sessions are listed with the
// connection they came through (an IdP-initiated single logout ends only
// those, R-SAML-9).
func testSessionsByConnection(t *testing.T, s storage.Storage) {
	_, u := ssoUser(t, s)
	now := time.Now().UTC()
	check(t, s.CreateSession(ctx, model.Session{ID: "via-idp", UserID: u.ID, AuthTime: now, ExpiresAt: now.Add(time.Hour), ConnectionID: "conn-1"}))
	check(t, s.CreateSession(ctx, model.Session{ID: "via-pwd", UserID: u.ID, AuthTime: now, ExpiresAt: now.Add(time.Hour)}))
	got := map[string]string{}
	for _, ss := range must(s.ListUserSessions(ctx, u.ID)) {
		got[ss.ID] = ss.ConnectionID
	}
	if len(got) != 2 || got["via-idp"] != "conn-1" || got["via-pwd"] != "" {
		t.Fatalf("sessions by connection: %v", got)
	}
}
