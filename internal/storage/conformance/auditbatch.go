package conformance

import (
	"fmt"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// testAuditBatch: a batch (larger than one INSERT) reads back like single
// appends, in order; an invalid event writes nothing.
func testAuditBatch(t *testing.T, s storage.Storage) {
	base := time.Now().UTC().Truncate(time.Microsecond)
	var batch []model.AuditEvent
	for i := 0; i < 1203; i++ {
		e := model.AuditEvent{Time: base.Add(time.Duration(i) * time.Microsecond), ActorID: "u1", Action: "token.issue",
			TargetType: "client", TargetID: fmt.Sprintf("c%d", i), ContextID: "ctx", SourceIP: "192.0.2.1", Outcome: model.OutcomeSuccess}
		if i%2 == 0 {
			e.Details = map[string]any{"jti": fmt.Sprintf("g.%d", i)}
		}
		batch = append(batch, e)
	}
	check(t, s.AppendAuditBatch(ctx, batch))
	check(t, s.AppendAuditBatch(ctx, nil))
	got, more, err := s.ListAudit(ctx, model.AuditFilter{Action: "token.issue", Page: model.Page{Limit: 5}})
	check(t, err)
	if !more || len(got) != 5 {
		t.Fatalf("list: %d rows, more %v", len(got), more)
	}
	last := got[0] // newest first
	if last.TargetID != "c1202" || last.Details["jti"] != "g.1202" || last.SourceIP != "192.0.2.1" || !last.Time.Equal(base.Add(1202*time.Microsecond)) {
		t.Errorf("newest event: %+v", last)
	}
	n := 0
	for page := (model.Page{Limit: 500}); ; {
		rows, more, err := s.ListAudit(ctx, model.AuditFilter{Action: "token.issue", Page: page})
		check(t, err)
		n += len(rows)
		if !more || len(rows) == 0 {
			break
		}
		page.Offset += len(rows)
	}
	if n != len(batch) {
		t.Errorf("%d events stored, want %d", n, len(batch))
	}
	wantCode(t, s.AppendAuditBatch(ctx, []model.AuditEvent{{Action: "x", Outcome: model.OutcomeSuccess}, {Action: "y"}}), model.EINVALID)
	if rows, _, _ := s.ListAudit(ctx, model.AuditFilter{Action: "x"}); len(rows) != 0 {
		t.Errorf("an invalid batch wrote %d events", len(rows))
	}
}
