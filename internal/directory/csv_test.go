package directory

import (
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/model"
)

var testCatalog = []model.ACL{
	{Module: "portal", Category: "SIM Cards", Name: "SIM - Price Plan Modify", Type: model.ACLBoolean},
	{Module: "portal", Category: "API", Name: "API IP Allow", Type: model.ACLText},
	{Module: "portal", Category: "User Preferences", Name: "Dashboard Panels", Type: model.ACLText},
	{Module: "bm", Category: "Module Access", Name: "bmModuleAccess", Type: model.ACLBoolean},
}

func TestParseTemplateCSV(t *testing.T) {
	good := "module,category,acl,type,value\n" +
		"portal,SIM Cards,SIM - Price Plan Modify,boolean,TRUE\n" +
		"portal,API,API IP Allow,text,\"10.0.0.0/8, ::/0\"\n" +
		"bm,Module Access,bmModuleAccess,boolean,false\n"
	vals, err := ParseTemplateCSV(strings.NewReader(good), testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	if len(vals) != 3 || vals[0].Value != "true" || vals[1].Value != "10.0.0.0/8, ::/0" || vals[2].Module != "bm" {
		t.Fatalf("parsed %+v", vals)
	}
	// Round trip through TemplateCSV.
	out, err := TemplateCSV(model.Template{Values: vals}, testCatalog)
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseTemplateCSV(strings.NewReader(string(out)), testCatalog)
	if err != nil || len(again) != 3 || again[1] != vals[1] {
		t.Fatalf("round trip: %v %+v\n%s", err, again, out)
	}
	for _, c := range []struct{ csv, want string }{
		{"", "empty file"},
		{"module,category,acl\n", "header"},
		{"module,category,acl,type,value\nportal,SIM Cards,Nope,boolean,true\n", "line 2: unknown ACL"},
		{"module,category,acl,type,value\nportal,SIM Cards,SIM - Price Plan Modify,boolean,true\nportal,API,API IP Allow,text,999.1.1.1/8\n", "line 3"},
		{"module,category,acl,type,value\nportal,Wrong,SIM - Price Plan Modify,boolean,true\n", "category"},
		{"module,category,acl,type,value\nportal,SIM Cards,SIM - Price Plan Modify,text,true\n", "type"},
		{"module,category,acl,type,value\nportal,SIM Cards,SIM - Price Plan Modify,boolean,maybe\n", "true or false"},
		{"module,category,acl,type,value\nportal,User Preferences,Dashboard Panels,text,x\n", "preference"},
		{"module,category,acl,type,value\nportal,SIM Cards,SIM - Price Plan Modify,boolean,true\nportal,SIM Cards,SIM - Price Plan Modify,boolean,false\n", "already set on line 2"},
		{"module,category,acl,type,value\nportal,SIM Cards\n", "line 2: expected 5 fields"},
		{"module,category,acl,type,value\n\"unterminated\n", "line"},
	} {
		_, err := ParseTemplateCSV(strings.NewReader(c.csv), testCatalog)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want error containing %q", c.csv, err, c.want)
		}
		if err != nil && model.ErrorCode(err) != model.EINVALID {
			t.Errorf("%q: error code %s, want invalid", c.csv, model.ErrorCode(err))
		}
	}
}

// FuzzParseTemplateCSV: never panics; whatever it accepts is valid.
func FuzzParseTemplateCSV(f *testing.F) {
	f.Add("module,category,acl,type,value\nportal,SIM Cards,SIM - Price Plan Modify,boolean,true\n")
	f.Add("module,category,acl,type,value\nportal,API,API IP Allow,text,\"10.0.0.0/8,::/0\"\n")
	f.Add("\ufeffmodule,category,acl,type,value\r\nbm,Module Access,bmModuleAccess,boolean,FALSE\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		vals, err := ParseTemplateCSV(strings.NewReader(in), testCatalog)
		if err != nil {
			if model.ErrorCode(err) != model.EINVALID {
				t.Fatalf("non-validation error %v", err)
			}
			return
		}
		byRef := map[model.ACLRef]model.ACL{}
		for _, a := range testCatalog {
			byRef[a.Ref()] = a
		}
		seen := map[model.ACLRef]bool{}
		for _, v := range vals {
			if err := validateValue(byRef, v); err != nil {
				t.Fatalf("accepted invalid value %+v: %v", v, err)
			}
			if seen[v.Ref()] {
				t.Fatalf("accepted duplicate %v", v.Ref())
			}
			seen[v.Ref()] = true
		}
	})
}
