package sqlstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sesame-sso/sesame/internal/identity"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
)

const benchTenants = 20

var (
	firstNames = []string{"Anna", "Bruno", "Chiara", "Dario", "Elena", "Fabio", "Giulia", "Hugo", "Ines", "Jonas", "Karin", "Luca"}
	lastNames  = []string{"Muller", "Schmid", "Keller", "Weber", "Meier", "Huber", "Brunner", "Frei", "Baumann", "Fischer", "Gerber", "Widmer"}
)

// seedUsers inserts n users spread over benchTenants tenants (slugs
// t00…t19) with multi-row inserts, as the store would write them (PRECIS
// key, skeleton, one context each). It returns the tenant ids.
func seedUsers(b *testing.B, st *sqlstore.Store, n int) []string {
	ctx := context.Background()
	root, err := st.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"})
	if err != nil {
		b.Fatal(err)
	}
	if err := st.UpsertDomain(ctx, model.UserDomain{Name: "D", Kind: model.KindLocal, Placement: model.PlacementEnterprise}); err != nil {
		b.Fatal(err)
	}
	tenants := make([]string, benchTenants)
	for i := range tenants {
		t, err := st.CreateContext(ctx, model.Context{Type: model.ContextTenant, Name: fmt.Sprintf("Tenant %02d", i), Slug: fmt.Sprintf("t%02d", i), ParentID: root.ID})
		if err != nil {
			b.Fatal(err)
		}
		tenants[i] = t.ID
	}
	db := st.DB()
	ph := func(i int) string {
		if st.Dialect() == "postgres" {
			return fmt.Sprintf("$%d", i)
		}
		return fmt.Sprintf("?%d", i)
	}
	const batch = 500
	now := time.Now().UnixMicro()
	for start := 0; start < n; start += batch {
		var (
			vals, cvals []string
			args, cargs []any
		)
		for i := start; i < start+batch && i < n; i++ {
			id := uuid.NewString()
			login := fmt.Sprintf("user%06d", i)
			first, last := firstNames[i%len(firstNames)], lastNames[(i/len(firstNames))%len(lastNames)]
			email := fmt.Sprintf("%s.%s%d@mail%d.example", strings.ToLower(first), strings.ToLower(last), i, i%97)
			tenant := tenants[i%benchTenants]
			k := len(args)
			p := make([]string, 11)
			for j := range p {
				p[j] = ph(k + j + 1)
			}
			vals = append(vals, "("+strings.Join(p, ",")+",'D','local','active')")
			args = append(args, id, login, identity.LoginKeyOrLower(login), identity.Skeleton(login), tenant, first, last, email, strings.ToLower(email), now, now)
			cvals = append(cvals, fmt.Sprintf("(%s,%s)", ph(len(cargs)+1), ph(len(cargs)+2)))
			cargs = append(cargs, id, tenant)
		}
		if _, err := db.Exec(`INSERT INTO users (id, login_name, login_lc, login_skeleton, tenant_id, first_name, last_name, email, email_lc, created_at, updated_at, domain, kind, status) VALUES `+strings.Join(vals, ","), args...); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO user_contexts (user_id, context_id) VALUES `+strings.Join(cvals, ","), cargs...); err != nil {
			b.Fatal(err)
		}
	}
	_, _ = db.Exec("ANALYZE")
	return tenants
}

// benchStore opens a fresh store on backend, closed when b ends.
func benchStore(b *testing.B, backend string) *sqlstore.Store {
	url := "sqlite://" + filepath.Join(b.TempDir(), "bench.db")
	if backend == "postgres" {
		url = pgtest.DSN(b)
	}
	st, err := sqlstore.Open(context.Background(), url, sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// percentiles runs fn b.N times and reports p50 and p99 in milliseconds.
func percentiles(b *testing.B, fn func(i int) error) {
	lat := make([]time.Duration, 0, b.N)
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := fn(i); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*50/100].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkUsers (issue 8, item 22): the password-login lookup (tenant by
// slug, then the user through UNIQUE (tenant_id, login_lc)) and the admin
// user search and list, at 10,000 and 200,000 users; reports p50/p99.
//
//	SESAME_TEST_POSTGRES_DSN=… go test ./internal/storage/sqlstore/ -run '^$' -bench BenchmarkUsers -benchtime 2000x
func BenchmarkUsers(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, n := range []int{10_000, 200_000} {
			b.Run(fmt.Sprintf("%s/users=%d", backend, n), func(b *testing.B) {
				st := benchStore(b, backend)
				tenants := seedUsers(b, st, n)
				ctx := context.Background()
				b.Run("login", func(b *testing.B) {
					percentiles(b, func(i int) error {
						k := (i * 7919) % n
						_, err := st.UserBySlugLogin(ctx, fmt.Sprintf("t%02d", k%benchTenants), fmt.Sprintf("USER%06d", k))
						return err
					})
				})
				b.Run("login-unknown", func(b *testing.B) {
					percentiles(b, func(i int) error {
						if _, err := st.UserBySlugLogin(ctx, "t03", fmt.Sprintf("nobody%d", i)); err == nil {
							return fmt.Errorf("found nobody")
						}
						return nil
					})
				})
				for _, q := range []string{"user00123", "user1", "keller", "chiara.frei", "@mail42.", "zzz-none", "ann"} {
					b.Run("search/"+q, func(b *testing.B) {
						percentiles(b, func(int) error {
							_, _, err := st.ListUsers(ctx, model.UserFilter{Query: q, Page: model.Page{Limit: 50}})
							return err
						})
					})
				}
				b.Run("search-in-tenant/weber", func(b *testing.B) {
					percentiles(b, func(int) error {
						_, _, err := st.ListUsers(ctx, model.UserFilter{Query: "weber", Within: []string{tenants[5]}, Page: model.Page{Limit: 50}})
						return err
					})
				})
				b.Run("list", func(b *testing.B) {
					percentiles(b, func(i int) error {
						_, _, err := st.ListUsers(ctx, model.UserFilter{Page: model.Page{Offset: (i % 10) * 50, Limit: 50}})
						return err
					})
				})
				b.Run("list-tenant", func(b *testing.B) {
					percentiles(b, func(int) error {
						_, _, err := st.ListUsers(ctx, model.UserFilter{Within: []string{tenants[7]}, Page: model.Page{Limit: 50}})
						return err
					})
				})
			})
		}
	}
}
