package i18n

// Msg is a message key with its arguments: what Go code hands to a page
// (or an email) instead of English text, translated when rendered. The
// zero Msg prints as "".
type Msg struct {
	Key  string
	Args []any
}

// M builds a Msg.
func M(key string, args ...any) Msg { return Msg{Key: key, Args: args} }

// IsZero reports an empty Msg (templates: {{if not .Error.IsZero}}).
func (m Msg) IsZero() bool { return m.Key == "" }
