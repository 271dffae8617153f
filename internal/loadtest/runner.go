package loadtest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// maxSamples is how many distinct error messages a result keeps.
const maxSamples = 5

// Latency is a latency distribution in milliseconds.
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Result is what one measurement produced.
type Result struct {
	Scenario    string `json:"scenario"`
	Unit        string `json:"unit"`
	Concurrency int    `json:"concurrency"`
	// Count is the number of successful operations in the window.
	Count int64 `json:"count"`
	// Errors are failed operations in the window; WarmupErrors those
	// during the warm-up (not counted in Errors).
	Errors       int64   `json:"errors"`
	WarmupErrors int64   `json:"warmupErrors"`
	Seconds      float64 `json:"seconds"`
	PerSecond    float64 `json:"perSecond"`
	// Latency of successful operations.
	Latency Latency `json:"latencyMs"`
	// Steps are the latencies of the requests inside one operation.
	Steps        []Step   `json:"steps,omitempty"`
	ErrorSamples []string `json:"errorSamples,omitempty"`
	// Note explains how the figure was obtained, when that is unusual.
	Note string `json:"note,omitempty"`
	// Skipped says why the scenario did not run.
	Skipped string `json:"skipped,omitempty"`
	// PoolRanOut: saml-acs used up its pre-made responses before the end
	// of the window; the workers stopped issuing (Note says when).
	PoolRanOut bool `json:"poolRanOut,omitempty"`
}

// Step is one request's share of an operation.
type Step struct {
	Name    string  `json:"name"`
	Latency Latency `json:"latencyMs"`
}

// op is one operation of a scenario, run by one worker.
type op func(ctx context.Context, w *worker) error

// worker holds one goroutine's recordings: nothing here is shared.
type worker struct {
	id      int
	lat     []time.Duration
	steps   [][]time.Duration
	pending []time.Duration // step durations of the operation in progress
	errs    int64
	warmErr int64
	samples errSamples
	ranOut  time.Time // when op said errPoolEmpty (the worker stopped)
	// scratch for scenarios
	state any
}

// step records the duration of request i of the current operation.
func (w *worker) step(i int, d time.Duration) {
	if i < len(w.pending) {
		w.pending[i] = d
	}
}

// errSamples keeps the first distinct error messages with their counts.
type errSamples struct {
	msgs   []string
	counts []int64
}

func (s *errSamples) add(msg string, n int64) {
	if i := slices.Index(s.msgs, msg); i >= 0 {
		s.counts[i] += n
		return
	}
	if len(s.msgs) < maxSamples {
		s.msgs = append(s.msgs, msg)
		s.counts = append(s.counts, n)
	}
}

func (s *errSamples) list() []string {
	out := make([]string, len(s.msgs))
	for i, m := range s.msgs {
		out[i] = fmt.Sprintf("%s (×%d)", m, s.counts[i])
	}
	return out
}

// phase runs op on every worker for warmup+dur and records the operations
// that both started and ended inside the measurement window.
func phase(ctx context.Context, workers []*worker, stepNames []string, warmup, dur time.Duration, do op) (Result, time.Duration) {
	t0 := time.Now()
	mStart := t0.Add(warmup)
	mEnd := mStart.Add(dur)
	var wg sync.WaitGroup
	for _, w := range workers {
		w.lat = make([]time.Duration, 0, 4096)
		w.steps = make([][]time.Duration, len(stepNames))
		w.pending = make([]time.Duration, len(stepNames))
		w.errs, w.warmErr, w.samples, w.ranOut = 0, 0, errSamples{}, time.Time{}
		wg.Go(func() {
			for {
				s := time.Now()
				if !s.Before(mEnd) || ctx.Err() != nil {
					return
				}
				clear(w.pending)
				err := do(ctx, w)
				e := time.Now()
				if errors.Is(err, errPoolEmpty) {
					w.ranOut = e // nothing was sent: neither a result nor an error
					return
				}
				if ctx.Err() != nil {
					return // interrupted: neither a result nor an error
				}
				switch {
				case s.Before(mStart):
					if err != nil {
						w.warmErr++
						w.samples.add("warm-up: "+err.Error(), 1)
					}
				case e.After(mEnd):
					// straddles the end of the window: not counted
				case err != nil:
					w.errs++
					w.samples.add(err.Error(), 1)
				default:
					w.lat = append(w.lat, e.Sub(s))
					for i, d := range w.pending {
						w.steps[i] = append(w.steps[i], d)
					}
				}
			}
		})
	}
	wg.Wait()
	end := time.Now()
	if end.After(mEnd) {
		end = mEnd
	}
	window := max(end.Sub(mStart), 0)
	return merge(workers, stepNames, window), window
}

// merge combines the workers' recordings into one result.
func merge(workers []*worker, stepNames []string, window time.Duration) Result {
	r := Result{Concurrency: len(workers), Seconds: window.Seconds()}
	var all []time.Duration
	steps := make([][]time.Duration, len(stepNames))
	var samples errSamples
	for _, w := range workers {
		all = append(all, w.lat...)
		for i := range steps {
			steps[i] = append(steps[i], w.steps[i]...)
		}
		r.Errors += w.errs
		r.WarmupErrors += w.warmErr
		for i, m := range w.samples.msgs {
			samples.add(m, w.samples.counts[i])
		}
	}
	r.Count = int64(len(all))
	if window > 0 {
		r.PerSecond = float64(r.Count) / window.Seconds()
	}
	r.Latency = summarize(all)
	for i, n := range stepNames {
		r.Steps = append(r.Steps, Step{Name: n, Latency: summarize(steps[i])})
	}
	r.ErrorSamples = samples.list()
	return r
}

// summarize sorts d in place and returns its percentiles (nearest rank).
func summarize(d []time.Duration) Latency {
	if len(d) == 0 {
		return Latency{}
	}
	slices.Sort(d)
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	return Latency{P50: ms(pct(d, 50)), P90: ms(pct(d, 90)), P99: ms(pct(d, 99)), Max: ms(d[len(d)-1]),
		Mean: ms(sum / time.Duration(len(d)))}
}

func pct(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }
