package commonlist

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

//go:embed common.txt.gz
var gz []byte

// list is the decompressed, sorted list, loaded once on first use: it is
// immutable data shipped with the binary, not state.
var list = sync.OnceValues(func() ([]string, error) { return parse(gz) })

// parse decompresses one lower-cased password per line; the entries are
// views into one string (no copy each).
func parse(b []byte) ([]string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("common password list: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("common password list: %w", err)
	}
	all := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if !slices.IsSorted(all) {
		slices.Sort(all) // a hand-edited file still works
	}
	return all, nil
}

// Load decompresses the list now (start-up), so the first password change
// does not pay for it; it reports a damaged embedded file.
func Load() error {
	_, err := list()
	return err
}

// Len is the number of entries.
func Len() int {
	l, _ := list()
	return len(l)
}

// Contains reports whether pw, lower-cased, is on the list. A list that
// failed to load (never, for the embedded file) contains nothing; Load
// reports that at start-up.
func Contains(pw string) bool {
	l, _ := list()
	_, found := slices.BinarySearch(l, strings.ToLower(pw))
	return found
}
