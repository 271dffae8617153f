package oidcop_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sesame-sso/sesame/internal/metrics"
	"github.com/sesame-sso/sesame/internal/oidcop"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
	"github.com/sesame-sso/sesame/internal/tracing"
	"github.com/sesame-sso/sesame/internal/version"
)

// BenchmarkObservabilityCost measures what metrics and tracing (no
// exporter configured: the default) cost the client-credentials grant
// (issue 14: at most 3 %). Three servers run side by side, two without
// (off, off2: their difference shows the noise of the machine) and one
// with metrics and tracing; rounds of the same number of requests rotate
// between them, so a noisy machine slows all alike. It reports the
// throughputs and the cost against the mean of the two without:
//
//	go test -run '^$' -bench ObservabilityCost -benchtime 20x ./internal/oidcop/
//
// (one "op" is one round of 400 requests on each server, 32 concurrent).
func BenchmarkObservabilityCost(b *testing.B) {
	type target struct {
		url   string
		f     *fixture
		cl    *http.Client
		spent time.Duration
	}
	var targets []*target
	for _, opts := range []sesametest.Options{
		{},
		{Metrics: metrics.New(prometheus.NewRegistry(), version.Get()), Tracing: tracing.Off().Provider},
		{},
	} {
		opts.OIDC = oidcop.Options{SigningAlg: "ES256"}
		f := setup(&testing.T{}, "sqlite", opts)
		tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
		b.Cleanup(tr.CloseIdleConnections)
		targets = append(targets, &target{url: f.env.Server.URL + "/oauth2/token", f: f, cl: &http.Client{Transport: tr}})
	}
	const perRound, workers = 400, 32
	round := func(t *target) {
		start := time.Now()
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < perRound/workers; i++ {
					post(b, t.cl, t.url, "grant_type=client_credentials", t.f.app1.id, t.f.app1.secret, 200)
				}
			}()
		}
		wg.Wait()
		t.spent += time.Since(start)
	}
	for _, t := range targets { // warm up: keys, caches, connections
		round(t)
		t.spent = 0
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Alternate which goes first, so neither always follows a GC of
		// the other.
		for j := range targets {
			round(targets[(i+j)%len(targets)])
		}
	}
	n := float64(b.N * perRound / workers * workers)
	off, on, off2 := n/targets[0].spent.Seconds(), n/targets[1].spent.Seconds(), n/targets[2].spent.Seconds()
	b.ReportMetric(off, "off-req/s")
	b.ReportMetric(off2, "off2-req/s")
	b.ReportMetric(on, "on-req/s")
	b.ReportMetric(100*((off+off2)/2-on)/((off+off2)/2), "cost-%")
}
