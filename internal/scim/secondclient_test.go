package scim_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sesame-sso/sesame/internal/testutil/sesametest"
)

// TestSecondClient drives the Entra ID and Okta scenarios with a second,
// independent SCIM implementation from npm (testdata/scimclient:
// SCIMMY checks every returned resource against its own schema definitions
// and builds the PatchOp messages; scim-patch predicts every PATCH's
// result). It needs node and the npm packages (installed with npm ci on
// first use); without them it is skipped, saying why.
func TestSecondClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	dir, _ := filepath.Abs("testdata/scimclient")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "scimmy")); err != nil {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Skipf("npm ci failed (no registry?): %v\n%s", err, out)
		}
	}
	for _, backend := range sesametest.Backends {
		t.Run(backend, func(t *testing.T) {
			w := newWorld(t, backend)
			cmd := exec.Command(node, "client.mjs", w.env.Server.URL, w.token)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), " passed, 0 failed") {
				t.Fatalf("second client: %v\n%s", err, out)
			}
			t.Logf("%s", strings.TrimSpace(string(out)))
		})
	}
}
