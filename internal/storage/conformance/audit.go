package conformance

import (
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

func testAudit(t *testing.T, s storage.Storage) {
	tr := mkTree(t, s)
	base := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for i, e := range []model.AuditEvent{
		{ActorID: "admin", Action: "user.create", TargetID: "u1", ContextID: tr.acct.ID, SourceIP: "192.0.2.1", Outcome: model.OutcomeSuccess, Details: map[string]any{"login": "x", "n": 2.0}},
		{ActorID: "admin", Action: "user.delete", TargetID: "u1", ContextID: tr.acct.ID, Outcome: model.OutcomeSuccess},
		{ActorID: "bob", Action: "group.create", TargetID: "g1", ContextID: tr.direct.ID, Outcome: model.OutcomeSuccess},
		{ActorID: "", Action: "api.login", Outcome: model.OutcomeDenied},
	} {
		e.Time = base.Add(time.Duration(i) * time.Hour)
		check(t, s.AppendAudit(ctx, e))
	}
	wantCode(t, s.AppendAudit(ctx, model.AuditEvent{}), model.EINVALID)
	list := func(f model.AuditFilter) []model.AuditEvent {
		t.Helper()
		es, _, err := s.ListAudit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	all := list(model.AuditFilter{})
	if len(all) != 4 || all[0].Action != "api.login" || all[3].Action != "user.create" {
		t.Fatalf("newest first: %+v", all)
	}
	first := all[3]
	if first.SourceIP != "192.0.2.1" || first.Details["login"] != "x" || first.Details["n"] != 2.0 || !first.Time.Equal(base) {
		t.Errorf("round trip: %+v", first)
	}
	for _, c := range []struct {
		f    model.AuditFilter
		want int
	}{
		{model.AuditFilter{ActorID: "admin"}, 2},
		{model.AuditFilter{TargetID: "u1"}, 2},
		{model.AuditFilter{Action: "group.create"}, 1},
		{model.AuditFilter{Outcome: model.OutcomeDenied}, 1},
		{model.AuditFilter{Outcome: model.OutcomeSuccess, ActorID: "admin"}, 2},
		{model.AuditFilter{Since: base.Add(time.Hour)}, 3},
		{model.AuditFilter{Until: base.Add(time.Hour)}, 1},
		{model.AuditFilter{ContextIDs: []string{tr.direct.ID}}, 1},
		{model.AuditFilter{Within: []string{tr.tenant.ID}}, 2},
		{model.AuditFilter{Within: []string{}}, 0},
	} {
		if got := list(c.f); len(got) != c.want {
			t.Errorf("%+v: %d events, want %d", c.f, len(got), c.want)
		}
	}
	p, more, _ := s.ListAudit(ctx, model.AuditFilter{Page: model.Page{Offset: 1, Limit: 2}})
	if len(p) != 2 || !more || p[0].ID != all[1].ID {
		t.Errorf("paging: %+v %v", p, more)
	}
}
