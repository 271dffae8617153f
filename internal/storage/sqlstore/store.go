package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"go.opentelemetry.io/otel/trace"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

//go:embed migrations
var migrations embed.FS

// Options tune a Store.
type Options struct {
	Logger *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Tracing records a span per statement inside a recorded request
	// (trace.go); nil: none.
	Tracing trace.TracerProvider
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Store is the SQL implementation of storage.Storage.
type Store struct {
	db  *sql.DB
	q   querier
	tx  *sql.Tx
	rb  *rebinder
	log *slog.Logger
	now func() time.Time
	// wmu serialises writers on SQLite, which has one writer at a time:
	// without it concurrent writers spin in SQLite's busy handler, which
	// sleeps for milliseconds. Taken before a connection is, so readers
	// never wait for it. Shared by the transaction copies of the Store.
	wmu *sync.Mutex
	// eph is a second PostgreSQL pool whose sessions commit without
	// waiting for the WAL flush (synchronous_commit=off), for short-lived
	// protocol state only: service/proxy tickets, codes and authorization
	// requests (see ephExec); never grants, sessions, refresh tokens,
	// revocations or proxy-granting tickets (TestPostgresCommitModes).
	// nil on SQLite.
	eph *sql.DB
	// tickets batches ticket consumption (see ticketBatcher).
	tickets *ticketBatcher
	// stmts caches prepared statements on SQLite (see stmt).
	stmts  *sync.Map
	nstmts *atomic.Int64
	// tracer records statements (trace.go); nil: not traced.
	tracer trace.Tracer
}

// wlock takes the SQLite write lock unless s is already a transaction (which
// holds it) or the backend is PostgreSQL; it returns the unlock function.
func (s *Store) wlock() func() {
	if s.rb.d != dialectSQLite || s.tx != nil {
		return func() {}
	}
	s.wmu.Lock()
	return s.wmu.Unlock
}

var _ storage.Storage = (*Store)(nil)

// Open connects to url and applies pending migrations. url is either a
// postgres:// (or postgresql://) URL or a SQLite location: "sqlite://PATH",
// "file:PATH" or a plain file path.
func Open(ctx context.Context, rawURL string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	var (
		db, eph *sql.DB
		d       dialect
		err     error
	)
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		d = dialectPostgres
		db, err = sql.Open("pgx", rawURL)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.SetMaxOpenConns(40)
		db.SetMaxIdleConns(40)
		db.SetConnMaxIdleTime(5 * time.Minute)
		if eph, err = openEphemeral(rawURL); err != nil {
			db.Close()
			return nil, err
		}
	default:
		d = dialectSQLite
		dsn, err := sqliteDSN(rawURL)
		if err != nil {
			return nil, err
		}
		db, err = sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
	}
	s := &Store{db: db, q: db, rb: &rebinder{d: d}, log: opts.Logger, now: opts.Now, wmu: &sync.Mutex{}, stmts: &sync.Map{}, nstmts: &atomic.Int64{}, eph: eph, tickets: &ticketBatcher{}}
	if opts.Tracing != nil {
		s.tracer = opts.Tracing.Tracer("github.com/sesame-sso/sesame/internal/storage/sqlstore")
	}
	if err := db.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.backfillLogins(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// sqliteDSN builds a modernc DSN with WAL, a busy timeout, foreign keys and
// immediate write transactions.
func sqliteDSN(raw string) (string, error) {
	p := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite://"), "file:")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if p == "" {
		return "", errors.New("sqlite: empty database path")
	}
	if p != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return "", fmt.Errorf("sqlite: create data directory: %w", err)
		}
	}
	v := url.Values{}
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "foreign_keys(1)")
	v.Add("_pragma", "synchronous(NORMAL)")
	v.Add("_txlock", "immediate")
	return "file:" + p + "?" + v.Encode(), nil
}

func (s *Store) migrate(ctx context.Context) error {
	var (
		gd   goose.Dialect
		dir  string
		opts []goose.ProviderOption
	)
	if s.rb.d == dialectPostgres {
		gd, dir = goose.DialectPostgres, "migrations/postgres"
		// Several nodes may start at once: serialise migrations.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("migrations: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	} else {
		gd, dir = goose.DialectSQLite3, "migrations/sqlite"
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	// A database may have a later migration than one added on another
	// branch (developer databases): apply the missing one too.
	opts = append(opts, goose.WithAllowOutofOrder(true))
	p, err := goose.NewProvider(gd, s.db, sub, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	for _, r := range res {
		s.log.Info("applied migration", "version", r.Source.Version, "duration", r.Duration)
	}
	return nil
}

// Dialect names the backend ("postgres" or "sqlite").
func (s *Store) Dialect() string {
	if s.rb.d == dialectPostgres {
		return "postgres"
	}
	return "sqlite"
}

// DB exposes the pool for other packages' tables (sessions, tokens) that
// share the database.
func (s *Store) DB() *sql.DB { return s.db }

// Pools names the connection pools, for their metrics: "main", and on
// PostgreSQL "ephemeral" (synchronous_commit=off, see openEphemeral).
func (s *Store) Pools() map[string]*sql.DB {
	p := map[string]*sql.DB{"main": s.db}
	if s.eph != nil {
		p["ephemeral"] = s.eph
	}
	return p
}

func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

func (s *Store) Close() error {
	if s.tx != nil {
		return nil
	}
	if s.eph != nil {
		_ = s.eph.Close()
	}
	return s.db.Close()
}

// openEphemeral opens the PostgreSQL pool for short-lived protocol state.
// A crash of PostgreSQL may lose its last few milliseconds of commits:
// at worst a ticket or code consumed just before the crash is valid again
// until it expires (seconds), never data an administrator wrote.
func openEphemeral(rawURL string) (*sql.DB, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("postgres url: %w", err)
	}
	q := u.Query()
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// ephExec runs a write of short-lived protocol state: on the ephemeral
// pool on PostgreSQL, like exec otherwise (and inside a transaction).
func (s *Store) ephExec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if s.eph == nil || s.tx != nil {
		return s.exec(ctx, q, args...)
	}
	res, err := s.eph.ExecContext(ctx, s.rb.rebind(q), args...)
	return res, mapErr(err)
}

// InTx implements storage.Storage.
func (s *Store) InTx(ctx context.Context, fn func(tx storage.Storage) error) error {
	return s.inTx(ctx, func(tx *Store) error { return fn(tx) })
}

func (s *Store) inTx(ctx context.Context, fn func(tx *Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	defer s.wlock()()
	return s.runTx(ctx, s.db, fn)
}

// runTx runs fn on a copy of s bound to a new transaction of db.
func (s *Store) runTx(ctx context.Context, db *sql.DB, fn func(tx *Store) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	ts := *s
	ts.q, ts.tx = tx, tx
	if err := fn(&ts); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return mapErr(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// stmtCacheMax bounds the prepared statements kept (queries built with
// variable IN lists are not worth more).
const stmtCacheMax = 512

// stmt returns the cached prepared statement for q on SQLite, whose driver
// would otherwise parse and plan every statement again (a tenth of a login's
// CPU); nil on PostgreSQL, where pgx caches statements per connection.
func (s *Store) stmt(ctx context.Context, q string) *sql.Stmt {
	if s.rb.d != dialectSQLite {
		return nil
	}
	if v, ok := s.stmts.Load(q); ok {
		return s.inTxStmt(ctx, v.(*sql.Stmt))
	}
	if s.nstmts.Load() >= stmtCacheMax {
		return nil
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil // let the plain call report the error
	}
	if v, loaded := s.stmts.LoadOrStore(q, st); loaded {
		st.Close()
		st = v.(*sql.Stmt)
	} else {
		s.nstmts.Add(1)
	}
	return s.inTxStmt(ctx, st)
}

func (s *Store) inTxStmt(ctx context.Context, st *sql.Stmt) *sql.Stmt {
	if s.tx != nil {
		return s.tx.StmtContext(ctx, st)
	}
	return st
}

func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx, end := s.span(ctx, q)
	defer end()
	defer s.wlock()()
	q = s.rb.rebind(q)
	if st := s.stmt(ctx, q); st != nil {
		res, err := st.ExecContext(ctx, args...)
		return res, mapErr(err)
	}
	res, err := s.q.ExecContext(ctx, q, args...)
	return res, mapErr(err)
}

func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx, end := s.span(ctx, q)
	defer end()
	q = s.rb.rebind(q)
	if st := s.stmt(ctx, q); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		return rows, mapErr(err)
	}
	rows, err := s.q.QueryContext(ctx, q, args...)
	return rows, mapErr(err)
}

func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	ctx, end := s.span(ctx, q)
	defer end()
	q = s.rb.rebind(q)
	if st := s.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.q.QueryRowContext(ctx, q, args...)
}

// mapErr turns driver constraint errors into model errors, keeping the
// original in the chain for logs.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w", model.ErrNotFound)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return fmt.Errorf("%w (%s)", model.ErrAlreadyExists, pe.ConstraintName)
		case "23503":
			return model.Invalid("", "refers to something that does not exist or is still in use (%s)", pe.ConstraintName)
		}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w (%s)", model.ErrAlreadyExists, se.Error())
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return model.Invalid("", "refers to something that does not exist or is still in use")
		}
	}
	return err
}

func notFound(what, id string) error {
	return fmt.Errorf("%s %q: %w", what, id, model.ErrNotFound)
}

// micros converts to the stored representation (Unix microseconds, UTC).
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func nullMicros(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

func fromNullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}
