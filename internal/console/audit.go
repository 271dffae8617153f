package console

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/sesame-sso/sesame/internal/i18n"
	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/web"
)

// The audit log (issue 13 §9): filter by user (as actor or target), action,
// outcome and time, newest first, 50 a page — the directory limits it to
// the admin's contexts ("Audit - Read"). Users are shown by login name;
// deleted users by their anonymised name ("deleted-<id>"), so their rows
// still read.

type auditPage struct {
	common
	F          web.Form
	Outcomes   []option
	Events     []auditRow
	Prev, Next string
}

type auditRow struct {
	Time, Actor, Action, Target, Context, IP, Outcome, Details string
}

// timeLayout is what <input type="datetime-local"> sends.
const timeLayout = "2006-01-02T15:04"

// audit is GET /console/audit.
func (h *Handler) audit(w http.ResponseWriter, r *http.Request, q req) {
	ctx := r.Context()
	d := auditPage{common: q.common("audit"), F: web.Form{}}
	for _, k := range []string{"actor", "target", "action", "outcome", "since", "until"} {
		d.F[k] = web.FormField{Value: text(r, k, 200)}
	}
	f := model.AuditFilter{Action: d.F["action"].Value, Page: model.Page{Offset: offsetParam(r), Limit: pageSize}}
	bad := false
	for _, o := range []string{"", model.OutcomeSuccess, model.OutcomeFailure, model.OutcomeDenied} {
		label := "console.outcome." + o
		if o == "" {
			label = "console.outcome.any"
		}
		d.Outcomes = append(d.Outcomes, option{Value: o, Label: label, Selected: d.F["outcome"].Value == o})
		if d.F["outcome"].Value == o {
			f.Outcome = o
		}
	}
	for _, x := range []struct {
		name string
		to   *string
	}{{"actor", &f.ActorID}, {"target", &f.TargetID}} {
		typed := d.F[x.name].Value
		if typed == "" {
			continue
		}
		u, badu, err := h.resolveUser(ctx, q, typed)
		if err != nil {
			h.fail(w, r, "console: resolve user", err)
			return
		}
		if badu != nil {
			// Not a user the admin can see: an id as typed (a client, a
			// connection, a deleted user's id) is searched as it is.
			*x.to = typed
			continue
		}
		*x.to = u.ID
	}
	for _, x := range []struct {
		name string
		to   *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := d.F[x.name].Value; v != "" {
			t, err := time.Parse(timeLayout, v)
			if err != nil {
				d.F[x.name] = web.FormField{Value: v, Err: i18n.M("console.error.time")}
				bad = true
			}
			*x.to = t
		}
	}
	if bad {
		d.Problem = i18n.M("console.error.form")
		h.render(w, r, http.StatusBadRequest, "console_audit", d)
		return
	}
	evs, more, err := h.Dir.ListAudit(ctx, q.actor, f)
	if err != nil {
		if formError(err) {
			_, d.Problem, d.Detail = problem(err)
			h.render(w, r, http.StatusForbidden, "console_audit", d)
			return
		}
		h.fail(w, r, "console: audit", err)
		return
	}
	names := map[string]string{}
	name := func(id string) string {
		if id == "" {
			return ""
		}
		if n, ok := names[id]; ok {
			return n
		}
		n := id
		if u, err := h.Dir.GetUser(ctx, q.actor, id); err == nil {
			n = u.LoginName
		}
		names[id] = n
		return n
	}
	for _, e := range evs {
		row := auditRow{Time: e.Time.UTC().Format("2006-01-02 15:04:05"), Actor: name(e.ActorID), Action: e.Action, Context: e.ContextID,
			IP: e.SourceIP, Outcome: e.Outcome, Target: e.TargetID}
		if e.TargetType == "user" {
			row.Target = name(e.TargetID)
		}
		if len(e.Details) > 0 {
			b, _ := json.Marshal(e.Details)
			row.Details = string(b)
		}
		d.Events = append(d.Events, row)
	}
	d.Prev, d.Next = pager(r, f.Page.Offset, more)
	h.render(w, r, http.StatusOK, "console_audit", d)
}
