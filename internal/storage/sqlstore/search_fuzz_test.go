package sqlstore

import (
	"context"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/sesame-sso/sesame/internal/model"
)

var (
	fuzzOnce  sync.Once
	fuzzStore *Store
	fuzzErr   error
)

func fuzzDB(t *testing.T) *Store {
	fuzzOnce.Do(func() {
		ctx := context.Background()
		dir, err := mkdirTemp()
		if err != nil {
			fuzzErr = err
			return
		}
		fuzzStore, fuzzErr = Open(ctx, "sqlite://"+dir+"/fuzz.db", Options{})
		if fuzzErr != nil {
			return
		}
		root, err := fuzzStore.CreateContext(ctx, model.Context{Type: model.ContextRoot, Name: "Root"})
		if err != nil {
			fuzzErr = err
			return
		}
		for _, n := range []struct{ name, number string }{{"Acme 100%", "A_1"}, {"O'Brien & Sons", `B\2`}, {"Ünïcødé GmbH", "Ü-3"}, {"plain", "42"}} {
			if _, err := fuzzStore.CreateContext(ctx, model.Context{Type: model.ContextAccount, Name: n.name, Number: n.number, ParentID: root.ID}); err != nil {
				fuzzErr = err
				return
			}
		}
	})
	if fuzzErr != nil {
		t.Fatal(fuzzErr)
	}
	return fuzzStore
}

// FuzzSearchContexts: any query string is safe (no SQL error, no injection),
// and every result really contains the query, case-insensitively.
func FuzzSearchContexts(f *testing.F) {
	for _, s := range []string{"acme", "100%", "%", "_", "A_1", `\`, "'", "o'b", "' OR 1=1 --", "ünï", "ÜNÏ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if !utf8.ValidString(q) || strings.IndexByte(q, 0) >= 0 {
			return // the HTTP layer refuses these before they reach the store
		}
		st := fuzzDB(t)
		res, _, err := st.SearchContexts(context.Background(), model.ContextFilter{Query: q})
		if err != nil {
			t.Fatalf("query %q: %v", q, err)
		}
		lq := strings.ToLower(strings.TrimSpace(q))
		for _, c := range res {
			if !strings.Contains(strings.ToLower(c.Name), lq) && !strings.Contains(strings.ToLower(c.Number), lq) {
				t.Fatalf("query %q matched %q / %q", q, c.Name, c.Number)
			}
		}
		if lq == "" && len(res) != 5 {
			t.Fatalf("empty query returned %d contexts, want all 5", len(res))
		}
	})
}
