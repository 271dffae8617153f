// Package mailtest is an in-process SMTP server for tests
// (emersion/go-smtp): it keeps the mails it receives, optionally over
// STARTTLS or implicit TLS with AUTH PLAIN, and decodes them (subject,
// text and HTML parts, Content-Language), so tests read one-time codes and
// links from real mail.
package mailtest
