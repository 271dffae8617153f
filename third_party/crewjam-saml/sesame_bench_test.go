package saml

import (
	"encoding/xml"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/beevik/etree"

	dsig "github.com/russellhaering/goxmldsig"
)

// Sesame's IdP fixtures (internal/connector/saml/testdata/fixtures), signed
// by xml-crypto at sesameFixtureNow:
//   - google: Response signed, Assertion not (one signature);
//   - okta: Response and Assertion signed (two signatures);
//   - entra: Assertion signed only (one signature).
var sesameFixtureNow = time.Date(2027, 1, 15, 10, 0, 30, 0, time.UTC)

func sesameFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "sesame", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// sesameSP is the ServiceProvider Sesame's connector builds for the fixture
// idp (see internal/connector/saml/saml.go newSP), with a fixed clock.
func sesameSP(tb testing.TB, idp string) *ServiceProvider {
	tb.Helper()
	var md EntityDescriptor
	if err := xml.Unmarshal(sesameFixture(tb, idp+"-metadata.xml"), &md); err != nil {
		tb.Fatal(err)
	}
	base := "https://sesame.test/saml/" + idp
	acs, _ := url.Parse(base + "/acs")
	return &ServiceProvider{
		EntityID:                         base + "/metadata",
		AcsURL:                           *acs,
		IDPMetadata:                      &md,
		AuthnNameIDFormat:                UnspecifiedNameIDFormat,
		AssertionConsumerServiceBindings: []string{HTTPPostBinding},
		RejectSHA1Signatures:             true,
		Clock:                            dsig.NewFakeClockAt(sesameFixtureNow),
	}
}

var sesameBenchCases = []struct{ name, idp string }{
	{"1sig-response", "google"},
	{"2sig", "okta"},
	{"1sig-assertion", "entra"},
}

// BenchmarkSesameParseXMLResponse: ParseXMLResponse of a real-shaped signed
// Response per iteration.
//
// Run: go test -run '^$' -bench SesameParseXMLResponse -benchtime 2000x -benchmem
func BenchmarkSesameParseXMLResponse(b *testing.B) {
	for _, tc := range sesameBenchCases {
		b.Run(tc.name, func(b *testing.B) {
			sp := sesameSP(b, tc.idp)
			raw := sesameFixture(b, tc.idp+"-response.xml")
			reqID := "id-" + tc.idp + "-request-1"
			a, err := sp.ParseXMLResponse(raw, []string{reqID}, sp.AcsURL)
			if err != nil {
				b.Fatalf("%v", err.(*InvalidResponseError).PrivateErr)
			}
			if len(a.AttributeStatements) == 0 {
				b.Fatal("no attributes")
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := processCPU()
			for i := 0; i < b.N; i++ {
				if _, err := sp.ParseXMLResponse(raw, []string{reqID}, sp.AcsURL); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU is the user+system CPU time of the process, in ns: less
// sensitive than wall time to other load on a shared machine (it includes
// GC work on other threads).
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkSesameParts: pieces of the one-signature parse (google).
func BenchmarkSesameParts(b *testing.B) {
	sp := sesameSP(b, "google")
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(sesameFixture(b, "google-response.xml")); err != nil {
		b.Fatal(err)
	}
	sigEl := doc.Root().FindElement("./Signature")
	b.Run("getIDPSigningCerts", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := sp.getIDPSigningCerts(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("checkXMLSignatureNotSHA1", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := checkXMLSignatureNotSHA1(true, sigEl); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("validatedElement", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := sp.validatedElement(doc.Root()); err != nil {
				b.Fatal(err)
			}
		}
	})
	signed, err := sp.validatedElement(doc.Root())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("unmarshalElement-Response", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var r Response
			if err := unmarshalElement(signed, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
