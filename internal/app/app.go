package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/sesame-sso/sesame/internal/catalog"
	"github.com/sesame-sso/sesame/internal/clientip"
	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/declarative"
	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/logctx"
	"github.com/sesame-sso/sesame/internal/oidcop"
	"github.com/sesame-sso/sesame/internal/outbox"
	"github.com/sesame-sso/sesame/internal/seal"
	"github.com/sesame-sso/sesame/internal/server"
	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
	"github.com/sesame-sso/sesame/internal/version"
)

const usage = `Sesame — central authentication and access service.

Usage:
  sesame serve  [--addr HOST:PORT] [--data-dir DIR] [--config FILE]
  sesame apply  -f FILE.yaml [--data-dir DIR] [--config FILE]
  sesame export [-o FILE.yaml] [--data-dir DIR] [--config FILE]
  sesame backup --to FILE [--data-dir DIR] [--config FILE]   (SQLite, online)
  sesame version                 (also --version)

Run "sesame serve --help" for every flag and environment variable.
`

// Env is the process environment, passed in so tests control it.
type Env struct {
	Args   []string
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) (string, bool)
	// Ready, when set, receives the listening address once serve listens.
	Ready chan<- string
	// ManagementReady, when set, receives the management listener's
	// address (/metrics, /healthz, /readyz) once serve listens.
	ManagementReady chan<- string
}

// Main runs a subcommand and returns the exit code.
func Main(ctx context.Context, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.LookupEnv
	}
	if len(env.Args) < 1 {
		fmt.Fprint(env.Stderr, usage)
		return 2
	}
	var err error
	switch env.Args[0] {
	case "serve":
		err = serve(ctx, env, env.Args[1:])
	case "apply":
		err = apply(ctx, env, env.Args[1:])
	case "export":
		err = export(ctx, env, env.Args[1:])
	case "backup":
		err = backup(ctx, env, env.Args[1:])
	case "version", "--version", "-version":
		fmt.Fprintln(env.Stdout, version.Get())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return 0
	default:
		fmt.Fprintf(env.Stderr, "sesame: unknown command %q\n\n%s", env.Args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "sesame %s: %v\n", env.Args[0], err)
		return 1
	}
	return 0
}

type common struct {
	fs                  *flag.FlagSet
	env                 Env
	configPath, dataDir string
	addr, mgmtAddr      string
}

func newFlags(name string, env Env) *common {
	c := &common{fs: flag.NewFlagSet(name, flag.ContinueOnError), env: env}
	// parse reports a bad flag once (Main prints it) and help on stdout.
	c.fs.SetOutput(io.Discard)
	c.fs.Usage = func() {}
	c.fs.StringVar(&c.configPath, "config", "", "YAML configuration file")
	c.fs.StringVar(&c.dataDir, "data-dir", "", "data directory (SQLite database) [dataDir]")
	return c
}

// parse reads the flags: -h / --help prints the command's flags and the
// environment variables (flag.ErrHelp: exit 0); a bad flag is one error.
func (c *common) parse(args []string) error {
	err := c.fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		c.help(c.env.Stdout)
		return err
	}
	if err != nil {
		return fmt.Errorf("%w (sesame %s --help lists the flags)", err, c.fs.Name())
	}
	if c.fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (sesame %s --help lists the flags)", c.fs.Arg(0), c.fs.Name())
	}
	return nil
}

// help prints the command's flags and every environment variable.
func (c *common) help(w io.Writer) {
	fmt.Fprintf(w, "Usage: sesame %s [flags]\n\nFlags (override the environment and the configuration file; [key] is the configuration key):\n", c.fs.Name())
	c.fs.SetOutput(w)
	c.fs.PrintDefaults()
	c.fs.SetOutput(io.Discard)
	fmt.Fprintf(w, "\nEnvironment variables (override the configuration file):\n")
	for _, v := range config.EnvVars() {
		fmt.Fprintf(w, "  %s\n    \t%s\n", v.Name, v.Sets)
	}
	fmt.Fprintf(w, "\nEvery configuration key, its default and its variable: docs/config.md\n")
}

// load reads the configuration: defaults < file < SESAME_* env < flags.
func (c *common) load(env Env) (config.Config, error) {
	cfg, err := config.Load(c.configPath, env.Getenv)
	if err != nil {
		return cfg, err
	}
	if c.dataDir != "" {
		cfg.DataDir = c.dataDir
	}
	if c.addr != "" {
		cfg.Server.Addr = c.addr
	}
	if c.mgmtAddr != "" {
		cfg.Server.ManagementAddr = c.mgmtAddr
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("invalid configuration:\n%w", err)
	}
	return cfg, nil
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(strings.ToUpper(cfg.Log.Level)))
	opts := &slog.HandlerOptions{Level: lvl}
	// Every line logged with a request's context names the request and
	// its trace (logctx).
	if cfg.Log.Format == "json" {
		return slog.New(logctx.New(slog.NewJSONHandler(w, opts)))
	}
	return slog.New(logctx.New(slog.NewTextHandler(w, opts)))
}

// open opens and bootstraps the store.
// obs, when set, observes the password hasher's queue and the store's
// statements (serve).
func open(ctx context.Context, cfg config.Config, env Env, log *slog.Logger, obs *observers) (*sqlstore.Store, *directory.Service, error) {
	so := sqlstore.Options{Logger: log}
	if obs != nil {
		so.Tracing = obs.tracing.Provider
	}
	st, err := sqlstore.Open(ctx, cfg.DatabaseURL(), so)
	if err != nil {
		return nil, nil, err
	}
	hasher := newHasher(cfg)
	if obs != nil {
		obs.observeHasher(hasher) // management.go
	}
	svc := directory.New(st, hasher, log)
	svc.SetLimiter(newLimiter(st, cfg, log))
	// Connection client secrets are sealed with the master key (serve
	// and apply alike; serve refused to start without one on PostgreSQL).
	master, err := readMasterKey(env)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	sealer, err := seal.New(master)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	svc.SetSealer(sealer)
	pol, err := newPasswordPolicy(cfg)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	svc.SetPasswordPolicy(pol)
	cat, err := catalog.Default()
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	pw, _ := env.Getenv("SESAME_BOOTSTRAP_ADMIN_PASSWORD")
	b, err := svc.Bootstrap(ctx, cat, cfg.Admin.Login, pw)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	if b.Created {
		log.Info("bootstrapped a new instance", "root", b.RootID, "admin", b.AdminLogin)
		switch {
		case b.Generated && cfg.Log.Format == "json":
			// One structured record, so a log pipeline keeps it whole.
			log.Warn("bootstrap administrator created; its password is shown once: sign in and change it",
				"login", b.AdminLogin, "password", b.AdminPassword)
		case b.Generated:
			fmt.Fprintf(env.Stderr, "\n  Sesame bootstrap administrator (shown once, change it):\n    login:    %s\n    password: %s\n\n", b.AdminLogin, b.AdminPassword)
		}
	}
	return st, svc, nil
}

func serve(ctx context.Context, env Env, args []string) error {
	c := newFlags("serve", env)
	c.fs.StringVar(&c.addr, "addr", "", "listen address (default 127.0.0.1:8080) [server.addr]")
	c.fs.StringVar(&c.mgmtAddr, "management-addr", "", "management listener for /metrics, /healthz, /readyz; off disables it (default 127.0.0.1:9090) [server.managementAddr]")
	insecureKeys := c.fs.Bool("insecure-plaintext-keys", false, "allow signing keys stored unencrypted in PostgreSQL (no SESAME_MASTER_KEY)")
	if err := c.parse(args); err != nil {
		return err
	}
	cfg, err := c.load(env)
	if err != nil {
		return err
	}
	log := newLogger(cfg, env.Stderr)
	build := version.Get()
	log.Info("sesame starting", "version", build.Version, "commit", build.Commit, "go", build.GoVersion)
	master, err := masterKey(cfg, env, log, *insecureKeys)
	if err != nil {
		return err
	}
	// Listen before the store is opened: a taken address must not leave a
	// freshly initialised data directory behind.
	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("listen on server.addr: %w", err)
	}
	defer ln.Close()
	var mln net.Listener
	if cfg.Server.ManagementAddr != "off" {
		if mln, err = net.Listen("tcp", cfg.Server.ManagementAddr); err != nil {
			return fmt.Errorf("listen on server.managementAddr (--management-addr off disables it): %w", err)
		}
		defer mln.Close()
	}
	issuer := cfg.Issuer()
	if cfg.Server.ExternalURL == "" {
		// The address actually bound (a port of 0 is chosen now).
		issuer = "http://" + ln.Addr().String()
		if strings.HasPrefix(cfg.DatabaseURL(), "postgres") {
			// PostgreSQL usually means several nodes: each would name
			// itself the issuer and refuse the others' tokens.
			log.Warn("server.externalURL is not set: the issuer is this node's own address; with several nodes every node needs the same server.externalURL (the URL users and apps reach)",
				"issuer", issuer)
		}
	}
	obs, err := newObservers(cfg, build) // management.go
	if err != nil {
		return err
	}
	defer obs.shutdown(log)
	m := obs.metrics
	st, svc, err := open(ctx, cfg, env, log, obs)
	if err != nil {
		return err
	}
	defer st.Close()
	obs.observeStore(st) // management.go
	defer ServerGC()() // GOGC 400 unless GOGC is set (GCPercent)
	// zitadel/oidc logs through the default logger: make it ours.
	slog.SetDefault(log)
	rotation, accessTTL, refreshTTL := cfg.OIDC.Durations()
	sessionTTL, idle := cfg.Session.Durations()
	mailer, err := newOutboxWorker(cfg, st, log) // messages.go
	if err != nil {
		return err
	}
	sf, err := NewSecondFactor(cfg.TwoFactor, st, master, time.Now) // twofactor.go
	if err != nil {
		return err
	}
	opts := server.Options{MaxBodyBytes: cfg.Server.MaxBodyBytes, Issuer: issuer,
		SessionTTL: sessionTTL, SessionIdleTimeout: idle,
		OIDC:   oidcop.Options{SigningAlg: cfg.OIDC.SigningAlg, KeyRotation: rotation, AccessTTL: accessTTL, RefreshTTL: refreshTTL, MasterKey: master},
		Outbox: outbox.NewQueue(cfg.Messages.Undeliverable, nil), Codes: sf.Codes, TOTP: sf.TOTP, Metrics: m, Tracing: obs.tracing.Provider}
	opts.PasswordMaxAge, opts.PasswordResetTTL = cfg.Password.Durations()
	if mailer != nil {
		opts.WakeOutbox = mailer.Wake
	}
	if opts.Federation, err = federationOptions(cfg.Federation); err != nil {
		return err
	}
	srv, err := server.New(st, svc, log, opts)
	if err != nil {
		return err
	}
	srv.SetClientIP(clientip.Resolver{Trusted: cfg.Throttle.Proxies()})
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.Info("sesame listening", "addr", ln.Addr().String(), "store", st.Dialect())
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if mln != nil {
		go serveManagement(ctx, mln, m, srv, log) // management.go
		if env.ManagementReady != nil {
			env.ManagementReady <- mln.Addr().String()
		}
	}
	if env.Ready != nil {
		env.Ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	go srv.Run(ctx)
	mailerDone := make(chan struct{})
	go func() {
		defer close(mailerDone)
		if mailer != nil {
			mailer.Run(ctx)
		}
	}()
	if addr, ok := env.Getenv("SESAME_PPROF_ADDR"); ok && addr != "" {
		// Profiling for load runs (docs/BENCHMARKS.md): a separate
		// listener, never on the public address.
		go servePprof(ctx, addr, log)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	log.Info("shutting down")
	err = hs.Shutdown(shut)
	svc.FlushAudit() // queued protocol audit events (directory/auditqueue.go)
	<-mailerDone     // the outbox worker stops with ctx; an interrupted send is retried after its lease
	return err
}

// open loads the configuration and opens the bootstrapped store
// for an operator command.
func (c *common) open(ctx context.Context, env Env) (*sqlstore.Store, *directory.Service, error) {
	cfg, err := c.load(env)
	if err != nil {
		return nil, nil, err
	}
	return open(ctx, cfg, env, newLogger(cfg, env.Stderr), nil)
}

func apply(ctx context.Context, env Env, args []string) error {
	c := newFlags("apply", env)
	file := c.fs.String("f", "", "declarative YAML file to apply (- for stdin)")
	if err := c.parse(args); err != nil {
		return err
	}
	if *file == "" {
		return errors.New("-f FILE is required")
	}
	st, svc, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer st.Close()
	var r io.Reader = os.Stdin
	if *file != "-" {
		f, err := os.Open(*file)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	doc, err := declarative.Parse(r)
	if err != nil {
		return fmt.Errorf("%s: %w", *file, err)
	}
	sum, err := declarative.Apply(ctx, svc, doc)
	if err != nil {
		return fmt.Errorf("%s: nothing was applied: %w", *file, err)
	}
	fmt.Fprintln(env.Stdout, sum)
	return nil
}

func export(ctx context.Context, env Env, args []string) error {
	c := newFlags("export", env)
	out := c.fs.String("o", "-", "output file (- for stdout)")
	if err := c.parse(args); err != nil {
		return err
	}
	st, svc, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer st.Close()
	doc, err := declarative.Export(ctx, svc)
	if err != nil {
		return err
	}
	w := env.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	return declarative.Write(w, doc)
}

func servePprof(ctx context.Context, addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	hs := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { <-ctx.Done(); _ = hs.Close() }()
	log.Info("pprof listening", "addr", addr)
	if err := hs.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("pprof", "err", err)
	}
}

// GCPercent is the server's garbage-collection target (GOGC) when the
// environment sets none: the live heap is small (tens of MB) and the token
// and ACS paths allocate per request, so collecting at 5× the live heap
// instead of 2× costs little memory, shortens tail latency and saves most
// of the collections.
const GCPercent = 400

// ServerGC applies GCPercent unless GOGC is set (GOGC in the environment
// still wins) and returns what puts the previous setting back. serve calls
// it; the in-process benchmarks of the request paths call it too, so they
// measure the server as it runs.
func ServerGC() (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	old := debug.SetGCPercent(GCPercent)
	return func() { debug.SetGCPercent(old) }
}
