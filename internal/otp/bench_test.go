package otp_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/model"
	"github.com/sesame-sso/sesame/internal/otp"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
	"github.com/sesame-sso/sesame/internal/testutil/pgtest"
	"github.com/sesame-sso/sesame/internal/testutil/storetest"
)

// BenchmarkIssueVerify: one email code issued (challenge + the Send call in
// one transaction) and verified — the second factor's store cost per login.
// go test -run '^$' -bench IssueVerify -benchtime 2000x ./internal/otp/
func BenchmarkIssueVerify(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			url := "sqlite://" + filepath.Join(b.TempDir(), "sesame.db")
			if backend == "postgres" {
				url = pgtest.DSN(b)
			}
			st, err := sqlstore.Open(b.Context(), url, sqlstore.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			u := storetest.User(b, st, "alice", model.Person{Email: "alice@example.com"})
			codes := &otp.Codes{Settings: settings(), Key: []byte("k")}
			var code string
			send := func(_ context.Context, _ storage.Storage, m otp.Message) error { code = m.Code; return nil }
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var is otp.Issued
				if err := st.InTx(b.Context(), func(tx storage.Storage) error {
					is, err = codes.Issue(b.Context(), tx, u, model.TwoFactorEmail, "login", send)
					return err
				}); err != nil {
					b.Fatal(err)
				}
				if err := codes.Verify(b.Context(), st, u.ID, is.ChallengeID, "login", code); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if _, err := st.PurgeOTPChallenges(b.Context(), time.Now().Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
		})
	}
}
