package password

import (
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/password/commonlist"
)

func codes(v []Violation) string {
	var c []string
	for _, x := range v {
		c = append(c, x.Code)
	}
	return strings.Join(c, ",")
}

// TestPolicyRules is one table per rule of issue 9 §2.1: each case names
// the codes it must produce (none: accepted).
func TestPolicyRules(t *testing.T) {
	p := DefaultPolicy()
	alice := Subject{LoginName: "alice", Email: "Alice.Smith@example.com"}
	asmith := Subject{LoginName: "asmith", Email: "Alice.Smith@example.com"}
	rules := map[string][]struct {
		pw   string
		who  Subject
		want string
	}{
		CodeTooShort: {
			{"elevenchars", alice, CodeTooShort},
			{"xyzzy-plugh", alice, CodeTooShort},
			{"ünïcödé-ok!", alice, CodeTooShort}, // 11 characters, more bytes
			{"twelve-chars", alice, ""},
			{"", alice, CodeTooShort},
		},
		CodeTooLong: {
			{strings.Repeat("q", 256), alice, ""},
			{strings.Repeat("q", 257), alice, CodeTooLong},
			{strings.Repeat("😀", 256), alice, ""}, // 256 characters, 1024 bytes
		},
		CodeContainsLogin: {
			{"alice", alice, CodeTooShort + "," + CodeContainsLogin},
			{"my-alice-is-here", alice, CodeContainsLogin},
			{"my-ALICE-is-here", alice, CodeContainsLogin},
			{"reversed-ecila-x", alice, CodeContainsLogin},
			{"zz", Subject{LoginName: "zz"}, CodeTooShort + "," + CodeContainsLogin},
			{"zz-and-more-text", Subject{LoginName: "zz"}, ""}, // too short a name to forbid inside
			{"not-the-login-at-all", alice, ""},
		},
		CodeContainsEmail: {
			{"hello-alice.smith-1", asmith, CodeContainsEmail},
			{"htims.ecila-reversed", asmith, CodeContainsEmail},
			{"HELLO-ALICE.SMITH-1", asmith, CodeContainsEmail},
			{"example.com-is-fine", asmith, ""},
		},
		CodeCommon: {
			{"password1234", alice, CodeCommon},
			{"Password1234", alice, CodeCommon},
			{"qwertyuiopasdfgh", alice, CodeCommon},
			{"correct horse battery staple wins", alice, ""},
		},
	}
	for rule, cases := range rules {
		for _, tc := range cases {
			if got := codes(p.Check(tc.pw, tc.who)); got != tc.want {
				t.Errorf("%s: Check(%q, %+v) = %q, want %q", rule, tc.pw, tc.who, got, tc.want)
			}
		}
	}
}

// TestPolicySwitches: each rule can be configured away or tightened.
func TestPolicySwitches(t *testing.T) {
	alice := Subject{LoginName: "alice"}
	off := Policy{MinLength: 8, MaxLength: 16}
	if v := off.Check("password-alice", alice); len(v) != 0 {
		t.Errorf("personal and common rules off: %v", v)
	}
	if v := off.Check("seventeen-letters", alice); codes(v) != CodeTooLong {
		t.Errorf("maxLength 16: %v", v)
	}
	if v := (Policy{MinLength: 8, MaxLength: 1024}).Check(strings.Repeat("ü", 600), alice); codes(v) != CodeTooLong {
		t.Errorf("600 characters in 1200 bytes: %v", v) // over MaxBytes, what the login page accepts
	}
	if got := Message(DefaultPolicy().Check("alice", alice)); got != "too_short: must be at least 12 characters long; contains_login: must not contain the login name" {
		t.Errorf("Message = %q", got)
	}
}

// TestCommonList: the shipped list holds at least the 100,000 most common
// passwords that any policy can still accept (8+ characters).
func TestCommonList(t *testing.T) {
	if err := commonlist.Load(); err != nil {
		t.Fatal(err)
	}
	if n := commonlist.Len(); n < 100_000 {
		t.Fatalf("list has %d entries", n)
	}
	for _, pw := range []string{"12345678", "password", "iloveyou", "sunshine", "1q2w3e4r5t"} {
		if !commonlist.Contains(pw) {
			t.Errorf("%q is not on the list", pw)
		}
	}
	if commonlist.Contains("Xq7-unlikely-Vz9-pass") {
		t.Error("a random password is on the list")
	}
}

// TestGenerateMeetsPolicy: the generated bootstrap password always passes.
func TestGenerateMeetsPolicy(t *testing.T) {
	for range 200 {
		if v := DefaultPolicy().Check(Generate(20), Subject{LoginName: "admin"}); len(v) != 0 {
			t.Fatal(v)
		}
	}
}

func BenchmarkCommonLookup(b *testing.B) {
	_ = commonlist.Load()
	pws := []string{"password1234", "Xq7-unlikely-Vz9-pass", "sunshine", "correct horse battery staple"}
	i := 0
	for b.Loop() {
		commonlist.Contains(pws[i%len(pws)])
		i++
	}
}

func BenchmarkPolicyCheck(b *testing.B) {
	_ = commonlist.Load()
	p, who := DefaultPolicy(), Subject{LoginName: "alice", Email: "alice.smith@example.com"}
	for b.Loop() {
		p.Check("correct horse battery staple", who)
	}
}
