package cas

import (
	"fmt"

	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
)

// reasonMsg turns the English reason of a refused module entry (R-MOD-3,
// from access.ModuleAccess and directory.Service.ModuleAccess) into a
// catalog message for the page (issue 9 §5). A reason it does not know
// gives the page without a reason rather than English text; the reason is
// logged either way. TestReasonMsgCoversAccess keeps the table in step
// with access.
func reasonMsg(module, reason string) (i18n.Msg, bool) {
	switch reason {
	case "the user is not assigned to any context":
		return i18n.M("reason.no_context"), true
	case "user management needs an assignment to root, a tenant or an account":
		return i18n.M("reason.cas_assignment"), true
	case fmt.Sprintf("module %s is only for users assigned to the root context", module):
		return i18n.M("reason.root_only", module), true
	case "Billing Manager needs the right bm / bmModuleAccess":
		return i18n.M("reason.bm_right"), true
	case "the user has no context this module serves":
		return i18n.M("reason.no_module_context"), true
	}
	return i18n.Msg{}, false
}

// noAppMsg is the page text for a refused module entry.
func noAppMsg(client model.Client, reason string) i18n.Msg {
	if m, ok := reasonMsg(client.Module, reason); ok {
		return i18n.M("cas.no_app_reason", client.Name, m)
	}
	return i18n.M("cas.no_app", client.Name)
}
