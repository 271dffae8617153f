package scim_test

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// Benchmarks of issue 12 (figures in docs/BENCHMARKS.md via the notes),
// on PostgreSQL:
//
//	SESAME_TEST_POSTGRES_DSN=… go test -run '^$' -bench SCIM -benchtime 1x ./internal/scim/
//
// BenchmarkSCIMCreateUsers: 10,000 users through SCIM POST, 16 clients at
// once (target ≥ 500 users/s); 16 clients at once (SCIM_BENCH_CLIENTS). BenchmarkSCIMFilter: userName eq and
// externalId eq with 100,000 users in the tenant (target p99 ≤ 5 ms).
// BenchmarkSCIMGroupPatch: 1,000 members added in one PATCH (≤ 1 s).

func benchWorld(b *testing.B) *world {
	if os.Getenv("SESAME_TEST_POSTGRES_DSN") == "" {
		b.Skip("set SESAME_TEST_POSTGRES_DSN")
	}
	env := sesametest.New(b, "postgres")
	w := &world{t: b, env: env}
	w.tenant, w.credID, w.token = w.newTenant("Bench")
	return w
}

func (w *world) post(client *http.Client, path string, body string) (int, error) {
	req, _ := http.NewRequest("POST", w.env.Server.URL+"/scim/v2"+path, stringsReader(body))
	req.Header.Set("Authorization", "Bearer "+w.token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func BenchmarkSCIMCreateUsers(b *testing.B) {
	w := benchWorld(b)
	const users = 10_000
	clients := 16
	if n, err := strconv.Atoi(os.Getenv("SCIM_BENCH_CLIENTS")); err == nil && n > 0 {
		clients = n
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	for range b.N {
		var next atomic.Int64
		var failed atomic.Int64
		start := time.Now()
		var wg sync.WaitGroup
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := next.Add(1)
					if i > users {
						return
					}
					body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bench%d-%d@example.com","externalId":"ext-%d-%d",`+
						`"name":{"givenName":"Bench","familyName":"User%d"},"emails":[{"primary":true,"type":"work","value":"bench%d-%d@example.com"}],"active":true}`,
						time.Now().UnixNano(), i, start.UnixNano(), i, i, start.UnixNano(), i)
					if st, err := w.post(client, "/Users", body); err != nil || st != 201 {
						failed.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		el := time.Since(start)
		if failed.Load() > 0 {
			b.Fatalf("%d creates failed", failed.Load())
		}
		b.ReportMetric(float64(users)/el.Seconds(), "users/s")
	}
}

// seed inserts n users with SCIM sides straight into PostgreSQL (the
// benchmark's setup, not what it measures).
func seed(b *testing.B, w *world, n int) {
	db := w.env.Store.DB()
	stmts := []string{
		`INSERT INTO users (id, login_name, login_lc, tenant_id, domain, kind, status, first_name, last_name, email, email_lc, created_at, updated_at, login_skeleton)
		 SELECT 'seed-' || i, 'seed' || i || '@example.com', 'seed' || i || '@example.com', $1, 'ENTERPRISE', 'local', 'active', 'Seed', 'User' || i,
		        'seed' || i || '@example.com', 'seed' || i || '@example.com', 1700000000000000 + i, 1700000000000000 + i, 'skel-seed-' || i
		 FROM generate_series(1, $2) AS i`,
		`INSERT INTO user_contexts (user_id, context_id) SELECT 'seed-' || i, $1 FROM generate_series(1, $2) AS i`,
		`INSERT INTO scim_users (user_id, tenant_id, external_id, credential_id, attrs) SELECT 'seed-' || i, $1, 'ext-seed-' || i, '', '{}' FROM generate_series(1, $2) AS i`,
		`ANALYZE`,
	}
	for _, q := range stmts {
		args := []any{w.tenant, n}
		if q == `ANALYZE` {
			args = nil
		}
		if _, err := db.Exec(q, args...); err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
}

func BenchmarkSCIMFilter(b *testing.B) {
	w := benchWorld(b)
	const n = 100_000
	seed(b, w, n)
	client := &http.Client{}
	get := func(path string) time.Duration {
		req, _ := http.NewRequest("GET", w.env.Server.URL+"/scim/v2"+path, nil)
		req.Header.Set("Authorization", "Bearer "+w.token)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("GET %s: %v %v", path, err, resp)
		}
		buf := make([]byte, 4096)
		body := ""
		for {
			k, err := resp.Body.Read(buf)
			body += string(buf[:k])
			if err != nil {
				break
			}
		}
		resp.Body.Close()
		el := time.Since(start)
		if !containsTotal1(body) {
			b.Fatalf("GET %s: %s", path, body)
		}
		return el
	}
	for _, f := range []struct{ name, filter string }{{"userName", `userName eq "seed%d@example.com"`}, {"externalId", `externalId eq "ext-seed-%d"`}} {
		b.Run(f.name, func(b *testing.B) {
			for range b.N {
				var ds []time.Duration
				for i := 1; i <= 2000; i++ {
					ds = append(ds, get("/Users?filter="+query(fmt.Sprintf(f.filter, (i*7919)%n+1))))
				}
				slices.Sort(ds)
				b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99-ms")
			}
		})
	}
}

func BenchmarkSCIMGroupPatch(b *testing.B) {
	w := benchWorld(b)
	seed(b, w, 1000)
	client := &http.Client{}
	for i := range b.N {
		gw := fmt.Sprintf(`{"displayName":"Big %d"}`, i)
		req, _ := http.NewRequest("POST", w.env.Server.URL+"/scim/v2/Groups", stringsReader(gw))
		req.Header.Set("Authorization", "Bearer "+w.token)
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != 201 {
			b.Fatalf("create group: %v %v", err, resp)
		}
		var g struct{ ID string }
		decodeJSON(resp, &g)
		members := "["
		for j := 1; j <= 1000; j++ {
			if j > 1 {
				members += ","
			}
			members += fmt.Sprintf(`{"value":"seed-%d"}`, j)
		}
		members += "]"
		body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":` + members + `}]}`
		req, _ = http.NewRequest("PATCH", w.env.Server.URL+"/scim/v2/Groups/"+g.ID, stringsReader(body))
		req.Header.Set("Authorization", "Bearer "+w.token)
		start := time.Now()
		resp, err = client.Do(req)
		el := time.Since(start)
		if err != nil || resp.StatusCode != 204 {
			b.Fatalf("patch: %v %v", err, resp)
		}
		resp.Body.Close()
		b.ReportMetric(float64(el.Milliseconds()), "ms/1000-members")
	}
}
