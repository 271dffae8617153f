// Package samltest is a SAML 2.0 identity provider for tests: crewjam/saml's
// IdentityProvider (the IdP samlidp is built on) on a loopback HTTP server,
// with a scriptable signed-in user, optional assertion encryption and an
// assertion hook for hostile variants, single logout in both directions
// over HTTP-Redirect and HTTP-POST (logout.go), and the browser half of the
// HTTP-POST binding (reading an auto-submitted form).
package samltest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"

	crewjam "github.com/crewjam/saml"
	"github.com/crewjam/saml/logger"
	dsig "github.com/russellhaering/goxmldsig"
)

// Key is an RSA key with a self-signed certificate.
type Key struct {
	Key  *rsa.PrivateKey
	Cert *x509.Certificate
}

var (
	keysOnce sync.Once
	keys     [2]Key
)

// Keys returns two keys made once per test binary (RSA generation is
// slow): [0] the IdP's, [1] another (an attacker's, a rolled-over one).
func Keys() [2]Key {
	keysOnce.Do(func() {
		for i := range keys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(i + 1)), Subject: pkix.Name{CommonName: fmt.Sprintf("samltest-%d", i)},
				NotBefore: time.Now().Add(-24 * time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour)}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
			if err != nil {
				panic(err)
			}
			cert, _ := x509.ParseCertificate(der)
			keys[i] = Key{Key: k, Cert: cert}
		}
	})
	return keys
}

// User is who is signed in at the IdP.
type User struct {
	NameID, NameIDFormat string
	// Attributes are sent as they are (name → values).
	Attributes map[string][]string
}

// IdP is the test identity provider. The SP's metadata is fetched from
// its entity id (Sesame's entity id is its metadata URL).
type IdP struct {
	T   testing.TB
	Srv *httptest.Server
	IdP *crewjam.IdentityProvider

	mu      sync.Mutex
	user    User
	encrypt bool
	adjust  func(*crewjam.Assertion)
	acs     string
	ended   []string // NameIDs logged out by SP-initiated single logout
	endedBy []string // the binding each of their LogoutRequests came by
	spSLO   string   // UseSPSLOBinding
	parts   map[string]participants
}

// New starts an IdP signing with Keys()[0]; it signs responses and
// assertions (RSA-SHA256) and does not encrypt until Encrypt.
func New(t testing.TB) *IdP {
	t.Helper()
	p := &IdP{T: t, user: User{NameID: "alice@example.com", NameIDFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"}}
	p.Srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/sso":
			p.IdP.ServeSSO(w, r)
		case "/slo":
			p.IdP.ServeSLO(w, r)
		case "/idp-initiated":
			p.IdP.ServeIDPInitiated(w, r, r.URL.Query().Get("sp"), r.URL.Query().Get("RelayState"))
		case "/idp-logout":
			p.IdP.StartLogout(w, r, p.GetSession(w, r, nil), "") // logout.go
		default:
			p.IdP.Handler().ServeHTTP(w, r)
		}
	}))
	t.Cleanup(p.Srv.Close)
	base, _ := url.Parse(p.Srv.URL)
	k := Keys()[0]
	p.IdP = &crewjam.IdentityProvider{Key: k.Key, Certificate: k.Cert, MetadataURL: *base.JoinPath("metadata"), SSOURL: *base.JoinPath("sso"), LogoutURL: *base.JoinPath("slo"),
		ServiceProviderProvider: p, SessionProvider: p, AssertionMaker: maker{p}, SignatureMethod: dsig.RSASHA256SignatureMethod, Logger: logger.DefaultLogger}
	return p
}

// Metadata is the IdP's metadata XML (what an administrator uploads).
func (p *IdP) Metadata() string {
	b, err := xml.MarshalIndent(p.IdP.Metadata(), "", " ")
	if err != nil {
		p.T.Fatal(err)
	}
	return string(b)
}

// MetadataWith is the IdP's metadata listing these signing certificates
// (a certificate rollover publishes the old and the new one).
func (p *IdP) MetadataWith(certs ...*x509.Certificate) string {
	ed := p.IdP.Metadata()
	for i := range ed.IDPSSODescriptors {
		var kds []crewjam.KeyDescriptor
		for _, c := range certs {
			kds = append(kds, crewjam.KeyDescriptor{Use: "signing", KeyInfo: crewjam.KeyInfo{X509Data: crewjam.X509Data{
				X509Certificates: []crewjam.X509Certificate{{Data: base64.StdEncoding.EncodeToString(c.Raw)}}}}})
		}
		ed.IDPSSODescriptors[i].KeyDescriptors = kds
	}
	b, err := xml.MarshalIndent(ed, "", " ")
	if err != nil {
		p.T.Fatal(err)
	}
	return string(b)
}

// SignWith makes the IdP sign with k from now on.
func (p *IdP) SignWith(k Key) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.IdP.Key, p.IdP.Certificate = k.Key, k.Cert
}

// SetUser sets who is signed in.
func (p *IdP) SetUser(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user = u
}

// Encrypt makes the IdP encrypt assertions to the SP's encryption
// certificate (from its metadata).
func (p *IdP) Encrypt(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.encrypt = on
}

// Adjust changes every assertion before it is signed (nil: none).
func (p *IdP) Adjust(f func(*crewjam.Assertion)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.adjust = f
}

// UseACS makes the IdP post to the SP's ACS at location (one of those its
// metadata lists; "" = the first).
func (p *IdP) UseACS(location string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.acs = location
}

// IdPInitiatedURL is where a browser gets an unsolicited response for SP
// spEntityID with RelayState relay.
func (p *IdP) IdPInitiatedURL(spEntityID, relay string) string {
	return p.Srv.URL + "/idp-initiated?sp=" + url.QueryEscape(spEntityID) + "&RelayState=" + url.QueryEscape(relay)
}

type maker struct{ p *IdP }

func (m maker) MakeAssertion(req *crewjam.IdpAuthnRequest, s *crewjam.Session) error {
	if err := (crewjam.DefaultAssertionMaker{}).MakeAssertion(req, s); err != nil {
		return err
	}
	// DefaultAssertionMaker adds the session's standard attributes; keep
	// only the scripted ones.
	m.p.mu.Lock()
	u, adjust := m.p.user, m.p.adjust
	m.p.mu.Unlock()
	var attrs []crewjam.Attribute
	for name, vals := range u.Attributes {
		a := crewjam.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"}
		for _, v := range vals {
			a.Values = append(a.Values, crewjam.AttributeValue{Type: "xs:string", Value: v})
		}
		attrs = append(attrs, a)
	}
	req.Assertion.AttributeStatements = []crewjam.AttributeStatement{{Attributes: attrs}}
	if adjust != nil {
		adjust(req.Assertion)
	}
	return nil
}

// GetSession implements crewjam.SessionProvider: the scripted user is
// always signed in.
func (p *IdP) GetSession(_ http.ResponseWriter, _ *http.Request, _ *crewjam.IdpAuthnRequest) *crewjam.Session {
	p.mu.Lock()
	u := p.user
	p.mu.Unlock()
	return &crewjam.Session{ID: "s1", CreateTime: time.Now(), ExpireTime: time.Now().Add(time.Hour), Index: "idx-1",
		NameID: u.NameID, NameIDFormat: u.NameIDFormat}
}

// InvalidateSession implements crewjam.SessionInvalidator: an SP's
// LogoutRequest ends the (scripted) IdP session; LoggedOut lists them.
func (p *IdP) InvalidateSession(_ http.ResponseWriter, _ *http.Request, req *crewjam.IdpLogoutRequest) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if req.Request.NameID != nil {
		p.ended = append(p.ended, req.Request.NameID.Value)
		p.endedBy = append(p.endedBy, req.Binding)
	}
	return nil
}

// LoggedOut lists the NameIDs whose IdP session an SP's single logout
// ended.
func (p *IdP) LoggedOut() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.ended...)
}

// GetServiceProvider implements crewjam.ServiceProviderProvider: the SP's
// metadata from its entity id URL.
func (p *IdP) GetServiceProvider(_ *http.Request, id string) (*crewjam.EntityDescriptor, error) {
	resp, err := http.Get(id)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("SP metadata %s: %d", id, resp.StatusCode)
	}
	var ed crewjam.EntityDescriptor
	if err := xml.Unmarshal(b, &ed); err != nil {
		return nil, err
	}
	p.mu.Lock()
	enc, acs, slo := p.encrypt, p.acs, p.spSLO
	p.mu.Unlock()
	if slo != "" {
		for i := range ed.SPSSODescriptors {
			var keep []crewjam.Endpoint
			for _, e := range ed.SPSSODescriptors[i].SingleLogoutServices {
				if e.Binding == slo {
					keep = append(keep, e)
				}
			}
			ed.SPSSODescriptors[i].SingleLogoutServices = keep
		}
	}
	if acs != "" {
		for i := range ed.SPSSODescriptors {
			var keep []crewjam.IndexedEndpoint
			for _, e := range ed.SPSSODescriptors[i].AssertionConsumerServices {
				if e.Location == acs {
					keep = append(keep, e)
				}
			}
			ed.SPSSODescriptors[i].AssertionConsumerServices = keep
		}
	}
	if !enc {
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

var (
	formAction = regexp.MustCompile(`<form[^>]+action="([^"]+)"`)
	formInput  = regexp.MustCompile(`<input[^>]+name="([^"]+)"[^>]+value="([^"]*)"`)
)

// Form reads an auto-submitted form (the HTTP-POST binding) from a page:
// its action and fields; ok is false when the page has none.
func Form(body string) (action string, fields url.Values, ok bool) {
	m := formAction.FindStringSubmatch(body)
	if m == nil {
		return "", nil, false
	}
	fields = url.Values{}
	for _, in := range formInput.FindAllStringSubmatch(body, -1) {
		fields.Set(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
	}
	return html.UnescapeString(m[1]), fields, true
}
