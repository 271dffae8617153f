package config

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// source remembers where each key of a configuration file was, so every
// problem names its key and its line (issue 14 §4): unknown keys and
// values of the wrong type found while reading, and the checks of
// Validate, are listed together.
type source struct {
	path string
	// lines: key path ("server.addr") → line of the key in the file.
	lines map[string]int
	// problems found while reading: unknown keys, wrong types.
	problems []error
}

// decodeFile reads a YAML document into c. A file that is not YAML at all
// is an error; unknown keys and values of the wrong type are collected
// in the returned source (reported by Validate) while every other key is
// still read.
func decodeFile(path string, b []byte, c *Config) (*source, error) {
	src := &source{path: path, lines: map[string]int{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 { // empty file
		return src, nil
	}
	root := doc.Content[0]
	src.walk(root, reflect.TypeOf(*c), "")
	err := root.Decode(c)
	var te *yaml.TypeError
	if errors.As(err, &te) {
		for _, msg := range te.Errors {
			src.problems = append(src.problems, src.typeProblem(msg))
		}
	} else if err != nil {
		return nil, err
	}
	return src, nil
}

// walk records the line of every key under n (a mapping decoded into t)
// and reports keys t has no field for.
func (s *source) walk(n *yaml.Node, t reflect.Type, prefix string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := prefix + k.Value
		s.lines[key] = k.Line
		f, ok := fieldByTag(t, k.Value)
		if !ok {
			s.problems = append(s.problems, fmt.Errorf("%s: unknown key%s", key, suggest(t, k.Value)))
			continue
		}
		s.walk(v, f.Type, key+".")
	}
}

// fieldByTag finds the field of struct t whose yaml name is name.
func fieldByTag(t reflect.Type, name string) (reflect.StructField, bool) {
	for _, f := range YAMLFields(t) {
		if YAMLName(f) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// YAMLFields are the exported fields of struct t that YAML reads (the
// reference generator, docgen, walks the same fields).
func YAMLFields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.IsExported() && YAMLName(f) != "-" {
			out = append(out, f)
		}
	}
	return out
}

// YAMLName is the key of field f in the file.
func YAMLName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}

// suggest names a known key that differs from name only in case or in
// one or two characters ("did you mean addr?").
func suggest(t reflect.Type, name string) string {
	best, bestD := "", 3
	for _, f := range YAMLFields(t) {
		n := YAMLName(f)
		if strings.EqualFold(n, name) {
			return fmt.Sprintf(" (did you mean %s?)", n)
		}
		if d := distance(strings.ToLower(n), strings.ToLower(name)); d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// typeProblem turns yaml's "line 3: cannot unmarshal …" into a problem
// naming the key on that line.
func (s *source) typeProblem(msg string) error {
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return errors.New(msg)
	}
	line, _ := strconv.Atoi(m[1])
	for key, l := range s.lines {
		if l == line {
			return fmt.Errorf("%s: %s", key, m[2])
		}
	}
	return errors.New(msg)
}

// locate prefixes each problem ("key: …") with the file and the line of
// its key, when the key came from the file, and orders them by line.
func (s *source) locate(problems []error) error {
	type located struct {
		line int
		text string
	}
	var out []located
	for _, p := range problems {
		if p == nil {
			continue
		}
		for _, text := range strings.Split(p.Error(), "\n") {
			if text == "" {
				continue
			}
			key, _, _ := strings.Cut(text, ":")
			line := 0
			if s != nil {
				// A problem of a list item ("trustedProxies[2]") is
				// on the list's line.
				base, _, _ := strings.Cut(key, "[")
				if l, ok := s.lines[base]; ok {
					line = l
					text = fmt.Sprintf("%s:%d: %s", s.path, l, text)
				}
			}
			out = append(out, located{line, text})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		li, lj := out[i].line, out[j].line
		if li == 0 || lj == 0 {
			return li != 0 && lj == 0 // from the file first, then the rest
		}
		return li < lj
	})
	var errs []error
	for _, o := range out {
		errs = append(errs, errors.New(o.text))
	}
	return errors.Join(errs...)
}
