package loadtest

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
)

// Config is one run's settings (the command-line flags).
type Config struct {
	URL         string
	Admin       string // login:password, HTTP Basic for the admin API
	Scenario    string // one of Scenarios, or all
	Duration    time.Duration
	Warmup      time.Duration
	Concurrency int
	Timeout     time.Duration // per request
	Scope       string        // client_credentials scope (optional)
	JSON        bool
	Keep        bool // keep the user and clients created for the run
	// CASValidate is the measured validation time of the cas-validate
	// figure: 0 means Duration, negative skips it.
	CASValidate time.Duration
	// Tokens is how many distinct access tokens introspect-many and
	// introspect-expired cycle through (0: 10,000).
	Tokens int
	// Users is the size of the login and login-otp user pools and the
	// number of saml-acs subjects (0: twice the concurrency, at least 16;
	// never fewer than the workers; saml-acs rounds it up to a multiple of
	// the workers).
	Users int
	// SMTPSink is where login-otp's SMTP sink listens (the server's
	// smtp.host/port must point there); empty: login-otp cannot run.
	SMTPSink string
	// CodePattern finds the code in a mail (DefaultCodePattern when
	// empty); CodeWait bounds the wait for one mail (0: 30 s).
	CodePattern string
	CodeWait    time.Duration
	// SAMLSign is where saml-acs's responses are signed: SignResponse
	// (default), SignAssertion or SignBoth.
	SAMLSign string
	// SAMLPool is how many responses saml-acs makes before the run (0:
	// samlPoolSize's estimate from the expected rate).
	SAMLPool int
}

// Report is the whole run, as printed by -json (one line).
type Report struct {
	URL             string   `json:"url"`
	Scenario        string   `json:"scenario"`
	Concurrency     int      `json:"concurrency"`
	DurationSeconds float64  `json:"durationSeconds"`
	WarmupSeconds   float64  `json:"warmupSeconds"`
	Results         []Result `json:"results"`
}

const usage = `sesame-load drives a running Sesame and reports throughput and latency.

Usage:
  sesame-load [-url http://127.0.0.1:8080] [-admin admin:PASSWORD] [-scenario cas]
              [-d 10s] [-warmup 2s] [-c 32] [-json]

Scenarios:
  cc          client_credentials token requests (RFC 6749 §4.4)
  introspect  token introspection of one valid access token (RFC 7662)
  introspect-many
              introspection of -tokens distinct valid access tokens, each worker
              cycling through its share (no single token the cache flatters)
  introspect-expired
              introspection of -tokens distinct expired access tokens (replay of
              expired tokens; every answer must be "active": false)
  authcode    authorization code + PKCE flows on an SSO session (authorize + token)
  cas         /cas/login ticket + /cas/serviceValidate pairs, then serviceValidate
              alone over pre-minted tickets
  login       full browser password logins through the login engine: GET /login,
              then its form with name and password, until the 303 back with a session
              cookie; a fresh cookie jar per login, a pool of -users users
  login-otp   the same with one-time codes by email: password, code page, the code
              from the mail the in-process SMTP sink (-smtp-sink) received, the code
              form; the server's SMTP (smtp.host/port, tls: none) must point at the sink
  saml-acs    IdP-initiated SAML 2.0 consumes: the command is its own IdP (a new
              RSA key; a tenant and a SAML connection trusting it are created),
              signs a pool of responses before the clock starts (-saml-pool, one
              use each: the server refuses replays) for -users subjects, and posts
              one per operation to the ACS as a browser's auto-POST; success is
              the 303 to /login; -saml-sign response, assertion or both
  all         each of the above in turn (OIDC ones are skipped without discovery,
              login-otp without -smtp-sink, saml-acs when -warmup + -d exceeds 3m)

Flags:
`

// Main runs the command and returns its exit code: 0 when the run
// completed (errors during the load are reported, not fatal), 1 when it
// could not run, 2 for bad usage.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sesame-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	var c Config
	fs.StringVar(&c.URL, "url", "http://127.0.0.1:8080", "Sesame base URL")
	fs.StringVar(&c.Admin, "admin", "", "admin `login:password` (HTTP Basic) for set-up through the admin API;\n"+
		"empty: admin:$SESAME_BOOTSTRAP_ADMIN_PASSWORD")
	fs.StringVar(&c.Scenario, "scenario", "cas", "cc, introspect, introspect-many, introspect-expired, authcode, cas, login, login-otp, saml-acs or all")
	fs.IntVar(&c.Users, "users", 0, "login, login-otp: users in the pool; saml-acs: SAML subjects, rounded up to a multiple of -c\n"+
		"(0: 2 × -c, at least 16)")
	fs.StringVar(&c.SAMLSign, "saml-sign", SignResponse, "saml-acs: what the IdP signs: response, assertion (Entra ID, ADFS default) or both")
	fs.IntVar(&c.SAMLPool, "saml-pool", 0, "saml-acs: responses signed before the run, each posted once\n"+
		fmt.Sprintf("(0: %d/s per core × (-warmup + -d) + 20%%, at least 4 per user)", samlRatePerCore))
	fs.StringVar(&c.SMTPSink, "smtp-sink", "", "login-otp: `HOST:PORT` of the in-process SMTP server that reads the codes (e.g. 127.0.0.1:2525)")
	fs.StringVar(&c.CodePattern, "code-pattern", DefaultCodePattern, "login-otp: regular expression of the code in a mail (its first group, else the match)")
	fs.DurationVar(&c.CodeWait, "code-wait", 30*time.Second, "login-otp: how long to wait for one code mail")
	fs.IntVar(&c.Tokens, "tokens", 10000, "introspect-many, introspect-expired: distinct access tokens minted before the run")
	fs.DurationVar(&c.Duration, "d", 10*time.Second, "measured duration per scenario")
	fs.DurationVar(&c.Warmup, "warmup", 2*time.Second, "warm-up before each measurement (not counted)")
	fs.IntVar(&c.Concurrency, "c", 32, "concurrent workers (and keep-alive connections)")
	fs.DurationVar(&c.Timeout, "timeout", 10*time.Second, "timeout of one request")
	fs.StringVar(&c.Scope, "scope", "", "scope to ask for in client_credentials requests (none by default)")
	fs.BoolVar(&c.JSON, "json", false, "print the result as one JSON line on stdout (the table goes to stderr)")
	fs.BoolVar(&c.Keep, "keep", false, "keep the users, clients and SAML connection created for the run (the account always stays)")
	fs.DurationVar(&c.CASValidate, "cas-validate", 0, "cas: measured time of the validate-only figure (0: same as -d, negative: skip);\n"+
		"minting its tickets adds several times this much to the run")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if c.Admin == "" {
		c.Admin = "admin:" + os.Getenv("SESAME_BOOTSTRAP_ADMIN_PASSWORD")
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sesame-load: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if err := c.validate(); err != nil {
		fmt.Fprintf(stderr, "sesame-load: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	table := stdout
	if c.JSON {
		table = stderr
	}
	rep, err := Run(ctx, c, stderr)
	if len(rep.Results) > 0 {
		WriteTable(table, rep)
	}
	if c.JSON && (err == nil || len(rep.Results) > 0) {
		b, _ := json.Marshal(rep)
		fmt.Fprintf(stdout, "%s\n", b)
	}
	if err != nil {
		fmt.Fprintf(stderr, "sesame-load: %v\n", err)
		return 1
	}
	return 0
}

func (c *Config) validate() error {
	var errs []error
	c.URL = strings.TrimRight(c.URL, "/")
	if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("-url %q: want http://HOST:PORT", c.URL))
	}
	if l, p, ok := strings.Cut(c.Admin, ":"); !ok || l == "" || p == "" {
		errs = append(errs, errors.New("-admin: want login:password (or set SESAME_BOOTSTRAP_ADMIN_PASSWORD)"))
	}
	if c.Scenario != "all" && !slices.Contains(Scenarios, c.Scenario) {
		errs = append(errs, fmt.Errorf("-scenario %q: want one of %s or all", c.Scenario, strings.Join(Scenarios, ", ")))
	}
	if c.Duration <= 0 {
		errs = append(errs, errors.New("-d must be positive"))
	}
	if c.Warmup < 0 {
		errs = append(errs, errors.New("-warmup must not be negative"))
	}
	if c.Concurrency < 1 || c.Concurrency > 10000 {
		errs = append(errs, errors.New("-c must be between 1 and 10000"))
	}
	if c.Timeout <= 0 {
		errs = append(errs, errors.New("-timeout must be positive"))
	}
	if c.Tokens == 0 {
		c.Tokens = 10000
	}
	if c.Tokens < 1 || c.Tokens > 1_000_000 {
		errs = append(errs, errors.New("-tokens must be between 1 and 1000000"))
	}
	if c.Users == 0 {
		c.Users = max(2*c.Concurrency, 16)
	}
	if c.Users < 0 || c.Users > 100_000 {
		errs = append(errs, errors.New("-users must be between 1 and 100000"))
	}
	c.Users = max(c.Users, c.Concurrency)
	if c.CodePattern == "" {
		c.CodePattern = DefaultCodePattern
	}
	if c.CodeWait <= 0 {
		c.CodeWait = 30 * time.Second
	}
	if c.SAMLSign == "" {
		c.SAMLSign = SignResponse
	}
	if !slices.Contains(SAMLSignModes, c.SAMLSign) {
		errs = append(errs, fmt.Errorf("-saml-sign %q: want %s", c.SAMLSign, strings.Join(SAMLSignModes, ", ")))
	}
	if c.SAMLPool < 0 || c.SAMLPool > 2_000_000 {
		errs = append(errs, errors.New("-saml-pool must be between 0 (automatic) and 2000000"))
	}
	if c.Scenario == "saml-acs" && c.Warmup+c.Duration > maxSAMLRun {
		errs = append(errs, errors.New("saml-acs: "+samlTooLong))
	}
	if c.Scenario == "login-otp" && c.SMTPSink == "" {
		errs = append(errs, errors.New("-scenario login-otp needs -smtp-sink HOST:PORT (the server's SMTP must point there)"))
	}
	return errors.Join(errs...)
}

// Run sets up, runs the scenario(s) and tears down; progress goes to log.
// The report holds what was measured even when err is set.
func Run(ctx context.Context, c Config, log io.Writer) (Report, error) {
	if err := c.validate(); err != nil {
		return Report{}, err
	}
	rep := Report{URL: c.URL, Scenario: c.Scenario, Concurrency: c.Concurrency,
		DurationSeconds: c.Duration.Seconds(), WarmupSeconds: c.Warmup.Seconds()}
	base, _ := url.Parse(c.URL)
	tr := newTransport(c.Concurrency)
	defer tr.CloseIdleConnections()
	e := &env{cfg: c, base: base, tr: tr, suffix: randHex(4),
		admin: &http.Client{Transport: tr, Timeout: 30 * time.Second}}

	scenarios := []string{c.Scenario}
	if c.Scenario == "all" {
		scenarios = Scenarios
	}
	skip := map[string]string{}
	needOIDC := slices.ContainsFunc(scenarios, isOIDC)
	if needOIDC {
		if err := e.discover(ctx); err != nil {
			if c.Scenario != "all" {
				return rep, err
			}
			for _, s := range scenarios {
				if isOIDC(s) {
					skip[s] = err.Error()
				}
			}
			needOIDC = false
		} else if e.disc.note != "" {
			fmt.Fprintf(log, "note: %s\n", e.disc.note)
		}
	}
	if needOIDC {
		for _, s := range scenarios {
			if miss := e.missingEndpoint(s); miss != "" {
				if c.Scenario != "all" {
					return rep, fmt.Errorf("scenario %s: the discovery document has no %s", s, miss)
				}
				skip[s] = "the discovery document has no " + miss
			}
		}
	}
	if c.SMTPSink == "" && slices.Contains(scenarios, "login-otp") {
		skip["login-otp"] = "no -smtp-sink to read the codes"
	}
	if c.Warmup+c.Duration > maxSAMLRun && slices.Contains(scenarios, "saml-acs") {
		skip["saml-acs"] = samlTooLong
	}
	needOIDC = slices.ContainsFunc(scenarios, func(s string) bool { return isOIDC(s) && skip[s] == "" })
	needCAS := slices.Contains(scenarios, "cas")
	needShort := needOIDC && slices.Contains(scenarios, "introspect-expired") && skip["introspect-expired"] == ""
	fmt.Fprintf(log, "setting up on %s (suffix %s)…\n", c.URL, e.suffix)
	err := e.setUp(ctx, needOIDC, needCAS)
	if err == nil && needShort {
		err = e.setUpShortClient(ctx)
	}
	if !c.Keep {
		defer func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			for _, err := range e.tearDown(cctx) {
				fmt.Fprintf(log, "clean-up: %v\n", err)
			}
		}()
	}
	if err == nil && slices.Contains(scenarios, "saml-acs") && skip["saml-acs"] == "" {
		fmt.Fprintf(log, "saml-acs: a tenant and a SAML connection trusting a new IdP key…\n")
		err = e.setUpSAML(ctx)
		if !c.Keep {
			defer func() {
				cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
				defer cancel()
				for _, err := range e.tearDownSAML(cctx, log) {
					fmt.Fprintf(log, "clean-up: %v\n", err)
				}
			}()
		}
	}
	if err == nil && slices.Contains(scenarios, "login") {
		fmt.Fprintf(log, "login: creating %d users…\n", c.Users)
		e.pool, err = e.setUpPool(ctx, c.Users, false)
	}
	if err == nil && slices.Contains(scenarios, "login-otp") && skip["login-otp"] == "" {
		if e.sink, err = startSink(c.SMTPSink, c.CodePattern); err == nil {
			defer e.sink.close()
			fmt.Fprintf(log, "login-otp: SMTP sink on %s; creating %d users with codes by email…\n", e.sink.Addr(), c.Users)
			e.otpPool, err = e.setUpPool(ctx, c.Users, true)
		}
	}
	if err != nil {
		return rep, fmt.Errorf("set-up: %w", err)
	}
	for _, s := range scenarios {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		if why := skip[s]; why != "" {
			fmt.Fprintf(log, "%s: skipped: %s\n", s, why)
			rep.Results = append(rep.Results, Result{Scenario: s, Concurrency: c.Concurrency, Skipped: why})
			continue
		}
		fmt.Fprintf(log, "%s: %d workers, %s warm-up, %s measured…\n", s, c.Concurrency, c.Warmup, c.Duration)
		rs, err := e.run(ctx, s, log)
		rep.Results = append(rep.Results, rs...)
		if err != nil {
			return rep, fmt.Errorf("scenario %s: %w", s, err)
		}
	}
	return rep, ctx.Err()
}

func (e *env) missingEndpoint(s string) string {
	switch {
	case e.disc.TokenEndpoint == "":
		return "token_endpoint"
	case strings.HasPrefix(s, "introspect") && e.disc.IntrospectionEndpoint == "":
		return "introspection_endpoint"
	case s == "authcode" && e.disc.AuthorizationEndpoint == "":
		return "authorization_endpoint"
	}
	return ""
}

// workers prepares one worker per connection with prepare (in parallel:
// sign-ins cost an argon2id verification each).
func (e *env) workers(ctx context.Context, prepare func(w *worker) error) ([]*worker, error) {
	ws := make([]*worker, e.cfg.Concurrency)
	errs := make([]error, len(ws))
	var wg sync.WaitGroup
	for i := range ws {
		ws[i] = &worker{id: i}
		wg.Go(func() { errs[i] = prepare(ws[i]) })
	}
	wg.Wait()
	return ws, errors.Join(errs...)
}

// signedIn prepares a worker with its own SSO session.
func (e *env) signedIn(ctx context.Context) func(w *worker) error {
	return func(w *worker) error {
		st := &browserState{browser: e.browser(e.redirectURI), plain: e.plain()}
		w.state = st
		return e.signIn(ctx, st.browser)
	}
}

func (e *env) run(ctx context.Context, s string, log io.Writer) ([]Result, error) {
	c := e.cfg
	var (
		ws    []*worker
		err   error
		do    op
		steps []string
		unit  string
	)
	switch s {
	case "cc":
		ws, err = e.workers(ctx, func(w *worker) error { w.state = e.plain(); return nil })
		do, unit = e.cc, "requests"
	case "introspect":
		var tok tokenResponse
		if tok, err = e.token(ctx, e.plain(), e.ccForm()); err != nil {
			return nil, fmt.Errorf("an access token to introspect: %w", err)
		}
		ws, err = e.workers(ctx, func(w *worker) error {
			w.state = &introState{c: e.plain(), tokens: []string{tok.AccessToken}, as: e.oidc, active: true}
			return nil
		})
		do, unit = e.introspect, "requests"
	case "introspect-many", "introspect-expired":
		as, active := e.oidc, true
		if s == "introspect-expired" {
			as, active = e.short, false
		}
		fmt.Fprintf(log, "%s: minting %d access tokens…\n", s, c.Tokens)
		toks, err := e.mintTokens(ctx, as, c.Tokens)
		if err != nil {
			return nil, fmt.Errorf("access tokens to introspect: %w", err)
		}
		if !active {
			// The short client's tokens live shortTTL; wait them out.
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(shortTTL + time.Second):
			}
		}
		ws, err = e.workers(ctx, func(w *worker) error {
			var mine []string
			for i := w.id; i < len(toks); i += c.Concurrency {
				mine = append(mine, toks[i])
			}
			if len(mine) == 0 {
				mine = toks[:1]
			}
			w.state = &introState{c: e.plain(), tokens: mine, as: as, active: active}
			return nil
		})
		do, unit = e.introspect, "requests"
	case "authcode":
		ws, err = e.workers(ctx, e.signedIn(ctx))
		do, unit, steps = e.authcode, "flows", []string{"authorize", "token"}
	case "cas":
		ws, err = e.workers(ctx, e.signedIn(ctx))
		do, unit, steps = e.casPair, "pairs", []string{"cas/login", "cas/serviceValidate"}
	case "login":
		ws, err = e.loginWorkers(ctx, e.pool)
		do, unit, steps = e.passwordLogin, "logins", []string{"GET /login", "POST /login"}
	case "login-otp":
		ws, err = e.loginWorkers(ctx, e.otpPool)
		do, unit, steps = e.otpLogin, "logins", []string{"GET /login", "POST password", "GET code page", "code mail", "POST code"}
	case "saml-acs":
		if e.saml.note != "" {
			fmt.Fprintf(log, "note: %s\n", e.saml.note)
		}
		ws, err = e.prepareSAML(ctx, log)
		do, unit = e.samlACS, "consumes"
	}
	if err != nil {
		return nil, fmt.Errorf("preparing workers: %w", err)
	}
	t0 := time.Now()
	r, _ := phase(ctx, ws, steps, c.Warmup, c.Duration, do)
	r.Scenario, r.Unit = s, unit
	switch s {
	case "authcode":
		r.Note = "one flow = GET authorize (redirects followed on Sesame) + POST token"
	case "login":
		r.Note = fmt.Sprintf("one login = GET /login + POST name and password (303 back, session cookie), fresh cookie jar, %d users", len(e.pool))
	case "login-otp":
		r.Note = fmt.Sprintf("one login = GET /login + POST password + GET code page + code from the mail + POST code, fresh cookie jar, %d users", len(e.otpPool))
	case "introspect-many":
		r.Note = fmt.Sprintf("%d distinct valid access tokens, each worker cycling through its share", c.Tokens)
	case "introspect-expired":
		r.Note = fmt.Sprintf("%d distinct expired access tokens, each worker cycling through its share", c.Tokens)
	case "saml-acs":
		r.Note, r.PoolRanOut = e.samlNote(ws, t0)
	}
	out := []Result{r}
	if vd := cmp.Or(c.CASValidate, c.Duration); s == "cas" && vd > 0 && ctx.Err() == nil {
		fmt.Fprintf(log, "cas-validate: minting tickets and validating them for %s…\n", vd)
		v := e.casValidateRounds(ctx, ws, min(2*time.Second, vd), vd)
		v.Scenario, v.Unit = "cas-validate", "validations"
		out = append(out, v)
	}
	return out, nil
}

// WriteTable prints the report for people.
func WriteTable(w io.Writer, rep Report) {
	fmt.Fprintf(w, "sesame-load %s: %d workers, %s measured after %s warm-up\n", rep.URL, rep.Concurrency,
		time.Duration(rep.DurationSeconds*float64(time.Second)), time.Duration(rep.WarmupSeconds*float64(time.Second)))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tcount\tunit\tper second\tp50 ms\tp90 ms\tp99 ms\tmax ms\terrors\t")
	lat := func(l Latency) string {
		return fmt.Sprintf("%.2f\t%.2f\t%.2f\t%.2f", l.P50, l.P90, l.P99, l.Max)
	}
	for _, r := range rep.Results {
		if r.Skipped != "" {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t-\t-\t-\t\n", r.Scenario)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.1f\t%s\t%d\t\n", r.Scenario, r.Count, r.Unit, r.PerSecond, lat(r.Latency), r.Errors)
		for _, s := range r.Steps {
			fmt.Fprintf(tw, "  %s\t\t\t\t%s\t\t\n", s.Name, lat(s.Latency))
		}
	}
	tw.Flush()
	for _, r := range rep.Results {
		if r.Skipped != "" {
			fmt.Fprintf(w, "%s skipped: %s\n", r.Scenario, r.Skipped)
		}
		if r.Note != "" {
			fmt.Fprintf(w, "%s: %s\n", r.Scenario, r.Note)
		}
		if r.WarmupErrors > 0 {
			fmt.Fprintf(w, "%s: %d error(s) outside the measured calls (warm-up, ticket minting)\n", r.Scenario, r.WarmupErrors)
		}
		for _, m := range r.ErrorSamples {
			fmt.Fprintf(w, "%s error: %s\n", r.Scenario, m)
		}
	}
}
