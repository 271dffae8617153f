// Package sms sends outbox SMS (R-MSG-2) through a configurable HTTP
// gateway: a POST to the gateway URL with an optional authorization
// header, the body rendered from a text/template with {{.To}}, {{.Text}}
// and {{.Language}} (values JSON-escaped when the content type is JSON,
// form-escaped for form bodies), a timeout, and any non-2xx answer treated
// as a failure the outbox retries.
package sms
