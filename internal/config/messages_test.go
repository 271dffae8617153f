package config

import (
	"strings"
	"testing"
)

// TestMessagesValidation: SMTP and SMS settings are checked and each
// problem names its key (issue 9 §4).
func TestMessagesValidation(t *testing.T) {
	env := func(vals map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := vals[k]; return v, ok }
	}
	for _, tc := range []struct {
		name, yaml string
		env        map[string]string
		want       []string // keys named; none = valid
	}{
		{"defaults", "", nil, nil},
		{"smtp ok", "smtp: {host: mail.example.com, from: sso@example.com, username: u}", map[string]string{"SESAME_SMTP_PASSWORD": "p"}, nil},
		{"smtp password missing", "smtp: {host: mail.example.com, from: sso@example.com, username: u}", nil, []string{"smtp.passwordEnv"}},
		{"smtp plain to a remote host", "smtp: {host: mail.example.com, from: sso@example.com, tls: none}", nil, []string{"smtp.tls"}},
		{"smtp plain on loopback", "smtp: {host: 127.0.0.1, port: 2525, from: sso@example.com, tls: none}", nil, nil},
		{"smtp bad values", "smtp: {host: mail.example.com, port: 70000, from: 'Eve <e@x.example>', tls: ssl}", nil, []string{"smtp.port", "smtp.from", "smtp.tls"}},
		{"sms ok", "sms: {url: 'https://gw.example.com/send', body: '{\"n\": {{.To}}, \"t\": {{.Text}}}'}", nil, nil},
		{"sms bad", "sms: {url: 'http://gw.example.com/send', body: '{{.Phone}}'}", nil, []string{"sms.url", "sms.body"}},
		{"worker bad", "messages: {maxAttempts: 0, backoff: 1ms, undeliverable: ['[']}", nil, []string{"messages.maxAttempts", "messages.backoff", "messages.undeliverable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			if err := Decode(strings.NewReader(tc.yaml), &c); err != nil {
				t.Fatal(err)
			}
			c.applyMessagesEnv(env(tc.env))
			err := c.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("valid config refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("invalid config accepted")
			}
			for _, k := range tc.want {
				if !strings.Contains(err.Error(), k+":") {
					t.Errorf("error does not name %s: %v", k, err)
				}
			}
		})
	}
}
