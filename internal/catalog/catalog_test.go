package catalog

import (
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/model"
)

func TestDefault(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Modules) != 4 {
		t.Fatalf("modules: %v", c.Modules)
	}
	byRef := map[model.ACLRef]model.ACL{}
	per := map[string]int{}
	for _, a := range c.ACLs {
		byRef[a.Ref()] = a
		per[a.Module]++
	}
	for m, n := range per {
		if n < 25 {
			t.Errorf("module %s has only %d rights", m, n)
		}
	}
	for _, want := range []model.ACL{
		{Module: "portal", Category: "SIM Cards", Name: "SIM - Price Plan Modify", Type: model.ACLBoolean},
		{Module: "portal", Category: "API", Name: "API IP Allow", Type: model.ACLText},
		{Module: "portal", Category: "User Preferences", Name: "Dashboard Panels", Type: model.ACLText},
		{Module: "bm", Category: "Module Access", Name: "bmModuleAccess", Type: model.ACLBoolean},
		{Module: "cas", Category: "User Management", Name: "CAS users - Create or Modify", Type: model.ACLBoolean},
	} {
		got, ok := byRef[want.Ref()]
		if !ok || got.Category != want.Category || got.Type != want.Type {
			t.Errorf("seed right %s/%s: got %+v", want.Module, want.Name, got)
		}
	}
	for _, name := range AdminRights {
		if a, ok := byRef[model.ACLRef{Module: "cas", Name: name}]; !ok || a.Type != model.ACLBoolean {
			t.Errorf("admin right %q missing from cas", name)
		}
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	doc := `modules:
  - name: crm
    categories:
      - name: Leads
        acls:
          - {name: "Leads - View", type: number}
          - {name: "", type: boolean}
          - {name: "Leads - Edit", type: boolean}
          - {name: "Leads - Edit", type: boolean}
`
	_, err := Parse(strings.NewReader(doc))
	if err == nil {
		t.Fatal("bad catalog accepted")
	}
	for _, want := range []string{"type \"number\"", "empty ACL name", "appears twice"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
	if _, err := Parse(strings.NewReader("modules:\n  - name: x\n    colour: red\n")); err == nil || !strings.Contains(err.Error(), "colour") {
		t.Errorf("unknown field: %v", err)
	}
	if _, err := Parse(strings.NewReader("modules:\n  - name: Bad Name\n")); err == nil {
		t.Error("bad module name accepted")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(string(shipped))
	f.Add("modules: [{name: a, categories: [{name: c, acls: [{name: n, type: text}]}]}]")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, a := range c.ACLs {
			if a.Name == "" || (a.Type != model.ACLBoolean && a.Type != model.ACLText) {
				t.Fatalf("accepted invalid ACL %+v", a)
			}
		}
	})
}
