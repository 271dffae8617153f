package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/sesame-sso/sesame/internal/directory"
	"github.com/sesame-sso/sesame/internal/message"
	"github.com/sesame-sso/sesame/internal/outbox"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/throttle"
)

// mailLocks tells a user when failed sign-ins lock their account (R-PWD-3,
// the account_locked message of R-MSG-1): the limiter calls back once per
// lock of a per-user key (passwords or second-factor codes), and the
// message goes through the outbox in its own transaction. Unknown login
// names are counted under other keys and never mail anyone.
func mailLocks(svc *directory.Service, st storage.Storage, q *outbox.Queue, wake func(), log *slog.Logger) {
	l := svc.Limiter()
	if l == nil {
		return
	}
	l.SetOnLock(func(ctx context.Context, key string, until time.Time) {
		id, ok := throttle.UserOfKey(key)
		if !ok {
			return
		}
		u, err := svc.User(ctx, id)
		if err != nil || u.Person.Email == "" {
			return
		}
		err = st.InTx(ctx, func(tx storage.Storage) error {
			_, err := q.Enqueue(ctx, tx, outbox.Request{Type: message.AccountLocked,
				To:   outbox.UserRecipient(u),
				Data: map[string]string{"Login": u.LoginName, "Until": until.UTC().Format("2006-01-02 15:04 UTC")}})
			return err
		})
		if err != nil {
			log.Warn("queue account_locked message", "user", u.ID, "err", err)
			return
		}
		wake()
	})
}
