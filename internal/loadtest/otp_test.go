package loadtest_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/loadtest"
)

// fakeOTP is a small stand-in for a Sesame with an email code step (the
// real step is built in another branch): the admin API calls set-up
// makes, a password page, a code page with field names of its own and a
// resend form, codes mailed over real SMTP to the sink.
type fakeOTP struct {
	t    *testing.T
	sink string
	mu   sync.Mutex
	// users by login: password, email, whether codes by email are on
	users map[string]*fakeUser
	byID  map[string]*fakeUser
	// logins in progress by flow cookie
	flows              map[string]*fakeFlow
	finished, badCodes int
	// sendErrs counts mails the fake outbox could not hand to the sink:
	// expected only for codes sent as the run ends and the sink closes
	// (a login whose mail is lost fails, and that is what tests look at).
	sendErrs int
}

type fakeUser struct {
	id, password, email string
	otp                 bool
}

type fakeFlow struct {
	user *fakeUser
	code string
}

func newFakeOTP(t *testing.T, sink string) *httptest.Server {
	f := &fakeOTP{t: t, sink: sink, users: map[string]*fakeUser{}, byID: map[string]*fakeUser{}, flows: map[string]*fakeFlow{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/contexts", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"items":[{"id":"root"}]}`)
	})
	mux.HandleFunc("POST /api/v1/contexts", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"id":"acc"}`) })
	mux.HandleFunc("POST /api/v1/users", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			LoginName, Password string
			Person              struct{ Email string }
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		f.mu.Lock()
		defer f.mu.Unlock()
		u := &fakeUser{id: fmt.Sprintf("u%d", len(f.byID)), password: in.Password, email: in.Person.Email}
		f.users[in.LoginName], f.byID[u.id] = u, u
		fmt.Fprintf(w, `{"id":%q}`, u.id)
	})
	mux.HandleFunc("PUT /api/v1/users/{id}/two-factor", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ OTP string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		f.mu.Lock()
		defer f.mu.Unlock()
		if u := f.byID[r.PathValue("id")]; u != nil && in.OTP == "email" {
			u.otp = true
		}
		io.WriteString(w, `{}`)
	})
	mux.HandleFunc("POST /api/v1/users/{id}/delete", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	mux.HandleFunc("GET /login", f.page)
	mux.HandleFunc("POST /login", f.post)
	return httptest.NewServer(mux)
}

func token() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}

func (f *fakeOTP) flow(r *http.Request) (string, *fakeFlow) {
	c, err := r.Cookie("sesame_login")
	if err != nil {
		return "", nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return c.Value, f.flows[c.Value]
}

func (f *fakeOTP) page(w http.ResponseWriter, r *http.Request) {
	id, fl := f.flow(r)
	if fl == nil || fl.code == "" {
		id = token()
		f.mu.Lock()
		f.flows[id] = &fakeFlow{}
		f.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "sesame_login", Value: id, Path: "/"})
		fmt.Fprintf(w, `<html><title>Sign in</title><form method="post" action="/login"><input type="hidden" name="step" value="password">
<input type="hidden" name="flow" value="%s"><input type="hidden" name="return" value="%s">
<input type="text" name="username"><input type="password" name="password"><button type="submit">Sign in</button></form></html>`,
			id[:8], html.EscapeString(r.URL.Query().Get("return")))
		return
	}
	fmt.Fprintf(w, `<html><title>Enter your code</title>
<form method="post" action="/login"><input type="hidden" name="step" value="code"><input type="hidden" name="resend" value="1"><button>Resend</button></form>
<form action="login" method="POST"><input type="hidden" name="step" value="code"><input name="tx" type="hidden" value="%s">
<input name="one_time_code" inputmode="numeric"><button type="submit" name="do" value="verify">Verify</button></form></html>`, id[8:16])
}

func (f *fakeOTP) post(w http.ResponseWriter, r *http.Request) {
	id, fl := f.flow(r)
	_ = r.ParseForm()
	switch {
	case fl == nil:
		http.Error(w, "no login", 400)
	case r.PostForm.Get("step") == "password" && r.PostForm.Get("flow") == id[:8] && r.PostForm.Get("return") == "/":
		f.mu.Lock()
		u := f.users[r.PostForm.Get("username")]
		f.mu.Unlock()
		if u == nil || u.password != r.PostForm.Get("password") {
			http.Error(w, "wrong password", 401)
			return
		}
		if !u.otp {
			http.Error(w, "codes by email are off for this user", 500)
			return
		}
		code := fmt.Sprintf("%08d", time.Now().UnixNano()%100000000)
		f.mu.Lock()
		fl.user, fl.code = u, code
		f.mu.Unlock()
		// Mailed by an "outbox" after the answer.
		go func() {
			msg := "To: " + u.email + "\r\nSubject: Your sign-in code\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Content-Transfer-Encoding: quoted-printable\r\n\r\nYour sign-in code is " + code + ". It is valid for 10 minutes.\r\n"
			if err := smtp.SendMail(f.sink, nil, "sso@example.com", []string{u.email}, []byte(msg)); err != nil {
				// Not t.Errorf: this goroutine may outlive the test.
				f.mu.Lock()
				f.sendErrs++
				f.mu.Unlock()
			}
		}()
		http.Redirect(w, r, "/login?flow="+id[:8], http.StatusSeeOther)
	case r.PostForm.Get("step") == "code" && r.PostForm.Get("tx") == id[8:16] && r.PostForm.Get("do") == "verify":
		f.mu.Lock()
		defer f.mu.Unlock()
		if fl.code == "" || r.PostForm.Get("one_time_code") != fl.code {
			f.badCodes++
			http.Error(w, "wrong code", 400)
			return
		}
		delete(f.flows, id)
		f.finished++
		http.SetCookie(w, &http.Cookie{Name: "sesame_login", Value: "", Path: "/", MaxAge: -1})
		http.SetCookie(w, &http.Cookie{Name: "sesame_session", Value: token(), Path: "/"})
		http.Redirect(w, r, "/", http.StatusSeeOther)
	default:
		http.Error(w, "unexpected form "+r.PostForm.Encode(), 400)
	}
}

// TestLoginOTP runs login-otp against the fake: each counted login took
// the code the fake mailed to that user (a wrong or missing code fails
// the login), posted with the code page's own hidden fields.
func TestLoginOTP(t *testing.T) {
	sink := freePort(t)
	srv := newFakeOTP(t, sink)
	defer srv.Close()
	rep, err := loadtest.Run(context.Background(), loadtest.Config{URL: srv.URL, Admin: "admin:x", Scenario: "login-otp",
		Duration: time.Second, Warmup: 100 * time.Millisecond, Concurrency: 4, Users: 8, Timeout: 5 * time.Second,
		SMTPSink: sink, CodeWait: 2 * time.Second}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results[0]
	if r.Count == 0 || r.Errors != 0 || r.WarmupErrors != 0 {
		t.Fatalf("count %d, errors %d/%d: %v", r.Count, r.Errors, r.WarmupErrors, r.ErrorSamples)
	}
	if len(r.Steps) != 5 || r.Steps[3].Name != "code mail" || r.Steps[3].Latency.P50 <= 0 || r.Steps[4].Latency.P50 <= 0 {
		t.Errorf("steps: %+v", r.Steps)
	}
	if !strings.Contains(r.Note, "8 users") {
		t.Errorf("note %q", r.Note)
	}
}
