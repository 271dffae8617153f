package access

import (
	"fmt"
	"testing"

	"github.com/sesame-sso/sesame/internal/model"
)

// benchData: 500 ACLs over 4 modules, 10,000 contexts, 1,000 groups (50
// global) with 30–60 values each, a user in 20 groups across 5 contexts.
func benchData() (*Catalog, *Index, []string, string) {
	var acls []model.ACL
	mods := []string{"portal", "rm", "bm", "cas"}
	for i := 0; i < 500; i++ {
		typ := model.ACLBoolean
		if i%50 == 0 {
			typ = model.ACLText
		}
		acls = append(acls, model.ACL{Module: mods[i%4], Category: fmt.Sprintf("Category %d", i%12), Name: fmt.Sprintf("Right %03d", i), Type: typ})
	}
	cat := NewCatalog(acls)
	ctxs := make([]string, 10000)
	for i := range ctxs {
		ctxs[i] = fmt.Sprintf("ctx-%05d", i)
	}
	root := "root"
	var groups []model.Group
	for g := 0; g < 1000; g++ {
		cid := ctxs[g%len(ctxs)]
		if g < 50 {
			cid = root
		} else if g < 250 {
			cid = ctxs[g%5] // the user's five contexts are busy
		}
		var vals []model.ACLValue
		for k := 0; k < 30+g%31; k++ {
			a := acls[(g*7+k*13)%500]
			val := "true"
			if a.Type == model.ACLText {
				val = "10.0.0.0/8"
			} else if k%3 == 0 {
				val = "false"
			}
			vals = append(vals, model.ACLValue{Module: a.Module, Name: a.Name, Value: val})
		}
		groups = append(groups, model.Group{ID: fmt.Sprintf("g%04d", g), ContextID: cid, Name: fmt.Sprintf("Group %04d", 999-g), Values: vals})
	}
	ix := NewIndex(groups, root)
	// The user: 20 groups across contexts 0..4 (4 each).
	var member []string
	for c := 0; c < 5; c++ {
		n := 0
		for _, g := range ix.Available(ctxs[c]) {
			if g.ContextID == ctxs[c] && n < 4 {
				member = append(member, g.ID)
				n++
			}
		}
	}
	return cat, ix, member, ctxs[0]
}

// go test ./internal/access/ -run '^$' -bench Evaluate -benchmem
func BenchmarkEvaluate(b *testing.B) {
	cat, ix, member, ctx := benchData()
	in := Input{User: model.User{ID: "u", Kind: model.KindDelegated}, Context: model.Context{ID: ctx}, Index: cat,
		AvailableGroups: ix.Available(ctx), MemberGroupIDs: member, Roles: []string{"none"}}
	for _, module := range []string{"portal", ""} {
		name := module
		if name == "" {
			name = "all-modules"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				r := Evaluate(in, module)
				if len(r.Rights) == 0 {
					b.Fatal("no rights")
				}
			}
		})
	}
}
