package sqlstore

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

type dialect int

const (
	dialectPostgres dialect = iota
	dialectSQLite
)

// rebinder rewrites PostgreSQL-dialect queries for SQLite and caches them.
type rebinder struct {
	d     dialect
	cache sync.Map // string -> string
	// n counts cached queries: queries built from outside input (SCIM
	// filters, scim.go) vary in shape, so the cache stops growing at
	// rebindCacheMax and later queries are rewritten each time.
	n atomic.Int64
}

const rebindCacheMax = 4096

// rebind turns $N into ?N and drops "FOR UPDATE" for SQLite (the immediate
// transaction already holds the write lock).
func (r *rebinder) rebind(q string) string {
	if r.d == dialectPostgres {
		return q
	}
	if v, ok := r.cache.Load(q); ok {
		return v.(string)
	}
	out := strings.ReplaceAll(q, " FOR UPDATE", "")
	out = strings.ReplaceAll(out, "$", "?")
	if r.n.Load() < rebindCacheMax {
		if _, loaded := r.cache.LoadOrStore(q, out); !loaded {
			r.n.Add(1)
		}
	}
	return out
}

// placeholders returns "$from, $from+1, …" for n arguments.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(from + i))
	}
	return b.String()
}

// likeEscape escapes LIKE metacharacters so user input matches literally
// (used with ESCAPE '\').
func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
