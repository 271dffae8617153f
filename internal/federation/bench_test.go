package federation_test

import (
	"testing"

	"github.com/sesame-sso/sesame/internal/federation"
	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// BenchmarkProvisionUpdate measures a returning user's just-in-time update
// (the link found, claims unchanged: the common case of the callback path
// after the token checks), with two per-context roles and a global role.
//
//	go test ./internal/federation -run '^$' -bench ProvisionUpdate -benchtime 2000x
func BenchmarkProvisionUpdate(b *testing.B) {
	for _, backend := range sesametest.Backends {
		b.Run(backend, func(b *testing.B) {
			f := setup(b, backend, false)
			claims := map[string]any{"sub": "bench", "email": "bench@acme.example", "given_name": "Ben",
				"roles": []any{"READER"}, "accounts": []any{"X-1:Admin", "Y-2:User"}}
			if _, _, err := f.prov.Login(bg, f.conn, federation.Identity{Claims: claims}); err != nil {
				b.Fatal(err)
			}
			b.SetParallelism(4) // 4×GOMAXPROCS logins in flight, as on a busy callback
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, out, err := f.prov.Login(bg, f.conn, federation.Identity{Claims: claims}); err != nil || out != federation.Unchanged {
						b.Errorf("login: %s %v", out, err)
					}
				}
			})
		})
	}
}

// BenchmarkProvisionOrganisation measures a returning marketplace user's
// update with two organisations named (R-SAML-7): the binding look-ups,
// the kept-organisation query and the unchanged assignments on top of
// BenchmarkProvisionUpdate's work.
//
//	go test ./internal/federation -run '^$' -bench ProvisionOrganisation -benchtime 2000x
func BenchmarkProvisionOrganisation(b *testing.B) {
	for _, backend := range sesametest.Backends {
		b.Run(backend, func(b *testing.B) {
			f := setup(b, backend, false)
			mp := f.marketplace(b, f.tenant, "Vagalam")
			claims := maestrano("usr-bench", "usr-bench@mail.example", [3]string{"cld-1", "Acme Ltd", "Admin"}, [3]string{"cld-2", "Beta GmbH", ""})
			if _, _, err := f.prov.Login(bg, mp, federation.Identity{Claims: claims}); err != nil {
				b.Fatal(err)
			}
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, out, err := f.prov.Login(bg, mp, federation.Identity{Claims: claims}); err != nil || out != federation.Unchanged {
						b.Errorf("login: %s %v", out, err)
					}
				}
			})
		})
	}
}
