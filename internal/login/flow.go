package login

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/session"
	"github.com/sesame-sso/sesame/internal/storage"
)

// StepID names a login step; it is posted with the step's form, so a form
// for a step that is no longer due is recognised (back button, double
// submit) and answered with the current step instead.
type StepID string

// FlowCookie binds a login flow to the browser; the flow's id is the
// SHA-256 of its value (as with the session cookie, a database reader
// cannot continue a login).
const FlowCookie = "sesame_login"

// DefaultFlowTTL bounds a login from its first page to its last: long
// enough to fetch a code from a mailbox, short enough that an abandoned
// half-login is gone soon.
const DefaultFlowTTL = 15 * time.Minute

// Flow is one login in progress (issue 9 §1, DESIGN note 1): stored, so
// any node continues it; bound to the browser by FlowCookie; deleted when
// the login finishes or expires. A flow is never a session: until the
// finish step no request is authenticated by it.
type Flow struct {
	ID      string `json:"-"`
	Version int64  `json:"-"`
	// Return is the local URL the browser goes back to when done (a
	// protocol endpoint such as /oauth2/login?id=…); never taken from a
	// form once the flow exists.
	Return string `json:"return"`
	// Tenant is the slug of the tenant whose login page this is.
	Tenant string `json:"tenant,omitempty"`
	// UILocales are the app's ui_locales (OIDC Core §3.1.2.1).
	UILocales string `json:"uiLocales,omitempty"`
	// WantContext is the context the app asked for (R-SSO-5), if any.
	WantContext string `json:"wantContext,omitempty"`
	// For names the protocol request this login was started for (a
	// forced re-authentication); it becomes Session.LoginFor.
	For string `json:"for,omitempty"`
	// ConnectionID is the connection (delegated login, issue 10) chosen
	// for the first factor: a button, /login?connection=, home-realm
	// discovery or /sso/{context}. The IdP step runs while it is set and
	// no user is known.
	ConnectionID string `json:"connectionId,omitempty"`
	// Kept is the connector's state between the redirect to the IdP and
	// its callback (nonce, PKCE verifier, issuer; DESIGN note 1).
	Kept []byte `json:"kept,omitempty"`
	// Upstream is the connector's state after a delegated login (upstream
	// refresh and ID token), sealed; it moves to the session.
	Upstream []byte `json:"upstream,omitempty"`
	// UserID is set by the first factor: who is logging in.
	UserID string `json:"userId,omitempty"`
	// AMR lists how the user proved who they are so far (RFC 8176).
	AMR []string `json:"amr,omitempty"`
	// Done lists the steps passed, in order.
	Done []StepID `json:"done,omitempty"`
	// ContextID is the context chosen (or implied) for the session.
	ContextID string `json:"contextId,omitempty"`
	// Data holds small per-step state (a one-time code challenge id…),
	// keyed by step.
	Data map[string]string `json:"data,omitempty"`
	// Finished is set by the one request that finished the login; the
	// flow is kept (briefly) so a double submit or a replay is sent back
	// to Return — where the new session answers — instead of starting
	// anything again.
	Finished  bool      `json:"finished,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Passed reports whether step id was passed in this flow.
func (f *Flow) Passed(id StepID) bool { return slices.Contains(f.Done, id) }

// Pass records step id as passed, with the authentication methods it
// proved (RFC 8176 values); "mfa" is added once two different kinds of
// factor are in.
func (f *Flow) Pass(id StepID, amr ...string) {
	if !f.Passed(id) {
		f.Done = append(f.Done, id)
	}
	for _, m := range amr {
		if !slices.Contains(f.AMR, m) {
			f.AMR = append(f.AMR, m)
		}
	}
	if !slices.Contains(f.AMR, "mfa") && factorKinds(f.AMR) >= 2 {
		f.AMR = append(f.AMR, "mfa")
	}
}

// factorKinds counts the distinct factor kinds in amr: something known
// (pwd), something held (otp, sms, hwk, swk, fed counts as the IdP's).
func factorKinds(amr []string) int {
	known, held := false, false
	for _, m := range amr {
		switch m {
		case "pwd", "pin", "kba":
			known = true
		case "otp", "sms", "hwk", "swk", "tel":
			held = true
		}
	}
	n := 0
	if known {
		n++
	}
	if held {
		n++
	}
	return n
}

// Value returns step data.
func (f *Flow) Value(key string) string { return f.Data[key] }

// Set stores step data ("" deletes).
func (f *Flow) Set(key, v string) {
	if v == "" {
		delete(f.Data, key)
		return
	}
	if f.Data == nil {
		f.Data = map[string]string{}
	}
	f.Data[key] = v
}

// Tag is a short, non-secret label of the flow put in every form, so a
// form from an older flow (another tab, a login started again) is told
// apart from the current one.
func (f *Flow) Tag() string {
	if len(f.ID) < 12 {
		return f.ID
	}
	return f.ID[:12]
}

// flows reads and writes login flows.
type flows struct {
	st     storage.LoginFlows
	ttl    time.Duration
	now    func() time.Time
	secure bool
}

// errNoFlow: the request carries no live flow (none, expired or finished).
var errNoFlow = errors.New("no login in progress")

func (fs *flows) create(ctx context.Context, w http.ResponseWriter, f *Flow) error {
	tok := session.Token()
	now := fs.now().UTC()
	f.ID, f.Version, f.CreatedAt, f.ExpiresAt = session.Hash(tok), 1, now, now.Add(fs.ttl)
	state, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode login flow: %w", err)
	}
	if err := fs.st.CreateLoginFlow(ctx, storage.LoginFlow{ID: f.ID, Version: 1, State: state, CreatedAt: now, ExpiresAt: f.ExpiresAt}); err != nil {
		return fmt.Errorf("start login: %w", err)
	}
	http.SetCookie(w, &http.Cookie{Name: FlowCookie, Value: tok, Path: "/", HttpOnly: true, Secure: fs.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(fs.ttl / time.Second)})
	return nil
}

// load reads the request's flow: errNoFlow when there is none; a storage
// error otherwise.
func (fs *flows) load(r *http.Request) (*Flow, error) {
	c, err := r.Cookie(FlowCookie)
	if err != nil || len(c.Value) < 20 || len(c.Value) > 100 {
		return nil, errNoFlow
	}
	f, err := fs.byID(r.Context(), session.Hash(c.Value))
	if err == nil && f == nil {
		return nil, errNoFlow
	}
	return f, err
}

// byID reads flow id without the browser's cookie (the SAML ACS finds its
// flow by RelayState, DESIGN note 1): nil when there is none.
func (fs *flows) byID(ctx context.Context, id string) (*Flow, error) {
	sf, err := fs.st.GetLoginFlow(ctx, id, fs.now())
	if model.ErrorCode(err) == model.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f := &Flow{}
	if err := json.Unmarshal(sf.State, f); err != nil {
		// Not ours to read (a format from a future version): start over.
		return nil, nil
	}
	f.ID, f.Version = sf.ID, sf.Version
	return f, nil
}

// save writes f if nobody else did since it was read: model.ErrStale
// otherwise (the caller re-reads and shows the current step).
func (fs *flows) save(ctx context.Context, f *Flow) error { return saveFlow(ctx, fs.st, f) }

// saveFlow is save through st (the root store or a transaction).
func saveFlow(ctx context.Context, st storage.LoginFlows, f *Flow) error {
	state, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode login flow: %w", err)
	}
	v, err := st.UpdateLoginFlow(ctx, f.ID, f.Version, state, f.ExpiresAt)
	if err != nil {
		return err
	}
	f.Version = v
	return nil
}

// finishedKeep is how long a finished flow is kept for late double
// submits.
const finishedKeep = 2 * time.Minute

// finish marks the flow finished at its version (compare and swap:
// exactly one finisher wins, the others get model.ErrStale) and clears
// the cookie.
func (fs *flows) finish(ctx context.Context, w http.ResponseWriter, f *Flow) error {
	f.Finished = true
	if keep := fs.now().Add(finishedKeep); keep.Before(f.ExpiresAt) {
		f.ExpiresAt = keep
	}
	if err := fs.save(ctx, f); err != nil {
		return err
	}
	fs.clear(w)
	return nil
}

// end deletes the flow at its version (a login that stops) and clears
// the cookie.
func (fs *flows) end(ctx context.Context, w http.ResponseWriter, f *Flow) error {
	fs.clear(w)
	return fs.st.DeleteLoginFlow(ctx, f.ID, f.Version)
}

func (fs *flows) clear(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: FlowCookie, Value: "", Path: "/", HttpOnly: true, Secure: fs.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}
