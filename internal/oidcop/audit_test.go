package oidcop_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

type auditRow struct {
	ActorID    string         `json:"actorId"`
	Action     string         `json:"action"`
	TargetType string         `json:"targetType"`
	TargetID   string         `json:"targetId"`
	ContextID  string         `json:"contextId"`
	SourceIP   string         `json:"sourceIp"`
	Outcome    string         `json:"outcome"`
	Details    map[string]any `json:"details"`
}

// audit reads the audit log through the API after the queued protocol
// events are written.
func (f *fixture) audit(t *testing.T, action string) ([]auditRow, string) {
	t.Helper()
	f.env.Svc.FlushAudit()
	r := f.env.Admin().Must(http.StatusOK, "GET", "/api/v1/audit?limit=200&action="+url.QueryEscape(action), nil)
	var out struct {
		Items []auditRow `json:"items"`
	}
	r.JSON(t, &out)
	return out.Items, string(r.Body)
}

// TestProtocolAudit (issue 8 item 15, R-OPS-4): token issuance for every
// grant (authorization code, refresh, client credentials, context switch),
// failed client authentication, code replay and refresh-token reuse
// (marked as theft signals) are in the audit log — with actor, client,
// context and source IP, and without a token, code or secret in it.
func TestProtocolAudit(t *testing.T) {
	onBackends(t, sesametest.Options{}, func(t *testing.T, f *fixture) {
		ad := f.env.Admin()
		cust := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "customer", "name": "Globex", "number": "C-7", "parentId": f.acct})
		var secrets []string
		c := f.browser(t)
		tok := f.login(t, c, f.app1, "carol", carolPW)
		secrets = append(secrets, tok.AccessToken, tok.RefreshToken, f.app1.secret, tok.Extra("id_token").(string))

		// Context switch.
		form := url.Values{"context_id": {cust}}
		req, _ := http.NewRequest("POST", f.env.Server.URL+"/oauth2/switch-context", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		st, body := doJSON(t, req)
		if st != http.StatusOK {
			t.Fatalf("switch: %d %v", st, body)
		}
		secrets = append(secrets, body["access_token"].(string))

		// Refresh (rotation), then the old refresh token again: reuse.
		tok2, err := f.app1.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, tok2.AccessToken, tok2.RefreshToken)
		if _, err := f.app1.conf.TokenSource(f.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
			t.Fatal("a used refresh token worked")
		}

		// A code redeemed twice.
		verifier := oauth2.GenerateVerifier()
		res := f.authorize(t, c, f.app1.conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)), "", "")
		secrets = append(secrets, res.code)
		tok3, err := f.app1.conf.Exchange(f.ctx, res.code, oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, tok3.AccessToken, tok3.RefreshToken)
		if _, err := f.app1.conf.Exchange(f.ctx, res.code, oauth2.VerifierOption(verifier)); err == nil {
			t.Fatal("a code worked twice")
		}

		// Client credentials, and a wrong secret.
		cc := clientcredentials.Config{ClientID: f.app1.id, ClientSecret: f.app1.secret, TokenURL: f.provider.Endpoint().TokenURL}
		ccTok, err := cc.Token(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, ccTok.AccessToken)
		bad := clientcredentials.Config{ClientID: f.app1.id, ClientSecret: "not-the-secret-0123456789", TokenURL: f.provider.Endpoint().TokenURL}
		if _, err := bad.Token(f.ctx); err == nil {
			t.Fatal("a wrong client secret worked")
		}

		issued, _ := f.audit(t, "token.issue")
		grants := map[string]int{}
		for _, e := range issued {
			grants[e.Details["grantType"].(string)]++
			if e.Outcome != "success" || e.TargetType != "client" || e.TargetID != f.app1.id || e.SourceIP != "127.0.0.1" {
				t.Errorf("token.issue row: %+v", e)
			}
			if jti, _ := e.Details["jti"].(string); jti == "" {
				t.Errorf("token.issue without jti: %+v", e)
			}
			if g := e.Details["grantType"]; g != "client_credentials" && (e.ActorID != f.carol || e.ContextID == "") {
				t.Errorf("%s token without user or context: %+v", g, e)
			}
		}
		for g, n := range map[string]int{"authorization_code": 2, "refresh_token": 1, "client_credentials": 1, "context_switch": 1} {
			if grants[g] != n {
				t.Errorf("%d token.issue rows for %s, want %d (all: %v)", grants[g], g, n, grants)
			}
		}
		for action, want := range map[string]int{"token.refresh_reuse": 1, "token.code_replay": 1} {
			rows, _ := f.audit(t, action)
			if len(rows) != want {
				t.Errorf("%d %s rows, want %d", len(rows), action, want)
				continue
			}
			if e := rows[0]; e.Outcome != "denied" || e.Details["signal"] != "token_theft" || e.TargetID != f.app1.id || e.ActorID != f.carol {
				t.Errorf("%s row: %+v", action, e)
			}
		}
		// golang.org/x/oauth2 tries HTTP Basic, then the form: one or two rows.
		rows, _ := f.audit(t, "client.auth")
		if len(rows) == 0 {
			t.Error("failed client authentication not audited")
		}
		for _, e := range rows {
			if e.Outcome != "failure" || e.TargetID != f.app1.id || e.SourceIP != "127.0.0.1" {
				t.Errorf("failed client authentication: %+v", e)
			}
		}

		// No secret anywhere in the log.
		_, all := f.audit(t, "")
		for _, s := range secrets {
			if s == "" {
				continue
			}
			// A JWT is checked by its signature (every JWT starts alike).
			if i := strings.LastIndexByte(s, '.'); i > 0 {
				s = s[i+1:]
			}
			if strings.Contains(all, s) || strings.Contains(all, s[:min(len(s), 12)]) {
				t.Errorf("the audit log contains a secret (%.10s…)", s)
			}
		}
	})
}
