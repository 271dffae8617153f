package samlsp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	dsig "github.com/russellhaering/goxmldsig"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
	"gotest.tools/v3/golden"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/testsaml"
)

type MiddlewareTest struct {
	AuthnRequest          []byte
	SamlResponse          []byte
	Key                   *rsa.PrivateKey
	Certificate           *x509.Certificate
	IDPMetadata           []byte
	Middleware            *Middleware
	expectedSessionCookie string
}

type testRandomReader struct {
	Next byte
}

func (tr *testRandomReader) Read(p []byte) (n int, err error) {
	for i := 0; i < len(p); i++ {
		p[i] = tr.Next
		tr.Next += 2
	}
	return len(p), nil
}

func NewMiddlewareTest(t *testing.T) *MiddlewareTest {
	test := MiddlewareTest{}
	saml.TimeNow = func() time.Time {
		rv, _ := time.Parse("Mon Jan 2 15:04:05.999999999 MST 2006", "Mon Dec 1 01:57:09.123456789 UTC 2015")
		return rv
	}
	saml.Clock = dsig.NewFakeClockAt(saml.TimeNow())
	saml.RandReader = &testRandomReader{}

	test.AuthnRequest = golden.Get(t, "authn_request.url")
	test.SamlResponse = golden.Get(t, "saml_response.xml")
	test.Key = mustParsePrivateKey(golden.Get(t, "key.pem")).(*rsa.PrivateKey)
	test.Certificate = mustParseCertificate(golden.Get(t, "cert.pem"))
	test.IDPMetadata = golden.Get(t, "idp_metadata.xml")

	var metadata saml.EntityDescriptor
	if err := xml.Unmarshal(test.IDPMetadata, &metadata); err != nil {
		panic(err)
	}

	opts := Options{
		URL:         mustParseURL("https://15661444.ngrok.io/"),
		Key:         test.Key,
		Certificate: test.Certificate,
		IDPMetadata: &metadata,
	}

	var err error
	test.Middleware, err = New(opts)
	if err != nil {
		panic(err)
	}

	sessionProvider := DefaultSessionProvider(opts)
	sessionProvider.Name = "ttt"
	sessionProvider.MaxAge = 7200 * time.Second

	sessionCodec := sessionProvider.Codec.(JWTSessionCodec)
	sessionCodec.MaxAge = 7200 * time.Second
	sessionProvider.Codec = sessionCodec

	test.Middleware.Session = sessionProvider

	test.Middleware.ServiceProvider.MetadataURL.Path = "/saml2/metadata"
	test.Middleware.ServiceProvider.AcsURL.Path = "/saml2/acs"
	test.Middleware.ServiceProvider.SloURL.Path = "/saml2/slo"

	var tc JWTSessionClaims
	if err := json.Unmarshal(golden.Get(t, "token.json"), &tc); err != nil {
		panic(err)
	}
	test.expectedSessionCookie, err = sessionProvider.Codec.Encode(tc)
	if err != nil {
		panic(err)
	}

	return &test
}

func (test *MiddlewareTest) makeTrackedRequest(id string) string {
	codec := test.Middleware.RequestTracker.(CookieRequestTracker).Codec
	token, err := codec.Encode(TrackedRequest{
		Index:         "KCosLjAyNDY4Ojw-QEJERkhKTE5QUlRWWFpcXmBiZGZoamxucHJ0dnh6",
		SAMLRequestID: id,
		URI:           "/frob",
	})
	if err != nil {
		panic(err)
	}
	return token
}

func TestMiddlewareCanProduceMetadata(t *testing.T) {
	test := NewMiddlewareTest(t)
	req, _ := http.NewRequest("GET", "/saml2/metadata", nil)

	resp := httptest.NewRecorder()
	test.Middleware.ServeHTTP(resp, req)
	assert.Check(t, is.Equal(http.StatusOK, resp.Code))
	assert.Check(t, is.Equal("application/samlmetadata+xml",
		resp.Header().Get("Content-type")))
	golden.Assert(t, resp.Body.String(), "expected_middleware_metadata.xml")
}

func TestMiddlewareFourOhFour(t *testing.T) {
	test := NewMiddlewareTest(t)
	req, _ := http.NewRequest("GET", "/this/is/not/a/supported/uri", nil)

	resp := httptest.NewRecorder()
	test.Middleware.ServeHTTP(resp, req)
	assert.Check(t, is.Equal(http.StatusNotFound, resp.Code))
	respBuf, _ := io.ReadAll(resp.Body)
	assert.Check(t, is.Equal("404 page not found\n", string(respBuf)))
}

func TestMiddlewareRequireAccountNoCreds(t *testing.T) {
	test := NewMiddlewareTest(t)
	test.Middleware.ServiceProvider.AcsURL.Scheme = "http"

	handler := test.Middleware.RequireAccount(
		http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) {
			panic("not reached")
		}))

	req, _ := http.NewRequest("GET", "/frob", nil)
	resp := httptest.NewRecorder()
	handler.ServeHTTP(resp, req)

	assert.Check(t, is.Equal(http.StatusFound, resp.Code))
	assert.Check(t, is.Equal("saml_KCosLjAyNDY4Ojw-QEJERkhKTE5QUlRWWFpcXmBiZGZoamxucHJ0dnh6="+
		test.makeTrackedRequest("id-00020406080a0c0e10121416181a1c1e20222426")+"; Path=/saml2/acs; Max-Age=600; HttpOnly",
		resp.Header().Get("Set-Cookie")))

	redirectURL, err := url.Parse(resp.Header().Get("Location"))
	assert.Check(t, err)
	decodedRequest, err := testsaml.ParseRedirectRequest(redirectURL)
	assert.Check(t, err)
	golden.Assert(t, string(decodedRequest), "expected_authn_request.xml")
}

func TestMiddlewareRequireAccountNoCredsSecure(t *testing.T) {
	test := NewMiddlewareTest(t)

	handler := test.Middleware.RequireAccount(
		http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) {
			panic("not reached")
		}))

	req, _ := http.NewRequest("GET", "/frob", nil)
	resp := httptest.NewRecorder()
	handler.ServeHTTP(resp, req)

	assert.Check(t, is.Equal(http.StatusFound, resp.Code))
	assert.Check(t, is.Equal("saml_KCosLjAyNDY4Ojw-QEJERkhKTE5QUlRWWFpcXmBiZGZoamxucHJ0dnh6="+test.makeTrackedRequest("id-00020406080a0c0e10121416181a1c1e20222426")+"; Path=/saml2/acs; Max-Age=600; HttpOnly; Secure; SameSite=None",
		resp.Header().Get("Set-Cookie")))

	redirectURL, err := url.Parse(resp.Header().Get("Location"))
	assert.Check(t, err)
	decodedRequest, err := testsaml.ParseRedirectRequest(redirectURL)
	assert.Check(t, err)
	golden.Assert(t, string(decodedRequest), "expected_authn_request_secure.xml")
}

func TestMiddlewareRequireAccountNoCredsPostBinding(t *testing.T) {
	test := NewMiddlewareTest(t)
	test.Middleware.ServiceProvider.IDPMetadata.IDPSSODescriptors[0].SingleSignOnServices = test.Middleware.ServiceProvider.IDPMetadata.IDPSSODescriptors[0].SingleSignOnServices[1:2]
	assert.Check(t, is.Equal("",
		test.Middleware.ServiceProvider.GetSSOBindingLocation(saml.HTTPRedirectBinding)))

	handler := test.Middleware.RequireAccount(
		http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) {
			panic("not reached")
		}))

	req, _ := http.NewRequest("GET", "/frob", nil)
	resp := httptest.NewRecorder()
	handler.ServeHTTP(resp, req)

	assert.Check(t, is.Equal(http.StatusOK, resp.Code))
	assert.Check(t, is.Equal("saml_KCosLjAyNDY4Ojw-QEJERkhKTE5QUlRWWFpcXmBiZGZoamxucHJ0dnh6="+test.makeTrackedRequest("id-00020406080a0c0e10121416181a1c1e20222426")+"; Path=/saml2/acs; Max-Age=600; HttpOnly; Secure; SameSite=None",
		resp.Header().Get("Set-Cookie")))

	golden.Assert(t, resp.Body.String(), "expected_post_binding_response.html")

	// check that the CSP script hash is set correctly
	scriptContent := "document.getElementById('SAMLSubmitButton').style.visibility=\"hidden\";document.getElementById('SAMLRequestForm').submit();"
	scriptSum := sha256.Sum256([]byte(scriptContent))
	scriptHash := base64.StdEncoding.EncodeToString(scriptSum[:])
	assert.Check(t, is.Equal("default-src; script-src 'sha256-"+scriptHash+"'; reflected-xss block; referrer no-referrer;",
		resp.Header().Get("Content-Security-Policy")))

	assert.Check(t, is.Equal("text/html", resp.Header().Get("Content-type")))
}

func TestMiddlewareRequireAccountNoCredsPostBindingScriptNonce(t *testing.T) {
	test := NewMiddlewareTest(t)
	test.Middleware.ServiceProvider.IDPMetadata.IDPSSODescriptors[0].SingleSignOnServices = test.Middleware.ServiceProvider.IDPMetadata.IDPSSODescriptors[0].SingleSignOnServices[1:2]

	type nonceKey struct{}
	test.Middleware.ScriptNonce = func(r *http.Request) string {
		nonce, _ := r.Context().Value(nonceKey{}).(string)
		return nonce
	}

	handler := test.Middleware.RequireAccount(
		http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) {
			panic("not reached")
		}))

	req, _ := http.NewRequest("GET", "/frob", nil)
	req = req.WithContext(context.WithValue(req.Context(), nonceKey{}, "n0nce"))
	resp := httptest.NewRecorder()
	handler.ServeHTTP(resp, req)

	assert.Check(t, is.Equal(http.StatusOK, resp.Code))
	// the body is the usual form, with the nonce on its <script> element
	expected := strings.Replace(string(golden.Get(t, "expected_post_binding_response.html")),
		"<script>", `<script nonce="n0nce">`, 1)
	assert.Check(t, is.Equal(expected, resp.Body.String()))

	// the script content, and so the CSP hash, is unchanged
	scriptContent := "document.getElementById('SAMLSubmitButton').style.visibility=\"hidden\";document.getElementById('SAMLRequestForm').submit();"
	scriptSum := sha256.Sum256([]byte(scriptContent))
	scriptHash := base64.StdEncoding.EncodeToString(scriptSum[:])
	assert.Check(t, is.Equal("default-src; script-src 'sha256-"+scriptHash+"'; reflected-xss block; referrer no-referrer;",
		resp.Header().Get("Content-Security-Policy")))
}

func TestMiddlewareRequireAccountCreds(t *testing.T) {
	test := NewMiddlewareTest(t)
	handler := test.Middleware.RequireAccount(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			genericSession := SessionFromContext(r.Context())
			jwtSession := genericSession.(JWTSessionClaims)
			assert.Check(t, is.Equal("555-5555", jwtSession.Attributes.Get("telephoneNumber")))
			assert.Check(t, is.Equal("And I", jwtSession.Attributes.Get("sn")))
			assert.Check(t, is.Equal("urn:mace:dir:entitlement:common-lib-terms", jwtSession.Attributes.Get("eduPersonEntitlement")))
			assert.Check(t, is.Equal("8F+M9ovyaYNwCId0pVkVsnZYRDo=", jwtSession.Attributes.Get("eduPersonTargetedID")))
			assert.Check(t, is.Equal("Me Myself", jwtSession.Attributes.Get("givenName")))
			assert.Check(t, is.Equal("Me Myself And I", jwtSession.Attributes.Get("cn")))
			assert.Check(t, is.Equal("myself", jwtSession.Attributes.Get("uid")))
			assert.Check(t, is.Equal("myself@testshib.org", jwtSession.Attributes.Get("eduPersonPrincipalName")))
			assert.Check(t, is.DeepEqual([]string{"Member@testshib.org", "Staff@testshib.org"}, jwtSession.Attributes["eduPersonScopedAffiliation"]))
			assert.Check(t, is.DeepEqual([]string{"Member", "Staff"}, jwtSession.Attributes["eduPersonAffiliation"]))
			w.WriteHeader(http.StatusTeapot)
		}))

	req, _ := http.NewRequest("GET", "/frob", nil)
	req.Header.Set("Cookie", ""+
		"ttt="+test.expectedSessionCookie+"; "+
		"Path=/; Max-Age=7200")
	resp := httptest.NewRecorder()
	handler.ServeHTTP(resp, req)

	assert.Check(t, is.Equal(http.StatusTeapot, resp.Code))
}

func TestMiddlewareRequireAccountBadCreds(t *testing.T) {
	test := NewMiddlewareTest(t)
	handler := test.Middleware.RequireAccount(
		http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) {
			panic("not reached")
		}))

	req, _ := http.NewRequest("GET", "/frob", nil)
	req.Header.Set("Cookie", ""+
		"ttt=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.yejJbiI6Ik1lIE15c2VsZiBBbmQgSSIsImVkdVBlcnNvbkFmZmlsaWF0aW9uIjoiU3RhZmYiLCJlZHVQZXJzb25FbnRpdGxlbWVudCI6InVybjptYWNlOmRpcjplbnRpdGxlbWVudDpjb21tb24tbGliLXRlcm1zIiwiZWR1UGVyc29uUHJpbmNpcGFsTmFtZSI6Im15c2VsZkB0ZXN0c2hpYi5vcmciLCJlZHVQZXJzb25TY29wZWRBZmZpbGlhdGlvbiI6IlN0YWZmQHRlc3RzaGliLm9yZyIsImVkdVBlcnNvblRhcmdldGVkSUQiOiIiLCJleHAiOjE0NDg5Mzg2MjksImdpdmVuTmFtZSI6Ik1lIE15c2VsZiIsInNuIjoiQW5kIEkiLCJ0ZWxlcGhvbmVOdW1iZXIiOiI1NTUtNTU1NSIsInVpZCI6Im15c2VsZiJ9.SqeTkbGG35oFj_9H-d9oVdV-Hb7Vqam6LvZLcmia7FY; "+
		"Path=/; Max-Age=7200; Secure")
	resp := httptest.NewRecorder()
	handler.ServeHTTP(resp, req)

	assert.Check(t, is.Equal(http.StatusFound, resp.Code))

	assert.Check(t, is.Equal("saml_KCosLjAyNDY4Ojw-QEJERkhKTE5QUlRWWFpcXmBiZGZoamxucHJ0dnh6="+test.makeTrackedRequest("id-00020406080a0c0e10121416181a1c1e20222426")+"; Path=/saml2/acs; Max-Age=600; HttpOnly; Secure; SameSite=None",
		resp.Header().Get("Set-Cookie")))

	redirectURL, err := url.Parse(resp.Header().Get("Location"))
	assert.Check(t, err)
	decodedRequest, err := testsaml.ParseRedirectRequest(redirectURL)
	assert.Check(t, err)
	golden.Assert(t, string(decodedRequest), "expected_authn_request_secure.xml")
}

func TestMiddlewareRequireAccountExpiredCreds(t *testing.T) {
	test := NewMiddlewareTest(t)
	saml.TimeNow = func() time.Time {
		rv, _ := time.Parse("Mon Jan 2 15:04:05 UTC 2006", "Mon Dec 1 01:31:21 UTC 2115")
		return rv
	}

	handler := test.Middleware.RequireAccount(
		http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) {
			panic("not reached")
		}))

	req, _ := http.NewRequest("GET", "/frob", nil)
	req.Header.Set("Cookie", ""+
		"ttt="+test.expectedSessionCookie+"; "+
		"Path=/; Max-Age=7200")
	resp := httptest.NewRecorder()
	handler.ServeHTTP(resp, req)

	assert.Check(t, is.Equal(http.StatusFound, resp.Code))
	assert.Check(t, is.Equal("saml_KCosLjAyNDY4Ojw-QEJERkhKTE5QUlRWWFpcXmBiZGZoamxucHJ0dnh6="+test.makeTrackedRequest("id-00020406080a0c0e10121416181a1c1e20222426")+"; Path=/saml2/acs; Max-Age=600; HttpOnly; Secure; SameSite=None",
		resp.Header().Get("Set-Cookie")))

	redirectURL, err := url.Parse(resp.Header().Get("Location"))
	assert.Check(t, err)
	decodedRequest, err := testsaml.ParseRedirectRequest(redirectURL)
	assert.Check(t, err)
	golden.Assert(t, strings.Replace(string(decodedRequest), `IssueInstant="2115-12-01T01:31:21Z"`, `IssueInstant="2015-12-01T01:57:09.123Z"`, 1), "expected_authn_request_secure.xml")
}

func TestMiddlewareRequireAccountPanicOnRequestToACS(t *testing.T) {
	test := NewMiddlewareTest(t)
	handler := test.Middleware.RequireAccount(
		http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) {
			panic("not reached")
		}))

	req, _ := http.NewRequest("POST", "https://15661444.ngrok.io/saml2/acs", nil)
	resp := httptest.NewRecorder()

	assert.Check(t, is.Panics(func() { handler.ServeHTTP(resp, req) }))
}

func TestMiddlewareRequireAttribute(t *testing.T) {
	test := NewMiddlewareTest(t)
	handler := test.Middleware.RequireAccount(
		RequireAttribute("eduPersonAffiliation", "Staff")(
			http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusTeapot)
			})))

	req, _ := http.NewRequest("GET", "/frob", nil)
	req.Header.Set("Cookie", ""+
		"ttt="+test.expectedSessionCookie+"; "+
		"Path=/; Max-Age=7200")
	resp := httptest.NewRecorder()
	handler.ServeHTTP(resp, req)

	assert.Check(t, is.Equal(http.StatusTeapot, resp.Code))
}

func TestMiddlewareRequireAttributeWrongValue(t *testing.T) {
	test := NewMiddlewareTest(t)
	handler := test.Middleware.RequireAccount(
		RequireAttribute("eduPersonAffiliation", "DomainAdmins")(
			http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) {
				panic("not reached")
			})))

	req, _ := http.NewRequest("GET", "/frob", nil)
	req.Header.Set("Cookie", ""+
		"ttt="+test.expectedSessionCookie+"; "+
		"Path=/; Max-Age=7200")
	resp := httptest.NewRecorder()
	handler.ServeHTTP(resp, req)

	assert.Check(t, is.Equal(http.StatusForbidden, resp.Code))
}

func TestMiddlewareRequireAttributeNotPresent(t *testing.T) {
	test := NewMiddlewareTest(t)
	handler := test.Middleware.RequireAccount(
		RequireAttribute("valueThatDoesntExist", "doesntMatter")(
			http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) {
				panic("not reached")
			})))

	req, _ := http.NewRequest("GET", "/frob", nil)
	req.Header.Set("Cookie", ""+
		"ttt="+test.expectedSessionCookie+"; "+
		"Path=/; Max-Age=7200")
	resp := httptest.NewRecorder()
	handler.ServeHTTP(resp, req)

	assert.Check(t, is.Equal(http.StatusForbidden, resp.Code))
}

func TestMiddlewareRequireAttributeMissingAccount(t *testing.T) {
	test := NewMiddlewareTest(t)
	handler := RequireAttribute("eduPersonAffiliation", "DomainAdmins")(
		http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) {
			panic("not reached")
		}))

	req, _ := http.NewRequest("GET", "/frob", nil)
	req.Header.Set("Cookie", ""+
		"ttt="+test.expectedSessionCookie+"; "+
		"Path=/; Max-Age=7200")
	resp := httptest.NewRecorder()
	handler.ServeHTTP(resp, req)

	assert.Check(t, is.Equal(http.StatusForbidden, resp.Code))
}

func TestMiddlewareCanParseResponse(t *testing.T) {
	test := NewMiddlewareTest(t)
	v := &url.Values{}
	v.Set("SAMLResponse", base64.StdEncoding.EncodeToString(test.SamlResponse))
	v.Set("RelayState", "KCosLjAyNDY4Ojw-QEJERkhKTE5QUlRWWFpcXmBiZGZoamxucHJ0dnh6")
	req, _ := http.NewRequest("POST", "/saml2/acs", bytes.NewReader([]byte(v.Encode())))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", ""+
		"saml_KCosLjAyNDY4Ojw-QEJERkhKTE5QUlRWWFpcXmBiZGZoamxucHJ0dnh6="+test.makeTrackedRequest("id-9e61753d64e928af5a7a341a97f420c9"))

	resp := httptest.NewRecorder()
	test.Middleware.ServeHTTP(resp, req)
	assert.Check(t, is.Equal(http.StatusFound, resp.Code))

	assert.Check(t, is.Equal("/frob", resp.Header().Get("Location")))
	assert.Check(t, is.DeepEqual([]string{
		"saml_KCosLjAyNDY4Ojw-QEJERkhKTE5QUlRWWFpcXmBiZGZoamxucHJ0dnh6=; Path=/saml2/acs; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Secure; SameSite=None",
		// the domain-scoped session cookie set by earlier versions is expired
		"ttt=; Path=/; Domain=15661444.ngrok.io; Expires=Thu, 01 Jan 1970 00:00:01 GMT; HttpOnly; Secure",
		"ttt=" + test.expectedSessionCookie + "; " +
			"Path=/; Max-Age=7200; HttpOnly; Secure",
	},
		resp.Header()["Set-Cookie"]))
}

func TestMiddlewareDefaultCookieDomainIPv4(t *testing.T) {
	test := NewMiddlewareTest(t)
	ipv4Loopback := net.IP{127, 0, 0, 1}

	sp := DefaultSessionProvider(Options{
		URL: mustParseURL("https://" + net.JoinHostPort(ipv4Loopback.String(), "54321")),
		Key: test.Key,
	})

	req, _ := http.NewRequest("GET", "/", nil)
	resp := httptest.NewRecorder()
	assert.Check(t, sp.CreateSession(resp, req, &saml.Assertion{}))

	cookies := resp.Result().Cookies()
	assert.Assert(t, is.Len(cookies, 2))
	// the legacy cookie domain must not contain a port or it cannot be expired
	assert.Check(t, is.Equal("127.0.0.1", cookies[0].Domain))
	assert.Check(t, is.Equal("", cookies[0].Value))
	// the session cookie is host-only
	assert.Check(t, is.Equal("", cookies[1].Domain))
	assert.Check(t, cookies[1].Value != "")
}

func TestMiddlewareDefaultCookieDomainIPv6(t *testing.T) {
	test := NewMiddlewareTest(t)

	sp := DefaultSessionProvider(Options{
		URL: mustParseURL("https://" + net.JoinHostPort(net.IPv6loopback.String(), "54321")),
		Key: test.Key,
	})

	req, _ := http.NewRequest("GET", "/", nil)
	resp := httptest.NewRecorder()
	assert.Check(t, sp.CreateSession(resp, req, &saml.Assertion{}))

	// net/http never accepted an IPv6 address as a cookie domain, so there is
	// no legacy cookie to expire and the session cookie is host-only.
	assert.Check(t, is.Len(resp.Header()["Set-Cookie"], 1))
	assert.Check(t,
		!strings.Contains(resp.Header().Get("Set-Cookie"), "Domain="),
		"Cookie must be host-only: %v", resp.Header().Get("Set-Cookie"))
}

func TestMiddlewareRejectsInvalidRelayState(t *testing.T) {
	test := NewMiddlewareTest(t)

	test.Middleware.OnError = func(w http.ResponseWriter, _ *http.Request, err error) {
		assert.Check(t, is.Error(err, http.ErrNoCookie.Error()))
		http.Error(w, "forbidden", http.StatusTeapot)
	}

	v := &url.Values{}
	v.Set("SAMLResponse", base64.StdEncoding.EncodeToString(test.SamlResponse))
	v.Set("RelayState", "ICIkJigqLC4wMjQ2ODo8PkBCREZISkxOUFJUVlhaXF5gYmRmaGpsbnBy")
	req, _ := http.NewRequest("POST", "/saml2/acs", bytes.NewReader([]byte(v.Encode())))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", ""+
		"saml_KCosLjAyNDY4Ojw-QEJERkhKTE5QUlRWWFpcXmBiZGZoamxucHJ0dnh6="+test.makeTrackedRequest("id-9e61753d64e928af5a7a341a97f420c9"))

	resp := httptest.NewRecorder()
	test.Middleware.ServeHTTP(resp, req)
	assert.Check(t, is.Equal(http.StatusTeapot, resp.Code))
	assert.Check(t, is.Equal("", resp.Header().Get("Location")))
	assert.Check(t, is.Equal("", resp.Header().Get("Set-Cookie")))
}

func TestMiddlewareRejectsInvalidCookie(t *testing.T) {
	test := NewMiddlewareTest(t)

	test.Middleware.OnError = func(w http.ResponseWriter, _ *http.Request, err error) {
		assert.Check(t, is.Error(err, "Authentication failed"))
		http.Error(w, "forbidden", http.StatusTeapot)
	}

	v := &url.Values{}
	v.Set("SAMLResponse", base64.StdEncoding.EncodeToString(test.SamlResponse))
	v.Set("RelayState", "KCosLjAyNDY4Ojw-QEJERkhKTE5QUlRWWFpcXmBiZGZoamxucHJ0dnh6")
	req, _ := http.NewRequest("POST", "/saml2/acs", bytes.NewReader([]byte(v.Encode())))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", ""+
		"saml_KCosLjAyNDY4Ojw-QEJERkhKTE5QUlRWWFpcXmBiZGZoamxucHJ0dnh6="+test.makeTrackedRequest("wrong"))

	resp := httptest.NewRecorder()
	test.Middleware.ServeHTTP(resp, req)
	assert.Check(t, is.Equal(http.StatusTeapot, resp.Code))
	assert.Check(t, is.Equal("", resp.Header().Get("Location")))
	assert.Check(t, is.Equal("", resp.Header().Get("Set-Cookie")))
}

func TestMiddlewareHandlesInvalidResponse(t *testing.T) {
	test := NewMiddlewareTest(t)
	v := &url.Values{}
	v.Set("SAMLResponse", "this is not a valid saml response")
	v.Set("RelayState", "KCosLjAyNDY4Ojw-QEJERkhKTE5QUlRWWFpcXmBiZGZoamxucHJ0dnh6")

	req, _ := http.NewRequest("POST", "/saml2/acs", bytes.NewReader([]byte(v.Encode())))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", ""+
		"saml_KCosLjAyNDY4Ojw-QEJERkhKTE5QUlRWWFpcXmBiZGZoamxucHJ0dnh6="+test.makeTrackedRequest("wrong"))

	resp := httptest.NewRecorder()
	test.Middleware.ServeHTTP(resp, req)

	// note: it is important that when presented with an invalid request,
	// the ACS handles DOES NOT reveal detailed error information in the
	// HTTP response.
	assert.Check(t, is.Equal(http.StatusForbidden, resp.Code))
	respBody, _ := io.ReadAll(resp.Body)
	assert.Check(t, is.Equal("Forbidden\n", string(respBody)))
	assert.Check(t, is.Equal("", resp.Header().Get("Location")))
	assert.Check(t, is.Equal("", resp.Header().Get("Set-Cookie")))
}

// stubSessionProvider is a SessionProvider whose GetSession returns fixed values.
type stubSessionProvider struct {
	CookieSessionProvider
	session Session
	err     error
}

func (s stubSessionProvider) GetSession(_ *http.Request) (Session, error) {
	return s.session, s.err
}

func TestMiddlewareRequireAccountSessionAndError(t *testing.T) {
	test := NewMiddlewareTest(t)
	providerErr := errors.New("session signature invalid")
	test.Middleware.Session = stubSessionProvider{
		session: JWTSessionClaims{},
		err:     providerErr,
	}
	var onErrorErr error
	test.Middleware.OnError = func(w http.ResponseWriter, _ *http.Request, err error) {
		onErrorErr = err
		http.Error(w, http.StatusText(http.StatusForbidden), http.StatusForbidden)
	}
	handler := test.Middleware.RequireAccount(
		http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) {
			panic("not reached")
		}))

	req, _ := http.NewRequest("GET", "/frob", nil)
	resp := httptest.NewRecorder()
	handler.ServeHTTP(resp, req)

	assert.Check(t, is.Equal(http.StatusForbidden, resp.Code))
	assert.Check(t, is.Equal(providerErr, onErrorErr))
}

func TestMiddlewareRequireAccountWrappedErrNoSession(t *testing.T) {
	test := NewMiddlewareTest(t)
	test.Middleware.Session = stubSessionProvider{
		err: fmt.Errorf("custom provider: %w", ErrNoSession),
	}
	test.Middleware.OnError = func(_ http.ResponseWriter, _ *http.Request, err error) {
		t.Fatalf("OnError called unexpectedly: %v", err)
	}
	handler := test.Middleware.RequireAccount(
		http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) {
			panic("not reached")
		}))

	req, _ := http.NewRequest("GET", "/frob", nil)
	resp := httptest.NewRecorder()
	handler.ServeHTTP(resp, req)

	assert.Check(t, is.Equal(http.StatusFound, resp.Code))
	redirectURL, err := url.Parse(resp.Header().Get("Location"))
	assert.Check(t, err)
	_, err = testsaml.ParseRedirectRequest(redirectURL)
	assert.Check(t, err)
}

func TestMiddlewareRequireAccountNilSessionNilError(t *testing.T) {
	test := NewMiddlewareTest(t)
	test.Middleware.Session = stubSessionProvider{}
	var onErrorErr error
	test.Middleware.OnError = func(w http.ResponseWriter, _ *http.Request, err error) {
		onErrorErr = err
		http.Error(w, http.StatusText(http.StatusForbidden), http.StatusForbidden)
	}
	handler := test.Middleware.RequireAccount(
		http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) {
			panic("not reached")
		}))

	req, _ := http.NewRequest("GET", "/frob", nil)
	resp := httptest.NewRecorder()
	handler.ServeHTTP(resp, req)

	assert.Check(t, is.Equal(http.StatusForbidden, resp.Code))
	assert.Check(t, onErrorErr != nil)
}

type mockSigner struct {
	signer crypto.Signer
}

func (m *mockSigner) Public() crypto.PublicKey {
	return m.signer.Public()
}

func (m *mockSigner) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return m.signer.Sign(rand, digest, opts)
}

func newMockRSASigner(t *testing.T) crypto.Signer {
	key := mustParsePrivateKey(golden.Get(t, "key.pem"))
	return &mockSigner{signer: key.(crypto.Signer)}
}

func TestMiddleware_WithCryptoSignerE2E(t *testing.T) {
	origTimeNow := saml.TimeNow
	origClock := saml.Clock
	origRandReader := saml.RandReader
	t.Cleanup(func() {
		saml.TimeNow = origTimeNow
		saml.Clock = origClock
		saml.RandReader = origRandReader
	})

	saml.TimeNow = func() time.Time {
		rv, _ := time.Parse("Mon Jan 2 15:04:05.999999999 MST 2006", "Mon Dec 1 01:57:09.123456789 UTC 2015")
		return rv
	}
	saml.Clock = dsig.NewFakeClockAt(saml.TimeNow())
	saml.RandReader = &testRandomReader{}

	cert := mustParseCertificate(golden.Get(t, "cert.pem"))
	idpMetadata := golden.Get(t, "idp_metadata.xml")

	var metadata saml.EntityDescriptor
	if err := xml.Unmarshal(idpMetadata, &metadata); err != nil {
		panic(err)
	}

	mockSigner := newMockRSASigner(t)

	opts := Options{
		URL:         mustParseURL("https://15661444.ngrok.io/"),
		Key:         mockSigner,
		Certificate: cert,
		IDPMetadata: &metadata,
	}

	middleware, err := New(opts)
	assert.Check(t, err)

	sessionProvider := DefaultSessionProvider(opts)
	sessionProvider.Name = "ttt"
	sessionProvider.MaxAge = 7200 * time.Second

	sessionCodec := sessionProvider.Codec.(JWTSessionCodec)
	sessionCodec.MaxAge = 7200 * time.Second
	sessionProvider.Codec = sessionCodec

	middleware.Session = sessionProvider
	middleware.ServiceProvider.MetadataURL.Path = "/saml2/metadata"
	middleware.ServiceProvider.AcsURL.Path = "/saml2/acs"
	middleware.ServiceProvider.SloURL.Path = "/saml2/slo"

	t.Run("SessionEncodeDecode", func(t *testing.T) {
		var tc JWTSessionClaims
		if err := json.Unmarshal(golden.Get(t, "token.json"), &tc); err != nil {
			t.Fatal(err)
		}

		encoded, err := sessionProvider.Codec.Encode(tc)
		assert.Check(t, err)
		assert.Assert(t, encoded != "")

		decoded, err := sessionProvider.Codec.Decode(encoded)
		assert.Check(t, err)
		decodedClaims := decoded.(JWTSessionClaims)
		assert.Equal(t, tc.Subject, decodedClaims.Subject)
	})

	t.Run("TrackedRequestEncodeDecode", func(t *testing.T) {
		codec := middleware.RequestTracker.(CookieRequestTracker).Codec
		trackedReq := TrackedRequest{
			Index:         "test-index",
			SAMLRequestID: "test-request-id",
			URI:           "/test-uri",
		}

		encoded, err := codec.Encode(trackedReq)
		assert.Check(t, err)
		assert.Assert(t, encoded != "")

		decoded, err := codec.Decode(encoded)
		assert.Check(t, err)
		assert.Equal(t, trackedReq.Index, decoded.Index)
		assert.Equal(t, trackedReq.SAMLRequestID, decoded.SAMLRequestID)
	})

	t.Run("RequireAccountFlow", func(t *testing.T) {
		handler := middleware.RequireAccount(
			http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) {
				panic("not reached")
			}))

		req, _ := http.NewRequest("GET", "/protected", nil)
		resp := httptest.NewRecorder()
		handler.ServeHTTP(resp, req)

		assert.Check(t, is.Equal(http.StatusFound, resp.Code))
		assert.Assert(t, resp.Header().Get("Location") != "")
		assert.Assert(t, resp.Header().Get("Set-Cookie") != "")
	})

	t.Run("Metadata", func(t *testing.T) {
		req, _ := http.NewRequest("GET", "/saml2/metadata", nil)
		resp := httptest.NewRecorder()
		middleware.ServeHTTP(resp, req)

		assert.Check(t, is.Equal(http.StatusOK, resp.Code))
		assert.Check(t, is.Equal("application/samlmetadata+xml",
			resp.Header().Get("Content-type")))
		golden.Assert(t, resp.Body.String(), "expected_middleware_metadata.xml")
	})
}

func TestJWTSessionCodec_CryptoSignerEncodeDecode(t *testing.T) {
	tests := []struct {
		name    string
		method  jwt.SigningMethod
		genKey  func(t *testing.T) crypto.Signer
		subject string
	}{
		{
			name:   "ECDSA-P256",
			method: jwt.SigningMethodES256,
			genKey: func(t *testing.T) crypto.Signer {
				k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				assert.Check(t, err)
				return k
			},
			subject: "test-ecdsa-p256",
		},
		{
			name:   "ECDSA-P384",
			method: jwt.SigningMethodES384,
			genKey: func(t *testing.T) crypto.Signer {
				k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
				assert.Check(t, err)
				return k
			},
			subject: "test-ecdsa-p384",
		},
		{
			name:   "ECDSA-P521",
			method: jwt.SigningMethodES512,
			genKey: func(t *testing.T) crypto.Signer {
				k, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
				assert.Check(t, err)
				return k
			},
			subject: "test-ecdsa-p521",
		},
		{
			name:   "RSA-PSS",
			method: jwt.SigningMethodPS256,
			genKey: func(t *testing.T) crypto.Signer {
				k, err := rsa.GenerateKey(rand.Reader, 2048)
				assert.Check(t, err)
				return k
			},
			subject: "test-rsa-pss",
		},
		{
			name:   "EdDSA",
			method: jwt.SigningMethodEdDSA,
			genKey: func(t *testing.T) crypto.Signer {
				_, k, err := ed25519.GenerateKey(rand.Reader)
				assert.Check(t, err)
				return k
			},
			subject: "test-eddsa",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Now()
			origTimeNow := saml.TimeNow
			t.Cleanup(func() { saml.TimeNow = origTimeNow })
			saml.TimeNow = func() time.Time { return now }

			signer := &mockSigner{signer: tt.genKey(t)}

			audience := "https://example.com/"
			codec := JWTSessionCodec{
				SigningMethod: tt.method,
				Audience:      audience,
				Issuer:        audience,
				MaxAge:        time.Hour,
				Key:           signer,
			}

			tc := JWTSessionClaims{
				RegisteredClaims: jwt.RegisteredClaims{
					Audience:  jwt.ClaimStrings{audience},
					Issuer:    audience,
					Subject:   tt.subject,
					IssuedAt:  jwt.NewNumericDate(now),
					ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
					NotBefore: jwt.NewNumericDate(now),
				},
				SAMLSession: true,
			}

			encoded, err := codec.Encode(tc)
			assert.Check(t, err)
			assert.Assert(t, encoded != "")

			decoded, err := codec.Decode(encoded)
			assert.Check(t, err)
			decodedClaims := decoded.(JWTSessionClaims)
			assert.Equal(t, tt.subject, decodedClaims.Subject)
		})
	}
}

func TestJWTSessionCodec_UnsupportedAlgorithmReturnsError(t *testing.T) {
	now := time.Now()
	origTimeNow := saml.TimeNow
	t.Cleanup(func() { saml.TimeNow = origTimeNow })
	saml.TimeNow = func() time.Time { return now }

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	assert.Check(t, err)

	signer := &mockSigner{signer: rsaKey}

	audience := "https://example.com/"
	codec := JWTSessionCodec{
		SigningMethod: jwt.SigningMethodNone,
		Audience:      audience,
		Issuer:        audience,
		MaxAge:        time.Hour,
		Key:           signer,
	}

	tc := JWTSessionClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Audience:  jwt.ClaimStrings{audience},
			Issuer:    audience,
			Subject:   "test",
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
			NotBefore: jwt.NewNumericDate(now),
		},
		SAMLSession: true,
	}

	_, err = codec.Encode(tc)
	assert.Check(t, is.ErrorContains(err, "unsupported algorithm for crypto.Signer"))
}

func TestIsLocalRedirect(t *testing.T) {
	for _, tc := range []struct {
		uri  string
		want bool
	}{
		{"/", true},
		{"/foo", true},
		{"/foo/bar", true},
		{"/foo?bar=baz", true},
		{"/foo#fragment", true},
		{"/foo?next=//elsewhere", true},
		{"", false},
		{"foo", false},
		{" /foo", false},
		{"//evil.example", false},
		{"//evil.example/path", false},
		{"https://evil.example", false},
		{"http://evil.example", false},
		{"javascript:alert(1)", false},
		{"data:text/html,<script>", false},
		{"mailto:a@evil.example", false},
		{"/\\evil.example", false},
		{"/foo\\bar", false},
		{"/\t/evil.example", false},
		{"/\n/evil.example", false},
		{"/\r/evil.example", false},
		{"/\x00/evil.example", false},
		{"/\x7f/evil.example", false},
		{"/%zz", false},
	} {
		assert.Check(t, is.Equal(tc.want, isLocalRedirect(tc.uri)), "isLocalRedirect(%q)", tc.uri)
	}
}

// With AllowIDPInitiated and no tracked request, the middleware follows
// RelayState only when it is a path on this site.
func TestMiddlewareIDPInitiatedRelayStateRedirect(t *testing.T) {
	for relayState, want := range map[string]string{
		"/landing":              "/landing",
		"https://evil.example/": "/default",
		"//evil.example/":       "/default",
		"/\\evil.example/":      "/default",
		"/\t/evil.example/":     "/default",
		"javascript:alert(1)":   "/default",
	} {
		t.Run(relayState, func(t *testing.T) {
			test := NewMiddlewareTest(t)
			test.Middleware.ServiceProvider.AllowIDPInitiated = true

			form := url.Values{"RelayState": {relayState}}
			req := httptest.NewRequest(http.MethodPost, "/saml2/acs", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			assert.NilError(t, req.ParseForm())

			rec := httptest.NewRecorder()
			test.Middleware.CreateSessionFromAssertion(rec, req, &saml.Assertion{}, "/default")
			assert.Check(t, is.Equal(http.StatusFound, rec.Code))
			assert.Check(t, is.Equal(want, rec.Header().Get("Location")))
		})
	}
}
