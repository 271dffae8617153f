package config

import (
	"strings"
	"testing"
	"time"
)

// TestPasswordConfig: the password policy keys load from YAML and env, and
// bad values are reported by key (issue 9 §2.1).
func TestPasswordConfig(t *testing.T) {
	c := Default()
	if c.Password.MinLength != 12 || c.Password.MaxLength != 256 {
		t.Errorf("defaults: %+v", c.Password)
	}
	if p, cm := c.Password.Rejects(); !p || !cm {
		t.Error("personal and common rules are off by default")
	}
	p := write(t, "password:\n  minLength: 14\n  rejectCommon: false\n")
	env := map[string]string{"SESAME_PASSWORD_MAX_LENGTH": "64", "SESAME_PASSWORD_REJECT_PERSONAL": "false"}
	c, err := Load(p, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if pe, cm := c.Password.Rejects(); c.Password.MinLength != 14 || c.Password.MaxLength != 64 || pe || cm {
		t.Errorf("loaded: %+v", c.Password)
	}
	p = write(t, "password:\n  minLength: 6\n  maxLength: 4000\n")
	env = map[string]string{"SESAME_PASSWORD_REJECT_COMMON": "maybe"}
	c, _ = Load(p, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	err = c.Validate()
	for _, want := range []string{"password.minLength: must be between 8", "password.maxLength", "SESAME_PASSWORD_REJECT_COMMON (password.rejectCommon)"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
}

// TestPasswordExpiryAndResetConfig: password.maxAge (0 = never) and
// password.resetTTL load from YAML and env; bad ones are listed by key.
func TestPasswordExpiryAndResetConfig(t *testing.T) {
	c := Default()
	if a, r := c.Password.Durations(); a != 0 || r != 30*time.Minute {
		t.Errorf("defaults: maxAge %v resetTTL %v", a, r)
	}
	p := write(t, "password:\n  maxAge: 2160h\n")
	env := map[string]string{"SESAME_PASSWORD_RESET_TTL": "10m"}
	c, err := Load(p, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if a, r := c.Password.Durations(); a != 2160*time.Hour || r != 10*time.Minute {
		t.Errorf("loaded: maxAge %v resetTTL %v", a, r)
	}
	p = write(t, "password:\n  maxAge: 5m\n  resetTTL: 48h\n")
	c, _ = Load(p, func(string) (string, bool) { return "", false })
	err = c.Validate()
	for _, want := range []string{"password.maxAge", "password.resetTTL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
}
