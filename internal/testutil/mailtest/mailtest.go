package mailtest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// received is one mail as the in-process SMTP server got it.
type Received struct {
	From string
	Rcpt []string
	Raw  []byte
	User string // authenticated user ("" = none)
}

// Server is an in-process SMTP server (emersion/go-smtp) that keeps
// what it receives; TLS and AUTH PLAIN are optional.
type Server struct {
	t    *testing.T
	mu   sync.Mutex
	mail []Received
	srv  *gosmtp.Server
	addr string
	// User and Pass, when set before Start, are required (AUTH PLAIN).
	User string
	Pass string
	// roots trusts the server's certificate (TLS modes).
	roots *x509.CertPool
	cert  tls.Certificate
}

type session struct {
	s    *Server
	cur  Received
	user string
}

func (m *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (m *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != m.s.User || pass != m.s.Pass {
			return errors.New("invalid credentials")
		}
		m.user = user
		return nil
	}), nil
}
func (m *session) Reset()        { m.cur = Received{} }
func (m *session) Logout() error { return nil }
func (m *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if m.s.User != "" && m.user == "" {
		return &gosmtp.SMTPError{Code: 530, Message: "authentication required"}
	}
	m.cur.From = from
	return nil
}
func (m *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	m.cur.Rcpt = append(m.cur.Rcpt, to)
	return nil
}
func (m *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m.cur.Raw, m.cur.User = b, m.user
	m.s.mu.Lock()
	m.s.mail = append(m.s.mail, m.cur)
	m.s.mu.Unlock()
	return nil
}

// New prepares a server; start listens (again) on its address.
func New(t *testing.T) *Server {
	// httptest's certificate is valid for 127.0.0.1 and example.com.
	hs := httptest.NewUnstartedServer(nil)
	hs.StartTLS()
	cert := hs.TLS.Certificates[0]
	roots := x509.NewCertPool()
	roots.AddCert(hs.Certificate())
	hs.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return &Server{t: t, addr: addr, roots: roots, cert: cert}
}

// Port is the server's TCP port.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.addr)
	var n int
	for _, c := range p {
		n = n*10 + int(c-'0')
	}
	return n
}

// Start serves on the server's address: mode "none", "starttls" or "tls".
func (s *Server) Start(mode string) {
	be := gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return &session{s: s}, nil })
	srv := gosmtp.NewServer(be)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = mode == "none"
	var (
		l   net.Listener
		err error
	)
	switch mode {
	case "tls":
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{s.cert}}
		l, err = tls.Listen("tcp", s.addr, srv.TLSConfig)
	case "starttls":
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{s.cert}}
		l, err = net.Listen("tcp", s.addr)
	default:
		l, err = net.Listen("tcp", s.addr)
	}
	if err != nil {
		s.t.Fatal(err)
	}
	s.srv = srv
	go func() { _ = srv.Serve(l) }()
	s.t.Cleanup(func() { srv.Close() })
}

// Stop closes the listener and connections.
func (s *Server) Stop() { s.srv.Close() }

// Received returns the mails so far.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.mail...)
}

// Parsed is a received mail decoded.
type Parsed struct {
	Header          mail.Header
	Subject         string
	Text, HTML      string
	ContentLanguage string
}

func Parse(t *testing.T, raw []byte) Parsed {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("received mail does not parse: %v\n%s", err, raw)
	}
	dec := new(mime.WordDecoder)
	subj, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	p := Parsed{Header: msg.Header, Subject: subj, ContentLanguage: msg.Header.Get("Content-Language")}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		p.Text = decodePart(t, msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
		return p
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return p
		}
		if err != nil {
			t.Fatal(err)
		}
		body := decodePart(t, part.Header.Get("Content-Transfer-Encoding"), part)
		if strings.HasPrefix(part.Header.Get("Content-Type"), "text/html") {
			p.HTML = body
		} else {
			p.Text = body
		}
	}
}

func decodePart(t *testing.T, enc string, r io.Reader) string {
	t.Helper()
	if strings.EqualFold(enc, "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

// TLSConfig trusts the server's certificate.
func (s *Server) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}
