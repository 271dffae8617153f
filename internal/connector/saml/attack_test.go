package saml_test

import (
	dsig "github.com/russellhaering/goxmldsig"

	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"

	"github.com/sesame-sso/sesame/internal/connector"
	saml "github.com/sesame-sso/sesame/internal/connector/saml"
)

const evil = "admin@example.com"

// xswBase returns a genuine response where only the Response (resp=true)
// or only the Assertion (resp=false) carries the IdP's signature.
func xswBase(t *testing.T, p *peer, resp bool) (*etree.Document, []byte) {
	t.Helper()
	doc, k := p.genuine("s")
	if resp {
		removeSignature(assertionOf(doc))
		sign(t, doc.Root(), testKeys(t)[0])
	} else {
		removeSignature(doc.Root())
	}
	// The base itself is accepted (so a refusal below is the attack's).
	if res, err := p.finish(doc.Copy(), "s", k); err != nil || res.Subject != alice {
		t.Fatalf("base refused: %v", err)
	}
	return doc, k
}

func evilAssertion(orig *etree.Element) *etree.Element {
	e := orig.Copy()
	removeSignature(e)
	e.CreateAttr("ID", "_evil")
	setNameID(e, evil)
	return e
}

// The 8 classic XML signature wrapping attacks (Somorovsky et al., "On
// Breaking SAML: Be Whoever You Want to Be", 2012; the SAML Raider
// variants), each built from a genuinely signed response.
func TestXSW(t *testing.T) {
	cases := []struct {
		name string
		resp bool // attack the Response signature (XSW1/2) or the Assertion's
		wrap func(doc *etree.Document)
	}{
		{"XSW1_original_response_inside_the_signature_of_an_evil_copy", true, func(doc *etree.Document) {
			orig := doc.Root()
			ev := orig.Copy()
			ev.CreateAttr("ID", "_evil")
			setNameID(child(ev, "Assertion"), evil)
			sig := child(ev, "Signature")
			o := orig.Copy()
			removeSignature(o)
			sig.AddChild(o)
			doc.SetRoot(ev)
		}},
		{"XSW2_original_response_detached_before_the_signature", true, func(doc *etree.Document) {
			orig := doc.Root()
			ev := orig.Copy()
			ev.CreateAttr("ID", "_evil")
			setNameID(child(ev, "Assertion"), evil)
			sig := child(ev, "Signature")
			o := orig.Copy()
			removeSignature(o)
			ev.InsertChildAt(sig.Index(), o)
			doc.SetRoot(ev)
		}},
		{"XSW3_evil_assertion_before_the_signed_one", false, func(doc *etree.Document) {
			a := assertionOf(doc)
			doc.Root().InsertChildAt(a.Index(), evilAssertion(a))
		}},
		{"XSW4_signed_assertion_inside_the_evil_one", false, func(doc *etree.Document) {
			a := assertionOf(doc)
			ev := evilAssertion(a)
			doc.Root().RemoveChild(a)
			ev.AddChild(a)
			doc.Root().AddChild(ev)
		}},
		{"XSW5_evil_copy_keeps_the_signature_original_appended", false, func(doc *etree.Document) {
			a := assertionOf(doc)
			ev := a.Copy()
			ev.CreateAttr("ID", "_evil")
			setNameID(ev, evil)
			o := a.Copy()
			removeSignature(o)
			doc.Root().RemoveChild(a)
			doc.Root().AddChild(ev)
			doc.Root().AddChild(o)
		}},
		{"XSW6_original_inside_the_signature_of_the_evil_copy", false, func(doc *etree.Document) {
			a := assertionOf(doc)
			ev := a.Copy()
			ev.CreateAttr("ID", "_evil")
			setNameID(ev, evil)
			o := a.Copy()
			removeSignature(o)
			child(ev, "Signature").AddChild(o)
			doc.Root().RemoveChild(a)
			doc.Root().AddChild(ev)
		}},
		{"XSW7_evil_assertion_in_Extensions", false, func(doc *etree.Document) {
			a := assertionOf(doc)
			ext := etree.NewElement("samlp:Extensions")
			ext.AddChild(evilAssertion(a))
			// The evil one also keeps the original's ID, as in SAML Raider.
			child(ext, "Assertion").CreateAttr("ID", a.SelectAttrValue("ID", ""))
			doc.Root().InsertChildAt(child(doc.Root(), "Issuer").Index()+1, ext)
			doc.Root().RemoveChild(a)
			doc.Root().AddChild(a)
		}},
		{"XSW8_original_in_an_Object_inside_the_evil_copy's_signature", false, func(doc *etree.Document) {
			a := assertionOf(doc)
			ev := a.Copy()
			setNameID(ev, evil) // same ID as the original
			o := a.Copy()
			removeSignature(o)
			obj := etree.NewElement("ds:Object")
			obj.AddChild(o)
			child(ev, "Signature").AddChild(obj)
			doc.Root().RemoveChild(a)
			doc.Root().AddChild(ev)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newPeer(t, nil)
			doc, k := xswBase(t, p, tc.resp)
			tc.wrap(doc)
			res, err := p.finish(doc, "s", k)
			if err == nil && res.Subject == evil {
				t.Fatalf("XSW succeeded: logged in as %q", res.Subject)
			}
			wantRefused(t, res, err)
		})
	}
}

func TestAssertionAttacks(t *testing.T) {
	ks := testKeys(t)
	t.Run("unsigned_evil_assertion_added_to_a_signed_response", func(t *testing.T) {
		p := newPeer(t, nil)
		doc, k := p.genuine("s")
		doc.Root().AddChild(evilAssertion(assertionOf(doc)))
		res, err := p.finish(doc, "s", k)
		wantRefused(t, res, err)
	})
	t.Run("signed_assertion_replaced_by_an_unsigned_one_in_a_signed_response", func(t *testing.T) {
		p := newPeer(t, nil)
		doc, k := p.genuine("s")
		a := assertionOf(doc)
		ev := evilAssertion(a)
		ev.CreateAttr("ID", a.SelectAttrValue("ID", ""))
		doc.Root().RemoveChild(a)
		doc.Root().AddChild(ev)
		_, err := p.finish(doc, "s", k)
		wantReason(t, err, connector.ReasonSignature)
	})
	t.Run("unsigned_assertion_in_a_response_signed_by_nobody", func(t *testing.T) {
		p := newPeer(t, nil)
		doc, k := p.genuine("s")
		removeSignature(doc.Root())
		a := assertionOf(doc)
		removeSignature(a)
		setNameID(a, evil)
		_, err := p.finish(doc, "s", k)
		wantReason(t, err, connector.ReasonSignature)
	})
	t.Run("assertion_signed_by_another_key", func(t *testing.T) {
		p := newPeer(t, nil)
		doc, k := p.genuine("s")
		removeSignature(doc.Root())
		a := assertionOf(doc)
		setNameID(a, evil)
		sign(t, a, ks[3]) // KeyInfo carries the attacker's certificate
		_, err := p.finish(doc, "s", k)
		wantReason(t, err, connector.ReasonSignature)
	})
	t.Run("signed_with_sha1", func(t *testing.T) {
		// The IdP's own key, but RSA-SHA1: refused (ASVS V6.2).
		p := newPeer(t, nil)
		p.idp.SignatureMethod = dsig.RSASHA1SignatureMethod
		res := p.spInitiated("s")
		if res.Err == "" || res.Reason != connector.ReasonSignature {
			t.Fatalf("SHA-1 signed response: reason %q err %q, want refused as signature", res.Reason, res.Err)
		}
	})
	t.Run("response_signed_by_another_key", func(t *testing.T) {
		p := newPeer(t, nil)
		doc, k := p.genuine("s")
		a := assertionOf(doc)
		removeSignature(a)
		setNameID(a, evil)
		sign(t, doc.Root(), ks[3])
		_, err := p.finish(doc, "s", k)
		wantReason(t, err, connector.ReasonSignature)
	})
	t.Run("signature_over_a_different_element", func(t *testing.T) {
		// A genuine IdP signature over the Issuer element (given an ID),
		// moved into an unsigned evil assertion.
		p := newPeer(t, nil)
		doc, k := p.genuine("s")
		removeSignature(doc.Root())
		a := assertionOf(doc)
		removeSignature(a)
		setNameID(a, evil)
		other := etree.NewElement("saml:Issuer")
		other.CreateAttr("xmlns:saml", nsSAML)
		other.CreateAttr("ID", "_other")
		other.SetText(p.idp.MetadataURL.String())
		holder := etree.NewElement("saml:Advice")
		holder.CreateAttr("xmlns:saml", nsSAML)
		holder.AddChild(etree.NewElement("saml:Issuer"))
		holder.AddChild(other)
		sign(t, other, ks[0]) // other has no Issuer child: sign appends
		sig := child(other, "Signature")
		other.RemoveChild(sig)
		a.InsertChildAt(child(a, "Issuer").Index()+1, sig)
		a.AddChild(other)
		_, err := p.finish(doc, "s", k)
		wantReason(t, err, connector.ReasonSignature)
	})
	t.Run("comment_inside_NameID", func(t *testing.T) {
		// user@evil.com<!---->.example.com, signed by the IdP: exclusive
		// c14n drops the comment, so the signature covers
		// "user@evil.com.example.com"; the subject must be that whole
		// value (or the response refused), never "user@evil.com".
		p := newPeer(t, nil)
		doc, k := p.genuine("s")
		removeSignature(doc.Root())
		a := assertionOf(doc)
		n := child(child(a, "Subject"), "NameID")
		n.SetText("user@evil.com")
		n.CreateComment("")
		n.CreateText(".example.com")
		sign(t, a, ks[0])
		res, err := p.finish(doc, "s", k)
		if err == nil && res.Subject != "user@evil.com.example.com" {
			t.Fatalf("NameID read as %q", res.Subject)
		}
		if err != nil {
			t.Logf("refused: %v", err)
		} else {
			t.Logf("accepted as %q", res.Subject)
		}
	})
}

// sentinel: the pre-check error expected for a TestMalformed row.
var sentinel = map[string]error{
	"DOCTYPE":                saml.ErrDirective,
	"entity_expansion":       saml.ErrDirective,
	"external_entity":        saml.ErrDirective,
	"processing_instruction": saml.ErrProcInst,
	"deep_nesting":           saml.ErrTooDeep,
}

func TestMalformed(t *testing.T) {
	p := newPeer(t, nil)
	doc, k := p.genuine("s")
	good, _ := doc.WriteToBytes()
	body := strings.SplitN(string(good), "?>", 2)
	xmlDecl, rest := "", string(good)
	if len(body) == 2 {
		xmlDecl, rest = body[0]+"?>", body[1]
	}
	for name, raw := range map[string]string{
		"DOCTYPE":                xmlDecl + `<!DOCTYPE samlp:Response>` + rest,
		"entity_expansion":       xmlDecl + `<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>` + strings.Replace(rest, alice, "&c;", 1),
		"external_entity":        xmlDecl + `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>` + strings.Replace(rest, alice, "&x;", 1),
		"undeclared_entity":      strings.Replace(string(good), alice, "&x;", 1),
		"processing_instruction": strings.Replace(string(good), rest, `<?evil x?>`+rest, 1),
		"not_well_formed":        string(good[:len(good)/2]),
		"deep_nesting":           strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := p.finishRaw(base64.StdEncoding.EncodeToString([]byte(raw)), "s", k)
			wantReason(t, err, saml.ReasonMalformed)
			if want := sentinel[name]; want != nil && !errors.Is(err, want) {
				t.Fatalf("refused, but not by the pre-check (%v): %v", want, err)
			}
		})
	}
	goodB64 := base64.StdEncoding.EncodeToString(good)
	_ = goodB64
	for name, v := range map[string]string{
		"not_base64":                  "%%%not base64%%%",
		"non_canonical_padding":       "QQ=",
		"non_canonical_trailing_bits": "QR==",
		"url_alphabet":                strings.NewReplacer("+", "-", "/", "_").Replace(goodB64) + "-_",
		"empty":                       "",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := p.finishRaw(v, "s", k)
			wantReason(t, err, saml.ReasonMalformed)
		})
	}
	t.Run("non_canonical_trailing_bits_of_a_valid_response", func(t *testing.T) {
		// A lenient decoder reads the same bytes; strict RFC 4648 §3.5
		// decoding refuses the non-zero pad bits.
		padded := append([]byte{}, good...)
		for len(padded)%3 != 1 {
			padded = append(padded, '\n')
		}
		enc := base64.StdEncoding.EncodeToString(padded) // ends in "X=="; X has 4 zero pad bits
		i := len(enc) - 3
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		enc = enc[:i] + string(alphabet[strings.IndexByte(alphabet, enc[i])|1]) + "=="
		if dec, err := base64.StdEncoding.DecodeString(enc); err != nil || string(dec) != string(padded) {
			t.Fatalf("lenient decoding differs: %v", err)
		}
		// The padded original itself is accepted.
		if _, err := p.finishRaw(base64.StdEncoding.EncodeToString(padded), "s", k); err != nil {
			t.Fatal(err)
		}
		_, err := p.finishRaw(enc, "s", k)
		wantReason(t, err, saml.ReasonMalformed)
	})
	t.Run("line_breaks_tolerated", func(t *testing.T) {
		var b strings.Builder
		for i := 0; i < len(goodB64); i += 76 {
			b.WriteString(goodB64[i:min(i+76, len(goodB64))] + "\r\n")
		}
		if _, err := p.finishRaw(b.String(), "s", k); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("oversized", func(t *testing.T) {
		big := goodB64 + strings.Repeat("A", saml.DefaultMaxResponseBytes)
		_, err := p.finishRaw(big, "s", k)
		wantReason(t, err, saml.ReasonMalformed)
		if !strings.Contains(err.Error(), "larger than") {
			t.Fatal(err)
		}
	})
	t.Run("oversized_body_with_a_valid_response", func(t *testing.T) {
		r := httptestPost(p.cfg.ACSURL, "RelayState=s&SAMLResponse="+url.QueryEscape(goodB64)+"&pad="+strings.Repeat("A", saml.DefaultMaxResponseBytes))
		_, err := p.conn.FinishSAML(context.Background(), r, k)
		if !errors.Is(err, saml.ErrTooLarge) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("oversized_after_the_caller_parsed_the_form", func(t *testing.T) {
		r := httptestPost(p.cfg.ACSURL, "RelayState=s&SAMLResponse="+goodB64+strings.Repeat("A", saml.DefaultMaxResponseBytes))
		if err := r.ParseForm(); err != nil {
			t.Fatal(err)
		}
		_, err := p.conn.FinishSAML(context.Background(), r, k)
		if !errors.Is(err, saml.ErrTooLarge) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("artifact_binding_refused", func(t *testing.T) {
		// With a valid SAMLResponse next to it: the artifact is refused,
		// never resolved, never ignored.
		r := httptestPost(p.cfg.ACSURL, "SAMLart=AAQAAA&RelayState=s&SAMLResponse="+url.QueryEscape(goodB64))
		_, err := p.conn.FinishSAML(context.Background(), r, k)
		wantReason(t, err, saml.ReasonMalformed)
	})
	t.Run("GET_refused", func(t *testing.T) {
		r := httptestGet(p.cfg.ACSURL + "?SAMLResponse=" + goodB64)
		_, err := p.conn.FinishSAML(context.Background(), r, k)
		wantReason(t, err, saml.ReasonMalformed)
	})
}

// TestValidation: conditions on a genuinely signed assertion (the IdP's
// AssertionMaker is adjusted before it signs).
func TestValidation(t *testing.T) {
	shift := func(d time.Duration) func(a *crewjam.Assertion) {
		return func(a *crewjam.Assertion) {
			a.Conditions.NotOnOrAfter = time.Now().Add(d)
			for i := range a.Subject.SubjectConfirmations {
				a.Subject.SubjectConfirmations[i].SubjectConfirmationData.NotOnOrAfter = time.Now().Add(d)
			}
		}
	}
	cases := []struct {
		name   string
		skew   time.Duration
		adjust func(a *crewjam.Assertion)
		want   connector.Reason // "" = accepted
	}{
		{"expired", 0, shift(-10 * time.Minute), connector.ReasonExpired},
		{"expired_30s_skew_10s", 10 * time.Second, shift(-30 * time.Second), connector.ReasonExpired},
		{"expired_30s_within_skew_2m", 2 * time.Minute, shift(-30 * time.Second), ""},
		{"not_yet_valid", 0, func(a *crewjam.Assertion) { a.Conditions.NotBefore = time.Now().Add(10 * time.Minute) }, connector.ReasonNotYetValid},
		{"not_yet_valid_1m_skew_10s", 10 * time.Second, func(a *crewjam.Assertion) { a.Conditions.NotBefore = time.Now().Add(time.Minute) }, connector.ReasonNotYetValid},
		{"not_yet_valid_1m_within_skew_2m", 2 * time.Minute, func(a *crewjam.Assertion) { a.Conditions.NotBefore = time.Now().Add(time.Minute) }, ""},
		{"wrong_audience", 0, func(a *crewjam.Assertion) {
			a.Conditions.AudienceRestrictions = []crewjam.AudienceRestriction{{Audience: crewjam.Audience{Value: "https://other-sp.example/"}}}
		}, connector.ReasonAudience},
		{"wrong_recipient", 0, func(a *crewjam.Assertion) {
			a.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient = "https://other-sp.example/acs"
		}, ReasonDestinationOrToken},
		{"transient_NameID", 0, func(a *crewjam.Assertion) { a.Subject.NameID.Format = saml.NameIDTransient }, saml.ReasonNameIDFormat},
		{"persistent_NameID", 0, func(a *crewjam.Assertion) { a.Subject.NameID.Format = saml.NameIDPersistent }, ""},
		{"unspecified_NameID", 0, func(a *crewjam.Assertion) { a.Subject.NameID.Format = saml.NameIDUnspecified }, ""},
		{"no_format_NameID", 0, func(a *crewjam.Assertion) { a.Subject.NameID.Format = "" }, ""},
		{"kerberos_NameID", 0, func(a *crewjam.Assertion) {
			a.Subject.NameID.Format = "urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos"
		}, saml.ReasonNameIDFormat},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newPeer(t, func(c *saml.Config) { c.ClockSkew = tc.skew })
			p.adjust = tc.adjust
			out := p.spInitiated("s")
			switch {
			case tc.want == "" && out.Err != "":
				t.Fatalf("refused: %s", out.Err)
			case tc.want == ReasonDestinationOrToken && out.Reason != saml.ReasonDestination && out.Err == "":
				t.Fatal("accepted")
			case tc.want != "" && tc.want != ReasonDestinationOrToken && out.Reason != tc.want:
				t.Fatalf("reason %q want %q: %s", out.Reason, tc.want, out.Err)
			}
			if tc.want == saml.ReasonNameIDFormat && strings.Contains(tc.name, "transient") && !strings.Contains(out.Err, "transient NameID, which changes at every login") {
				t.Fatalf("message does not say why: %s", out.Err)
			}
		})
	}
}

// ReasonDestinationOrToken: crewjam reports a wrong Recipient as a
// destination mismatch.
const ReasonDestinationOrToken = saml.ReasonDestination

func TestFlowBinding(t *testing.T) {
	t.Run("wrong_InResponseTo", func(t *testing.T) {
		p := newPeer(t, nil)
		_, k1, _ := p.conn.Begin(context.Background(), "s", "")
		doc, _ := p.genuine("s") // answers a second AuthnRequest
		_, err := p.finish(doc, "s", k1)
		wantReason(t, err, saml.ReasonInResponseTo)
	})
	t.Run("RelayState_of_another_flow", func(t *testing.T) {
		p := newPeer(t, nil)
		doc, k := p.genuine("s")
		_, err := p.finish(doc, "other", k)
		wantReason(t, err, connector.ReasonState)
	})
	t.Run("kept_of_another_connection", func(t *testing.T) {
		p := newPeer(t, nil)
		doc, k := p.genuine("s")
		var v map[string]string
		_ = json.Unmarshal(k, &v)
		v["sp"] = "https://sesame.test/saml/c2/metadata"
		k2, _ := json.Marshal(v)
		_, err := p.finish(doc, "s", k2)
		wantReason(t, err, connector.ReasonMixUp)
	})
	t.Run("wrong_Destination", func(t *testing.T) {
		p := newPeer(t, nil)
		doc, k := p.genuine("s")
		doc.Root().CreateAttr("Destination", "https://other-sp.example/acs")
		removeSignature(assertionOf(doc))
		sign(t, assertionOf(doc), testKeys(t)[0])
		sign(t, doc.Root(), testKeys(t)[0]) // genuinely signed by the IdP
		_, err := p.finish(doc, "s", k)
		wantReason(t, err, saml.ReasonDestination)
	})
	t.Run("response_for_another_connection", func(t *testing.T) {
		// Same IdP, connection c2 (another entity id and ACS): its genuine
		// response posted to c1's ACS.
		p := newPeer(t, func(c *saml.Config) { c.AllowIdPInitiated = true })
		c2cfg := p.cfg
		c2cfg.EntityID = "https://sesame.test/saml/c2/metadata"
		c2cfg.ACSURL = strings.Replace(p.cfg.ACSURL, "/c1/", "/c2/", 1)
		c2, err := saml.New(c2cfg, saml.Options{})
		if err != nil {
			t.Fatal(err)
		}
		p.spMeta, _ = c2.Metadata(context.Background())
		req, _ := p.idp.NewIdpInitiatedRequest(httptestGet(p.idpSrv.URL), c2cfg.EntityID, "")
		s := p.session
		if err := (crewjam.DefaultAssertionMaker{}).MakeAssertion(req, &s); err != nil {
			t.Fatal(err)
		}
		if err := req.MakeResponse(); err != nil {
			t.Fatal(err)
		}
		d := etree.NewDocument()
		d.SetRoot(req.ResponseEl)
		_, err = p.finish(d, "", nil)
		wantRefused(t, saml.Result{}, err)
		if r := connector.ReasonOf(err); r != saml.ReasonDestination && r != connector.ReasonAudience {
			t.Fatalf("reason %q: %v", r, err)
		}
	})
	t.Run("replay", func(t *testing.T) {
		seen := map[string]time.Time{}
		p := newPeer(t, nil)
		p.opt.Replay = func(_ context.Context, id string, until time.Time) error {
			if _, ok := seen[id]; ok {
				return saml.ErrReplay
			}
			seen[id] = until
			return nil
		}
		p.reopen()
		doc, k := p.genuine("s")
		if _, err := p.finish(doc.Copy(), "s", k); err != nil {
			t.Fatal(err)
		}
		_, err := p.finish(doc, "s", k)
		wantReason(t, err, saml.ReasonReplay)
	})
}
