package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
)

// durableTables hold state whose loss after a crash is a security or
// correctness problem: a grant whose tokens are out (the client could not
// revoke them), a session, a refresh token, a revocation, a logout, a
// proxy-granting ticket (lives as long as its session), the audit log.
var durableTables = []string{"oauth_grants", "oauth_refresh_tokens", "sso_sessions", "sso_session_services",
	"oauth_revocations", "audit_log"}

// TestPostgresCommitModes (issue 8 item 24): on PostgreSQL every write is
// recorded, by a trigger, with the synchronous_commit setting of the
// transaction that made it. Grants, sessions, refresh tokens, revocations,
// proxy-granting tickets and the audit log are committed durably (on);
// only service tickets, codes and authorization requests take the fast
// path (off).
func TestPostgresCommitModes(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `
		CREATE TABLE commit_modes (tbl text, op text, kind text, mode text);
		CREATE FUNCTION record_commit_mode() RETURNS trigger LANGUAGE plpgsql AS $$
		DECLARE k text := '';
		BEGIN
			IF TG_TABLE_NAME = 'cas_tickets' THEN
				IF TG_OP = 'DELETE' THEN k := OLD.kind; ELSE k := NEW.kind; END IF;
			END IF;
			INSERT INTO commit_modes VALUES (TG_TABLE_NAME, TG_OP, k, current_setting('synchronous_commit'));
			RETURN NULL;
		END $$;`); err != nil {
		t.Fatal(err)
	}
	for _, tbl := range append(durableTables, "cas_tickets", "oauth_auth_requests") {
		if _, err := db.ExecContext(ctx, fmt.Sprintf(`CREATE TRIGGER rec_%[1]s AFTER INSERT OR UPDATE OR DELETE ON %[1]s
			FOR EACH ROW EXECUTE FUNCTION record_commit_mode()`, tbl)); err != nil {
			t.Fatal(err)
		}
	}

	now := time.Now()
	root, err := st.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertDomain(ctx, model.UserDomain{Name: "D", Kind: model.KindLocal, Placement: model.PlacementEnterprise}); err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, model.User{LoginName: "u", TenantID: root.ID, Domain: "D", Kind: model.KindLocal, Status: model.StatusActive, Contexts: []string{root.ID}})
	if err != nil {
		t.Fatal(err)
	}
	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	step("session", st.CreateSession(ctx, model.Session{ID: "sess", UserID: u.ID, ContextID: root.ID, AuthTime: now, ExpiresAt: now.Add(time.Hour)}))
	step("session service", st.AddSessionService(ctx, model.SessionService{SessionID: "sess", ClientID: "c", Service: "https://app/"}))
	step("service ticket", st.CreateTicket(ctx, model.Ticket{ID: "ST-1", Kind: model.TicketService, Service: "https://app/", ClientID: "c", UserID: u.ID, SessionID: "sess", ContextID: root.ID, ExpiresAt: now.Add(time.Minute)}))
	_, err = st.ConsumeTicket(ctx, "ST-1", now)
	step("consume ticket", err)
	step("proxy-granting ticket", st.CreateTicket(ctx, model.Ticket{ID: "PGT-1", Kind: model.TicketProxyGranting, Service: "https://app/", ClientID: "c", UserID: u.ID, SessionID: "sess", ContextID: root.ID, ExpiresAt: now.Add(time.Hour)}))
	ar := model.AuthRequest{ID: "ar", ClientID: "c", RedirectURI: "https://app/cb", ResponseType: "code", Scopes: []string{"openid"}, ExpiresAt: now.Add(time.Minute)}
	step("auth request", st.CreateAuthRequest(ctx, ar))
	ar.UserID, ar.SessionID, ar.ContextID, ar.Done = u.ID, "sess", root.ID, true
	step("complete", st.CompleteAuthRequest(ctx, ar, "codehash"))
	_, err = st.RedeemAuthCode(ctx, "codehash", now, now.Add(time.Hour))
	step("redeem", err)
	step("refresh token", st.CreateRefreshToken(ctx, model.RefreshToken{ID: "rt", FamilyID: "ar", ClientID: "c", UserID: u.ID, SessionID: "sess", ContextID: root.ID, Scopes: []string{"openid"}, AuthTime: now, ExpiresAt: now.Add(time.Hour)}))
	step("use refresh token", st.UseRefreshToken(ctx, "rt"))
	step("revoke grant", st.RevokeGrant(ctx, "ar", now.Add(time.Hour)))
	step("revoke jti", st.RevokeTokenID(ctx, "jti", now.Add(time.Hour)))
	step("audit", st.AppendAudit(ctx, model.AuditEvent{Time: now, Action: "test", Outcome: "success"}))
	step("logout", st.DeleteSession(ctx, "sess"))

	rows, err := db.QueryContext(ctx, `SELECT tbl, op, kind, mode FROM commit_modes`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	fast := map[string]bool{}
	for rows.Next() {
		var tbl, op, kind, mode string
		if err := rows.Scan(&tbl, &op, &kind, &mode); err != nil {
			t.Fatal(err)
		}
		seen[tbl] = true
		what := strings.TrimSpace(tbl + " " + op + " " + kind)
		durable := tbl != "oauth_auth_requests" && (tbl != "cas_tickets" || kind == model.TicketProxyGranting)
		if durable && mode != "on" {
			t.Errorf("%s committed with synchronous_commit=%s: a crash can lose it", what, mode)
		}
		if mode == "off" {
			fast[tbl] = true
		}
	}
	for _, tbl := range append(durableTables, "cas_tickets") {
		if !seen[tbl] {
			t.Errorf("no write to %s recorded", tbl)
		}
	}
	// The fast path stays for short-lived state (the authcode flow's speed).
	if !fast["oauth_auth_requests"] || !fast["cas_tickets"] {
		t.Errorf("authorization requests and service tickets no longer take the fast path: %v", fast)
	}
}
