// Package message owns the message templates (R-MSG-1): the types of
// message Sesame sends (password reset, one-time codes by email and SMS,
// welcome, account locked, password changed), the placeholders each type
// offers, the defaults shipped in English, German and French (embedded,
// defaults/*.tmpl), administrators' overrides in the store (validated:
// unknown placeholders are refused when saved), and rendering in the
// user's language with English as the fallback.
package message
