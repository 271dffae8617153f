package sesametest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// MachineClient is a registered confidential OIDC client with the client
// credentials grant and a token from the token endpoint (RFC 6749 §4.4).
type MachineClient struct{ ID, Secret, Token string }

// MachineClient registers a confidential client of module with the client
// credentials grant (extra adds registration fields, e.g.
// "policyDecision": true) and gets it a token.
func (e *Env) MachineClient(t testing.TB, module string, extra map[string]any) MachineClient {
	t.Helper()
	body := map[string]any{"name": "Machine " + module, "module": module, "protocol": "oidc", "grantTypes": []string{"client_credentials"}}
	for k, v := range extra {
		body[k] = v
	}
	r := e.Admin().Must(http.StatusCreated, "POST", "/api/v1/clients", body).Map(t)
	c := MachineClient{ID: r["id"].(string), Secret: r["secret"].(string)}
	req, _ := http.NewRequest("POST", e.Server.URL+"/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("client credentials token: %d %v", resp.StatusCode, err)
	}
	c.Token = tok.AccessToken
	return c
}
