package model

// PlausibleID reports whether s can be an id at all (1 to 100 printable
// ASCII characters): anything else is refused before it reaches a query
// (PostgreSQL rejects NUL and invalid UTF-8 outright).
func PlausibleID(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
