package metrics

import (
	"database/sql"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sesame-sso/sesame/internal/version"
)

// namespace prefixes every metric name.
const namespace = "sesame"

// Metrics are the instruments the server updates.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	throttled  *prometheus.CounterVec
	logins     *prometheus.CounterVec
	tokens     *prometheus.CounterVec
	casTickets *prometheus.CounterVec
	hashWait   *prometheus.HistogramVec
	// exact are subtree paths counted as routes of their own (the OAuth
	// endpoints behind the provider's "/oauth2/" mount).
	exact map[string]bool
}

// New registers Sesame's metrics, the Go runtime and process collectors and
// sesame_build_info on reg.
func New(reg *prometheus.Registry, build version.Info) *Metrics {
	m := &Metrics{reg: reg, exact: map[string]bool{}}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "http_requests_total",
		Help: "HTTP requests answered, by route pattern, method and status code."}, []string{"route", "method", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern and method.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"route", "method"})
	m.throttled = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "throttled_requests_total",
		Help: "Requests refused by the brute-force limiter or the hashing queue (429, 503), by route pattern and status."}, []string{"route", "status"})
	m.logins = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "logins_total",
		Help: "Sign-in attempts by method (pwd, pwd+otp, fed, api_basic, client_secret, second_factor …) and outcome (success, failure)."}, []string{"method", "outcome"})
	m.tokens = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "tokens_issued_total",
		Help: "Access tokens issued, by OAuth grant type."}, []string{"grant"})
	m.casTickets = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "cas_tickets_total",
		Help: "CAS service tickets issued and validated, by event (issue, validate) and outcome."}, []string{"event", "outcome"})
	m.hashWait = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "password_hash_wait_seconds",
		Help:    "Time a password verification waited for a hashing slot, by result (admitted, refused).",
		Buckets: []float64{.0005, .001, .005, .01, .05, .1, .25, .5, 1, 2, 3, 5}}, []string{"result"})
	info := prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "build_info",
		Help:        "The running build (value 1): version, VCS commit and Go version.",
		ConstLabels: prometheus.Labels{"version": build.Version, "commit": build.Commit, "goversion": build.GoVersion}})
	info.Set(1)
	reg.MustRegister(m.requests, m.duration, m.throttled, m.logins, m.tokens, m.casTickets, m.hashWait, info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Login counts a sign-in attempt.
func (m *Metrics) Login(method, outcome string) {
	if m == nil {
		return
	}
	m.logins.WithLabelValues(method, outcome).Inc()
}

// TokenIssued counts an access token issued through grant.
func (m *Metrics) TokenIssued(grant string) {
	if m == nil {
		return
	}
	m.tokens.WithLabelValues(grant).Inc()
}

// CASTicket counts a CAS ticket event ("issue", "validate") and its outcome.
func (m *Metrics) CASTicket(event, outcome string) {
	if m == nil {
		return
	}
	m.casTickets.WithLabelValues(event, outcome).Inc()
}

// HashWait records how long a verification waited for a hashing slot;
// refused when it got none (the queue was full or the wait too long).
func (m *Metrics) HashWait(d time.Duration, refused bool) {
	if m == nil {
		return
	}
	result := "admitted"
	if refused {
		result = "refused"
	}
	m.hashWait.WithLabelValues(result).Observe(d.Seconds())
}

// GaugeFunc registers a gauge read at every scrape (the hashing queue's
// depth, the outbox's). f must be cheap and safe to call concurrently.
func (m *Metrics) GaugeFunc(name, help string, f func() float64) {
	if m == nil {
		return
	}
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help}, f))
}

// DB registers the sql.DBStats of a pool (open, in use, idle connections,
// waits) labelled db_name=name.
func (m *Metrics) DB(name string, db *sql.DB) {
	if m == nil || db == nil {
		return
	}
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
}
