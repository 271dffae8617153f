package login_test

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/testutil/mailtest"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestMeasureForgotTiming is a measurement, not a check (no timed
// assertions): with SESAME_MEASURE_FORGOT=1 it prints the response times
// of forgot requests for an account that gets a link and for an unknown
// name, without the floor (the raw work) and with the default floor, on
// both backends. Figures: /work/notes/pw.md, docs/BENCHMARKS.md.
//
//	SESAME_MEASURE_FORGOT=1 go test -count=1 -run TestMeasureForgotTiming -v ./internal/login/
func TestMeasureForgotTiming(t *testing.T) {
	if os.Getenv("SESAME_MEASURE_FORGOT") != "1" {
		t.Skip("a measurement: set SESAME_MEASURE_FORGOT=1")
	}
	const n = 40
	backends(t, func(t *testing.T, backend string) {
		for _, floor := range []time.Duration{time.Nanosecond, 0} {
			ms := mailtest.New(t)
			ms.Start("none")
			env := sesametest.NewWith(t, backend, sesametest.Options{Mail: ms, ForgotFloor: floor})
			createUser(t, env, "mia", model.Person{Email: "mia@example.com"}, firstPW)
			c := followingBrowser()
			forgot(t, c, env.Server.URL, "warm-up")
			times := map[string][]time.Duration{}
			for i := range 2 * n {
				typed := "mia"
				if i%2 == 1 {
					typed = fmt.Sprintf("nobody-%d", i)
				}
				start := time.Now()
				forgot(t, c, env.Server.URL, typed)
				times[typed[:3]] = append(times[typed[:3]], time.Since(start))
			}
			label := "no floor"
			if floor == 0 {
				label = "default floor"
			}
			for _, k := range []string{"mia", "nob"} {
				d := times[k]
				slices.Sort(d)
				t.Logf("%s %s %s: p50 %v p90 %v max %v (n=%d)", backend, label, map[string]string{"mia": "existing (link sent)", "nob": "unknown"}[k],
					d[len(d)/2].Round(time.Microsecond), d[len(d)*9/10].Round(time.Microsecond), d[len(d)-1].Round(time.Microsecond), len(d))
			}
		}
	})
}
