package access

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/model"
)

var cat = []model.ACL{
	{Module: "portal", Category: "SIM Cards", Name: "SIM - Price Plan Modify", Type: model.ACLBoolean},
	{Module: "portal", Category: "SIM Cards", Name: "SIM - Activate", Type: model.ACLBoolean},
	{Module: "portal", Category: "Reports", Name: "Reports - Export", Type: model.ACLBoolean},
	{Module: "portal", Category: "API", Name: "API IP Allow", Type: model.ACLText},
	{Module: "portal", Category: "User Preferences", Name: "Dashboard Panels", Type: model.ACLText},
	{Module: "bm", Category: "Module Access", Name: "bmModuleAccess", Type: model.ACLBoolean},
}

func v(acl, val string) model.ACLValue {
	mod := "portal"
	if acl == "bmModuleAccess" {
		mod = "bm"
	}
	return model.ACLValue{Module: mod, Name: acl, Value: val}
}

func grp(id, name string, roles []string, vals ...model.ACLValue) model.Group {
	return model.Group{ID: id, Name: name, RoleNames: roles, Values: vals}
}

var (
	local     = model.User{ID: "u", Kind: model.KindLocal}
	delegated = model.User{ID: "u", Kind: model.KindDelegated}
)

func TestEvaluate(t *testing.T) {
	cases := []struct {
		name  string
		in    Input
		want  map[string]string // right -> value; "-" = text unassigned
		setBy map[string]string
	}{
		{
			name: "user in no group: everything false or absent (R-EFF-4)",
			in:   Input{User: local, AvailableGroups: []model.Group{grp("g1", "Admins", nil, v("SIM - Activate", "true"))}},
			want: map[string]string{"SIM - Activate": "false", "SIM - Price Plan Modify": "false", "API IP Allow": "-"},
		},
		{
			name: "two groups set the same right: alphabetical, case-insensitive, later wins (R-EFF-2)",
			in: Input{User: local, MemberGroupIDs: []string{"g1", "g2"}, AvailableGroups: []model.Group{
				grp("g2", "Basic", nil, v("SIM - Activate", "false"), v("API IP Allow", "10.0.0.0/8")),
				grp("g1", "admins", nil, v("SIM - Activate", "true"), v("Reports - Export", "true")),
			}},
			want:  map[string]string{"SIM - Activate": "false", "Reports - Export": "true", "API IP Allow": "10.0.0.0/8"},
			setBy: map[string]string{"SIM - Activate": "Basic", "Reports - Export": "admins"},
		},
		{
			name: "e2 overwrites e1; role match needs no membership (R-EFF-1)",
			in: Input{User: delegated, Roles: []string{"ops"}, MemberGroupIDs: []string{"g2"}, AvailableGroups: []model.Group{
				grp("g1", "Zeta role group", []string{"OPS"}, v("SIM - Activate", "true"), v("Reports - Export", "true")),
				grp("g2", "Alpha members", nil, v("SIM - Activate", "false")),
			}},
			want:  map[string]string{"SIM - Activate": "false", "Reports - Export": "true"},
			setBy: map[string]string{"SIM - Activate": "Alpha members", "Reports - Export": "Zeta role group"},
		},
		{
			name: "delegated user, role matching a global group and a context group",
			in: Input{User: delegated, Roles: []string{"viewer"}, AvailableGroups: []model.Group{
				grp("ctx", "Account viewers", []string{"viewer"}, v("Reports - Export", "true")),
				grp("glob", "Global viewers", []string{"viewer"}, v("SIM - Activate", "true"), v("Reports - Export", "false")),
				grp("other", "Other", []string{"admin"}, v("SIM - Price Plan Modify", "true")),
			}},
			want: map[string]string{"Reports - Export": "false", "SIM - Activate": "true", "SIM - Price Plan Modify": "false"},
		},
		{
			name: "local user: role names are ignored (e1 is for delegated users)",
			in: Input{User: local, Roles: []string{"viewer"}, AvailableGroups: []model.Group{
				grp("g", "Viewers", []string{"viewer"}, v("SIM - Activate", "true")),
			}},
			want: map[string]string{"SIM - Activate": "false"},
		},
		{
			name: "policy denies a right a group grants, keeps what it grants (R-EFF-5)",
			in: Input{User: local, MemberGroupIDs: []string{"g"}, HasPolicy: true,
				Policy:          []model.ACLValue{v("SIM - Activate", "true"), v("Reports - Export", "false")},
				AvailableGroups: []model.Group{grp("g", "G", nil, v("SIM - Activate", "true"), v("Reports - Export", "true"), v("API IP Allow", "0.0.0.0/0"))}},
			want: map[string]string{"SIM - Activate": "true", "Reports - Export": "false", "API IP Allow": "-"},
		},
		{
			name: "policy assigning a text right lets the group's text through",
			in: Input{User: local, MemberGroupIDs: []string{"g"}, HasPolicy: true, Policy: []model.ACLValue{v("API IP Allow", "0.0.0.0/0")},
				AvailableGroups: []model.Group{grp("g", "G", nil, v("API IP Allow", "192.0.2.0/24"))}},
			want: map[string]string{"API IP Allow": "192.0.2.0/24"},
		},
		{
			name: "empty policy: nothing survives",
			in: Input{User: local, MemberGroupIDs: []string{"g"}, HasPolicy: true,
				AvailableGroups: []model.Group{grp("g", "G", nil, v("SIM - Activate", "true"))}},
			want: map[string]string{"SIM - Activate": "false"},
		},
		{
			name: "user preferences, unknown ACLs and non-boolean values are ignored",
			in: Input{User: local, MemberGroupIDs: []string{"g"}, AvailableGroups: []model.Group{grp("g", "G", nil,
				v("Dashboard Panels", "x"), v("Fly", "true"), v("SIM - Activate", "yes"))}},
			want: map[string]string{"SIM - Activate": "false"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.Catalog = cat
			r := Evaluate(c.in, "portal")
			if len(r.Rights) != 4 {
				t.Fatalf("got %d portal rights, want 4 (preferences excluded)", len(r.Rights))
			}
			for _, x := range r.Rights {
				if x.Name == "Dashboard Panels" {
					t.Fatal("User Preferences right in result")
				}
				want, ok := c.want[x.Name]
				if !ok {
					continue
				}
				if want == "-" {
					if x.Assigned {
						t.Errorf("%s assigned %q, want absent", x.Name, x.Value)
					}
				} else if x.Value != want {
					t.Errorf("%s = %q, want %q (steps %+v)", x.Name, x.Value, want, x.Steps)
				}
				if sb, ok := c.setBy[x.Name]; ok && x.SetBy != sb {
					t.Errorf("%s set by %q, want %q", x.Name, x.SetBy, sb)
				}
			}
		})
	}
}

func TestTraceExplainsOverwrite(t *testing.T) {
	in := Input{User: delegated, Catalog: cat, Roles: []string{"r"}, MemberGroupIDs: []string{"b"}, AvailableGroups: []model.Group{
		grp("a", "A", []string{"r"}, v("SIM - Activate", "true")),
		grp("b", "B", nil, v("SIM - Activate", "false")),
	}}
	r := Evaluate(in, "portal")
	var steps []Step
	for _, x := range r.Rights {
		if x.Name == "SIM - Activate" {
			steps = x.Steps
		}
	}
	if len(steps) != 2 || steps[0].Step != StepE1 || steps[0].GroupName != "A" || steps[1].Step != StepE2 ||
		steps[1].Effect != "overwrote" || steps[1].Previous != "true" || steps[1].Value != "false" {
		t.Fatalf("steps: %+v", steps)
	}
	if len(r.Trace) != 2 {
		t.Fatalf("trace: %+v", r.Trace)
	}
	if m := r.Map(); m["portal/SIM - Activate"] != false || r.Bool("portal", "SIM - Activate") {
		t.Fatalf("Map/Bool disagree: %v", m)
	}
}

func TestAllModulesAndOtherModuleValues(t *testing.T) {
	in := Input{User: local, Catalog: cat, MemberGroupIDs: []string{"g"}, AvailableGroups: []model.Group{
		grp("g", "G", nil, v("bmModuleAccess", "true"), v("SIM - Activate", "true"))}}
	if r := Evaluate(in, "bm"); len(r.Rights) != 1 || !r.Bool("bm", "bmModuleAccess") || r.Bool("portal", "SIM - Activate") {
		t.Fatalf("bm only: %+v", r.Rights)
	}
	if r := Evaluate(in, ""); len(r.Rights) != 5 || !r.Bool("portal", "SIM - Activate") {
		t.Fatalf("all modules: %+v", r.Rights)
	}
	if r := Evaluate(in, "nope"); len(r.Rights) != 0 {
		t.Fatalf("unknown module: %+v", r.Rights)
	}
}

func TestModuleAccess(t *testing.T) {
	withBM := Evaluate(Input{User: local, Catalog: cat, MemberGroupIDs: []string{"g"},
		AvailableGroups: []model.Group{grp("g", "G", nil, v("bmModuleAccess", "true"))}}, "bm")
	none := Evaluate(Input{User: local, Catalog: cat}, "bm")
	root, acct := []model.ContextType{model.ContextRoot}, []model.ContextType{model.ContextAccount}
	for _, c := range []struct {
		module string
		ctx    []model.ContextType
		r      Result
		ok     bool
	}{
		{"portal", acct, none, true}, {"portal", root, none, true}, {"cas", acct, none, true},
		{"cas", []model.ContextType{model.ContextCustomer}, none, false},
		{"rm", acct, none, false}, {"rm", root, none, true},
		{"bm", acct, withBM, false}, {"bm", root, none, false}, {"bm", root, withBM, true},
		{"portal", nil, none, false},
	} {
		ok, reason := ModuleAccess(c.module, c.ctx, c.r)
		if ok != c.ok || (!ok && reason == "") {
			t.Errorf("%s with %v: %v %q, want %v", c.module, c.ctx, ok, reason, c.ok)
		}
	}
}

func TestCheckAPIIP(t *testing.T) {
	res := func(val string) Result {
		in := Input{User: local, Catalog: cat, MemberGroupIDs: []string{"g"}}
		if val != "" {
			in.AvailableGroups = []model.Group{grp("g", "G", nil, v("API IP Allow", val))}
		}
		return Evaluate(in, "portal")
	}
	for _, c := range []struct {
		val, ip string
		ok      bool
	}{
		{"", "10.1.2.3", false},
		{"0.0.0.0/0", "203.0.113.9", true},
		{"0.0.0.0/0", "2001:db8::1", true},
		{"::/0", "10.0.0.1", true},
		{"10.0.0.0/8, 192.168.1.0/24", "192.168.1.77", true},
		{"10.0.0.0/8, 192.168.1.0/24", "192.168.2.1", false},
		{"10.0.0.0/8", "::ffff:10.9.9.9", true},
		{"2001:db8::/32", "2001:db8:1::5", true},
		{"2001:db8::/32", "2001:db9::5", false},
		{"198.51.100.7", "198.51.100.7", true},
		{"198.51.100.7", "198.51.100.8", false},
	} {
		ok, reason := CheckAPIIP(res(c.val), netip.MustParseAddr(c.ip))
		if ok != c.ok {
			t.Errorf("allow %q, ip %s: %v (%s), want %v", c.val, c.ip, ok, reason, c.ok)
		}
	}
}

func TestValidateCIDRList(t *testing.T) {
	for _, good := range []string{"0.0.0.0/0", "10.0.0.0/8, 2001:db8::/32", "192.0.2.1", "::1"} {
		if err := ValidateCIDRList(good); err != nil {
			t.Errorf("%q rejected: %v", good, err)
		}
	}
	for _, bad := range []string{"", "10.0.0.0/33", "10.0.0.0/8,", "a.b.c.d/8", "10.0.0.0/8; DROP", "::/129"} {
		err := ValidateCIDRList(bad)
		if err == nil {
			t.Errorf("%q accepted", bad)
		} else if bad != "" && !strings.Contains(err.Error(), strings.TrimSpace(strings.Split(bad, ",")[0])) && !strings.Contains(err.Error(), "empty") {
			t.Errorf("%q: error does not name the bad item: %v", bad, err)
		}
	}
}

func FuzzValidateCIDRList(f *testing.F) {
	f.Add("10.0.0.0/8, ::/0")
	f.Add("1.2.3.4")
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateCIDRList(s) == nil {
			if _, err := ParseCIDRList(s); err != nil {
				t.Fatal("validated but does not parse")
			}
		}
	})
}
