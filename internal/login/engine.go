package login

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/sesame-sso/sesame/internal/fault"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/web"
)

// Step is one page of a login (DESIGN note 1). The engine asks the steps
// in order; the first that is Due is the current step. Steps never route
// to one another: Submit says how it went and the engine decides what
// comes next, so a new step is one type plus one line in the list
// (internal/server/server.go).
type Step interface {
	ID() StepID
	// Due reports whether the step still has to run in this login.
	Due(ctx context.Context, a *Attempt) (bool, error)
	// Show renders the step's page (GET /login, or after a Retry with
	// a.Problem set). It may change the flow (a code sent): it then calls
	// a.Save before writing anything, and returns Save's error.
	Show(w http.ResponseWriter, r *http.Request, a *Attempt) error
	// Submit handles the step's form (POST /login with step=ID) and must
	// not write the response: Passed (the engine records it and moves
	// on), Retry (a.Problem says what is wrong; the page is shown again),
	// or Abort (a.Problem says why; the login ends).
	Submit(w http.ResponseWriter, r *http.Request, a *Attempt) (Outcome, error)
}

// AfterPass is implemented by a step that shows one page once it passed —
// what must be seen exactly once, such as new recovery codes — instead of
// going straight on; the page links to the next step (/login?flow=…).
// AfterPass runs after the flow was saved and returns false to go on as
// usual.
type AfterPass interface {
	AfterPass(w http.ResponseWriter, r *http.Request, a *Attempt) bool
}

// Outcome is how a step's form went.
type Outcome int

// Outcomes of Step.Submit.
const (
	Passed Outcome = iota
	Retry
	Abort
)

// Attempt is a step's view of the request: the flow and, once the first
// factor is through, the user.
type Attempt struct {
	Flow *Flow
	// User is zero until the first factor identified the user.
	User model.User
	// Problem is what a Retry or Abort shows; Status its HTTP status
	// (default 400).
	Problem i18n.Msg
	Status  int
	// Step is the current step (for Form).
	Step StepID
	// Carry passes what Submit produced to AfterPass within one request
	// (never stored).
	Carry any
	h     *Handler
}

// Next is the URL of the flow's next step (AfterPass pages link to it).
func (a *Attempt) Next() string { return "/login?flow=" + url.QueryEscape(a.Flow.Tag()) }

// Form is what every step form carries (the "stepfields" template).
type Form struct{ Step, Flow string }

// Form returns the hidden fields of the current step's form.
func (a *Attempt) Form() Form { return Form{Step: string(a.Step), Flow: a.Flow.Tag()} }

// Fail sets the problem shown by Retry or Abort.
func (a *Attempt) Fail(status int, m i18n.Msg) {
	a.Status, a.Problem = status, m
}

// Save writes the flow now (compare-and-swap on its version); a step
// that changes the flow while showing its page calls it before writing.
func (a *Attempt) Save(ctx context.Context) error { return a.h.flows.save(ctx, a.Flow) }

// SaveIn writes the flow through tx, a transaction the step also writes
// other rows in (a one-time code and its outbox message): the flow and
// those rows commit together, and a stale flow (another request moved it
// on) rolls them back. The caller restores Flow.Version if tx rolls back.
func (a *Attempt) SaveIn(ctx context.Context, tx storage.LoginFlows) error {
	return saveFlow(ctx, tx, a.Flow)
}

// End ends the login from a step's page (a login that cannot go on, e.g.
// no second factor can be sent): the flow is deleted and its cookie
// cleared; the step then writes its page.
func (a *Attempt) End(ctx context.Context, w http.ResponseWriter) error {
	err := a.h.flows.end(ctx, w, a.Flow)
	if errors.Is(err, model.ErrStale) || model.ErrorCode(err) == model.ENOTFOUND {
		return nil
	}
	return err
}

// StatusOr is the status to render with: Status when a problem is set,
// else ok.
func (a *Attempt) StatusOr(ok int) int {
	if a.Problem.IsZero() {
		return ok
	}
	if a.Status == 0 {
		return http.StatusBadRequest
	}
	return a.Status
}

// attempt builds the attempt for f, reading its user; a user who can no
// longer log in (deactivated, deleted meanwhile) ends the flow.
func (h *Handler) attempt(ctx context.Context, f *Flow) (*Attempt, error) {
	a := &Attempt{Flow: f, h: h}
	if f.UserID == "" {
		return a, nil
	}
	u, err := h.Svc.User(ctx, f.UserID)
	if err != nil {
		return nil, err
	}
	if u.Status != model.StatusActive {
		return nil, errUserGone
	}
	a.User = u
	return a, nil
}

var errUserGone = errors.New("the user can no longer log in")

// current is the first due step, nil when none is left.
func (h *Handler) current(ctx context.Context, a *Attempt) (Step, error) {
	for _, s := range h.Steps {
		due, err := s.Due(ctx, a)
		if err != nil {
			return nil, err
		}
		if due {
			a.Step = s.ID()
			return s, nil
		}
	}
	return nil, nil
}

// form is GET /login: the current step of the browser's login, or a new
// login when there is none or the page was opened for another return URL.
func (h *Handler) form(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := h.flows.load(r)
	if err != nil && !errors.Is(err, errNoFlow) {
		h.Unavailable(w, r, "load login", err)
		return
	}
	// The engine's own redirects name the flow (?flow=tag); a page opened
	// with the same return URL continues the login too (a reload, Begin's
	// redirect). Anything else — /login typed or bookmarked, another
	// return URL — is a new login.
	ret, tenant := SafeReturn(q.Get("return")), tenantParam(q.Get("tenant"))
	cont := f != nil && ((q.Has("flow") && q.Get("flow") == f.Tag()) ||
		(q.Has("return") && ret == f.Return && tenant == f.Tenant))
	if cont && f.Finished {
		http.Redirect(w, r, f.Return, http.StatusSeeOther)
		return
	}
	if !cont {
		f = &Flow{Return: ret, Tenant: tenant, UILocales: truncate(q.Get("ui_locales"), 256), WantContext: contextFromReturn(ret)}
		if err := h.flows.create(r.Context(), w, f); err != nil {
			h.Unavailable(w, r, "start login", err)
			return
		}
	}
	h.step(w, r, f, nil)
}

// submit is POST /login: the current step's form.
func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		h.Pages.Render(w, r, http.StatusBadRequest, "message", web.Message{Title: i18n.M("msg.bad_request.title"), Message: i18n.M("msg.bad_form"), Link: "/login", LinkText: i18n.M("link.back_to_sign_in")})
		return
	}
	posted := StepID(r.PostForm.Get("step"))
	f, err := h.flows.load(r)
	switch {
	case err != nil && !errors.Is(err, errNoFlow):
		h.Unavailable(w, r, "load login", err)
		return
	case f == nil && (posted == "" || posted == StepPassword):
		// The sign-in form without a login in progress (it expired while
		// the page was open, or a client posts it directly): a new login
		// from the form's own fields.
		ret := SafeReturn(r.PostForm.Get("return"))
		f = &Flow{Return: ret, Tenant: tenantParam(r.PostForm.Get("tenant")), UILocales: truncate(r.PostForm.Get("ui_locales"), 256), WantContext: contextFromReturn(ret)}
		if err := h.flows.create(r.Context(), w, f); err != nil {
			h.Unavailable(w, r, "start login", err)
			return
		}
	case f == nil:
		// A later step's form with no login behind it: expired, finished
		// (a replay after completion) or never started.
		h.expired(w, r)
		return
	case f.Finished:
		// A double submit or a replay of a finished login: nothing runs
		// again; the browser goes where the login led.
		http.Redirect(w, r, f.Return, http.StatusSeeOther)
		return
	case r.PostForm.Get("flow") != "" && r.PostForm.Get("flow") != f.Tag():
		// A form of an older login (another tab started a new one).
		h.again(w, r, f)
		return
	}
	h.step(w, r, f, &posted)
}

// step runs the current step of f: its page (posted nil) or its form.
func (h *Handler) step(w http.ResponseWriter, r *http.Request, f *Flow, posted *StepID) {
	ctx := r.Context()
	if f.UILocales != "" {
		r = r.WithContext(i18n.WithUILocales(ctx, f.UILocales))
	}
	a, err := h.attempt(ctx, f)
	if errors.Is(err, errUserGone) {
		_ = h.flows.end(ctx, w, f)
		h.expired(w, r)
		return
	}
	if err != nil {
		h.Unavailable(w, r, "load login user", err)
		return
	}
	if a.User.ID != "" {
		r = r.WithContext(i18n.WithUserLanguage(r.Context(), a.User.Person.Language))
	}
	s, err := h.current(ctx, a)
	if err != nil {
		h.Unavailable(w, r, "login step", err)
		return
	}
	if s == nil {
		h.finish(w, r, a)
		return
	}
	if posted == nil {
		h.show(w, r, s, a)
		return
	}
	if *posted != "" && *posted != s.ID() {
		// Back button, double submit, a step out of order: show the
		// step that is due instead.
		h.again(w, r, f)
		return
	}
	out, err := s.Submit(w, r, a)
	switch {
	case err != nil:
		h.stepError(w, r, err)
	case out == Abort:
		_ = h.flows.end(ctx, w, f)
		h.Pages.Render(w, r, a.StatusOr(http.StatusBadRequest), "message", web.Message{Title: i18n.M("login.stopped.title"),
			Message: a.Problem, Link: restartLink(f), LinkText: i18n.M("link.sign_in_again")})
	case out == Retry:
		h.show(w, r, s, a)
	default:
		h.passed(w, r, s, a)
	}
}

// passed moves a login on after step s passed: the next step's page (PRG)
// once the flow is recorded (one of two concurrent submits wins), or the
// finish in this response, whose compare-and-swap records the passed step
// and the end at once (one flow write per login instead of two).
func (h *Handler) passed(w http.ResponseWriter, r *http.Request, s Step, a *Attempt) {
	ctx, f := r.Context(), a.Flow
	if ap, ok := s.(AfterPass); ok {
		// A page after the step (recovery codes shown once) links to the
		// next step: the flow is recorded first.
		if err := h.flows.save(ctx, f); err != nil {
			h.saveFailed(w, r, f, err)
			return
		}
		if ap.AfterPass(w, r, a) {
			return
		}
	}
	next, err := h.current(ctx, a)
	if err != nil {
		h.Unavailable(w, r, "login step", err)
		return
	}
	if next == nil {
		h.finish(w, r, a)
		return
	}
	if err := h.flows.save(ctx, f); err != nil {
		h.saveFailed(w, r, f, err)
		return
	}
	h.again(w, r, f)
}

// show renders step s's page.
func (h *Handler) show(w http.ResponseWriter, r *http.Request, s Step, a *Attempt) {
	if err := s.Show(w, r, a); err != nil {
		h.saveFailed(w, r, a.Flow, err)
	}
}

// saveFailed answers a flow write that failed: another request moved the
// flow on (show its current state) or the store failed.
func (h *Handler) saveFailed(w http.ResponseWriter, r *http.Request, f *Flow, err error) {
	switch {
	case errors.Is(err, model.ErrStale):
		h.again(w, r, f)
	case model.ErrorCode(err) == model.ENOTFOUND:
		h.expired(w, r)
	default:
		h.stepError(w, r, err)
	}
}

// stepError maps a step's error: a store failure is 503 (issue 8 item
// 23); an overloaded hasher or limiter 503 "too many"; anything else a
// plain 400 page.
func (h *Handler) stepError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case fault.Storage(err):
		h.Unavailable(w, r, "login step", err)
	case model.ErrorCode(err) == model.EUNAVAILABLE:
		w.Header().Set("Retry-After", "5")
		h.Pages.Render(w, r, http.StatusServiceUnavailable, "message", web.Message{Title: i18n.M("msg.try_again.title"), Message: i18n.M("msg.too_many"), Link: "/login", LinkText: i18n.M("link.back_to_sign_in")})
	default:
		h.Log.Warn("login step", "err", err)
		h.Pages.Render(w, r, http.StatusBadRequest, "message", web.Message{Title: i18n.M("msg.bad_request.title"), Message: i18n.M("msg.bad_form"), Link: "/login", LinkText: i18n.M("link.back_to_sign_in")})
	}
}

// again sends the browser to the current step of f (PRG, 303).
func (h *Handler) again(w http.ResponseWriter, r *http.Request, f *Flow) {
	http.Redirect(w, r, "/login?flow="+url.QueryEscape(f.Tag()), http.StatusSeeOther)
}

// expired is the page for a form whose login is gone: expired, finished
// or ended. Nothing of it is kept; the user starts again.
func (h *Handler) expired(w http.ResponseWriter, r *http.Request) {
	h.flows.clear(w)
	h.Pages.Render(w, r, http.StatusBadRequest, "message", web.Message{Title: i18n.M("login.expired.title"),
		Message: i18n.M("login.expired"), Link: "/login", LinkText: i18n.M("link.sign_in_again")})
}

// restartLink starts the same login again.
func restartLink(f *Flow) string {
	q := url.Values{"return": {f.Return}}
	if f.Tenant != "" {
		q.Set("tenant", f.Tenant)
	}
	return "/login?" + q.Encode()
}
