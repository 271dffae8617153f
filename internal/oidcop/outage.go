package oidcop

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/sesame-sso/sesame/internal/fault"
	"github.com/sesame-sso/sesame/internal/login"
)

// A store failure during an OAuth exchange is an outage, never the
// client's or the user's mistake (issue 8 item 23). op turns some storage
// errors into client errors (a failed client lookup becomes invalid_request,
// a failed code redemption invalid_grant — and a client that hears
// invalid_grant throws its code away). So the storage methods record the
// failure in the exchange (outage), and outageWriter replaces op's answer:
// 503 with the "try again" page on /authorize, 503 server_error elsewhere.

// outage records that a store call of this exchange failed.
type outage struct{ failed atomic.Bool }

type outageKey struct{}

// storable reports whether s can reach a query: PostgreSQL refuses NUL
// and invalid UTF-8 outright, and such input is the caller's mistake (an
// unknown id), not a store failure answered with 503.
func storable(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// errUnavailable is RFC 6749 §4.1.2.1 temporarily_unavailable: op logs it
// below ERROR (the storage layer logged the cause once, see unavailable).
func errUnavailable(parent error) *oidc.Error {
	return &oidc.Error{ErrorType: "temporarily_unavailable", Description: "the service is temporarily unavailable, try again", Parent: parent}
}

// unavailable logs a store failure (at ERROR, or below when the client
// cancelled), marks the exchange and returns the error for op.
func (s opStorage) unavailable(ctx context.Context, what string, err error) *oidc.Error {
	fault.Log(ctx, s.p.log, what, err)
	if o, ok := ctx.Value(outageKey{}).(*outage); ok {
		o.failed.Store(true)
	}
	return errUnavailable(err)
}

// storeErr passes domain errors through and turns store failures into
// unavailable.
func (s opStorage) storeErr(ctx context.Context, what string, err error) error {
	if fault.Storage(err) {
		return s.unavailable(ctx, what, err)
	}
	return err
}

// isErrorRedirect reports a redirect carrying an OAuth error to the client
// (RFC 6749 §4.1.2.1); a redirect with a code passes.
func isErrorRedirect(code int, h http.Header) bool {
	if code < 300 || code >= 400 {
		return false
	}
	u, err := url.Parse(h.Get("Location"))
	return err == nil && u.Query().Has("error")
}

// outageWriter replaces an error answer of an exchange that hit a store
// failure with a 503.
type outageWriter struct {
	http.ResponseWriter
	o        *outage
	page     func(w http.ResponseWriter) // the replacement answer
	replaced bool
	decided  bool
}

func (w *outageWriter) WriteHeader(code int) {
	if w.decided {
		if !w.replaced {
			w.ResponseWriter.WriteHeader(code)
		}
		return
	}
	w.decided = true
	if w.o.failed.Load() && (code >= 400 || isErrorRedirect(code, w.Header())) {
		w.replaced = true
		h := w.Header()
		h.Del("Location")
		h.Del("Content-Type")
		h.Del("Content-Length")
		w.page(w.ResponseWriter)
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *outageWriter) Write(b []byte) (int, error) {
	if !w.decided {
		w.WriteHeader(http.StatusOK)
	}
	if w.replaced {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// tryAgainJSON is the token endpoint's answer to an outage: 503 with
// server_error, so the client keeps its code or refresh token and retries.
func tryAgainJSON(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "5")
	writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "server_error",
		"error_description": "the service is temporarily unavailable, try again"})
}

// withOutage prepares an op exchange: the outage record in the context and
// the writer that replaces the answer after a failure.
func (p *Provider) withOutage(w http.ResponseWriter, r *http.Request, browser bool) (http.ResponseWriter, *http.Request) {
	o := &outage{}
	page := tryAgainJSON
	if browser {
		page = func(w http.ResponseWriter) { login.TryAgain(w, r, p.pages) }
	}
	return &outageWriter{ResponseWriter: w, o: o, page: page}, r.WithContext(context.WithValue(r.Context(), outageKey{}, o))
}
