package directory

import (
	"testing"

	"github.com/sesame-sso/sesame/internal/access"
	"github.com/sesame-sso/sesame/internal/model"
)

// TestCeilingAllows: the "at most as strong as" rule of issue 8 item 6.
func TestCeilingAllows(t *testing.T) {
	ip := model.ACLRef{Module: model.ModulePortal, Name: model.ACLAPIIPAllow}
	c := ceiling{rights: map[model.ACLRef]access.Right{
		{Module: "cas", Name: "A"}:    {Module: "cas", Name: "A", Type: model.ACLBoolean, Value: "true", Assigned: true},
		{Module: "cas", Name: "B"}:    {Module: "cas", Name: "B", Type: model.ACLBoolean, Value: "false"},
		{Module: "cas", Name: "T"}:    {Module: "cas", Name: "T", Type: model.ACLText, Value: "x", Assigned: true},
		{Module: "cas", Name: "U"}:    {Module: "cas", Name: "U", Type: model.ACLText},
		ip:                            {Module: ip.Module, Name: ip.Name, Type: model.ACLText, Value: "10.0.0.0/8, 2001:db8::/32", Assigned: true},
		{Module: "portal", Name: "P"}: {Module: "portal", Name: "P", Type: model.ACLBoolean, Value: "false"},
	}}
	for _, tc := range []struct {
		ref   model.ACLRef
		value string
		want  bool
	}{
		{model.ACLRef{Module: "cas", Name: "A"}, "true", true},
		{model.ACLRef{Module: "cas", Name: "B"}, "true", false},
		{model.ACLRef{Module: "cas", Name: "B"}, "false", true},
		{model.ACLRef{Module: "cas", Name: "T"}, "x", true},
		{model.ACLRef{Module: "cas", Name: "T"}, "y", false},
		{model.ACLRef{Module: "cas", Name: "U"}, "", false},
		{model.ACLRef{Module: "cas", Name: "nope"}, "false", false},
		{ip, "10.1.0.0/16", true},
		{ip, "10.0.0.0/8,10.255.255.255", true},
		{ip, "2001:db8:1::/48", true},
		{ip, "10.0.0.0/7", false},
		{ip, "11.0.0.1", false},
		{ip, "0.0.0.0/0", false},
		{ip, "::ffff:10.0.0.1", true},
		{ip, "::/0", false},
		{ip, "not a range", false},
		{model.ACLRef{Module: "portal", Name: "P"}, "true", false},
	} {
		if got := c.allows(model.ACLValue{Module: tc.ref.Module, Name: tc.ref.Name, Value: tc.value}); got != tc.want {
			t.Errorf("%s = %q: allows %v, want %v", tc.ref, tc.value, got, tc.want)
		}
	}
	// Any address covers everything of either family; a root admin grants
	// application rights freely but cas rights only as held.
	rootC := ceiling{atRoot: true, rights: map[model.ACLRef]access.Right{
		ip:                         {Type: model.ACLText, Value: "0.0.0.0/0", Assigned: true},
		{Module: "cas", Name: "B"}: {Type: model.ACLBoolean, Value: "false"},
	}}
	ipAny := ceiling{rights: map[model.ACLRef]access.Right{ip: {Type: model.ACLText, Value: "0.0.0.0/0", Assigned: true}}}
	for _, v := range []string{"::/0", "0.0.0.0/0,::/0", "2001:db8::1"} {
		if !ipAny.allows(model.ACLValue{Module: ip.Module, Name: ip.Name, Value: v}) {
			t.Errorf("0.0.0.0/0 does not cover %q", v)
		}
	}
	if !rootC.allows(model.ACLValue{Module: "portal", Name: "P", Value: "true"}) || rootC.allows(model.ACLValue{Module: "cas", Name: "B", Value: "true"}) {
		t.Error("root ceiling: application rights free, cas rights as held")
	}
	if !(ceiling{all: true}).allows(model.ACLValue{Module: "cas", Name: "B", Value: "true"}) {
		t.Error("system actor limited")
	}
}
