package sesametest

import (
	"testing"

	"github.com/sesame-sso/sesame/internal/seal"
)

// testSealer seals connection client secrets with TestMasterKey.
func testSealer(t testing.TB) *seal.Sealer {
	sl, err := seal.New(TestMasterKey)
	if err != nil {
		t.Fatal(err)
	}
	return sl
}
