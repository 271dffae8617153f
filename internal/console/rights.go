package console

import (
	"context"
	"net/http"

	"github.com/sesame-sso/sesame/internal/access"
	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/web"
)

// The effective rights viewer (issue 13 §2): pick a user, a context and a
// module, and see every right's value with the steps of the engine's
// trace that set it (internal/access: e1 role-matched groups, e2 member
// groups, the context's policy) — "why can't she do X?".

type rightsPage struct {
	common
	F       web.Form
	Modules []option
	// Shown is set once a user and context were resolved.
	Shown   bool
	User    string
	Context string
	Rights  []rightRow
}

type rightRow struct {
	Module, Category, Name, Type, Value, SetBy string
	Assigned                                   bool
	Steps                                      []stepRow
}

// stepRow is one step of the trace, as "step · group: previous → value".
type stepRow struct{ Step, Group, Effect, Value, Previous string }

// resolveUser finds the user an admin typed: an id or an exact login name
// among the users the admin may read.
func (h *Handler) resolveUser(ctx context.Context, q req, typed string) (model.User, *web.FormField, error) {
	bad := func(key string) (model.User, *web.FormField, error) {
		return model.User{}, &web.FormField{Value: typed, Err: i18n.M(key)}, nil
	}
	if typed == "" {
		return bad("console.error.required")
	}
	if u, err := h.Dir.GetUser(ctx, q.actor, typed); err == nil {
		return u, nil, nil
	} else if model.ErrorCode(err) != model.ENOTFOUND {
		return model.User{}, nil, err
	}
	us, _, err := h.Dir.ListUsers(ctx, q.actor, model.UserFilter{LoginName: typed, Page: model.Page{Limit: 2}})
	if err != nil {
		return model.User{}, nil, err
	}
	switch len(us) {
	case 1:
		return us[0], nil, nil
	case 0:
		return bad("console.error.no_user")
	}
	return bad("console.error.ambiguous_user")
}

// rights is GET /console/rights?user=&context=&module=.
func (h *Handler) rights(w http.ResponseWriter, r *http.Request, q req) {
	ctx := r.Context()
	d := rightsPage{common: q.common("rights"), F: web.Form{}}
	for _, k := range []string{"user", "context", "module"} {
		d.F[k] = web.FormField{Value: text(r, k, 200)}
	}
	mods, err := h.Dir.ListModules(ctx)
	if err != nil {
		h.fail(w, r, "console: modules", err)
		return
	}
	module := d.F["module"].Value
	known := module == ""
	d.Modules = []option{{Value: "", Label: "console.rights.all_modules", Selected: module == ""}}
	for _, m := range mods {
		d.Modules = append(d.Modules, option{Value: m.Name, Label: m.Name, Selected: m.Name == module})
		known = known || m.Name == module
	}
	if !known {
		d.F["module"] = web.FormField{Err: i18n.M("console.error.invalid")}
		h.render(w, r, http.StatusBadRequest, "console_rights", d)
		return
	}
	if d.F["user"].Value == "" {
		h.render(w, r, http.StatusOK, "console_rights", d)
		return
	}
	u, bad, err := h.resolveUser(ctx, q, d.F["user"].Value)
	if err != nil {
		h.fail(w, r, "console: resolve user", err)
		return
	}
	if bad != nil {
		d.F["user"] = *bad
		h.render(w, r, http.StatusBadRequest, "console_rights", d)
		return
	}
	var c model.Context
	if typed := d.F["context"].Value; typed != "" {
		var badc *web.FormField
		if c, badc, err = h.resolveContext(ctx, q, typed); err != nil {
			h.fail(w, r, "console: resolve context", err)
			return
		} else if badc != nil {
			d.F["context"] = *badc
			h.render(w, r, http.StatusBadRequest, "console_rights", d)
			return
		}
	} else if len(u.Contexts) > 0 {
		if c, err = h.Dir.GetContext(ctx, q.actor, u.Contexts[0]); err != nil {
			h.fail(w, r, "console: context", err)
			return
		}
	}
	res, err := h.Dir.EffectiveRights(ctx, q.actor, u.ID, c.ID, module)
	if err != nil {
		if formError(err) {
			_, d.Problem, d.Detail = problem(err)
			h.render(w, r, http.StatusForbidden, "console_rights", d)
			return
		}
		h.fail(w, r, "console: effective rights", err)
		return
	}
	d.Shown, d.User, d.Context = true, u.LoginName, c.Name
	d.Rights = rightRows(res)
	h.render(w, r, http.StatusOK, "console_rights", d)
}

func rightRows(res access.Result) []rightRow {
	out := make([]rightRow, 0, len(res.Rights))
	for _, rt := range res.Rights {
		row := rightRow{Module: rt.Module, Category: rt.Category, Name: rt.Name, Type: string(rt.Type), Value: rt.Value,
			SetBy: rt.SetBy, Assigned: rt.Assigned}
		for _, s := range rt.Steps {
			row.Steps = append(row.Steps, stepRow{Step: s.Step, Group: s.GroupName, Effect: s.Effect, Value: s.Value, Previous: s.Previous})
		}
		out = append(out, row)
	}
	return out
}
