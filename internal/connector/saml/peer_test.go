package saml_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"
	"github.com/crewjam/saml/logger"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/sesame-sso/sesame/internal/connector"
	saml "github.com/sesame-sso/sesame/internal/connector/saml"
)

// Keys are generated once per test binary (RSA generation dominates
// otherwise); each test builds its own IdP, SP and servers.
var (
	keysOnce sync.Once
	keys     []saml.KeyPair // 0 IdP, 1 SP, 2 SP rotation, 3 attacker
)

func testKeys(t testing.TB) []saml.KeyPair {
	t.Helper()
	keysOnce.Do(func() {
		for i := 0; i < 4; i++ {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			tmpl := &x509.Certificate{
				SerialNumber: big.NewInt(int64(i + 1)),
				Subject:      pkix.Name{CommonName: []string{"idp", "sp", "sp2", "attacker"}[i]},
				NotBefore:    time.Now().Add(-24 * time.Hour),
				NotAfter:     time.Now().Add(365 * 24 * time.Hour),
			}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
			if err != nil {
				panic(err)
			}
			cert, _ := x509.ParseCertificate(der)
			keys = append(keys, saml.KeyPair{Key: k, Cert: cert})
		}
	})
	return keys
}

// peer is crewjam/saml's IdentityProvider on a loopback HTTP server, and
// an ACS server that hands the POST to the connector.
type peer struct {
	t       testing.TB
	idp     *crewjam.IdentityProvider
	idpSrv  *httptest.Server
	idpURL  string // base URL of the IdP (crewjam's or the node IdP)
	acsSrv  *httptest.Server
	conn    *saml.Connector
	cfg     saml.Config
	opt     saml.Options
	now     time.Time // SP clock; zero = real time
	session crewjam.Session
	encrypt bool // advertise the SP encryption cert to the IdP
	adjust  func(a *crewjam.Assertion)
	spMeta  []byte // metadata the IdP holds for the SP (default: conn.Metadata)

	mu   sync.Mutex
	kept map[string][]byte // RelayState → kept (the engine's Flow store)
}

type assertionMaker struct{ p *peer }

func (m assertionMaker) MakeAssertion(req *crewjam.IdpAuthnRequest, s *crewjam.Session) error {
	if err := (crewjam.DefaultAssertionMaker{}).MakeAssertion(req, s); err != nil {
		return err
	}
	if m.p.adjust != nil {
		m.p.adjust(req.Assertion)
	}
	return nil
}

func (p *peer) GetSession(w http.ResponseWriter, r *http.Request, req *crewjam.IdpAuthnRequest) *crewjam.Session {
	s := p.session
	return &s
}

func (p *peer) GetServiceProvider(r *http.Request, id string) (*crewjam.EntityDescriptor, error) {
	md := p.spMeta
	if md == nil {
		var err error
		if md, err = p.conn.Metadata(context.Background()); err != nil {
			return nil, err
		}
	}
	var ed crewjam.EntityDescriptor
	if err := xmlUnmarshal(md, &ed); err != nil {
		return nil, err
	}
	if ed.EntityID != id {
		return nil, crewjam.ErrUnknownServiceProvider
	}
	if !p.encrypt {
		for i := range ed.SPSSODescriptors {
			var kds []crewjam.KeyDescriptor
			for _, kd := range ed.SPSSODescriptors[i].KeyDescriptors {
				if kd.Use != "encryption" {
					kds = append(kds, kd)
				}
			}
			ed.SPSSODescriptors[i].KeyDescriptors = kds
		}
	}
	return &ed, nil
}

const (
	spEntity = "https://sesame.test/saml/c1/metadata"
	alice    = "alice@example.com"
)

func newPeer(t testing.TB, mod func(*saml.Config)) *peer {
	t.Helper()
	ks := testKeys(t)
	p := &peer{t: t, kept: map[string][]byte{}}
	p.session = crewjam.Session{
		ID: "s1", CreateTime: time.Now(), ExpireTime: time.Now().Add(time.Hour), Index: "idx-1",
		NameID: alice, NameIDFormat: saml.NameIDEmail,
		UserName: "alice", UserEmail: alice, UserCommonName: "Alice A", UserSurname: "A", UserGivenName: "Alice",
		CustomAttributes: []crewjam.Attribute{{Name: "Email", Values: []crewjam.AttributeValue{{Type: "xs:string", Value: "alice.work@example.com"}}}},
	}
	p.idpSrv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/sso":
			p.idp.ServeSSO(w, r)
		case "/idp-initiated":
			p.idp.ServeIDPInitiated(w, r, spEntity, r.URL.Query().Get("RelayState"))
		default:
			p.idp.Handler().ServeHTTP(w, r)
		}
	}))
	t.Cleanup(p.idpSrv.Close)
	p.idpURL = p.idpSrv.URL
	base, _ := url.Parse(p.idpSrv.URL)
	p.idp = &crewjam.IdentityProvider{
		Key:                     ks[0].Key,
		Certificate:             ks[0].Cert,
		MetadataURL:             *base.JoinPath("metadata"),
		SSOURL:                  *base.JoinPath("sso"),
		ServiceProviderProvider: p,
		SessionProvider:         p,
		AssertionMaker:          assertionMaker{p},
		SignatureMethod:         dsig.RSASHA256SignatureMethod,
		Logger:                  logger.DefaultLogger,
	}
	p.acsSrv = httptest.NewServer(http.HandlerFunc(p.serveACS))
	t.Cleanup(p.acsSrv.Close)
	md, err := xmlMarshal(p.idp.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	p.cfg = saml.Config{
		IdPMetadata:    md,
		EntityID:       spEntity,
		ACSURL:         p.acsSrv.URL + "/saml/c1/acs",
		SLOURL:         p.acsSrv.URL + "/saml/c1/slo",
		Keys:           []saml.KeyPair{ks[1]},
		EmailAttribute: "Email",
	}
	if mod != nil {
		mod(&p.cfg)
	}
	p.reopen()
	return p
}

func (p *peer) reopen() {
	p.t.Helper()
	p.opt.Now = func() time.Time {
		if p.now.IsZero() {
			return time.Now()
		}
		return p.now
	}
	c, err := saml.New(p.cfg, p.opt)
	if err != nil {
		p.t.Fatal(err)
	}
	p.conn = c
}

// acsResult is what the test ACS answers.
type acsResult struct {
	Result saml.Result
	Reason connector.Reason
	Err    string
}

func (p *peer) serveACS(w http.ResponseWriter, r *http.Request) {
	// The engine finds its Flow by RelayState (server-side, R-SAML-2).
	state, err := p.conn.RelayState(r)
	if err != nil {
		_ = json.NewEncoder(w).Encode(acsResult{Reason: connector.ReasonOf(err), Err: err.Error()})
		return
	}
	p.mu.Lock()
	k := p.kept[state]
	p.mu.Unlock()
	res, err := p.conn.FinishSAML(r.Context(), r, k)
	out := acsResult{Result: res}
	if err != nil {
		out.Reason, out.Err = connector.ReasonOf(err), err.Error()
		w.WriteHeader(http.StatusBadRequest)
	}
	_ = json.NewEncoder(w).Encode(out)
}

var (
	formAction = regexp.MustCompile(`<form[^>]+action="([^"]+)"`)
	formInput  = regexp.MustCompile(`<input[^>]+name="([^"]+)"[^>]+value="([^"]*)"`)
)

// browser: follows the IdP's page and submits its auto-POST form, as a
// browser without cookies would.
func (p *peer) idpForm(u string) (action string, form url.Values) {
	p.t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		p.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		p.t.Fatalf("IdP: %d %s", resp.StatusCode, body)
	}
	m := formAction.FindSubmatch(body)
	if m == nil {
		p.t.Fatalf("IdP page without form: %s", body)
	}
	form = url.Values{}
	for _, in := range formInput.FindAllSubmatch(body, -1) {
		form.Set(html.UnescapeString(string(in[1])), html.UnescapeString(string(in[2])))
	}
	return html.UnescapeString(string(m[1])), form
}

func (p *peer) post(action string, form url.Values) acsResult {
	p.t.Helper()
	resp, err := http.PostForm(action, form)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out acsResult
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		p.t.Fatal(err)
	}
	return out
}

// spInitiated runs Begin → IdP → ACS over HTTP and returns the ACS answer.
func (p *peer) spInitiated(state string) acsResult {
	p.t.Helper()
	action, form := p.begin(state)
	return p.post(action, form)
}

// begin runs Begin and the IdP and returns the IdP's form, not posted.
func (p *peer) begin(state string) (string, url.Values) {
	p.t.Helper()
	a, k, err := p.conn.Begin(context.Background(), state, p.cfg.ACSURL)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.kept[state] = k
	p.mu.Unlock()
	u := a.RedirectURL
	if u == "" {
		// HTTP-POST binding: the IdP's SSO endpoint takes the form as GET
		// parameters too? No: post it.
		resp, err := http.PostForm(a.PostURL, a.PostForm)
		if err != nil {
			p.t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			p.t.Fatalf("IdP (POST binding): %d %s", resp.StatusCode, body)
		}
		m := formAction.FindSubmatch(body)
		if m == nil {
			p.t.Fatalf("IdP page without form: %s", body)
		}
		form := url.Values{}
		for _, in := range formInput.FindAllSubmatch(body, -1) {
			form.Set(html.UnescapeString(string(in[1])), html.UnescapeString(string(in[2])))
		}
		return html.UnescapeString(string(m[1])), form
	}
	return p.idpForm(u)
}

func (p *peer) idpInitiatedForm(relay string) (string, url.Values) {
	return p.idpForm(p.idpURL + "/idp-initiated?RelayState=" + url.QueryEscape(relay))
}

// genuine returns a genuine response of the IdP (SP-initiated, state s)
// as a parsed document, and the kept value of its flow.
func (p *peer) genuine(state string) (*etree.Document, []byte) {
	p.t.Helper()
	_, form := p.begin(state)
	raw, err := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
	if err != nil {
		p.t.Fatal(err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		p.t.Fatal(err)
	}
	return doc, p.kept[state]
}

// finish posts doc (serialized as is) to FinishSAML directly.
func (p *peer) finish(doc *etree.Document, state string, k []byte) (saml.Result, error) {
	p.t.Helper()
	b, err := doc.WriteToBytes()
	if err != nil {
		p.t.Fatal(err)
	}
	return p.finishRaw(base64.StdEncoding.EncodeToString(b), state, k)
}

func (p *peer) finishRaw(samlResponse, state string, k []byte) (saml.Result, error) {
	form := url.Values{"SAMLResponse": {samlResponse}, "RelayState": {state}}
	r := httptest.NewRequest(http.MethodPost, p.cfg.ACSURL, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return p.conn.FinishSAML(context.Background(), r, k)
}

// ---- XML helpers for building attacks from genuine messages ----

const (
	nsSAML  = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsSAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsDS    = "http://www.w3.org/2000/09/xmldsig#"
)

func child(el *etree.Element, local string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == local {
			return c
		}
	}
	return nil
}

func assertionOf(doc *etree.Document) *etree.Element {
	return child(doc.Root(), "Assertion")
}

func removeSignature(el *etree.Element) *etree.Element {
	s := child(el, "Signature")
	if s != nil {
		el.RemoveChild(s)
	}
	return s
}

func setNameID(assertion *etree.Element, v string) {
	n := child(child(assertion, "Subject"), "NameID")
	n.SetText(v)
}

// sign adds an enveloped signature made with kp to el, placed right after
// its Issuer as the schema wants (SAML core §5.4.2 allows any enveloped
// position; crewjam reads it there).
func sign(t testing.TB, el *etree.Element, kp saml.KeyPair) {
	t.Helper()
	removeSignature(el)
	ks := dsig.TLSCertKeyStore(tls.Certificate{Certificate: [][]byte{kp.Cert.Raw}, PrivateKey: kp.Key})
	ctx := dsig.NewDefaultSigningContext(ks)
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		t.Fatal(err)
	}
	signed, err := ctx.SignEnveloped(el)
	if err != nil {
		t.Fatal(err)
	}
	sig := signed.ChildElements()[len(signed.ChildElements())-1]
	if iss := child(el, "Issuer"); iss != nil {
		el.InsertChildAt(iss.Index()+1, sig)
	} else {
		el.AddChild(sig)
	}
}

func wantReason(t testing.TB, err error, want connector.Reason) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted; want refusal with reason %q", want)
	}
	if got := connector.ReasonOf(err); got != want {
		t.Fatalf("reason %q, want %q (%v)", got, want, err)
	}
}

func wantRefused(t testing.TB, res saml.Result, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted (subject %q); want refusal", res.Subject)
	}
	var ce *connector.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *connector.Error", err)
	}
}
