package clients

import "testing"

func TestParseOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://spa.example.com":      "https://spa.example.com",
		"https://SPA.example.com:443":  "https://spa.example.com",
		"http://127.0.0.1:8080":        "http://127.0.0.1:8080",
		"http://localhost:80":          "http://localhost",
		"https://[::1]:8443":           "https://[::1]:8443",
		"https://spa.example.com:8443": "https://spa.example.com:8443",
	} {
		if got, err := ParseOrigin(in); err != nil || got != want {
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "*", "null", "spa.example.com", "//spa.example.com", "https://spa.example.com/",
		"https://spa.example.com/app", "https://spa.example.com?", "https://spa.example.com#x", "https://u@spa.example.com",
		"https://*.example.com", "ftp://spa.example.com", "https://spa.example.com%2f", "https://spa.example.com\\x", "https:// spa"} {
		if got, err := ParseOrigin(bad); err == nil {
			t.Errorf("ParseOrigin(%q) = %q, accepted", bad, got)
		}
	}
}
