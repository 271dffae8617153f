// Package i18n owns the user's language (issue 9 §5): the English, German
// and French message catalogs shipped with the binary (locales/*.json,
// built into a golang.org/x/text/message/catalog) and the choice of
// language for a request.
//
// The choice (Bundle.Match) takes, in order: the user's stored preferred
// language (model.User.Language), the OIDC ui_locales of the request
// (OIDC Core §3.1.2.1, space-separated BCP 47 tags), the Accept-Language
// header (RFC 9110 §12.5.4), and English as the fallback. Each source is
// matched with a language.Matcher over the shipped languages; a source that
// names no shipped language passes on to the next.
//
// Messages are looked up by key ("login.title"); a key missing in German
// or French falls back to English, and a key missing everywhere prints as
// itself (the tests refuse both). Placeholders are fmt verbs with explicit
// indexes (%[1]s); plural forms follow CLDR rules (x/text/feature/plural).
//
// Files: bundle.go (catalog loading, Localizer), match.go (language
// choice), context.go (the localizer or ui_locales carried in a request
// context), msg.go (Msg: a key with arguments, what Go code hands to page
// templates instead of English text).
//
// It imports nothing from Sesame, so every package (web pages, emails,
// SMS) can use it.
package i18n
