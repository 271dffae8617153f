package directory

import (
	"context"
	"sync"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/storage"
)

// Every change to the directory commits through Service.tx (or InTx), and
// every change is audited in its transaction (R-OPS-4). tx records what the
// audit events name and, after the transaction, forgets this node's
// protocol caches and tells the OnChange subscribers: one invalidation
// path for every cache (DESIGN note 5). Another node's caches see the
// change within their TTL.

// Change names one committed change: the kind and id of what the audit
// event targeted ("user", "client", "module", "group", "context", …).
type Change struct {
	Kind string
	ID   string
}

// Kinds of changes the protocol caches care about most.
const (
	ChangeUser   = "user"
	ChangeClient = "client"
	ChangeModule = "module"
)

// OnChange registers f to run after every transaction of this node's
// directory, once per change it committed. Register at start-up, before
// serving.
func (s *Service) OnChange(f func(Change)) { s.onChange = append(s.onChange, f) }

// changeRecorder collects the changes of one transaction.
type changeRecorder struct {
	mu      sync.Mutex
	changes []Change
}

// recordingStore is a transaction's store that records what it audits.
type recordingStore struct {
	storage.Storage
	rec *changeRecorder
}

func (r recordingStore) AppendAudit(ctx context.Context, e model.AuditEvent) error {
	if err := r.Storage.AppendAudit(ctx, e); err != nil {
		return err
	}
	if e.Outcome == model.OutcomeSuccess {
		r.rec.mu.Lock()
		r.rec.changes = append(r.rec.changes, Change{Kind: e.TargetType, ID: e.TargetID})
		r.rec.mu.Unlock()
	}
	return nil
}

// runTx runs fn in one transaction on a recording store, then forgets
// every protocol cache of this node (even after a failure: forgetting is
// always safe) and, after a commit, publishes the changes.
func (s *Service) runTx(ctx context.Context, fn func(st storage.Storage) error) error {
	rec := &changeRecorder{}
	err := s.store.InTx(ctx, func(tx storage.Storage) error {
		return fn(recordingStore{Storage: tx, rec: rec})
	})
	s.forgetCaches()
	if err == nil {
		for _, c := range rec.changes {
			for _, f := range s.onChange {
				f(c)
			}
		}
	}
	return err
}

// forgetCaches drops every protocol cache of this node.
func (s *Service) forgetCaches() {
	s.users.Forget()
	s.rights.Forget() // effective rights and ACL catalogs
	s.clients.Forget()
	s.casClients.Forget()
	s.branding.Forget()
}
