package message

// The templates shipped with the binary (R-MSG-1), used unless an
// administrator saved an override for the type and language.

type key struct {
	t    Type
	lang string
}

// Template is one message template: the subject (email only), the text
// body and the optional HTML body (email only).
type Template struct {
	Subject, Text, HTML string
}

var defaults = map[key]Template{
	{PasswordReset, "en"}: {
		Subject: "Reset your password",
		Text:    "Hello {{.Name}},\n\nsomeone asked to reset the password of the account {{.Login}}. To choose a new password, open this link within {{.ExpiresIn}}:\n\n{{.Link}}\n\nIf you did not ask for this, ignore this message; your password stays as it is.\n",
		HTML:    `<p>Hello {{.Name}},</p><p>someone asked to reset the password of the account {{.Login}}. To choose a new password, open this link within {{.ExpiresIn}}:</p><p><a href="{{.Link}}">{{.Link}}</a></p><p>If you did not ask for this, ignore this message; your password stays as it is.</p>`,
	},
	{PasswordReset, "de"}: {
		Subject: "Passwort zurücksetzen",
		Text:    "Hallo {{.Name}},\n\njemand hat verlangt, das Passwort des Kontos {{.Login}} zurückzusetzen. Um ein neues Passwort zu wählen, öffnen Sie innerhalb von {{.ExpiresIn}} diesen Link:\n\n{{.Link}}\n\nWenn Sie das nicht waren, ignorieren Sie diese Nachricht; Ihr Passwort bleibt unverändert.\n",
		HTML:    `<p>Hallo {{.Name}},</p><p>jemand hat verlangt, das Passwort des Kontos {{.Login}} zurückzusetzen. Um ein neues Passwort zu wählen, öffnen Sie innerhalb von {{.ExpiresIn}} diesen Link:</p><p><a href="{{.Link}}">{{.Link}}</a></p><p>Wenn Sie das nicht waren, ignorieren Sie diese Nachricht; Ihr Passwort bleibt unverändert.</p>`,
	},
	{PasswordReset, "fr"}: {
		Subject: "Réinitialiser votre mot de passe",
		Text:    "Bonjour {{.Name}},\n\nune réinitialisation du mot de passe du compte {{.Login}} a été demandée. Pour choisir un nouveau mot de passe, ouvrez ce lien dans les {{.ExpiresIn}} :\n\n{{.Link}}\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message ; votre mot de passe reste inchangé.\n",
		HTML:    `<p>Bonjour {{.Name}},</p><p>une réinitialisation du mot de passe du compte {{.Login}} a été demandée. Pour choisir un nouveau mot de passe, ouvrez ce lien dans les {{.ExpiresIn}} :</p><p><a href="{{.Link}}">{{.Link}}</a></p><p>Si vous n'êtes pas à l'origine de cette demande, ignorez ce message ; votre mot de passe reste inchangé.</p>`,
	},
	{OTPEmail, "en"}:        {Subject: "Your sign-in code", Text: "Hello {{.Name}},\n\nyour sign-in code is {{.Code}}. It is valid for {{.ExpiresIn}}.\n\nIf you are not signing in right now, someone else knows your password: change it.\n"},
	{OTPEmail, "de"}:        {Subject: "Ihr Anmeldecode", Text: "Hallo {{.Name}},\n\nIhr Anmeldecode lautet {{.Code}}. Er ist {{.ExpiresIn}} gültig.\n\nWenn Sie sich gerade nicht anmelden, kennt jemand anderes Ihr Passwort: ändern Sie es.\n"},
	{OTPEmail, "fr"}:        {Subject: "Votre code de connexion", Text: "Bonjour {{.Name}},\n\nvotre code de connexion est {{.Code}}. Il est valable {{.ExpiresIn}}.\n\nSi vous n'êtes pas en train de vous connecter, quelqu'un d'autre connaît votre mot de passe : changez-le.\n"},
	{OTPSMS, "en"}:          {Text: "Your sign-in code: {{.Code}} (valid for {{.ExpiresIn}})"},
	{OTPSMS, "de"}:          {Text: "Ihr Anmeldecode: {{.Code}} (gültig für {{.ExpiresIn}})"},
	{OTPSMS, "fr"}:          {Text: "Votre code de connexion : {{.Code}} (valable {{.ExpiresIn}})"},
	{Welcome, "en"}:         {Subject: "Welcome", Text: "Hello {{.Name}},\n\nan account {{.Login}} was created for you. To set your password, open:\n\n{{.Link}}\n"},
	{Welcome, "de"}:         {Subject: "Willkommen", Text: "Hallo {{.Name}},\n\nfür Sie wurde das Konto {{.Login}} angelegt. Um Ihr Passwort festzulegen, öffnen Sie:\n\n{{.Link}}\n"},
	{Welcome, "fr"}:         {Subject: "Bienvenue", Text: "Bonjour {{.Name}},\n\nle compte {{.Login}} a été créé pour vous. Pour définir votre mot de passe, ouvrez :\n\n{{.Link}}\n"},
	{AccountLocked, "en"}:   {Subject: "Your account is locked", Text: "Hello {{.Name}},\n\nafter too many failed sign-ins the account {{.Login}} is locked until {{.Until}}.\n"},
	{AccountLocked, "de"}:   {Subject: "Ihr Konto ist gesperrt", Text: "Hallo {{.Name}},\n\nnach zu vielen fehlgeschlagenen Anmeldungen ist das Konto {{.Login}} bis {{.Until}} gesperrt.\n"},
	{AccountLocked, "fr"}:   {Subject: "Votre compte est verrouillé", Text: "Bonjour {{.Name}},\n\naprès trop d'échecs de connexion, le compte {{.Login}} est verrouillé jusqu'à {{.Until}}.\n"},
	{PasswordChanged, "en"}: {Subject: "Your password was changed", Text: "Hello {{.Name}},\n\nthe password of the account {{.Login}} was changed at {{.Time}}. If this was not you, contact your administrator.\n"},
	{PasswordChanged, "de"}: {Subject: "Ihr Passwort wurde geändert", Text: "Hallo {{.Name}},\n\ndas Passwort des Kontos {{.Login}} wurde am {{.Time}} geändert. Wenn Sie das nicht waren, wenden Sie sich an Ihre Administration.\n"},
	{PasswordChanged, "fr"}: {Subject: "Votre mot de passe a été modifié", Text: "Bonjour {{.Name}},\n\nle mot de passe du compte {{.Login}} a été modifié le {{.Time}}. Si ce n'était pas vous, contactez votre administrateur.\n"},
}

// Default returns the shipped template for t in lang.
func Default(t Type, lang string) (Template, bool) {
	d, ok := defaults[key{t, lang}]
	return d, ok
}
