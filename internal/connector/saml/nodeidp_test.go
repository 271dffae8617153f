package saml_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/connector"
	saml "github.com/sesame-sso/sesame/internal/connector/saml"
)

// The second, independent IdP (issue 11 "Proven with real peers"):
// testdata/nodeidp/idp.js, a SAML IdP on xml-crypto and xml-encryption,
// as a child process on loopback. It reads our AuthnRequests (verifying
// their signatures with xml-crypto), answers with InResponseTo, signs
// with xml-crypto and encrypts with xml-encryption; the connector
// verifies and decrypts with goxmldsig and crewjam/saml.

const nodeIdPDir = "testdata/nodeidp"

var npmOnce struct {
	sync.Once
	err error
}

// nodeIdP is one running idp.js.
type nodeIdP struct {
	url string
}

// startNodeIdP installs the IdP's dependencies when node_modules is
// missing (npm ci, exact versions from package-lock.json) and starts it.
// Without node or npm it skips, unless CI=true: then it fails and says
// what to install.
func startNodeIdP(t *testing.T) *nodeIdP {
	t.Helper()
	node, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	if errNode != nil || errNpm != nil {
		msg := "the node SAML IdP needs node ≥ 18 and npm (Debian: apt-get install nodejs npm)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	npmOnce.Do(func() {
		// npm writes node_modules/.package-lock.json last: its absence
		// means no install, or one that did not finish.
		if _, err := os.Stat(filepath.Join(nodeIdPDir, "node_modules", ".package-lock.json")); err == nil {
			return
		}
		cmd := exec.Command(npm, "ci", "--prefix", nodeIdPDir, "--no-audit", "--no-fund")
		if out, err := cmd.CombinedOutput(); err != nil {
			npmOnce.err = fmt.Errorf("npm ci --prefix %s: %v\n%s", nodeIdPDir, err, out)
		}
	})
	if npmOnce.err != nil {
		t.Fatal(npmOnce.err)
	}

	kp := testKeys(t)[0]
	dir := t.TempDir()
	keyDER, err := x509.MarshalPKCS8PrivateKey(kp.Key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile, certFile := filepath.Join(dir, "idp-key.pem"), filepath.Join(dir, "idp-cert.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: kp.Cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(node, "idp.js", "serve", "--key", keyFile, "--cert", certFile)
	cmd.Dir = nodeIdPDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe() // idp.js exits when it closes
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- s
	}()
	var hello struct{ URL string }
	select {
	case s := <-line:
		if err := json.Unmarshal([]byte(s), &hello); err != nil || hello.URL == "" {
			t.Fatalf("node IdP did not start: %q %v\n%s", s, err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("node IdP did not start within 30 s\n%s", stderr.String())
	}
	return &nodeIdP{url: hello.URL}
}

func (n *nodeIdP) put(t *testing.T, path, contentType string, body []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, n.url+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("node IdP PUT %s: %d %s", path, resp.StatusCode, b)
	}
}

// nodeProfile is how the node IdP answers (idp.js defaultProfile).
type nodeProfile struct {
	Sign       string    `json:"sign"` // assertion | response | both | none
	Encrypt    bool      `json:"encrypt"`
	Encryption string    `json:"encryption,omitempty"`
	Status     string    `json:"status,omitempty"`
	User       *nodeUser `json:"user,omitempty"`
}

type nodeUser struct {
	NameID       string              `json:"nameID"`
	NameIDFormat string              `json:"nameIDFormat"`
	Attributes   map[string][]string `json:"attributes"`
}

// newNodePeer is a connection to the node IdP: the connector is built
// from the IdP's metadata (GET /metadata) and the IdP gets the SP metadata
// (PUT /sp), as the two admins would exchange them.
func newNodePeer(t *testing.T, n *nodeIdP, prof nodeProfile, mod func(*saml.Config)) *peer {
	t.Helper()
	p := &peer{t: t, kept: map[string][]byte{}, idpURL: n.url}
	p.acsSrv = httptest.NewServer(http.HandlerFunc(p.serveACS))
	t.Cleanup(p.acsSrv.Close)
	resp, err := http.Get(n.url + "/metadata")
	if err != nil {
		t.Fatal(err)
	}
	md, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	p.cfg = saml.Config{
		IdPMetadata:    md,
		EntityID:       spEntity,
		ACSURL:         p.acsSrv.URL + "/saml/c1/acs",
		Keys:           []saml.KeyPair{testKeys(t)[1]},
		EmailAttribute: "email",
	}
	if mod != nil {
		mod(&p.cfg)
	}
	p.reopen()
	spMD, err := p.conn.Metadata(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n.put(t, "/sp", "application/samlmetadata+xml", spMD)
	b, _ := json.Marshal(prof)
	n.put(t, "/profile", "application/json", b)
	return p
}

const (
	bob     = "bob@example.org"
	bobMail = "bob.work@example.org"
)

// checkBob asserts the Identity of idp.js's default user.
func checkBob(t *testing.T, out acsResult) {
	t.Helper()
	if out.Err != "" {
		t.Fatalf("refused (%s): %s", out.Reason, out.Err)
	}
	r := out.Result
	if r.Subject != bob || r.NameIDFormat != saml.NameIDEmail || r.Email != bobMail {
		t.Fatalf("subject %q format %q email %q", r.Subject, r.NameIDFormat, r.Email)
	}
	if r.AssertionID == "" || r.SessionIndex == "" || r.NotOnOrAfter.Before(time.Now()) {
		t.Fatalf("assertion id %q session %q until %s", r.AssertionID, r.SessionIndex, r.NotOnOrAfter)
	}
	for name, want := range map[string][]string{"givenName": {"Bob"}, "sn": {"Builder"}, "groups": {"staff", "admins"}, "email": {bobMail}} {
		var got []string
		for _, v := range anySlice(r.Claims[name]) {
			s, _ := v.(string)
			got = append(got, s)
		}
		if !slices.Equal(got, want) {
			t.Errorf("claim %s = %#v, want %q", name, r.Claims[name], want)
		}
	}
}

func anySlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// TestNodeIdP runs the flows of the crewjam peer against the node IdP.
// Subtests share one idp.js process and run one after the other (each
// sets the IdP's SP metadata and profile).
func TestNodeIdP(t *testing.T) {
	n := startNodeIdP(t)
	const gcm, cbc = "http://www.w3.org/2009/xmlenc11#aes256-gcm", "http://www.w3.org/2001/04/xmlenc#aes256-cbc"

	for _, tc := range []struct {
		name    string
		prof    nodeProfile
		binding saml.Binding
		signReq bool
	}{
		{"redirect/signed_assertion", nodeProfile{Sign: "assertion"}, saml.BindingRedirect, false},
		{"redirect/signed_response", nodeProfile{Sign: "response"}, saml.BindingRedirect, false},
		{"redirect/signed_both", nodeProfile{Sign: "both"}, saml.BindingRedirect, false},
		{"redirect/signed_request/signed_assertion", nodeProfile{Sign: "assertion"}, saml.BindingRedirect, true},
		{"post/signed_request/signed_both", nodeProfile{Sign: "both"}, saml.BindingPost, true},
		{"post/unsigned_request/signed_response", nodeProfile{Sign: "response"}, saml.BindingPost, false},
		{"redirect/signed_assertion_encrypted_aes256gcm", nodeProfile{Sign: "assertion", Encrypt: true, Encryption: gcm}, saml.BindingRedirect, false},
		{"redirect/signed_assertion_encrypted_aes256cbc", nodeProfile{Sign: "assertion", Encrypt: true, Encryption: cbc}, saml.BindingRedirect, false},
		{"post/signed_both_encrypted_aes256cbc", nodeProfile{Sign: "both", Encrypt: true, Encryption: cbc}, saml.BindingPost, true},
	} {
		t.Run("sp_initiated/"+tc.name, func(t *testing.T) {
			p := newNodePeer(t, n, tc.prof, func(c *saml.Config) {
				c.Binding, c.SignAuthnRequests = tc.binding, tc.signReq
			})
			_, form := p.begin("st-" + tc.name)
			if tc.prof.Encrypt && !strings.Contains(decoded(t, form.Get("SAMLResponse")), "EncryptedAssertion") {
				t.Fatal("the node IdP did not encrypt")
			}
			out := p.post(p.cfg.ACSURL, form)
			checkBob(t, out)
			if out.Result.IdPInitiated || out.Result.RelayState != "st-"+tc.name {
				t.Fatalf("idp-initiated %v relay %q", out.Result.IdPInitiated, out.Result.RelayState)
			}
			// Posted again once the flow is over (the engine deletes it):
			// without a flow it is an unsolicited response, which this
			// connection refuses.
			p.mu.Lock()
			delete(p.kept, "st-"+tc.name)
			p.mu.Unlock()
			if out := p.post(p.cfg.ACSURL, form); out.Reason != saml.ReasonUnsolicited {
				t.Fatalf("a response to a finished flow: %+v", out)
			}
		})
	}

	t.Run("idp_initiated/allowed", func(t *testing.T) {
		p := newNodePeer(t, n, nodeProfile{Sign: "both"}, func(c *saml.Config) { c.AllowIdPInitiated = true })
		out := p.post(p.idpInitiatedForm("https://app.example/"))
		checkBob(t, out)
		if !out.Result.IdPInitiated || out.Result.RelayState != "https://app.example/" {
			t.Fatalf("idp-initiated %v relay %q", out.Result.IdPInitiated, out.Result.RelayState)
		}
	})
	t.Run("idp_initiated/encrypted", func(t *testing.T) {
		p := newNodePeer(t, n, nodeProfile{Sign: "assertion", Encrypt: true}, func(c *saml.Config) { c.AllowIdPInitiated = true })
		checkBob(t, p.post(p.idpInitiatedForm("")))
	})
	t.Run("idp_initiated/replayed", func(t *testing.T) {
		p := newNodePeer(t, n, nodeProfile{Sign: "assertion"}, func(c *saml.Config) { c.AllowIdPInitiated = true })
		seen := map[string]bool{}
		p.opt.Replay = func(_ context.Context, id string, _ time.Time) error {
			if seen[id] {
				return saml.ErrReplay
			}
			seen[id] = true
			return nil
		}
		p.reopen()
		action, form := p.idpInitiatedForm("")
		checkBob(t, p.post(action, form))
		if out := p.post(action, form); out.Reason != saml.ReasonReplay {
			t.Fatalf("second post: %+v", out)
		}
	})
	t.Run("idp_initiated/refused_by_default", func(t *testing.T) {
		p := newNodePeer(t, n, nodeProfile{Sign: "both"}, nil)
		if out := p.post(p.idpInitiatedForm("")); out.Reason != saml.ReasonUnsolicited {
			t.Fatalf("%+v", out)
		}
	})

	// The node IdP checks our AuthnRequest signatures with xml-crypto (so
	// the signed cases above are verified interop, not ignored): signed
	// with a key its SP metadata does not hold, or not signed where the
	// metadata says it is, the request is refused.
	for _, tc := range []struct {
		name    string
		binding saml.Binding
		signReq bool
	}{
		{"redirect/signed_with_another_key", saml.BindingRedirect, true},
		{"redirect/unsigned", saml.BindingRedirect, false},
		{"post/signed_with_another_key", saml.BindingPost, true},
		{"post/unsigned", saml.BindingPost, false},
	} {
		t.Run("idp_refuses_request/"+tc.name, func(t *testing.T) {
			p := newNodePeer(t, n, nodeProfile{Sign: "assertion"}, func(c *saml.Config) {
				c.Binding, c.SignAuthnRequests = tc.binding, tc.signReq
			})
			// What the IdP holds: the metadata of a connection that signs
			// with another key (ks[2]).
			other := p.cfg
			other.Keys, other.SignAuthnRequests = testKeys(t)[2:3], true
			oc, err := saml.New(other, saml.Options{})
			if err != nil {
				t.Fatal(err)
			}
			md, _ := oc.Metadata(context.Background())
			n.put(t, "/sp", "application/samlmetadata+xml", md)
			a, _, err := p.conn.Begin(context.Background(), "st", "")
			if err != nil {
				t.Fatal(err)
			}
			var resp *http.Response
			if a.RedirectURL != "" {
				resp, err = http.Get(a.RedirectURL)
			} else {
				resp, err = http.PostForm(a.PostURL, a.PostForm)
			}
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || strings.Contains(string(body), "SAMLResponse") {
				t.Fatalf("node IdP answered %d %s", resp.StatusCode, body)
			}
			t.Logf("node IdP: %s", body)
		})
	}

	// What the node IdP sends that must be refused.
	for _, tc := range []struct {
		name string
		prof nodeProfile
		want connector.Reason
	}{
		{"unsigned", nodeProfile{Sign: "none"}, connector.ReasonSignature},
		{"unsigned_encrypted", nodeProfile{Sign: "none", Encrypt: true}, connector.ReasonSignature},
		{"transient_nameid", nodeProfile{Sign: "assertion", User: &nodeUser{NameID: "_t1", NameIDFormat: saml.NameIDTransient}}, saml.ReasonNameIDFormat},
		{"status_responder", nodeProfile{Sign: "response", Status: "urn:oasis:names:tc:SAML:2.0:status:Responder"}, saml.ReasonStatus},
	} {
		t.Run("refused/"+tc.name, func(t *testing.T) {
			p := newNodePeer(t, n, tc.prof, nil)
			if out := p.spInitiated("st"); out.Reason != tc.want {
				t.Fatalf("reason %q (%s), want %q", out.Reason, out.Err, tc.want)
			}
		})
	}
}

func decoded(t *testing.T, b64 string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
