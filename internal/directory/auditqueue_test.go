package directory

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
)

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuf) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// TestAuditQueueNeverDrops (issue 8 item 15): more events than the queue
// holds, from many goroutines, all end up in the audit log — the full
// queue pushes back instead of dropping — and a store that fails gets
// every event logged at ERROR instead of losing it silently.
func TestAuditQueueNeverDrops(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			url := "sqlite://" + filepath.Join(t.TempDir(), "sesame.db")
			if backend == "postgres" {
				url = pgtest.DSN(t)
			}
			ctx := context.Background()
			st, err := sqlstore.Open(ctx, url, sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			logs := &lockedBuf{}
			s := New(st, nil, slog.New(slog.NewTextHandler(logs, nil)))
			const workers, each = 8, (auditQueueMax + 1000) / 8
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						s.AuditProtocol(model.AuditEvent{Action: AuditTokenIssue, Outcome: model.OutcomeSuccess, TargetID: fmt.Sprintf("c-%d-%d", w, i)})
					}
				}()
			}
			wg.Wait()
			s.FlushAudit()
			n := 0
			for page := (model.Page{Limit: 500}); ; page.Offset += 500 {
				rows, more, err := st.ListAudit(ctx, model.AuditFilter{Action: AuditTokenIssue, Page: page})
				if err != nil {
					t.Fatal(err)
				}
				n += len(rows)
				if !more {
					break
				}
			}
			if n != workers*each {
				t.Fatalf("%d events stored, want %d\n%.3000s", n, workers*each, logs.String())
			}

			st.Close() // the store fails from now on
			s.AuditProtocol(model.AuditEvent{Action: AuditCodeReplay, Outcome: model.OutcomeDenied, TargetID: "client-x"})
			s.FlushAudit()
			if out := logs.String(); !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "action=token.code_replay") || !strings.Contains(out, "target=client-x") {
				t.Fatalf("an event the store could not take is not in the log:\n%s", out)
			}
		})
	}
}
