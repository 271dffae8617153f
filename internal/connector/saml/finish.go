package saml

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/sesame-sso/sesame/internal/connector"
)

// XML bounds of the pre-check: a real Response nests ~10 deep
// (Response/EncryptedAssertion/EncryptedData/KeyInfo/EncryptedKey/…).
const (
	maxXMLDepth    = 32
	maxXMLElements = 5000
)

// Result is Finish's answer with what the caller needs beyond the Identity.
type Result struct {
	connector.Identity
	// NameIDFormat as sent (empty = unspecified).
	NameIDFormat string
	// AssertionID and NotOnOrAfter: the replay cache key and how long to
	// keep it (the latest instant, skew included, at which this connector
	// would still accept the assertion). Record (connection, AssertionID)
	// until NotOnOrAfter; refuse when already there (R-SAML-3).
	AssertionID  string
	NotOnOrAfter time.Time
	// SessionIndex of the AuthnStatement (for SLO, R-SAML-9).
	SessionIndex string
	// IdPInitiated is true for an unsolicited response.
	IdPInitiated bool
	// RelayState as posted (IdP-initiated: an untrusted value — never use
	// it as a redirect target without an allow-list).
	RelayState string
}

// sessionData is Identity.Data: what SLO needs later (R-SAML-9).
type sessionData struct {
	NameID       string `json:"name_id"`
	NameIDFormat string `json:"name_id_format,omitempty"`
	SessionIndex string `json:"session_index,omitempty"`
}

// Finish implements connector.Connector (see FinishSAML).
func (c *Connector) Finish(ctx context.Context, r *http.Request, k []byte) (connector.Identity, error) {
	res, err := c.FinishSAML(ctx, r, k)
	if err != nil {
		return connector.Identity{}, err
	}
	return res.Identity, nil
}

func fail(reason connector.Reason, err error, detail string) error {
	return connector.Errorf(reason, err, detail)
}

// FinishSAML verifies the POSTed SAMLResponse at the ACS (R-SAML-3,
// R-SAML-4). kept is Begin's value for SP-initiated logins, nil for an
// IdP-initiated one (refused unless Config.AllowIdPInitiated).
func (c *Connector) FinishSAML(ctx context.Context, r *http.Request, k []byte) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	var want *kept
	if k != nil {
		want = new(kept)
		if err := json.Unmarshal(k, want); err != nil || want.RequestID == "" {
			return Result{}, fail(connector.ReasonState, err, "kept value unreadable")
		}
		if want.EntityID != c.cfg.EntityID {
			return Result{}, fail(connector.ReasonMixUp, nil, "the flow was started for another SAML connection")
		}
	} else if c.idpStarted == nil {
		return Result{}, fail(ReasonUnsolicited, nil, "IdP-initiated login is not allowed on this connection")
	}

	raw, relayState, err := c.readForm(r)
	if err != nil {
		return Result{}, err
	}
	if want != nil && relayState != want.State {
		return Result{}, fail(connector.ReasonState, nil, "RelayState is not this flow's state")
	}
	if err := precheckResponse(raw, maxXMLDepth, maxXMLElements); err != nil {
		return Result{}, fail(ReasonMalformed, err, "SAMLResponse XML refused")
	}

	now := c.opt.Now()
	var ids []string
	var sp *crewjam.ServiceProvider
	if want != nil {
		ids = []string{want.RequestID}
		sp = c.at(c.solicited, now)
	} else {
		sp = c.at(c.idpStarted, now) // non-nil: checked above
	}
	// The ACS the response was posted to: the alias when its path is the
	// request's (Destination and Recipient must name it).
	acs := c.acs
	if c.alias != nil && r.URL.Path == c.alias.Path {
		acs = *c.alias
		sp.AcsURL = acs // crewjam checks Recipient against it (sp is a copy)
	}
	a, err := sp.ParseXMLResponse(raw, ids, acs)
	if err != nil {
		return Result{}, classify(err)
	}
	if want == nil && inResponseTo(a) != "" {
		// An unsolicited response names no request (SAML profiles
		// §4.1.5); one that does answers a request of another flow.
		return Result{}, fail(ReasonInResponseTo, nil, "unsolicited response carries InResponseTo")
	}
	res, err := c.check(a, now)
	if err != nil {
		return Result{}, err
	}
	res.IdPInitiated = want == nil
	res.RelayState = relayState
	if c.opt.Replay != nil {
		if err := c.opt.Replay(ctx, res.AssertionID, res.NotOnOrAfter); err != nil {
			if errors.Is(err, ErrReplay) {
				return Result{}, fail(ReasonReplay, err, "assertion already used")
			}
			return Result{}, fmt.Errorf("saml: replay cache: %w", err)
		}
	}
	return res, nil
}

func inResponseTo(a *crewjam.Assertion) string {
	if a.Subject == nil {
		return ""
	}
	for _, sc := range a.Subject.SubjectConfirmations {
		if sc.SubjectConfirmationData != nil && sc.SubjectConfirmationData.InResponseTo != "" {
			return sc.SubjectConfirmationData.InResponseTo
		}
	}
	return ""
}

// readForm reads the POST body within the limit and returns the decoded
// SAMLResponse and the RelayState.
func (c *Connector) readForm(r *http.Request) ([]byte, string, error) {
	if r.Method != http.MethodPost {
		return nil, "", fail(ReasonMalformed, nil, "the ACS takes POST only")
	}
	if err := c.parseForm(r); err != nil {
		return nil, "", err
	}
	f := r.PostForm
	for _, p := range []string{"SAMLart", "SigAlg", "Signature", "SAMLRequest"} {
		if _, ok := r.Form[p]; ok {
			return nil, "", fail(ReasonMalformed, nil, "parameter "+p+" not supported at the ACS (HTTP-POST binding only)")
		}
	}
	if len(f["SAMLResponse"]) != 1 || len(f["RelayState"]) > 1 {
		return nil, "", fail(ReasonMalformed, nil, "exactly one SAMLResponse and at most one RelayState expected")
	}
	// Also when the caller parsed the form itself (without our limit).
	if int64(len(f.Get("SAMLResponse"))) > c.cfg.MaxResponseBytes {
		return nil, "", fail(ReasonMalformed, ErrTooLarge, fmt.Sprintf("SAMLResponse larger than %d bytes", c.cfg.MaxResponseBytes))
	}
	raw, err := decodeBase64(f.Get("SAMLResponse"))
	if err != nil {
		return nil, "", fail(ReasonMalformed, err, "SAMLResponse refused")
	}
	return raw, f.Get("RelayState"), nil
}

// parseForm parses the POST form once, within Config.MaxResponseBytes.
func (c *Connector) parseForm(r *http.Request) error {
	if r.PostForm != nil {
		return nil
	}
	if r.Body == nil {
		return fail(ReasonMalformed, nil, "empty body")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, c.cfg.MaxResponseBytes)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fail(ReasonMalformed, ErrTooLarge, fmt.Sprintf("body larger than %d bytes", c.cfg.MaxResponseBytes))
		}
		return fail(ReasonMalformed, err, "form unreadable")
	}
	return nil
}

// RelayState reads the POSTed RelayState at the ACS (within the body
// limit) so the caller can find its Flow before calling FinishSAML with
// the Flow's kept value. It never trusts it: FinishSAML compares it with
// kept again.
func (c *Connector) RelayState(r *http.Request) (string, error) {
	if r.Method != http.MethodPost {
		return "", fail(ReasonMalformed, nil, "the ACS takes POST only")
	}
	if err := c.parseForm(r); err != nil {
		return "", err
	}
	return r.PostForm.Get("RelayState"), nil
}

// check applies the per-connection rules crewjam does not know.
func (c *Connector) check(a *crewjam.Assertion, now time.Time) (Result, error) {
	skew := c.cfg.ClockSkew
	if a.Subject == nil || a.Subject.NameID == nil {
		return Result{}, fail(connector.ReasonSubject, nil, "assertion has no NameID")
	}
	if a.Conditions == nil {
		return Result{}, fail(connector.ReasonToken, nil, "assertion has no Conditions")
	}
	notOnOrAfter := a.IssueInstant.Add(crewjam.MaxIssueDelay)
	if nb := a.Conditions.NotBefore; !nb.IsZero() && now.Add(skew).Before(nb) {
		return Result{}, fail(connector.ReasonNotYetValid, nil, fmt.Sprintf("assertion valid from %s (skew %s)", nb.UTC().Format(time.RFC3339), skew))
	}
	deadlines := []time.Time{a.Conditions.NotOnOrAfter}
	for _, sc := range a.Subject.SubjectConfirmations {
		if sc.SubjectConfirmationData != nil {
			deadlines = append(deadlines, sc.SubjectConfirmationData.NotOnOrAfter)
		}
	}
	for _, d := range deadlines {
		if d.IsZero() {
			continue
		}
		if !now.Before(d.Add(skew)) {
			return Result{}, fail(connector.ReasonExpired, nil, fmt.Sprintf("assertion expired at %s (skew %s)", d.UTC().Format(time.RFC3339), skew))
		}
		if d.Add(skew).Before(notOnOrAfter) || notOnOrAfter.IsZero() {
			notOnOrAfter = d.Add(skew)
		}
	}
	// Keep the id at least as long as crewjam itself would accept it.
	if crewMax := a.IssueInstant.Add(crewjam.MaxIssueDelay); notOnOrAfter.Before(crewMax) {
		notOnOrAfter = crewMax
	}

	n := a.Subject.NameID
	format := n.Format
	switch format {
	case "", NameIDUnspecified, NameIDEmail, NameIDPersistent:
	case NameIDTransient:
		return Result{}, fail(ReasonNameIDFormat, nil,
			"the IdP sent a transient NameID, which changes at every login and cannot identify the user; configure the IdP to send a persistent, emailAddress or unspecified NameID (R-SAML-4)")
	default:
		return Result{}, fail(ReasonNameIDFormat, nil, fmt.Sprintf("NameID format %q not accepted: persistent, emailAddress or unspecified only", format))
	}
	if n.Value == "" {
		return Result{}, fail(connector.ReasonSubject, nil, "empty NameID")
	}

	claims := map[string]any{}
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			vals := make([]string, 0, len(at.Values))
			for _, v := range at.Values {
				vals = append(vals, v.Value)
			}
			if prev, ok := claims[at.Name].([]string); ok {
				vals = append(prev, vals...)
			}
			claims[at.Name] = vals
		}
	}
	email := ""
	if c.cfg.EmailAttribute != "" {
		email = firstAttr(a, c.cfg.EmailAttribute)
	}
	if email == "" && format == NameIDEmail {
		email = n.Value
	}
	sessionIndex := ""
	for _, st := range a.AuthnStatements {
		if st.SessionIndex != "" {
			sessionIndex = st.SessionIndex
			break
		}
	}
	data, err := json.Marshal(sessionData{NameID: n.Value, NameIDFormat: format, SessionIndex: sessionIndex})
	if err != nil {
		return Result{}, fmt.Errorf("saml: session data: %w", err)
	}
	if a.ID == "" {
		return Result{}, fail(connector.ReasonToken, nil, "assertion has no ID")
	}
	return Result{
		Identity: connector.Identity{
			Subject: n.Value,
			Email:   email,
			// SAML has no email_verified; the connection's trust decides
			// (federation's linking rule, R-SAML-6).
			Claims: claims,
			Data:   data,
		},
		NameIDFormat: format,
		AssertionID:  a.ID,
		NotOnOrAfter: notOnOrAfter,
		SessionIndex: sessionIndex,
	}, nil
}

func firstAttr(a *crewjam.Assertion, name string) string {
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			if (at.Name == name || at.FriendlyName == name) && len(at.Values) > 0 {
				return at.Values[0].Value
			}
		}
	}
	return ""
}

// classify maps crewjam's error classes to reasons. crewjam's
// InvalidResponseError hides the cause in PrivateErr; it is kept wrapped
// for the audit (it never holds a key; it may hold an IdP-chosen value).
func classify(err error) error {
	cause := err
	var ire *crewjam.InvalidResponseError
	if errors.As(err, &ire) && ire.PrivateErr != nil {
		cause = ire.PrivateErr
	}
	var bs crewjam.ErrBadStatus
	reason := connector.ReasonToken
	switch {
	case errors.As(cause, &bs):
		reason = ReasonStatus
	case errors.Is(cause, crewjam.ErrInvalidSignature), errors.Is(cause, crewjam.ErrUntrustedCertificate), errors.Is(cause, crewjam.ErrCertificateNotValidNow):
		reason = connector.ReasonSignature
	case strings.Contains(cause.Error(), "signature element not present"):
		// crewjam's errSignatureElementNotPresent is unexported: neither
		// the Response nor the Assertion is signed (R-SAML-3).
		reason = connector.ReasonSignature
	case errors.Is(cause, crewjam.ErrDecryptionFailed):
		reason = connector.ReasonDecrypt
	case errors.Is(cause, crewjam.ErrExpired):
		reason = connector.ReasonExpired
	case errors.Is(cause, crewjam.ErrNotYetValid):
		reason = connector.ReasonNotYetValid
	case errors.Is(cause, crewjam.ErrIssuerMismatch):
		reason = connector.ReasonIssuer
	case errors.Is(cause, crewjam.ErrDestinationMismatch):
		reason = ReasonDestination
	case errors.Is(cause, crewjam.ErrRequestIDMismatch):
		reason = ReasonInResponseTo
	case errors.Is(cause, crewjam.ErrAudienceMismatch):
		reason = connector.ReasonAudience
	case errors.Is(cause, crewjam.ErrMalformedMessage):
		reason = ReasonMalformed
	}
	return &connector.Error{Reason: reason, Detail: "response refused", Err: cause}
}

// at is sp with its clock fixed at now (one copy per call; the
// ServiceProvider holds no lock, copying is safe).
func (c *Connector) at(sp *crewjam.ServiceProvider, now time.Time) *crewjam.ServiceProvider {
	cp := *sp
	cp.Clock = dsig.NewFakeClockAt(now)
	return &cp
}

func elementBytes(el *etree.Element) ([]byte, error) {
	doc := etree.NewDocument()
	doc.SetRoot(el)
	return doc.WriteToBytes()
}
