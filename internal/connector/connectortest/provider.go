package connectortest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Endpoint names one of the provider's endpoints (for Fault and Hits).
type Endpoint string

// The endpoints.
const (
	Discovery  Endpoint = "discovery"
	JWKS       Endpoint = "jwks"
	Authorize  Endpoint = "authorize"
	Token      Endpoint = "token"
	Userinfo   Endpoint = "userinfo"
	EndSession Endpoint = "end_session"
)

// Fault is how an endpoint misbehaves.
type Fault int

// The faults.
const (
	NoFault Fault = iota
	// Slow never answers: it holds the request until the client gives up.
	Slow
	// HTML answers 200 with an HTML page.
	HTML
	// Huge answers 200 with a 10 MB JSON body.
	Huge
	// RedirectLoop redirects to itself forever.
	RedirectLoop
)

// HugeSize is the size of a Huge answer.
const HugeSize = 10 << 20

// User is the scripted user: Subject and the claims added to the ID token
// and the userinfo answer (email, email_verified, roles, …).
type User struct {
	Subject string
	Claims  map[string]any
}

// Options configure a provider.
type Options struct {
	// Alg signs ID tokens: RS256 (default), PS256 or ES256.
	Alg jose.SignatureAlgorithm
	// ClientID and ClientSecret the provider accepts (default "client", "secret").
	ClientID, ClientSecret string
	// EncryptTo, when set, encrypts every ID token to this RSA key with
	// KeyAlg (default RSA-OAEP-256) and Enc (default A128GCM); EncryptKID is
	// put in the JWE header.
	EncryptTo  *rsa.PublicKey
	EncryptKID string
	KeyAlg     jose.KeyAlgorithm
	Enc        jose.ContentEncryption
	// NoIDToken: plain OAuth 2.0 (no ID token; userinfo only).
	NoIDToken bool
	// ISSParam advertises and sends RFC 9207's iss parameter.
	ISSParam bool
	// UserinfoSubjectClaim is where userinfo puts the subject (default "sub";
	// GitHub-style "id" puts it as a number when it is one).
	UserinfoSubjectClaim string
}

// Misbehaviour switches; the zero value is an honest provider.
type Misbehaviour struct {
	Issuer         string        // iss claim instead of the provider's
	Audience       []string      // aud claim instead of the client id
	AZP            string        // azp claim
	ExpiresIn      time.Duration // exp = iat + this (default 5 min; negative = expired)
	NotBefore      time.Duration // when ≠ 0, nbf = now + this
	IssuedAt       time.Duration // iat = now + this
	BadSignature   bool          // flip a byte of the signature
	AlgNone        bool          // unsigned token, alg "none"
	HS256PublicKey bool          // HS256 with the PEM of the public key as secret
	UnpublishedKey bool          // signed by a key not in the JWKS (fresh kid)
	Nonce          string        // nonce claim instead of the request's
	OmitNonce      bool
	OmitState      bool   // callback without state
	ISSParam       string // iss parameter instead of the issuer
	OmitISSParam   bool   // no iss parameter even when advertised
	AuthorizeError string // callback with this error instead of a code
	SkipPKCE       bool   // token endpoint does not check the verifier
	UserinfoSub    string // userinfo names this subject
	RefreshFails   bool   // refresh_token grant answers invalid_grant
	RefreshNoID    bool   // refresh answers without an ID token
	BadAtHash      bool   // at_hash of another access token
	RefreshSubject string // refresh answers for this subject instead
	Faults         map[Endpoint]Fault
}

type grant struct {
	sub, nonce, challenge, redirectURI string
}

type signingKey struct {
	kid  string
	alg  jose.SignatureAlgorithm
	priv crypto.Signer
}

// Provider is a running upstream OP.
type Provider struct {
	srv  *httptest.Server
	opts Options

	mu         sync.Mutex
	m          Misbehaviour
	user       User
	keys       []signingKey // published; the last one signs
	codes      map[string]grant
	access     map[string]string // access token → subject
	refresh    map[string]string // refresh token → subject
	hits       map[Endpoint]int
	nonces     []string
	lastLogout url.Values
	kidSeq     int
}

// New starts a provider, closed at the end of the test.
func New(t testing.TB, opts Options) *Provider {
	t.Helper()
	if opts.Alg == "" {
		opts.Alg = jose.RS256
	}
	if opts.ClientID == "" {
		opts.ClientID = "client"
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = "secret"
	}
	if opts.KeyAlg == "" {
		opts.KeyAlg = jose.RSA_OAEP_256
	}
	if opts.Enc == "" {
		opts.Enc = jose.A128GCM
	}
	if opts.UserinfoSubjectClaim == "" {
		opts.UserinfoSubjectClaim = "sub"
	}
	p := &Provider{
		opts:    opts,
		user:    User{Subject: "user-1", Claims: map[string]any{"email": "user1@example.com", "email_verified": true}},
		codes:   map[string]grant{},
		access:  map[string]string{},
		refresh: map[string]string{},
		hits:    map[Endpoint]int{},
	}
	p.keys = []signingKey{p.newKey(t)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.wrap(Discovery, p.discovery))
	mux.HandleFunc("GET /jwks", p.wrap(JWKS, p.jwks))
	mux.HandleFunc("GET /authorize", p.wrap(Authorize, p.authorize))
	mux.HandleFunc("POST /token", p.wrap(Token, p.token))
	mux.HandleFunc("GET /userinfo", p.wrap(Userinfo, p.userinfo))
	mux.HandleFunc("GET /end_session", p.wrap(EndSession, p.endSession))
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *Provider) newKey(t testing.TB) signingKey {
	t.Helper()
	p.kidSeq++
	k := signingKey{kid: fmt.Sprintf("key-%d", p.kidSeq), alg: p.opts.Alg}
	var err error
	switch p.opts.Alg {
	case jose.ES256:
		k.priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.RS256, jose.PS256:
		k.priv, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		t.Fatalf("connectortest: unsupported alg %s", p.opts.Alg)
	}
	if err != nil {
		t.Fatalf("connectortest: key: %v", err)
	}
	return k
}

// Issuer is the provider's issuer URL (and discovery prefix).
func (p *Provider) Issuer() string { return p.srv.URL }

// URL of an endpoint (for plain OAuth 2.0 configuration).
func (p *Provider) URL(e Endpoint) string {
	switch e {
	case Discovery:
		return p.srv.URL + "/.well-known/openid-configuration"
	case EndSession:
		return p.srv.URL + "/end_session"
	}
	return p.srv.URL + "/" + string(e)
}

// ClientID and ClientSecret the provider accepts.
func (p *Provider) ClientID() string     { return p.opts.ClientID }
func (p *Provider) ClientSecret() string { return p.opts.ClientSecret }

// SetUser scripts the user of the next logins, and the claims later
// refreshes and userinfo calls for that subject return.
func (p *Provider) SetUser(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user = u
}

// Misbehave replaces the misbehaviour switches (zero value: honest).
func (p *Provider) Misbehave(m Misbehaviour) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.m = m
}

// RotateKey publishes a new signing key (new kid) and signs with it; the
// old key stays published.
func (p *Provider) RotateKey(t testing.TB) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := p.newKey(t)
	p.keys = append(p.keys, k)
	return k.kid
}

// Hits counts the requests an endpoint received.
func (p *Provider) Hits(e Endpoint) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits[e]
}

// Nonces are the nonces of the authorization requests seen, in order.
func (p *Provider) Nonces() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.nonces...)
}

// LastLogout is the query of the last end_session request.
func (p *Provider) LastLogout() url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastLogout
}

// Callback plays the browser: it follows authURL (a connector's Begin
// redirect) to the authorize endpoint and returns the request the IdP
// sends the browser back with (for the connector's Finish).
func (p *Provider) Callback(t testing.TB, authURL string) *http.Request {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatalf("connectortest: authorize: %v", err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || loc == "" {
		t.Fatalf("connectortest: authorize answered %d without redirect", resp.StatusCode)
	}
	return httptest.NewRequest(http.MethodGet, loc, nil)
}

func (p *Provider) wrap(e Endpoint, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.hits[e]++
		f := p.m.Faults[e]
		p.mu.Unlock()
		switch f {
		case Slow:
			// Read the request first: only then does the server notice
			// the client hanging up (and cancel r.Context()).
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(time.Minute):
			}
			return
		case HTML:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!doctype html><html><body><h1>Sign in</h1><p>Our service is down.</p></body></html>")
			return
		case Huge:
			w.Header().Set("Content-Type", "application/json")
			chunk := strings.Repeat("a", 1<<16)
			fmt.Fprint(w, `{"x":"`)
			for n := 0; n < HugeSize; n += len(chunk) {
				if _, err := fmt.Fprint(w, chunk); err != nil {
					return
				}
			}
			fmt.Fprint(w, `"}`)
			return
		case RedirectLoop:
			// 307 keeps the method, so a POST loops too.
			http.Redirect(w, r, r.URL.RequestURI(), http.StatusTemporaryRedirect)
			return
		}
		h(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	doc := map[string]any{
		"issuer":                                p.srv.URL,
		"authorization_endpoint":                p.URL(Authorize),
		"token_endpoint":                        p.URL(Token),
		"userinfo_endpoint":                     p.URL(Userinfo),
		"jwks_uri":                              p.URL(JWKS),
		"end_session_endpoint":                  p.URL(EndSession),
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{string(p.opts.Alg)},
		"code_challenge_methods_supported":      []string{"S256"},
	}
	if p.opts.ISSParam {
		doc["authorization_response_iss_parameter_supported"] = true
	}
	writeJSON(w, http.StatusOK, doc)
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	set := jose.JSONWebKeySet{}
	for _, k := range p.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"})
	}
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, set)
}

func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || !redirect.IsAbs() {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	if q.Get("client_id") != p.opts.ClientID || q.Get("response_type") != "code" {
		http.Error(w, "bad client_id or response_type", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	m := p.m
	p.nonces = append(p.nonces, q.Get("nonce"))
	back := redirect.Query()
	if !m.OmitState {
		back.Set("state", q.Get("state"))
	}
	switch {
	case m.ISSParam != "":
		back.Set("iss", m.ISSParam)
	case p.opts.ISSParam && !m.OmitISSParam:
		back.Set("iss", p.srv.URL)
	}
	if m.AuthorizeError != "" {
		back.Set("error", m.AuthorizeError)
		back.Set("error_description", "the scripted provider refused")
	} else if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		back.Set("error", "invalid_request")
		back.Set("error_description", "PKCE S256 required")
	} else {
		code := rand32()
		p.codes[code] = grant{sub: p.user.Subject, nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirectURI: q.Get("redirect_uri")}
		back.Set("code", code)
	}
	p.mu.Unlock()
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.opts.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.opts.ClientSecret)) != 1 {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var sub, nonce string
	withID := !p.opts.NoIDToken
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := r.PostForm.Get("code")
		g, ok := p.codes[code]
		delete(p.codes, code) // one use (RFC 6749 §4.1.2)
		if !ok || g.redirectURI != r.PostForm.Get("redirect_uri") {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "unknown or used code"})
			return
		}
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if !p.m.SkipPKCE && base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "PKCE verifier mismatch"})
			return
		}
		sub, nonce = g.sub, g.nonce
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		s, ok := p.refresh[rt]
		if !ok || p.m.RefreshFails {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "refresh token revoked"})
			return
		}
		delete(p.refresh, rt) // rotation
		sub = s
		if p.m.RefreshSubject != "" {
			sub = p.m.RefreshSubject
		}
		withID = withID && !p.m.RefreshNoID
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	at, rt := rand32(), rand32()
	p.access[at], p.refresh[rt] = sub, sub
	resp := map[string]any{"access_token": at, "token_type": "Bearer", "expires_in": 300, "refresh_token": rt}
	if withID {
		idt, err := p.idToken(sub, nonce, at)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error", "error_description": err.Error()})
			return
		}
		resp["id_token"] = idt
	}
	writeJSON(w, http.StatusOK, resp)
}

// claimsFor returns the scripted user's claims when sub is the current
// user (others keep only sub).
func (p *Provider) claimsFor(sub string) map[string]any {
	c := map[string]any{}
	if sub == p.user.Subject {
		for k, v := range p.user.Claims {
			c[k] = v
		}
	}
	return c
}

// idToken builds, signs (and encrypts) an ID token; p.mu is held.
func (p *Provider) idToken(sub, nonce, accessToken string) (string, error) {
	m := p.m
	now := time.Now()
	c := p.claimsFor(sub)
	c["iss"] = p.srv.URL
	if m.Issuer != "" {
		c["iss"] = m.Issuer
	}
	c["sub"] = sub
	c["aud"] = p.opts.ClientID
	if m.Audience != nil {
		c["aud"] = m.Audience
	}
	if m.AZP != "" {
		c["azp"] = m.AZP
	}
	iat := now.Add(m.IssuedAt)
	exp := 5 * time.Minute
	if m.ExpiresIn != 0 {
		exp = m.ExpiresIn
	}
	c["iat"] = iat.Unix()
	c["exp"] = iat.Add(exp).Unix()
	if m.NotBefore != 0 {
		c["nbf"] = now.Add(m.NotBefore).Unix()
	}
	switch {
	case m.Nonce != "":
		c["nonce"] = m.Nonce
	case nonce != "" && !m.OmitNonce:
		c["nonce"] = nonce
	}
	// OIDC Core §3.3.2.11: left half of SHA-256 (all three algs hash with it).
	if m.BadAtHash {
		accessToken += "x"
	}
	sum := sha256.Sum256([]byte(accessToken))
	c["at_hash"] = base64.RawURLEncoding.EncodeToString(sum[:16])
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	signed, err := p.sign(payload)
	if err != nil || p.opts.EncryptTo == nil {
		return signed, err
	}
	opts := (&jose.EncrypterOptions{}).WithContentType("JWT").WithType("JWT")
	enc, err := jose.NewEncrypter(p.opts.Enc, jose.Recipient{Algorithm: p.opts.KeyAlg, Key: p.opts.EncryptTo, KeyID: p.opts.EncryptKID}, opts)
	if err != nil {
		return "", err
	}
	obj, err := enc.Encrypt([]byte(signed))
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

func (p *Provider) sign(payload []byte) (string, error) {
	m := p.m
	key := p.keys[len(p.keys)-1]
	b64 := base64.RawURLEncoding.EncodeToString
	switch {
	case m.AlgNone:
		return b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64(payload) + ".", nil
	case m.HS256PublicKey:
		der, err := x509.MarshalPKIXPublicKey(key.priv.Public())
		if err != nil {
			return "", err
		}
		secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		return signWith(jose.SigningKey{Algorithm: jose.HS256, Key: secret}, key.kid, payload)
	case m.UnpublishedKey:
		p.kidSeq++
		var rogue crypto.Signer
		var err error
		if key.alg == jose.ES256 {
			rogue, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		} else {
			rogue, err = rsa.GenerateKey(rand.Reader, 2048)
		}
		if err != nil {
			return "", err
		}
		return signWith(jose.SigningKey{Algorithm: key.alg, Key: rogue}, fmt.Sprintf("rogue-%d", p.kidSeq), payload)
	}
	s, err := signWith(jose.SigningKey{Algorithm: key.alg, Key: key.priv}, key.kid, payload)
	if err != nil || !m.BadSignature {
		return s, err
	}
	i := strings.LastIndexByte(s, '.')
	sig, err := base64.RawURLEncoding.DecodeString(s[i+1:])
	if err != nil {
		return "", err
	}
	sig[len(sig)/2] ^= 0x01
	return s[:i+1] + b64(sig), nil
}

func signWith(k jose.SigningKey, kid string, payload []byte) (string, error) {
	opts := (&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), kid)
	s, err := jose.NewSigner(k, opts)
	if err != nil {
		return "", err
	}
	obj, err := s.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	at, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	defer p.mu.Unlock()
	sub, known := p.access[at]
	if !ok || !known {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	c := p.claimsFor(sub)
	if p.m.UserinfoSub != "" {
		sub = p.m.UserinfoSub
	}
	if p.opts.UserinfoSubjectClaim == "sub" {
		c["sub"] = sub
	} else {
		var n json.Number = json.Number(sub)
		if _, err := n.Int64(); err == nil {
			c[p.opts.UserinfoSubjectClaim] = n
		} else {
			c[p.opts.UserinfoSubjectClaim] = sub
		}
	}
	writeJSON(w, http.StatusOK, c)
}

func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.lastLogout = r.URL.Query()
	p.mu.Unlock()
	if to := r.URL.Query().Get("post_logout_redirect_uri"); to != "" {
		http.Redirect(w, r, to, http.StatusFound)
		return
	}
	fmt.Fprint(w, "signed out")
}

func rand32() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
