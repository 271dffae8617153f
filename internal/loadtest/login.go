package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"
)

// loginReturn is where the scenarios' logins return to: a local URL the
// login engine accepts (login.SafeReturn), answered by Sesame itself.
const loginReturn = "/"

// flowCookie is the login engine's cookie (login.FlowCookie); any other
// cookie set by a finished login is the session.
const flowCookie = "sesame_login"

// poolUser is one of the users the login scenarios sign in as.
type poolUser struct {
	id, login, password, email string
}

// setUpPool creates n active users in the run's account (each with its
// own password and address), in parallel; with otp, each gets one-time
// codes by email (PUT /api/v1/users/{id}/two-factor, R-2FA-1).
func (e *env) setUpPool(ctx context.Context, n int, otp bool) ([]poolUser, error) {
	pool := make([]poolUser, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	// Every admin call verifies the admin's password and every new user's
	// password is hashed: a few at a time stay within the hasher's share
	// of one source (R-PWD-3).
	for range min(n, 4) {
		wg.Go(func() {
			for i := range next {
				pool[i], errs[i] = e.createPoolUser(ctx, i, otp)
			}
		})
	}
	for i := range n {
		if ctx.Err() != nil || errors.Join(errs...) != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	for _, u := range pool {
		if u.id != "" {
			e.created = append(e.created, u.id)
		}
	}
	return pool, errors.Join(errs...)
}

func (e *env) createPoolUser(ctx context.Context, i int, otp bool) (poolUser, error) {
	kind := "pwd"
	if otp {
		kind = "otp"
	}
	u := poolUser{login: fmt.Sprintf("load-%s-%s-%04d", e.suffix, kind, i), password: "Load-" + randHex(16)}
	u.email = u.login + "@load.example.org"
	var out idOnly
	if err := e.apiRetry(ctx, "POST", "/api/v1/users", map[string]any{"loginName": u.login, "domain": "ENTERPRISE",
		"contexts": []string{e.accountID}, "status": "active", "password": u.password,
		"person": map[string]string{"email": u.email, "firstName": "Load", "lastName": fmt.Sprintf("User %d", i)}}, &out); err != nil {
		return u, err
	}
	u.id = out.ID
	if otp {
		if err := e.apiRetry(ctx, "PUT", "/api/v1/users/"+u.id+"/two-factor", map[string]string{"otp": "email", "totp": "default"}, nil); err != nil {
			return u, fmt.Errorf("email codes for %s: %w", u.login, err)
		}
	}
	return u, nil
}

// apiRetry is api, tried again after a 503 (the hasher was busy).
func (e *env) apiRetry(ctx context.Context, method, path string, in, out any) error {
	for try := 1; ; try++ {
		err := e.api(ctx, method, path, in, out)
		var ae *apiError
		if !errors.As(err, &ae) || ae.status != http.StatusServiceUnavailable || try == 20 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(try) * 50 * time.Millisecond):
		}
	}
}

// loginState is a login worker's share of the pool.
type loginState struct {
	users []poolUser
	next  int
}

// loginWorkers gives each worker its own users (w.id, w.id+c, …), so no
// two workers ever sign in as the same user at once.
func (e *env) loginWorkers(ctx context.Context, pool []poolUser) ([]*worker, error) {
	c := e.cfg.Concurrency
	return e.workers(ctx, func(w *worker) error {
		st := &loginState{}
		for i := w.id; i < len(pool); i += c {
			st.users = append(st.users, pool[i])
		}
		if len(st.users) == 0 {
			return fmt.Errorf("worker %d: no user in a pool of %d", w.id, len(pool))
		}
		w.state = st
		return nil
	})
}

func (st *loginState) user() poolUser {
	u := st.users[st.next%len(st.users)]
	st.next++
	return u
}

// fresh is a new browser for one login: its own, empty cookie jar on the
// shared transport; redirects are not followed (each is checked).
func (e *env) fresh() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Transport: e.tr, Jar: jar, Timeout: e.cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// page is one fetched HTML page.
type page struct {
	url    *url.URL
	status int
	body   []byte
	loc    *url.URL // Location of a redirect
}

func (e *env) do(ctx context.Context, c *http.Client, method, target string, form url.Values) (page, error) {
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return page{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		return page{}, fmt.Errorf("%s %s: %w", method, req.URL.Path, netErr(err))
	}
	p := page{url: req.URL, status: resp.StatusCode, body: readBody(resp)}
	p.loc, _ = resp.Location()
	return p, nil
}

// where names a page for error messages: path, status, title.
func (p page) where() string {
	s := fmt.Sprintf("%s: status %d", p.url.Path, p.status)
	if p.loc != nil {
		return s + " → " + p.loc.Path
	}
	return s + ": " + pageTitle(p.body)
}

// isReturn reports whether p redirects (303) to the login's return URL.
func (e *env) isReturn(p page) bool {
	return p.status == http.StatusSeeOther && p.loc != nil && p.loc.Host == e.base.Host && p.loc.RequestURI() == loginReturn
}

// hasSession reports whether the browser holds a session cookie.
func (e *env) hasSession(c *http.Client) bool {
	for _, ck := range c.Jar.Cookies(e.base) {
		if ck.Name != flowCookie && ck.Value != "" {
			return true
		}
	}
	return false
}

// passwordStep is a login's first two requests: GET /login?return=…,
// then the page's form with the user's name and password. It returns the
// browser and the answer to the POST.
func (e *env) passwordStep(ctx context.Context, w *worker, u poolUser) (*http.Client, page, error) {
	c := e.fresh()
	s := time.Now()
	p, err := e.do(ctx, c, "GET", e.cfg.URL+"/login?"+url.Values{"return": {loginReturn}}.Encode(), nil)
	if err != nil {
		return nil, p, err
	}
	if p.status != http.StatusOK {
		return nil, p, fmt.Errorf("GET /login: %s", p.where())
	}
	f, ok := passwordForm(parseForms(p.body, p.url))
	if !ok {
		return nil, p, fmt.Errorf("GET /login: no form with a login name and a password: %s", pageTitle(p.body))
	}
	m := time.Now()
	w.step(0, m.Sub(s))
	v := f.values()
	v.Set(f.visibleText()[0].Name, u.login)
	v.Set(f.byType("password")[0].Name, u.password)
	p, err = e.do(ctx, c, f.Method, f.Action, v)
	if err != nil {
		return nil, p, err
	}
	w.step(1, time.Since(m))
	return c, p, nil
}

// passwordLogin (scenario login): one full browser password login through
// the login engine with a fresh cookie jar; it must end with a 303 to the
// return URL and a session cookie.
func (e *env) passwordLogin(ctx context.Context, w *worker) error {
	u := w.state.(*loginState).user()
	c, p, err := e.passwordStep(ctx, w, u)
	if err != nil {
		return err
	}
	if !e.isReturn(p) {
		return fmt.Errorf("POST /login as a pool user: %s, not a 303 to %s", p.where(), loginReturn)
	}
	if !e.hasSession(c) {
		return errors.New("POST /login: 303 to the return URL without a session cookie")
	}
	return nil
}

// otpLogin (scenario login-otp): password, then the code page, the code
// from the mail the sink received for the user's address, and the code
// form; it must end with a 303 to the return URL and a session cookie.
func (e *env) otpLogin(ctx context.Context, w *worker) error {
	u := w.state.(*loginState).user()
	e.sink.drain(u.email)
	c, p, err := e.passwordStep(ctx, w, u)
	if err != nil {
		return err
	}
	if e.isReturn(p) {
		return fmt.Errorf("the login finished after the password without asking for a code: " +
			"the server has no email code step, or the user's one-time codes by email are off")
	}
	if p.status != http.StatusSeeOther || p.loc == nil {
		return fmt.Errorf("POST /login (password): %s, want a 303 to the code page", p.where())
	}
	s := time.Now()
	p, err = e.do(ctx, c, "GET", p.url.ResolveReference(p.loc).String(), nil)
	if err != nil {
		return err
	}
	if p.status != http.StatusOK {
		return fmt.Errorf("GET the page after the password: %s", p.where())
	}
	f, ok := codeForm(parseForms(p.body, p.url))
	if !ok {
		return fmt.Errorf("the page after the password (%q) has no code form (a POST form with one visible text input)", pageTitle(p.body))
	}
	m := time.Now()
	w.step(2, m.Sub(s))
	code, err := e.sink.wait(ctx, u.email, e.cfg.CodeWait)
	if err != nil {
		return err
	}
	s = time.Now()
	w.step(3, s.Sub(m))
	v := f.values()
	v.Set(f.visibleText()[0].Name, code)
	p, err = e.do(ctx, c, f.Method, f.Action, v)
	if err != nil {
		return err
	}
	if !e.isReturn(p) {
		return fmt.Errorf("POST the code: %s, not a 303 to %s", p.where(), loginReturn)
	}
	if !e.hasSession(c) {
		return errors.New("POST the code: 303 to the return URL without a session cookie")
	}
	w.step(4, time.Since(s))
	return nil
}
