package conformance

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sesame-sso/sesame/internal/storage"
)

// federationKeyRace: nodes starting at once each try to store their own
// new key; every one of them gets the same stored key back, and it stays.
func federationKeyRace(t *testing.T, s storage.Storage) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	const n = 8
	got := make([]storage.FederationKey, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := s.EnsureFederationKey(ctx, storage.FederationKey{ID: "enc", PrivatePEM: []byte(fmt.Sprintf("key-%d", i)), CreatedAt: now})
			if err != nil {
				t.Error(err)
			}
			got[i] = k
		}()
	}
	wg.Wait()
	for i := range got {
		if string(got[i].PrivatePEM) != string(got[0].PrivatePEM) || got[i].ID != "enc" || !got[i].CreatedAt.Equal(now) {
			t.Fatalf("node %d got %q, node 0 %q: not one key", i, got[i].PrivatePEM, got[0].PrivatePEM)
		}
	}
	later := must(s.EnsureFederationKey(ctx, storage.FederationKey{ID: "enc", PrivatePEM: []byte("late"), CreatedAt: now.Add(time.Hour)}))
	if string(later.PrivatePEM) != string(got[0].PrivatePEM) {
		t.Errorf("a later start replaced the key: %q", later.PrivatePEM)
	}
}
