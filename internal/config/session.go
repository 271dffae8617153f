package config

import "time"

// Session configures SSO sessions (issue 8 item 13): a session ends
// AbsoluteTimeout after login however busy it is, and earlier when nobody
// used it for IdleTimeout. Go durations ("8h", "30m").
type Session struct {
	// AbsoluteTimeout ends an SSO session this long after the login.
	AbsoluteTimeout string `yaml:"absoluteTimeout"`
	// IdleTimeout ends an SSO session nobody used for this long.
	IdleTimeout string `yaml:"idleTimeout"`
}

var defaultSession = Session{AbsoluteTimeout: "8h", IdleTimeout: "1h"}

// Durations parses the timeouts (validated by Validate).
func (s Session) Durations() (absolute, idle time.Duration) {
	a, _ := time.ParseDuration(s.AbsoluteTimeout)
	i, _ := time.ParseDuration(s.IdleTimeout)
	return a, i
}

func (s Session) validate(bad func(key, format string, args ...any)) {
	a, errA := time.ParseDuration(s.AbsoluteTimeout)
	if errA != nil || a < time.Minute || a > 30*24*time.Hour {
		bad("session.absoluteTimeout", "%q is not a duration between 1m and 720h", s.AbsoluteTimeout)
	}
	i, errI := time.ParseDuration(s.IdleTimeout)
	if errI != nil || i < time.Minute {
		bad("session.idleTimeout", "%q is not a duration of at least 1m", s.IdleTimeout)
	} else if errA == nil && i > a {
		bad("session.idleTimeout", "must not be longer than session.absoluteTimeout")
	}
}
