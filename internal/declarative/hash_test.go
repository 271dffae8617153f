package declarative_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/declarative"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestApplyHashBand (issue 8 item 3): `sesame apply` accepts password
// hashes only within the hasher's band — a hash whose parameters would
// make each login attempt cost minutes is rejected, naming the entry and
// the band, on create and on update.
func TestApplyHashBand(t *testing.T) {
	const costly = "$argon2id$v=19$m=4194304,t=100,p=255$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	const fine = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	doc := func(hash string) declarative.Document {
		d, err := declarative.Parse(strings.NewReader(`
contexts:
  - {ref: acme, type: account, name: Acme, parent: root}
users:
  - login: imported
    domain: ENTERPRISE
    contexts: [acme]
    passwordHash: "` + hash + `"
`))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			_, svc := open(t, backend)
			_, err := declarative.Apply(ctx, svc, doc(costly))
			if err == nil || !strings.Contains(err.Error(), "users[0]") || !strings.Contains(err.Error(), "outside the accepted band") {
				t.Fatalf("create with a costly hash: %v", err)
			}
			if _, err := declarative.Apply(ctx, svc, doc(fine)); err != nil {
				t.Fatalf("a hash within the band: %v", err)
			}
			_, err = declarative.Apply(ctx, svc, doc(costly))
			if err == nil || !strings.Contains(err.Error(), "outside the accepted band") {
				t.Fatalf("update to a costly hash: %v", err)
			}
		})
	}
}
