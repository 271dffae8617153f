package catalog

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sesame-sso/sesame/internal/model"
)

//go:embed catalog.yaml
var shipped []byte

// Catalog is a set of modules and their ACLs.
type Catalog struct {
	Modules []model.Module
	ACLs    []model.ACL
}

type fileACL struct {
	Name        string `yaml:"name"`
	Type        string `yaml:"type"`
	Description string `yaml:"description"`
}

type fileCategory struct {
	Name string    `yaml:"name"`
	ACLs []fileACL `yaml:"acls"`
}

type fileModule struct {
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	Categories  []fileCategory `yaml:"categories"`
}

type file struct {
	Modules []fileModule `yaml:"modules"`
}

// Default returns the shipped catalog.
func Default() (Catalog, error) { return Parse(bytes.NewReader(shipped)) }

var moduleName = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// Parse reads a catalog and reports every problem at once.
func Parse(r io.Reader) (Catalog, error) {
	var f file
	dec := yaml.NewDecoder(io.LimitReader(r, 8<<20))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return Catalog{}, fmt.Errorf("catalog: %w", err)
	}
	var (
		c    Catalog
		errs []error
		seen = map[model.ACLRef]bool{}
		mods = map[string]bool{}
	)
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for i, m := range f.Modules {
		if !moduleName.MatchString(m.Name) {
			bad("modules[%d]: module name %q must be lower-case letters, digits, - or _", i, m.Name)
		}
		if mods[m.Name] {
			bad("modules[%d]: module %q declared twice", i, m.Name)
		}
		mods[m.Name] = true
		c.Modules = append(c.Modules, model.Module{Name: m.Name, Description: m.Description})
		for j, cat := range m.Categories {
			if strings.TrimSpace(cat.Name) == "" {
				bad("modules[%d] %s: categories[%d]: empty category name", i, m.Name, j)
			}
			for k, a := range cat.ACLs {
				where := fmt.Sprintf("%s / %s / acls[%d]", m.Name, cat.Name, k)
				if strings.TrimSpace(a.Name) == "" {
					bad("%s: empty ACL name", where)
					continue
				}
				if a.Type != string(model.ACLBoolean) && a.Type != string(model.ACLText) {
					bad("%s %q: type %q must be boolean or text", where, a.Name, a.Type)
				}
				acl := model.ACL{Module: m.Name, Category: cat.Name, Name: a.Name, Type: model.ACLType(a.Type), Description: a.Description}
				if seen[acl.Ref()] {
					bad("%s: ACL %q appears twice in module %s", where, a.Name, m.Name)
				}
				seen[acl.Ref()] = true
				c.ACLs = append(c.ACLs, acl)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Catalog{}, fmt.Errorf("catalog:\n%w", err)
	}
	return c, nil
}
