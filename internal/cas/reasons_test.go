package cas

import (
	"testing"

	"github.com/sesame-sso/sesame/internal/access"
	"github.com/sesame-sso/sesame/internal/model"
)

// TestReasonMsgCoversAccess: every refusal access.ModuleAccess can give
// has a translated message, so the page never falls back to no reason
// (nor shows English to a German user).
func TestReasonMsgCoversAccess(t *testing.T) {
	types := [][]model.ContextType{nil, {model.ContextRoot}, {model.ContextTenant}, {model.ContextAccount}, {model.ContextCustomer}}
	modules := []string{model.ModulePortal, model.ModuleCAS, model.ModuleRM, model.ModuleBM}
	seen := 0
	for _, m := range modules {
		for _, ct := range types {
			ok, reason := access.ModuleAccess(m, ct, access.Result{})
			if ok {
				continue
			}
			seen++
			if _, known := reasonMsg(m, reason); !known {
				t.Errorf("module %s, contexts %v: reason %q has no message", m, ct, reason)
			}
		}
	}
	if seen < 4 {
		t.Fatalf("only %d refusals seen", seen)
	}
}
