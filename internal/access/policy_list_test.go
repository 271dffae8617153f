package access

import (
	"testing"

	"github.com/sesame-sso/sesame/internal/model"
)

// TestIntersectCIDRLists: per pair of prefixes the intersection is the
// narrower one if one contains the other, else empty; /0 means any
// address of either family (R-ACL-3).
func TestIntersectCIDRLists(t *testing.T) {
	cases := []struct{ group, policy, want string }{
		{"10.0.0.0/8", "10.1.0.0/16", "10.1.0.0/16"},
		{"10.1.0.0/16", "10.0.0.0/8", "10.1.0.0/16"},
		{"10.0.0.0/8", "192.168.0.0/16", ""},
		{"10.0.0.0/8", "10.0.0.0/8", "10.0.0.0/8"},
		{"0.0.0.0/0", "203.0.113.0/24", "203.0.113.0/24"},
		{"203.0.113.0/24", "0.0.0.0/0", "203.0.113.0/24"},
		{"0.0.0.0/0", "2001:db8::/32", "2001:db8::/32"},
		{"::/0", "203.0.113.0/24", "203.0.113.0/24"},
		{"0.0.0.0/0", "::/0", "::/0"},
		{"::/0", "0.0.0.0/0, ::/0", "0.0.0.0/0"},
		{"2001:db8::/32", "2001:db8:1::/48, 10.0.0.0/8", "2001:db8:1::/48"},
		{"2001:db8::/32", "10.0.0.0/8", ""},
		{"10.0.0.0/8, 2001:db8::/32", "10.2.3.4, 2001:db8:5::/64, 172.16.0.0/12", "10.2.3.4/32, 2001:db8:5::/64"},
		{"203.0.113.0/24, 203.0.113.0/25", "203.0.113.0/24", "203.0.113.0/24"},
		{"198.51.100.7", "198.51.100.0/24", "198.51.100.7/32"},
	}
	for _, c := range cases {
		ps, err := IntersectCIDRLists(c.group, c.policy)
		if err != nil {
			t.Errorf("%q ∩ %q: %v", c.group, c.policy, err)
			continue
		}
		if got := FormatCIDRList(ps); got != c.want {
			t.Errorf("%q ∩ %q = %q, want %q", c.group, c.policy, got, c.want)
		}
	}
	for _, bad := range [][2]string{{"10.0.0.0/33", "0.0.0.0/0"}, {"0.0.0.0/0", "nonsense"}, {"", "0.0.0.0/0"}} {
		if _, err := IntersectCIDRLists(bad[0], bad[1]); err == nil {
			t.Errorf("%q ∩ %q: no error", bad[0], bad[1])
		}
	}
}

// TestPolicyNarrowsListRight (issue 8 item 21, R-EFF-5): a policy does not
// let a group's API IP Allow through, it narrows it to the intersection,
// and the trace says so.
func TestPolicyNarrowsListRight(t *testing.T) {
	cases := []struct {
		name, group, policy string
		want                string // "-" = filtered (unassigned)
		effect              string // the policy step's effect, "" = none
	}{
		{"policy narrower than the group", "0.0.0.0/0", "203.0.113.0/24", "203.0.113.0/24", "narrowed"},
		{"policy partly overlapping", "203.0.113.0/24, 2001:db8:1::/48", "203.0.113.128/25, 198.51.100.0/24", "203.0.113.128/25", "narrowed"},
		{"policy wider than the group", "192.0.2.0/24", "0.0.0.0/0", "192.0.2.0/24", ""},
		{"policy equal to the group", "192.0.2.0/24, 2001:db8::/32", "2001:db8::/32, 192.0.2.0/24", "192.0.2.0/24, 2001:db8::/32", ""},
		{"disjoint ranges: nothing left", "10.0.0.0/8", "192.0.2.0/24", "-", "filtered"},
		{"other family: nothing left", "2001:db8::/32", "192.0.2.0/24", "-", "filtered"},
		{"invalid policy value fails closed", "10.0.0.0/8", "ten dot zero", "-", "filtered"},
		{"invalid group value fails closed", "10.0.0.0/99", "0.0.0.0/0", "-", "filtered"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := Input{User: local, Catalog: cat, MemberGroupIDs: []string{"g"}, HasPolicy: true,
				Policy:          []model.ACLValue{v("API IP Allow", c.policy)},
				AvailableGroups: []model.Group{grp("g", "API users", nil, v("API IP Allow", c.group))}}
			r := Evaluate(in, "portal")
			got, assigned := r.Text("portal", "API IP Allow")
			if c.want == "-" {
				if assigned {
					t.Fatalf("API IP Allow = %q, want filtered", got)
				}
			} else if !assigned || got != c.want {
				t.Fatalf("API IP Allow = %q (assigned %v), want %q", got, assigned, c.want)
			}
			var effect string
			for _, s := range r.Trace {
				if s.Step == StepPolicy && s.ACL == "API IP Allow" {
					effect = s.Effect
					if s.Previous != c.group {
						t.Errorf("policy step previous %q, want the group's %q", s.Previous, c.group)
					}
					if c.effect == "narrowed" && s.Value != c.want {
						t.Errorf("policy step value %q, want %q", s.Value, c.want)
					}
				}
			}
			if effect != c.effect {
				t.Errorf("policy step effect %q, want %q (trace %+v)", effect, c.effect, r.Trace)
			}
			// The right's own steps carry the narrowing too.
			for _, x := range r.Rights {
				if x.Name == "API IP Allow" && c.effect != "" && (len(x.Steps) == 0 || x.Steps[len(x.Steps)-1].Effect != c.effect) {
					t.Errorf("right steps %+v do not end with %q", x.Steps, c.effect)
				}
			}
		})
	}
}
