package account

import (
	"net/http"

	"github.com/sesame-sso/sesame/internal/i18n"
)

// languages are the choices of the language form: "" is the browser's
// (Accept-Language), then the shipped catalogs (issue 9 §5).
var languages = []string{"", "en", "de", "fr"}

// languageOption is one choice; Label is the language's own name.
type languageOption struct {
	Value    string
	Label    i18n.Msg
	Selected bool
}

func languageOptions(current string) []languageOption {
	out := make([]languageOption, len(languages))
	for i, l := range languages {
		key := "account.language.browser"
		if l != "" {
			key = "account.language." + l
		}
		out[i] = languageOption{Value: l, Label: i18n.M(key), Selected: l == current}
	}
	return out
}

// setLanguage is POST /account/language: stores the preferred language in
// the user's Person.Language; the next pages speak it.
func (h *Handler) setLanguage(w http.ResponseWriter, r *http.Request, q req) {
	lang := r.PostForm.Get("language")
	valid := false
	for _, l := range languages {
		valid = valid || l == lang
	}
	if !valid {
		h.message(w, r, http.StatusBadRequest, "account.language.title", "account.language.invalid")
		return
	}
	if err := h.Svc.SetOwnLanguage(r.Context(), q.u.ID, lang); err != nil {
		h.unavailable(w, r, "account: language", err)
		return
	}
	done(w, r, "language")
}
