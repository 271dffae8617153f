package app

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sesame-sso/sesame/internal/config"
	"github.com/sesame-sso/sesame/internal/metrics"
	"github.com/sesame-sso/sesame/internal/password"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
	"github.com/sesame-sso/sesame/internal/tracing"
	"github.com/sesame-sso/sesame/internal/version"
)

// observers are serve's metrics and tracing.
type observers struct {
	metrics *metrics.Metrics
	tracing *tracing.Tracing
}

// newObservers builds the metrics on a registry of their own (no global
// registry: the management listener serves this one) and the tracer
// provider the configuration asks for (none by default).
func newObservers(cfg config.Config, build version.Info) (*observers, error) {
	tr, err := tracing.New(tracing.Options{Endpoint: cfg.Tracing.Endpoint, SampleRatio: cfg.Tracing.SampleRatio}, build)
	if err != nil {
		return nil, err
	}
	return &observers{metrics: metrics.New(prometheus.NewRegistry(), build), tracing: tr}, nil
}

// shutdown sends the spans still buffered.
func (o *observers) shutdown(log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := o.tracing.Shutdown(ctx); err != nil {
		log.Warn("tracing: spans not sent at shutdown", "err", err)
	}
}

// observeHasher registers the password hasher's queue wait and depth.
func (o *observers) observeHasher(h *password.Hasher) {
	h.SetWaitObserver(o.metrics.HashWait)
	o.metrics.GaugeFunc("password_hash_queue_depth", "Password verifications waiting for a hashing slot.",
		func() float64 { return float64(h.Waiting()) })
}

// observeStore registers the store's gauges: the connection pools
// (sql.DBStats) and the outbox depth (messages waiting to be sent).
func (o *observers) observeStore(st *sqlstore.Store) {
	m := o.metrics
	for name, db := range st.Pools() {
		m.DB(name, db)
	}
	m.GaugeFunc("outbox_queued_messages", "Emails and SMS waiting in the outbox to be sent (or retried).", func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := st.CountMessages(ctx, storage.MessageQueued)
		if err != nil {
			return math.NaN()
		}
		return float64(n)
	})
}

// serveManagement serves /metrics, /healthz and /readyz on the management
// listener (server.managementAddr, R-OPS-1) until ctx ends. health answers
// /healthz and /readyz (the main handler: the same checks as on the public
// listener).
func serveManagement(ctx context.Context, ln net.Listener, m *metrics.Metrics, health http.Handler, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.Handle("GET /healthz", health)
	mux.Handle("GET /readyz", health)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() { <-ctx.Done(); _ = hs.Close() }()
	log.Info("management listening", "addr", ln.Addr().String(), "paths", "/metrics /healthz /readyz")
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.ErrorContext(ctx, "management listener", "err", err)
	}
}
