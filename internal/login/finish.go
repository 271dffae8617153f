package login

import (
	"context"
	"errors"
	"net/http"

	"github.com/sesame-sso/sesame/internal/model"
)

// finish ends a login whose steps are all passed: the flow is marked
// finished at its version first (of two concurrent finishes exactly one
// goes on; a late double submit or a replay is sent to Return), then the
// session starts with how the user proved
// who they are (amr) and the request the login was for, and the browser
// returns to the protocol.
func (h *Handler) finish(w http.ResponseWriter, r *http.Request, a *Attempt) {
	ctx := r.Context()
	f := a.Flow
	if a.User.ID == "" {
		// No step identified a user: a misconfigured step list.
		h.Log.ErrorContext(r.Context(), "login finished without a user", "steps", f.Done)
		h.expired(w, r)
		return
	}
	if err := h.flows.finish(ctx, w, f); err != nil {
		if errors.Is(err, model.ErrStale) || model.ErrorCode(err) == model.ENOTFOUND {
			// Another request finished this login (its session stands:
			// back to Return) or moved it on meanwhile (a code sent
			// again: its current step).
			if cur, lerr := h.flows.load(r); lerr == nil && !cur.Finished {
				h.again(w, r, cur)
				return
			}
			http.Redirect(w, r, f.Return, http.StatusSeeOther)
			return
		}
		h.Unavailable(w, r, "end login", err)
		return
	}
	ctxID := f.ContextID
	if ctxID == "" {
		ctxID = h.defaultContext(ctx, a)
	}
	amr := f.AMR
	if len(amr) == 0 {
		amr = []string{"pwd"}
	}
	s, err := h.Sessions.Start(w, r, a.User, model.Session{ContextID: ctxID, SourceIP: clientIP(r), AMR: amr, LoginFor: f.For,
		ConnectionID: f.ConnectionID, Upstream: f.Upstream})
	if err != nil {
		h.Unavailable(w, r, "start session", err)
		return
	}
	h.Authn.RecordLogin(context.WithoutCancel(ctx), a.User, s.AuthTime, clientIP(r), amr...)
	http.Redirect(w, r, f.Return, http.StatusSeeOther)
}

// defaultContext is the context the app named, when the user may act in
// it, else the user's first assigned context (root first).
func (h *Handler) defaultContext(ctx context.Context, a *Attempt) string {
	if want := a.Flow.WantContext; want != "" {
		if ok, err := h.Svc.Rights().CanActIn(ctx, a.User, want); err == nil && ok {
			return want
		}
	}
	return h.Svc.Rights().DefaultContext(ctx, a.User, "")
}
