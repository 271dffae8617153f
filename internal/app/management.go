package app

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net"
	"net/http"
	"time"

	"github.com/sesame-sso/sesame/internal/metrics"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
)

// observeStore registers the store's gauges: the connection pools
// (sql.DBStats) and the outbox depth (messages waiting to be sent).
func observeStore(m *metrics.Metrics, st *sqlstore.Store) {
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
		log.Error("management listener", "err", err)
	}
}
