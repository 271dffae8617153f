package e2e_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// spaPage is a single-page app without a back end: inline JavaScript runs
// the authorization code flow with PKCE S256 as a public client (RFC 8252
// §8.1, RFC 9700 §2.1.1), redeems the code with fetch() at Sesame's token
// endpoint — another origin — and reads userinfo with the access token.
// At /probe it only tries the cross-origin calls and reports, per
// endpoint, whether the browser let it read the answer.
const spaPage = `<!doctype html><title>spa</title>
<p id="result">working</p><p id="token"></p>
<script>
const issuer = "ISSUER", clientId = "CLIENT";
const out = s => { document.getElementById("result").textContent = s; };
const b64url = buf => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const redirectUri = location.origin + "/";
async function start() {
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = b64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const state = b64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem("pkce", verifier);
  sessionStorage.setItem("state", state);
  location.href = issuer + "/oauth2/authorize?" + new URLSearchParams({response_type: "code", client_id: clientId,
    redirect_uri: redirectUri, scope: "openid profile email", state: state, code_challenge: challenge, code_challenge_method: "S256"});
}
async function finish(q) {
  if (q.get("state") !== sessionStorage.getItem("state")) throw new Error("state mismatch");
  const r = await fetch(issuer + "/oauth2/token", {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded"},
    body: new URLSearchParams({grant_type: "authorization_code", code: q.get("code"), redirect_uri: redirectUri,
      client_id: clientId, code_verifier: sessionStorage.getItem("pkce")})});
  const tok = await r.json();
  if (!r.ok) throw new Error("token: " + JSON.stringify(tok));
  const u = await fetch(issuer + "/oauth2/userinfo", {headers: {Authorization: "Bearer " + tok.access_token}});
  const info = await u.json();
  if (!u.ok) throw new Error("userinfo: " + JSON.stringify(info));
  document.getElementById("token").textContent = tok.access_token;
  out("signed in as " + info.email);
}
async function probe(q) {
  const calls = [
    ["token", () => fetch(issuer + "/oauth2/token", {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded"},
      body: new URLSearchParams({grant_type: "authorization_code", code: "x", client_id: clientId})})],
    ["userinfo", () => fetch(issuer + "/oauth2/userinfo", {headers: {Authorization: "Bearer " + q.get("token")}})],
    ["keys", () => fetch(issuer + "/oauth2/keys")],
  ];
  const res = [];
  for (const [name, call] of calls) {
    try { await call(); res.push(name + ":readable"); } catch (e) { res.push(name + ":blocked"); }
  }
  out(res.join(" "));
}
const q = new URLSearchParams(location.search);
(location.pathname === "/probe" ? probe(q) : q.has("code") ? finish(q) :
  q.has("error") ? Promise.reject(new Error(q.get("error") + ": " + q.get("error_description"))) : start())
  .catch(e => out("error: " + e.message));
</script>`

// settled waits until the page's script has written its result.
func settled() chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](`document.getElementById("result").textContent !== "working"`, chromedp.WithPollingTimeout(stepTimeout))
}

// serveSPA serves the page on addr (a loopback address of its own: its own
// origin, and a secure context for crypto.subtle).
func serveSPA(t *testing.T, addr, issuer, clientID string) string {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	page := strings.NewReplacer("ISSUER", issuer, "CLIENT", clientID).Replace(spaPage)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestBrowserSPACodeFlowAndCORS (issue 8 item 11): in a real browser, a
// single-page app on another origin signs the user in through the real
// login page with the code flow + PKCE S256 as a public client, redeems
// the code and reads userinfo with fetch() — CORS allows its registered
// web origin. The same calls from an origin that is not registered are
// blocked by the browser: Sesame sends it no Access-Control-Allow-Origin.
func TestBrowserSPACodeFlowAndCORS(t *testing.T) {
	exe := chromium(t)
	env := sesametest.New(t, "sqlite")
	ad := env.Admin()
	acct := ad.ID("POST", "/api/v1/contexts", map[string]any{"type": "account", "name": "Acme", "parentId": env.RootID})
	ad.ID("POST", "/api/v1/users", map[string]any{"loginName": "carol", "domain": "ENTERPRISE", "contexts": []string{acct},
		"status": "active", "password": "ruby-lantern-orbit-123", "person": map[string]string{"email": "carol@acme.example"}})
	// The client id is known once the client exists and the page needs it:
	// register with a placeholder origin, then point it at the page.
	spaID := ad.ID("POST", "/api/v1/clients", map[string]any{"name": "SPA", "module": "portal", "protocol": "oidc", "public": true,
		"grantTypes": []string{"authorization_code"}, "redirectUris": []string{"http://127.0.0.2/"}})
	spa := serveSPA(t, "127.0.0.2:0", env.Server.URL, spaID)
	ad.Must(http.StatusOK, "PATCH", "/api/v1/clients/"+spaID, map[string]any{"redirectUris": []string{spa + "/"}, "webOrigins": []string{spa}})
	other := serveSPA(t, "127.0.0.3:0", env.Server.URL, spaID) // not registered anywhere

	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	t.Cleanup(cancel)
	b := startChrome(t, ctx, exe)

	b.do("open the SPA", chromedp.Navigate(spa+"/"), chromedp.WaitVisible(chromedp.ID("username")))
	if loc := b.read("location", chromedp.Location()); !strings.HasPrefix(loc, env.Server.URL+"/login?") {
		t.Fatalf("the SPA did not reach the login page: %s", loc)
	}
	b.do("type login name", chromedp.SendKeys(chromedp.ID("username"), "carol"))
	b.do("type password", chromedp.SendKeys(chromedp.ID("password"), "ruby-lantern-orbit-123"))
	b.do("submit", chromedp.Click(chromedp.ID("submit")))
	b.do("back at the SPA", chromedp.WaitVisible(chromedp.ID("result")),
		settled())
	if got := b.read("SPA result", chromedp.Text(chromedp.ID("result"))); got != "signed in as carol@acme.example" {
		t.Fatalf("SPA: %q\nbrowser log:\n  %s", got, b.log())
	}
	token := b.read("access token", chromedp.Text(chromedp.ID("token")))

	// The unregistered origin, with a valid access token in hand.
	b.do("open the unregistered origin", chromedp.Navigate(other+"/probe?token="+token),
		settled())
	if got := b.read("probe", chromedp.Text(chromedp.ID("result"))); got != "token:blocked userinfo:blocked keys:blocked" {
		t.Errorf("from an unregistered origin: %q (want every call blocked by CORS)", got)
	}
	// The registered origin may read all three (the control).
	b.do("open the registered origin's probe", chromedp.Navigate(spa+"/probe?token="+token),
		settled())
	if got := b.read("probe", chromedp.Text(chromedp.ID("result"))); got != "token:readable userinfo:readable keys:readable" {
		t.Errorf("from the registered origin: %q\nbrowser log:\n  %s", got, b.log())
	}
}
