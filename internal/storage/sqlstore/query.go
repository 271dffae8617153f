package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sesame-sso/sesame/internal/model"
)

// filter builds the WHERE clause and arguments of a list query.
type filter struct {
	where []string
	args  []any
}

// arg adds an argument and returns its placeholder.
func (f *filter) arg(v any) string {
	f.args = append(f.args, v)
	return fmt.Sprintf("$%d", len(f.args))
}

func (f *filter) add(cond string) { f.where = append(f.where, cond) }

// list adds the arguments and returns "($n, $n+1, …)".
func (f *filter) list(vals []string) string {
	ps := make([]string, len(vals))
	for i, v := range vals {
		ps[i] = f.arg(v)
	}
	return `(` + strings.Join(ps, ", ") + `)`
}

// contains adds a case-insensitive, literal substring match on any of cols.
func (f *filter) contains(q string, cols ...string) {
	p := f.arg("%" + likeEscape(strings.ToLower(q)) + "%")
	ors := make([]string, len(cols))
	for i, c := range cols {
		ors[i] = c + ` LIKE ` + p + ` ESCAPE '\'`
	}
	f.add("(" + strings.Join(ors, " OR ") + ")")
}

// subtree returns "(path range OR …)" over pathCol for the subtrees rooted
// at ids; ok is false when none of them exists (the result is empty).
func (s *Store) subtree(ctx context.Context, f *filter, pathCol string, ids []string) (string, bool, error) {
	var ors []string
	for _, id := range ids {
		_, path, err := s.getContext(ctx, id, false)
		if errors.Is(err, model.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", false, err
		}
		ors = append(ors, `(`+pathCol+` >= `+f.arg(path)+` AND `+pathCol+` < `+f.arg(path+"~")+`)`)
	}
	return "(" + strings.Join(ors, " OR ") + ")", len(ors) > 0, nil
}

// sql completes a query with WHERE, ORDER BY and one row more than the page,
// so page() can tell whether more follow.
func (f *filter) sql(base, order string, p model.Page) string {
	q := base
	if len(f.where) > 0 {
		q += " WHERE " + strings.Join(f.where, " AND ")
	}
	return q + ` ORDER BY ` + order + ` LIMIT ` + f.arg(p.Limit+1) + ` OFFSET ` + f.arg(p.Offset)
}

// page cuts the extra row fetched by sql.
func page[T any](items []T, p model.Page) ([]T, bool) {
	if len(items) > p.Limit {
		return items[:p.Limit], true
	}
	return items, false
}

// queryAll runs q and scans every row with scan; what names the query in
// errors.
func queryAll[T any](ctx context.Context, s *Store, what, q string, scan func(interface{ Scan(...any) error }) (T, error), args ...any) ([]T, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// anyArgs turns ids into query arguments.
func anyArgs(ids []string) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}
