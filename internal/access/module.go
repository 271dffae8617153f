package access

import (
	"fmt"
	"slices"

	"github.com/sesame-sso/sesame/internal/model"
)

// ModuleAccess applies the module entry rules (R-MOD-1..3) to a user's
// assigned context types and effective rights for that module.
func ModuleAccess(module string, assigned []model.ContextType, r Result) (bool, string) {
	if len(assigned) == 0 {
		return false, "the user is not assigned to any context"
	}
	has := func(t ...model.ContextType) bool {
		for _, x := range t {
			if slices.Contains(assigned, x) {
				return true
			}
		}
		return false
	}
	switch module {
	case model.ModulePortal:
		if has(model.ContextRoot, model.ContextTenant, model.ContextAccount, model.ContextCustomer) {
			return true, ""
		}
	case model.ModuleCAS:
		if has(model.ContextRoot, model.ContextTenant, model.ContextAccount) {
			return true, ""
		}
		return false, "user management needs an assignment to root, a tenant or an account"
	case model.ModuleRM, model.ModuleBM:
		if !has(model.ContextRoot) {
			return false, fmt.Sprintf("module %s is only for users assigned to the root context", module)
		}
		if module == model.ModuleBM && !r.Bool(model.ModuleBM, model.ACLBMModuleAccess) {
			return false, "Billing Manager needs the right bm / bmModuleAccess"
		}
		return true, ""
	default:
		return true, ""
	}
	return false, "the user has no context this module serves"
}
