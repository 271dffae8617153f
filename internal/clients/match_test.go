package clients

import "testing"

func TestMatchService(t *testing.T) {
	const prefix = "https://portal.example.com/app/*"
	const exact = "https://legacy.example.com/cas/callback"
	for _, c := range []struct {
		pattern, service string
		ok               bool
	}{
		{prefix, "https://portal.example.com/app/", true},
		{prefix, "https://portal.example.com/app/home?x=1", true},
		{prefix, "https://PORTAL.example.com:443/app/home", true},
		{prefix, "https://portal.example.com/application", false},
		{prefix, "https://portal.example.com/", false},
		{prefix, "http://portal.example.com/app/home", false},
		{prefix, "https://portal.example.com:8443/app/home", false},
		{prefix, "https://portal.example.com.evil.com/app/", false},
		{prefix, "https://evil.com/app/?https://portal.example.com/app/", false},
		{prefix, "https://portal.example.com@evil.com/app/", false},
		{prefix, "https://evil.com@portal.example.com/app/", false},
		{prefix, "https://portal.example.com/app/..%2f..%2fadmin", false},
		{prefix, "https://portal.example.com/app/../admin", false},
		{prefix, "https://portal.example.com/app/%2e%2e/admin", false},
		{prefix, `https://portal.example.com/app/\evil.com`, false},
		{prefix, "https://portal.example.com/app/#frag", false},
		{prefix, "//portal.example.com/app/", false},
		{prefix, "javascript:alert(1)//portal.example.com/app/", false},
		{prefix, "https://portal.example.com/app/\nx", false},
		// Path parameters: servlet containers drop ";…" from each segment
		// before resolving dot segments, so "..;" is ".." to the app.
		{prefix, "https://portal.example.com/app/..;/admin/", false},
		{prefix, "https://portal.example.com/app/..;x=1/admin/", false},
		{prefix, "https://portal.example.com/app/.;/admin/", false},
		{prefix, "https://portal.example.com/app/x/..;/..;/admin/", false},
		{prefix, "https://portal.example.com/app/..%3B/admin/", false},
		{prefix, "https://portal.example.com/app/..%3b/admin/", false},
		{prefix, "https://portal.example.com/app;x=1/admin/", false},
		{prefix, "https://portal.example.com/app/home;jsessionid=ABC123", true},
		{prefix, "https://portal.example.com/app/home;jsessionid=ABC123?x=1", true},
		{exact, exact, true},
		{exact, exact + "/", false},
		{exact, exact + "?next=/", false},
		{exact, "https://legacy.example.com/cas/callbac", false},
	} {
		if got := MatchService(c.pattern, c.service); got != c.ok {
			t.Errorf("MatchService(%q, %q) = %v, want %v", c.pattern, c.service, got, c.ok)
		}
	}
}

func TestValidatePattern(t *testing.T) {
	for _, good := range []string{"https://a.example.com/*", "https://a.example.com/cb", "http://127.0.0.1:8080/app/*"} {
		if err := ValidatePattern(good); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
	for _, bad := range []string{"*", "https://*.example.com/", "https://a.example.com/app*", "https://a/x/*?q=1", "https://a.example.com/app;x/*", "https://a.example.com/app/..;/*", "ftp://a/", "https://u:p@a/", "a.example.com/"} {
		if ValidatePattern(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzMatchService(f *testing.F) {
	f.Add("https://portal.example.com/app/x")
	f.Fuzz(func(t *testing.T, s string) {
		if MatchService("https://portal.example.com/app/*", s) {
			u, err := ParseURL(s)
			if err != nil || u.Scheme != "https" || u.Hostname() != "portal.example.com" && u.Hostname() != "PORTAL.example.com" && hostPort(u) != "portal.example.com:443" {
				t.Fatalf("matched foreign URL %q", s)
			}
		}
	})
}
