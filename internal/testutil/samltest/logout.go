package samltest

import (
	"net/http"
	"slices"

	crewjam "github.com/crewjam/saml"
)

// Single logout (SAML profiles §4.4) with crewjam's IdentityProvider:
// ServeSLO at /slo verifies an SP's LogoutRequest against the SP's
// metadata and answers it (LoggedOut, LoggedOutBy); with TrackSessions,
// StartLogoutURL starts an IdP-initiated logout that sends the SP a
// LogoutRequest and checks its LogoutResponse (signature against the SP's
// metadata, Destination, InResponseTo) before the IdP's "You have been
// logged out." page.

// SLOBindings makes the IdP's metadata list its SingleLogoutService
// (/slo) with these bindings only (crewjam.HTTPRedirectBinding,
// crewjam.HTTPPostBinding); by default it lists HTTP-Redirect only. The
// IdP accepts logout messages over both whatever its metadata says.
func (p *IdP) SLOBindings(bindings ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.IdP.LogoutBindings = bindings
}

// UseSPSLOBinding makes the IdP read the SP's metadata as if it listed
// only its SingleLogoutService with binding ("" = all): crewjam sends its
// LogoutRequests over HTTP-Redirect when the SP offers it, else HTTP-POST,
// and answers a LogoutRequest by the binding it came by when the SP offers
// it.
func (p *IdP) UseSPSLOBinding(binding string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.spSLO = binding
}

// LoggedOutBy lists the bindings the LogoutRequests of LoggedOut came by.
func (p *IdP) LoggedOutBy() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.endedBy)
}

// StartLogoutURL is where a browser starts an IdP-initiated single logout
// of the IdP's session: every SP it signed in to since TrackSessions gets a
// LogoutRequest, and the IdP shows "You have been logged out." once each
// answered with a valid LogoutResponse (else it names those that did not,
// or answers 400 to a response it cannot verify).
func (p *IdP) StartLogoutURL() string { return p.Srv.URL + "/idp-logout" }

// TrackSessions makes the IdP record the SPs its session signs in to
// (crewjam.SessionParticipantTracker), which IdP-initiated logout needs.
// Call it before the logins it should know of.
func (p *IdP) TrackSessions() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.parts == nil {
		p.parts = map[string]participants{}
	}
	p.IdP.SessionProvider = tracker{p}
}

// participants are the SPs one IdP session signed in to.
type participants struct {
	session *crewjam.Session
	sps     []crewjam.SessionParticipant
}

// tracker is the IdP's SessionProvider once TrackSessions is on.
type tracker struct{ *IdP }

var _ crewjam.SessionParticipantTracker = tracker{}

func (t tracker) AddSessionParticipant(_ *http.Request, s *crewjam.Session, sp crewjam.SessionParticipant) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	ps := t.parts[s.ID]
	ps.session = s
	if !slices.ContainsFunc(ps.sps, func(o crewjam.SessionParticipant) bool {
		return o.ServiceProviderID == sp.ServiceProviderID && o.NameID.Value == sp.NameID.Value && o.SessionIndex == sp.SessionIndex
	}) {
		ps.sps = append(ps.sps, sp)
	}
	t.parts[s.ID] = ps
	return nil
}

func (t tracker) SessionParticipants(_ *http.Request, match func(*crewjam.Session) bool) ([]crewjam.SessionParticipant, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []crewjam.SessionParticipant
	for _, ps := range t.parts {
		if match(ps.session) {
			out = append(out, ps.sps...)
		}
	}
	return out, nil
}
