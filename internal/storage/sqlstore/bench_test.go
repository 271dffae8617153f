package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
)

var words = []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent"}

// seedAccounts inserts n accounts under one tenant with multi-row inserts.
func seedAccounts(b *testing.B, st *sqlstore.Store, n int) {
	ctx := context.Background()
	root, err := st.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"})
	if err != nil {
		b.Fatal(err)
	}
	ten, err := st.CreateContext(ctx, model.Context{Type: model.ContextTenant, Name: "Tenant", ParentID: root.ID})
	if err != nil {
		b.Fatal(err)
	}
	tenPath := "/" + root.ID + "/" + ten.ID + "/"
	db := st.DB()
	ph := func(i int) string {
		if st.Dialect() == "postgres" {
			return fmt.Sprintf("$%d", i)
		}
		return fmt.Sprintf("?%d", i)
	}
	const batch = 500
	for start := 0; start < n; start += batch {
		var (
			vals []string
			args []any
		)
		for i := start; i < start+batch && i < n; i++ {
			id := uuid.NewString()
			name := fmt.Sprintf("%s %s %06d", words[i%len(words)], words[(i/10)%len(words)], i)
			num := fmt.Sprintf("ACC-%06d", i)
			k := len(args)
			vals = append(vals, fmt.Sprintf("(%s,'account',%s,%s,%s,%s,%s,%s,%s,%s,0)", ph(k+1), ph(k+2), ph(k+3), ph(k+4), ph(k+5), ph(k+6), ph(k+7), ph(k+8), "FALSE"))
			args = append(args, id, name, strings.ToLower(name), num, strings.ToLower(num), ten.ID, ten.ID, tenPath+id+"/")
		}
		q := `INSERT INTO contexts (id, type, name, name_lc, number, number_lc, parent_id, tenant_id, path, has_policy, created_at) VALUES ` + strings.Join(vals, ",")
		if _, err := db.Exec(q, args...); err != nil {
			b.Fatal(err)
		}
	}
	if st.Dialect() == "postgres" {
		_, _ = db.Exec("ANALYZE contexts")
	} else {
		_, _ = db.Exec("ANALYZE")
	}
}

// BenchmarkSearchContexts: R-CTX-1 search over 100,000 accounts; reports p99.
//
//	go test ./internal/storage/sqlstore/ -run '^$' -bench SearchContexts -benchtime 2000x
func BenchmarkSearchContexts(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			st := benchStore(b, backend)
			seedAccounts(b, st, 100_000)
			queries := []string{"acc-0421", "ACC-09999", "globex", "hooli stark", "000123", "tyrell", "zzz-none", "99999"}
			ctx := context.Background()
			for _, q := range queries {
				b.Run(q, func(b *testing.B) {
					percentiles(b, func(int) error {
						_, _, err := st.SearchContexts(ctx, model.ContextFilter{Query: q, Page: model.Page{Limit: 50}})
						return err
					})
				})
			}
		})
	}
}
