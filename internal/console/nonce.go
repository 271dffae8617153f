package console

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"time"
)

// Double submits (issue 13 "Bad input"): every form that creates
// something carries a fresh random nonce. The first submit claims it in
// the store (storage.FormNonces, one primary key: one winner on every
// node), creates, and records where the new object lives; a second submit
// of the same form — a double click, a reload of the POST, a retry after
// a slow answer — finds the claim and is sent to that object instead of
// creating another. A refused submit releases its claim; the form shown
// again carries a new nonce anyway.

// nonceTTL is how long a form's submit is remembered.
const nonceTTL = 12 * time.Hour

// newNonce returns a fresh nonce for a form.
func newNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// once runs create for the form's nonce at most once. create returns the
// path of what it made; once redirects there (with notice) and returns
// true, or returns create's error with the claim released (the caller
// shows the form again). A repeated submit is redirected to the first
// one's result; while the first is still running it gets a 409 page.
//
// show, when given, answers the first submit instead of the redirect (a
// client's secret is shown once, on that answer).
func (h *Handler) once(w http.ResponseWriter, r *http.Request, q req, notice string, create func() (string, error), show ...func()) (bool, error) {
	n := r.PostFormValue("nonce")
	if len(n) != 22 {
		h.message(w, r, http.StatusBadRequest, "msg.bad_request.title", "console.nonce.missing")
		return true, nil
	}
	key := "console:" + q.actor.User.ID + ":" + n
	ctx := r.Context()
	claimed, err := h.Nonces.ClaimFormNonce(ctx, key, h.now().Add(nonceTTL))
	if err != nil {
		h.unavailable(w, r, "console: claim form nonce", err)
		return true, nil
	}
	if !claimed {
		res, err := h.Nonces.FormNonceResult(ctx, key)
		if err == nil && res != "" {
			done(w, r, res, notice)
			return true, nil
		}
		h.message(w, r, http.StatusConflict, "console.nonce.busy.title", "console.nonce.busy")
		return true, nil
	}
	to, err := create()
	if err != nil {
		if rerr := h.Nonces.ReleaseFormNonce(ctx, key); rerr != nil {
			h.Log.WarnContext(ctx, "console: release form nonce", "err", rerr)
		}
		return false, err
	}
	if err := h.Nonces.SetFormNonceResult(ctx, key, to); err != nil {
		h.Log.WarnContext(ctx, "console: record form result", "err", err)
	}
	if len(show) > 0 {
		show[0]()
		return true, nil
	}
	done(w, r, to, notice)
	return true, nil
}
