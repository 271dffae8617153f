package i18n

import "context"

type uiLocalesKey struct{}

// WithUILocales records the OIDC ui_locales a request carries (the login
// page gets them from the authorization request it continues).
func WithUILocales(ctx context.Context, v string) context.Context {
	if len(v) > 512 {
		v = v[:512]
	}
	return context.WithValue(ctx, uiLocalesKey{}, v)
}

// UILocales returns what WithUILocales recorded.
func UILocales(ctx context.Context) string {
	v, _ := ctx.Value(uiLocalesKey{}).(string)
	return v
}

type userLangKey struct{}

// WithUserLanguage records the language the user chose (model.User.Language)
// for a request whose handler knows the user.
func WithUserLanguage(ctx context.Context, v string) context.Context {
	return context.WithValue(ctx, userLangKey{}, v)
}

// UserLanguage returns what WithUserLanguage recorded; ok is false when
// nothing was.
func UserLanguage(ctx context.Context) (string, bool) {
	v, ok := ctx.Value(userLangKey{}).(string)
	return v, ok
}
