package account

import (
	"context"
	"net/http"
	"slices"

	"github.com/sesame-sso/sesame/internal/model"
)

// handleLen is how many hex digits of a session's stored id (the SHA-256
// of its cookie, so no credential) name it on the page.
const handleLen = 16

// timeFormat shows times in UTC (the page says so).
const timeFormat = "2006-01-02 15:04"

// sessionView is one row of the sessions list.
type sessionView struct {
	Handle, Started, LastSeen, IP string
	Current                       bool
}

func handle(id string) string {
	if len(id) < handleLen {
		return id
	}
	return id[:handleLen]
}

// liveSessions lists q's user's sessions that are still live (within the
// absolute and the idle timeout), this one first, then newest first.
func (h *Handler) liveSessions(ctx context.Context, q req) ([]model.Session, error) {
	all, err := h.Sessions.Store.ListUserSessions(ctx, q.u.ID)
	if err != nil {
		return nil, err
	}
	now := h.now()
	var out []model.Session
	for _, s := range all {
		last := s.AuthTime
		if s.LastSeen.After(last) {
			last = s.LastSeen
		}
		if !s.ExpiresAt.After(now) || (h.Sessions.IdleTimeout > 0 && now.Sub(last) >= h.Sessions.IdleTimeout) {
			continue
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b model.Session) int {
		switch {
		case a.ID == q.s.ID:
			return -1
		case b.ID == q.s.ID:
			return 1
		}
		return b.AuthTime.Compare(a.AuthTime)
	})
	return out, nil
}

func (h *Handler) sessionViews(ctx context.Context, q req) ([]sessionView, error) {
	ss, err := h.liveSessions(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]sessionView, len(ss))
	for i, s := range ss {
		v := sessionView{Handle: handle(s.ID), Started: s.AuthTime.UTC().Format(timeFormat), IP: s.SourceIP, Current: s.ID == q.s.ID}
		if last := s.LastSeen; !last.IsZero() {
			v.LastSeen = last.UTC().Format(timeFormat)
		} else {
			v.LastSeen = v.Started
		}
		out[i] = v
	}
	return out, nil
}

// endSessions is POST /account/sessions/end: session=<handle> ends that
// session of the user, others=1 every session but this one. A handle that
// names no session of the signed-in user — another user's, an ended one —
// ends nothing (404); the directory checks the owner again in its
// transaction. Ended sessions' apps are logged out as a logout does.
func (h *Handler) endSessions(w http.ResponseWriter, r *http.Request, q req) {
	ctx := r.Context()
	if r.PostForm.Get("others") != "" {
		if _, err := h.Svc.EndOwnSessions(ctx, q.u.ID, "", q.s.ID); err != nil {
			h.unavailable(w, r, "account: end sessions", err)
			return
		}
		done(w, r, "sessions")
		return
	}
	want := r.PostForm.Get("session")
	ss, err := h.liveSessions(ctx, q)
	if err != nil {
		h.unavailable(w, r, "account: sessions", err)
		return
	}
	id := ""
	if len(want) == handleLen {
		for _, s := range ss {
			if handle(s.ID) == want {
				id = s.ID
				break
			}
		}
	}
	if id == "" {
		h.message(w, r, http.StatusNotFound, "account.sessions.title", "account.sessions.not_found")
		return
	}
	switch _, err := h.Svc.EndOwnSessions(ctx, q.u.ID, id, ""); {
	case model.ErrorCode(err) == model.ENOTFOUND:
		h.message(w, r, http.StatusNotFound, "account.sessions.title", "account.sessions.not_found")
		return
	case err != nil:
		h.unavailable(w, r, "account: end session", err)
		return
	}
	if id == q.s.ID {
		// This very session: signed out, like a logout.
		h.Sessions.End(w, r)
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	done(w, r, "session")
}
