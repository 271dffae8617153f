package saml_test

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/sesame-sso/sesame/internal/connector"
	"github.com/sesame-sso/sesame/internal/connector/saml"
)

// sloPeer is a connector whose IdP metadata lists these
// SingleLogoutServices.
func sloPeer(t *testing.T, slo ...crewjam.Endpoint) *saml.Connector {
	t.Helper()
	p := newPeer(t, nil)
	md := p.idp.Metadata()
	md.IDPSSODescriptors[0].SingleLogoutServices = slo
	b, err := xmlMarshal(md)
	if err != nil {
		t.Fatal(err)
	}
	p.cfg.IdPMetadata = b
	p.reopen()
	return p.conn
}

// postedXML reads the HTTP-POST binding message field of act and checks
// its enveloped signature against cert (goxmldsig, as an IdP does).
func postedXML(t *testing.T, act connector.Action, field string, cert *x509.Certificate) *etree.Element {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(act.PostForm.Get(field))
	if err != nil {
		t.Fatalf("%s: %v", field, err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		t.Fatal(err)
	}
	vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}})
	signed, err := vc.Validate(doc.Root())
	if err != nil {
		t.Fatalf("%s signature: %v\n%s", field, err, raw)
	}
	return signed
}

// redirectXML inflates the HTTP-Redirect binding message param of u.
func redirectXML(t *testing.T, u, param string) *etree.Element {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	if pu.Query().Get("Signature") == "" || pu.Query().Get("SigAlg") != dsig.RSASHA256SignatureMethod {
		t.Fatalf("unsigned redirect: %s", u)
	}
	raw, err := base64.StdEncoding.DecodeString(pu.Query().Get(param))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(flate.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(b); err != nil {
		t.Fatal(err)
	}
	return doc.Root()
}

// where says where act sends the browser (not the message itself).
func where(act connector.Action) string {
	return fmt.Sprintf("redirect %.80q, post %q (RelayState %q)", act.RedirectURL, act.PostURL, act.PostForm.Get("RelayState"))
}

// TestSingleLogoutBindings (R-SAML-9): Sesame's LogoutRequest goes over
// HTTP-Redirect when the IdP offers it, else as a signed HTTP-POST form;
// its LogoutResponse goes by the binding the IdP's request came by when
// the IdP offers it, else by the other, to ResponseLocation when the
// metadata gives one (saml-metadata §2.2.2); with no SingleLogoutService
// there is nothing to send.
func TestSingleLogoutBindings(t *testing.T) {
	ctx := context.Background()
	spCert, attacker := testKeys(t)[1].Cert, testKeys(t)[3].Cert
	const (
		redir = "https://idp.example/slo/redirect"
		post  = "https://idp.example/slo/post"
		back  = "https://idp.example/slo/answers"
		fmtP  = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	)
	data := []byte(`{"name_id":"alice-7","name_id_format":"` + fmtP + `","session_index":"idx-1"}`)
	R := crewjam.Endpoint{Binding: crewjam.HTTPRedirectBinding, Location: redir}
	P := crewjam.Endpoint{Binding: crewjam.HTTPPostBinding, Location: post}
	viaRedirect := saml.LogoutRequest{ID: "id-from-idp", RelayState: "idp-relay", Binding: crewjam.HTTPRedirectBinding}
	viaPost := viaRedirect
	viaPost.Binding = crewjam.HTTPPostBinding

	t.Run("redirect offered: request by redirect", func(t *testing.T) {
		c := sloPeer(t, P, R)
		act, err := c.Logout(ctx, data, "")
		if err != nil || act.PostURL != "" || !strings.HasPrefix(act.RedirectURL, redir+"?") {
			t.Fatalf("%s %v", where(act), err)
		}
		if el := redirectXML(t, act.RedirectURL, "SAMLRequest"); el.SelectAttrValue("Destination", "") != redir {
			t.Fatalf("Destination %q", el.SelectAttrValue("Destination", ""))
		}
	})

	t.Run("post only: signed form", func(t *testing.T) {
		c := sloPeer(t, P)
		act, err := c.Logout(ctx, data, "")
		if err != nil || act.RedirectURL != "" || act.PostURL != post {
			t.Fatalf("%s %v", where(act), err)
		}
		req := postedXML(t, act, "SAMLRequest", spCert)
		if req.Tag != "LogoutRequest" || req.SelectAttrValue("Destination", "") != post || act.PostForm.Get("RelayState") != req.SelectAttrValue("ID", "-") {
			t.Fatalf("request %s %q, RelayState %q", req.Tag, req.SelectAttrValue("Destination", ""), act.PostForm.Get("RelayState"))
		}
		// The NameID with its format and the SessionIndex are under the
		// signature (a format set after signing would break it).
		var nameID, format, index string
		for _, ch := range req.ChildElements() {
			switch ch.Tag {
			case "NameID":
				nameID, format = ch.Text(), ch.SelectAttrValue("Format", "")
			case "SessionIndex":
				index = ch.Text()
			}
		}
		if nameID != "alice-7" || format != fmtP || index != "idx-1" {
			t.Fatalf("NameID %q %q, SessionIndex %q", nameID, format, index)
		}
		// Another key's certificate does not verify it.
		raw, _ := base64.StdEncoding.DecodeString(act.PostForm.Get("SAMLRequest"))
		doc := etree.NewDocument()
		_ = doc.ReadFromBytes(raw)
		if _, err := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{attacker}}).Validate(doc.Root()); err == nil {
			t.Fatal("verified with another certificate")
		}
	})

	t.Run("response by the request's binding when offered", func(t *testing.T) {
		c := sloPeer(t, R, P)
		act, err := c.LogoutResponse(viaPost)
		if err != nil || act.PostURL != post || act.PostForm.Get("RelayState") != "idp-relay" {
			t.Fatalf("%s %v", where(act), err)
		}
		resp := postedXML(t, act, "SAMLResponse", spCert)
		if resp.Tag != "LogoutResponse" || resp.SelectAttrValue("InResponseTo", "") != "id-from-idp" || resp.SelectAttrValue("Destination", "") != post {
			t.Fatalf("%s InResponseTo %q Destination %q", resp.Tag, resp.SelectAttrValue("InResponseTo", ""), resp.SelectAttrValue("Destination", ""))
		}
		act, err = c.LogoutResponse(viaRedirect)
		if err != nil || !strings.HasPrefix(act.RedirectURL, redir+"?") {
			t.Fatalf("%s %v", where(act), err)
		}
		if u, _ := url.Parse(act.RedirectURL); u.Query().Get("RelayState") != "idp-relay" {
			t.Fatalf("RelayState lost: %s", act.RedirectURL)
		}
	})

	t.Run("response by the other binding when not", func(t *testing.T) {
		act, err := sloPeer(t, P).LogoutResponse(viaRedirect)
		if err != nil || act.RedirectURL != "" || act.PostURL != post {
			t.Fatalf("post only: %s %v", where(act), err)
		}
		act, err = sloPeer(t, R).LogoutResponse(viaPost)
		if err != nil || act.PostURL != "" || !strings.HasPrefix(act.RedirectURL, redir+"?") {
			t.Fatalf("redirect only: %s %v", where(act), err)
		}
	})

	t.Run("ResponseLocation", func(t *testing.T) {
		pr, rr := P, R
		pr.ResponseLocation, rr.ResponseLocation = back, back+"/r"
		c := sloPeer(t, pr, rr)
		act, err := c.LogoutResponse(viaPost)
		if err != nil || act.PostURL != back {
			t.Fatalf("post: %s %v", where(act), err)
		}
		if d := postedXML(t, act, "SAMLResponse", spCert).SelectAttrValue("Destination", ""); d != back {
			t.Fatalf("Destination %q", d)
		}
		act, err = c.LogoutResponse(viaRedirect)
		if err != nil || !strings.HasPrefix(act.RedirectURL, back+"/r?") {
			t.Fatalf("redirect: %s %v", where(act), err)
		}
		if d := redirectXML(t, act.RedirectURL, "SAMLResponse").SelectAttrValue("Destination", ""); d != back+"/r" {
			t.Fatalf("Destination %q", d)
		}
		// Requests still go to Location.
		if act, err := c.Logout(ctx, data, ""); err != nil || !strings.HasPrefix(act.RedirectURL, redir+"?") {
			t.Fatalf("request: %s %v", where(act), err)
		}
	})

	t.Run("no SingleLogoutService", func(t *testing.T) {
		c := sloPeer(t, crewjam.Endpoint{Binding: crewjam.SOAPBinding, Location: "https://idp.example/soap"})
		if act, err := c.Logout(ctx, data, ""); err != nil || !act.IsZero() {
			t.Fatalf("request: %s %v", where(act), err)
		}
		if act, err := c.LogoutResponse(viaPost); err != nil || !act.IsZero() {
			t.Fatalf("response: %s %v", where(act), err)
		}
	})
}
