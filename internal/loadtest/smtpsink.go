package loadtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// DefaultCodePattern finds a one-time code in a mail: the first run of 6
// to 10 digits standing alone (R-2FA-2: at least 6 digits).
const DefaultCodePattern = `(?:^|[^0-9])([0-9]{6,10})(?:[^0-9]|$)`

// codeSink is an in-process SMTP server (emersion/go-smtp) that accepts
// every mail, reads the one-time code from it and hands it to whoever
// waits for that recipient's code. Every user of a run has a distinct
// address, so the recipient is the key.
type codeSink struct {
	srv  *gosmtp.Server
	ln   net.Listener
	re   *regexp.Regexp
	mu   sync.Mutex
	box  map[string]chan string // recipient (lower-case) → codes not yet taken
	mail atomic.Int64           // mails received
	bad  atomic.Int64           // mails without a code, or to nobody waiting
	last atomic.Value           // string: why the last bad mail was bad
}

// startSink listens on addr and serves until close; pattern's first group
// (or whole match) is the code.
func startSink(addr, pattern string) (*codeSink, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("code pattern: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("SMTP sink: %w", err)
	}
	s := &codeSink{ln: ln, re: re, box: map[string]chan string{}}
	s.srv = gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return &sinkSession{s: s}, nil }))
	s.srv.Domain = "sesame-load"
	s.srv.ReadTimeout, s.srv.WriteTimeout = time.Minute, time.Minute
	s.srv.MaxMessageBytes = 1 << 20
	s.srv.MaxRecipients = 50
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Addr is where the sink listens.
func (s *codeSink) Addr() string { return s.ln.Addr().String() }

func (s *codeSink) close() error { return s.srv.Close() }

func (s *codeSink) inbox(rcpt string) chan string {
	rcpt = strings.ToLower(strings.TrimSpace(rcpt))
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.box[rcpt]
	if ch == nil {
		ch = make(chan string, 8)
		s.box[rcpt] = ch
	}
	return ch
}

// drain drops codes of rcpt not taken yet (a resend, an earlier failed
// iteration), so the next wait gets the code of the next mail.
func (s *codeSink) drain(rcpt string) {
	ch := s.inbox(rcpt)
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// wait returns the next code mailed to rcpt.
func (s *codeSink) wait(ctx context.Context, rcpt string, timeout time.Duration) (string, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case c := <-s.inbox(rcpt):
		return c, nil
	case <-ctx.Done():
		return "", ctx.Err()
	case <-t.C:
		msg := fmt.Sprintf("no code mailed to %s within %s (%d mails received so far", rcpt, timeout, s.mail.Load())
		if why, _ := s.last.Load().(string); why != "" {
			msg += "; last unusable mail: " + why
		}
		return "", errors.New(msg + ")")
	}
}

// deliver parses one received mail and hands its code to each recipient.
func (s *codeSink) deliver(rcpts []string, raw []byte) {
	s.mail.Add(1)
	code, err := s.code(raw)
	if err != nil {
		s.bad.Add(1)
		s.last.Store(err.Error())
		return
	}
	for _, r := range rcpts {
		ch := s.inbox(r)
		for {
			select {
			case ch <- code:
			default:
				// Nobody took the older codes: the newest wins.
				select {
				case <-ch:
				default:
				}
				continue
			}
			break
		}
	}
}

// code finds the one-time code in a mail: in the subject, then the text
// part, then the HTML part with its tags removed.
func (s *codeSink) code(raw []byte) (string, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", fmt.Errorf("mail does not parse: %v", err)
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	text, htmlText, err := mailBody(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0)
	if err != nil {
		return "", err
	}
	for _, part := range []string{subj, text, tagRE.ReplaceAllString(htmlText, " ")} {
		if m := s.re.FindStringSubmatch(part); m != nil {
			if len(m) > 1 && m[1] != "" {
				return m[1], nil
			}
			return m[0], nil
		}
	}
	return "", fmt.Errorf("no code matching %s in the mail %q", s.re, truncate(subj, 60))
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// mailBody decodes a (possibly multipart) body into its text and HTML.
func mailBody(ctype, cte string, r io.Reader, depth int) (text, htmlText string, err error) {
	mt, params, err := mime.ParseMediaType(cmpOrDefault(ctype, "text/plain"))
	if err != nil {
		return "", "", fmt.Errorf("content type %q: %v", ctype, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		if depth > 4 {
			return "", "", errors.New("multipart nested too deep")
		}
		mr := multipart.NewReader(r, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return text, htmlText, nil
			}
			if err != nil {
				return "", "", fmt.Errorf("multipart: %v", err)
			}
			t, h, err := mailBody(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1)
			if err != nil {
				return "", "", err
			}
			if text == "" {
				text = t
			}
			if htmlText == "" {
				htmlText = h
			}
		}
	}
	var dec io.Reader = r
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		dec = quotedprintable.NewReader(r)
	case "base64":
		dec = base64.NewDecoder(base64.StdEncoding, &skipSpace{r: r})
	}
	b, err := io.ReadAll(io.LimitReader(dec, 1<<20))
	if err != nil {
		return "", "", fmt.Errorf("decode %s body: %v", cte, err)
	}
	switch mt {
	case "text/html":
		return "", string(b), nil
	case "text/plain":
		return string(b), "", nil
	}
	return "", "", nil // an attachment, an image: no code there
}

func cmpOrDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// skipSpace drops the line breaks of a base64 body.
type skipSpace struct{ r io.Reader }

func (s *skipSpace) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
			p[j] = c
			j++
		}
	}
	return j, err
}

// sinkSession is one SMTP connection's transaction.
type sinkSession struct {
	s     *codeSink
	rcpts []string
}

func (x *sinkSession) Reset()                                 { x.rcpts = nil }
func (x *sinkSession) Logout() error                          { return nil }
func (x *sinkSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (x *sinkSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	x.rcpts = append(x.rcpts, to)
	return nil
}

func (x *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.deliver(x.rcpts, b)
	return nil
}
