package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/message"
	"github.com/sesame-sso/sesame/internal/outbox"
	"github.com/sesame-sso/sesame/internal/storage"
	"github.com/sesame-sso/sesame/internal/storage/sqlstore"
	"github.com/sesame-sso/sesame/internal/testutil/mailtest"
)

// TestServeSendsQueuedMail: `sesame serve` with smtp configured starts the
// outbox worker, which sends what was queued before it started (a
// restart), and stops with the server (R-MSG-2).
func TestServeSendsQueuedMail(t *testing.T) {
	dir := t.TempDir()
	ms := mailtest.New(t)
	ms.User, ms.Pass = "mailer", "pw-from-env"
	ms.Start("none")
	st, err := sqlstore.Open(context.Background(), "sqlite://"+filepath.Join(dir, "sesame.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = st.InTx(context.Background(), func(tx storage.Storage) error {
		_, err := outbox.NewQueue(nil, nil).Enqueue(context.Background(), tx, outbox.Request{Type: message.PasswordChanged,
			To: outbox.Recipient{Name: "Ann", Email: "ann@example.com", Language: "fr"}, Data: map[string]string{"Login": "ann", "Time": "midi"}})
		return err
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "sesame.yaml")
	yaml := fmt.Sprintf("smtp:\n  host: 127.0.0.1\n  port: %d\n  tls: none\n  username: mailer\n  from: sso@example.com\nmessages:\n  poll: 100ms\n", ms.Port())
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	_, logs, stop := serve(t, []string{"--data-dir", dir, "--config", cfg}, map[string]string{"SESAME_SMTP_PASSWORD": "pw-from-env"})
	deadline := time.Now().Add(30 * time.Second)
	for len(ms.Received()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	got := ms.Received()
	if len(got) != 1 || got[0].Rcpt[0] != "ann@example.com" || got[0].User != "mailer" {
		t.Fatalf("received: %+v\n%s", got, logs.String())
	}
	if p := mailtest.Parse(t, got[0].Raw); p.Subject != "Votre mot de passe a été modifié" || p.ContentLanguage != "fr" {
		t.Errorf("mail: %+v", p)
	}
}
