package adminapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/sesame-sso/sesame/internal/fault"
	"github.com/sesame-sso/sesame/internal/model"
)

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Field names the offending input (extension member).
	Field string `json:"field,omitempty"`
}

var statusOf = map[string]int{
	model.ENOTFOUND:     http.StatusNotFound,
	model.EINVALID:      http.StatusBadRequest,
	model.ECONFLICT:     http.StatusConflict,
	model.EFORBIDDEN:    http.StatusForbidden,
	model.EUNAUTHORIZED: http.StatusUnauthorized,
	codeMediaType:       http.StatusUnsupportedMediaType,
	model.ETOOMANY:      http.StatusTooManyRequests,
	model.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// writeProblem writes err as a problem document. Application errors are the
// caller's and are shown; anything else is a failure of the store: logged
// and answered with a bare 503 and Retry-After (no internals leak).
func writeProblem(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var me *model.Error
	p := Problem{Status: http.StatusInternalServerError, Title: "Internal Server Error", Type: "about:blank",
		Detail: "the server could not complete the request"}
	if errors.As(err, &me) {
		if st, ok := statusOf[me.Code]; ok {
			p.Status, p.Title, p.Detail, p.Field = st, http.StatusText(st), me.Message, me.Field
			p.Type = "https://sesame.dev/problems/" + me.Code
		}
	}
	if p.Status == http.StatusInternalServerError {
		// Not the caller's mistake: the store failed (issue 8 item 23), so
		// the answer is 503 "try again", never a 4xx. A request its client
		// cancelled is logged below ERROR (fault.Log). Panics are answered
		// by the server's recovery, not here.
		fault.Log(r.Context(), log, "request failed", err, "method", r.Method, "path", r.URL.Path)
		p.Status, p.Title = http.StatusServiceUnavailable, http.StatusText(http.StatusServiceUnavailable)
		p.Detail = "the server could not complete the request: try again"
	}
	var ra interface{ RetryAfterSeconds() int }
	if errors.As(err, &ra) {
		// RFC 9110 §10.2.3 (brute-force delay or lock, R-PWD-3).
		w.Header().Set("Retry-After", strconv.Itoa(ra.RetryAfterSeconds()))
	} else if p.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	if p.Status == http.StatusUnauthorized {
		// R-SSO-6: HTTP Basic (password or API key) or a bearer token.
		w.Header().Set("WWW-Authenticate", `Basic realm="sesame", Bearer`)
	}
	writeJSONStatus(w, p.Status, "application/problem+json", p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONStatus(w, status, "application/json", v)
}

func writeJSONStatus(w http.ResponseWriter, status int, ctype string, v any) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}
