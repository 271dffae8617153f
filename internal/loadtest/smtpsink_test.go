package loadtest

import (
	"context"
	"net/smtp"
	"strings"
	"testing"
	"time"
)

func send(t *testing.T, addr, to, msg string) {
	t.Helper()
	msg = strings.ReplaceAll(msg, "\n", "\r\n")
	if err := smtp.SendMail(addr, nil, "sso@example.com", []string{to}, []byte(msg)); err != nil {
		t.Fatalf("send to the sink: %v", err)
	}
}

// TestSinkCodes: the sink reads the code from the mail formats an outbox
// sends (multipart with quoted-printable text and HTML, base64, HTML
// only) and gives each recipient its own code.
func TestSinkCodes(t *testing.T) {
	s, err := startSink("127.0.0.1:0", DefaultCodePattern)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	ctx := context.Background()
	cases := []struct{ to, mail, code string }{
		{"ann@load.example.org", `From: sso@example.com
To: ann@load.example.org
Subject: =?utf-8?q?Your_sign-in_code?=
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary=XYZ

--XYZ
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Hello Ann,

your sign-in code is 482913. It is valid for 10 minutes.=20
Sent 2026-12-01.
--XYZ
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<p>your code is <b>482913</b></p>
--XYZ--
`, "482913"},
		{"Bob@Load.Example.org", `From: sso@example.com
To: bob@load.example.org
Subject: Ihr Anmeldecode
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

` + "SGFsbG8gQm9iLAoKSWhyIEFubWVsZGVjb2RlIGxhdXRldCAwMDcxMjM0LiBFciBpc3QgMTAgTWlu\ndXRlbiBnw7xsdGlnLgo=" + `
`, "0071234"},
		{"cy@load.example.org", `From: sso@example.com
To: cy@load.example.org
Subject: code
Content-Type: text/html

<p>Code:<span>99887766</span></p>
`, "99887766"},
	}
	for _, c := range cases {
		send(t, s.Addr(), c.to, c.mail)
	}
	for _, c := range cases {
		got, err := s.wait(ctx, strings.ToLower(c.to), time.Second)
		if err != nil || got != c.code {
			t.Errorf("%s: code %q, %v; want %s", c.to, got, err, c.code)
		}
	}
	// Nothing else is waiting: each code was handed out once.
	if got, err := s.wait(ctx, "ann@load.example.org", 50*time.Millisecond); err == nil {
		t.Errorf("a second code %q for ann", got)
	}
	// An older code not taken is dropped by drain; a mail without a code
	// is named when a wait times out.
	send(t, s.Addr(), "dan@load.example.org", "Subject: code\n\nyour code is 111111\n")
	time.Sleep(50 * time.Millisecond)
	s.drain("dan@load.example.org")
	send(t, s.Addr(), "dan@load.example.org", "Subject: hello\n\nno code here, only 12345\n")
	_, err = s.wait(ctx, "dan@load.example.org", 200*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "no code matching") || !strings.Contains(err.Error(), `"hello"`) {
		t.Errorf("wait without a code: %v", err)
	}
}
