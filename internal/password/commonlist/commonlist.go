package commonlist

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
)

//go:embed common.txt.gz
var gz []byte

// list is the decompressed, sorted list, loaded once on first use: it is
// immutable data shipped with the binary, not state.
var list = sync.OnceValues(func() (table, error) { return parse(gz) })

// table is the sorted list as one string and the offsets where its
// entries end. It holds no pointer per entry: as a []string its 474,743
// string headers were scanned by every garbage collection, and a server
// that hashes passwords (19 MiB allocated per argon2id hash) collects
// every few logins.
type table struct {
	raw  string
	ends []uint32 // entry i is raw[ends[i-1]+1 : ends[i]]
}

// Len is the number of entries.
func (t table) Len() int { return len(t.ends) }

// at is entry i.
func (t table) at(i int) string {
	start := 0
	if i > 0 {
		start = int(t.ends[i-1]) + 1
	}
	return t.raw[start:t.ends[i]]
}

// contains reports whether s is an entry (binary search).
func (t table) contains(s string) bool {
	_, found := sort.Find(len(t.ends), func(i int) int { return strings.Compare(s, t.at(i)) })
	return found
}

// parse decompresses one lower-cased password per line.
func parse(b []byte) (table, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return table{}, fmt.Errorf("common password list: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return table{}, fmt.Errorf("common password list: %w", err)
	}
	t := table{raw: strings.TrimSuffix(string(raw), "\n")}
	if len(t.raw) > math.MaxUint32 {
		return table{}, errors.New("common password list: larger than 4 GiB")
	}
	sorted, prev := true, ""
	for start := 0; start <= len(t.raw) && t.raw != ""; {
		end := strings.IndexByte(t.raw[start:], '\n')
		if end < 0 {
			end = len(t.raw)
		} else {
			end += start
		}
		if w := t.raw[start:end]; len(t.ends) > 0 && w < prev {
			sorted = false
		} else {
			prev = w
		}
		t.ends = append(t.ends, uint32(end))
		start = end + 1
	}
	if !sorted { // a hand-edited file still works
		all := strings.Split(t.raw, "\n")
		slices.Sort(all)
		return parse(gzipped(strings.Join(all, "\n")))
	}
	t.ends = slices.Clip(t.ends)
	return t, nil
}

// gzipped compresses s (only for a hand-edited, unsorted list).
func gzipped(s string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = io.WriteString(zw, s)
	_ = zw.Close()
	return buf.Bytes()
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
	return l.Len()
}

// Contains reports whether pw, lower-cased, is on the list. A list that
// failed to load (never, for the embedded file) contains nothing; Load
// reports that at start-up.
func Contains(pw string) bool {
	l, _ := list()
	return l.contains(strings.ToLower(pw))
}
