package config

import (
	"strings"
	"testing"
)

// TestThrottleConfig: the brute-force keys load from YAML and env, and bad
// values are reported by key.
func TestThrottleConfig(t *testing.T) {
	p := write(t, "throttle:\n  trustedProxies: [10.0.0.0/8]\n  accountLockAfter: 5\n  lockDuration: 30m\n")
	env := map[string]string{"SESAME_TRUSTED_PROXIES": "192.0.2.1, 2001:db8::/32", "SESAME_HASHER_QUEUE": "16"}
	c, err := Load(p, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Throttle.AccountLockAfter != 5 || c.Throttle.LockDuration != "30m" || c.Throttle.HasherQueue != 16 || len(c.Throttle.Proxies()) != 2 ||
		c.Throttle.Proxies()[0].String() != "192.0.2.1/32" {
		t.Errorf("loaded: %+v %v", c.Throttle, c.Throttle.Proxies())
	}
	env = map[string]string{"SESAME_TRUSTED_PROXIES": "not-a-cidr", "SESAME_THROTTLE_LOCK_AFTER": "many"}
	p = write(t, "throttle:\n  accountFreeFailures: 20\n  lockDuration: 5h\n  hasherQueue: 0\n")
	c, _ = Load(p, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	err = c.Validate()
	for _, want := range []string{"throttle.trustedProxies", "SESAME_THROTTLE_LOCK_AFTER", "throttle.accountLockAfter: must be greater", "throttle.window", "throttle.hasherQueue"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
}
