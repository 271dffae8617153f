package config

import (
	"strings"
	"testing"
	"time"
)

// TestSessionTimeouts: session.absoluteTimeout and session.idleTimeout come
// from the file and the environment, default to 8h / 1h, and nonsense (or
// an idle timeout longer than the absolute one) is named by key.
func TestSessionTimeouts(t *testing.T) {
	c, _ := Load("", noEnv)
	if a, i := c.Session.Durations(); a != 8*time.Hour || i != time.Hour {
		t.Errorf("defaults: %v %v", a, i)
	}
	p := write(t, "session:\n  absoluteTimeout: 12h\n  idleTimeout: 45m\n")
	c, err := Load(p, noEnv)
	if err != nil || c.Validate() != nil {
		t.Fatal(err, c.Validate())
	}
	if a, i := c.Session.Durations(); a != 12*time.Hour || i != 45*time.Minute {
		t.Errorf("file: %v %v", a, i)
	}
	env := map[string]string{"SESAME_SESSION_ABSOLUTE_TIMEOUT": "2h", "SESAME_SESSION_IDLE_TIMEOUT": "15m"}
	c, _ = Load(p, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if a, i := c.Session.Durations(); a != 2*time.Hour || i != 15*time.Minute {
		t.Errorf("env: %v %v", a, i)
	}
	for _, tc := range []struct{ abs, idle, key string }{
		{"soon", "1h", "session.absoluteTimeout"},
		{"10s", "1m", "session.absoluteTimeout"},
		{"8h", "0", "session.idleTimeout"},
		{"8h", "-5m", "session.idleTimeout"},
		{"1h", "2h", "session.idleTimeout"},
	} {
		c := Default()
		c.Session = Session{AbsoluteTimeout: tc.abs, IdleTimeout: tc.idle}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%+v: %v, want an error naming %s", tc, err, tc.key)
		}
	}
}
