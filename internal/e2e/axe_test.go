package e2e_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// axeVersion is the axe-core release the accessibility audit injects
// (npm, exact version).
const axeVersion = "4.14.1"

const axeHint = "install Node.js and npm (apt-get install -y npm): the test installs axe-core@" + axeVersion + " into its cache with npm"

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    string
)

// axeScript returns axe.min.js, installing axe-core with npm into a cache
// folder ($SESAME_AXE_DIR, else the user cache) the first time. Without
// npm the test is skipped — under CI=true it fails saying what to install.
func axeScript(t *testing.T) string {
	t.Helper()
	axeOnce.Do(func() {
		dir := os.Getenv("SESAME_AXE_DIR")
		if dir == "" {
			base, err := os.UserCacheDir()
			if err != nil {
				base = os.TempDir()
			}
			dir = filepath.Join(base, "sesame", "axe-core-"+axeVersion)
		}
		file := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
		if _, err := os.Stat(file); err != nil {
			npm, err := exec.LookPath("npm")
			if err != nil {
				axeErr = axeHint
				return
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				axeErr = err.Error()
				return
			}
			out, err := exec.Command(npm, "install", "--prefix", dir, "--no-save", "--no-audit", "--no-fund", "--ignore-scripts",
				"axe-core@"+axeVersion).CombinedOutput()
			if err != nil {
				axeErr = "npm install axe-core@" + axeVersion + ": " + err.Error() + "\n" + string(out) + "\n" + axeHint
				return
			}
		}
		b, err := os.ReadFile(file)
		if err != nil {
			axeErr = err.Error()
			return
		}
		axeSource = string(b)
	})
	if axeErr != "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(axeErr)
		}
		t.Skip(axeErr)
	}
	return axeSource
}

// axeViolation is one rule axe found broken on a page.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// audit runs axe-core in the page the browser shows (the page's CSP is
// bypassed for the injected script only through DevTools) and fails the
// test on a critical violation; the others are logged.
func (b *chrome) audit(name, src string) {
	b.t.Helper()
	b.do("bypass CSP for the audit", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
		return err
	}))
	raw := b.read("axe "+name, chromedp.Evaluate[string](src+`;
		axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		b.t.Fatalf("axe %s: %v: %.500s", name, err, raw)
	}
	for _, v := range vs {
		var where []string
		for _, n := range v.Nodes {
			b, _ := json.Marshal(n.Target)
			where = append(where, string(b))
		}
		msg := name + ": axe " + v.Impact + " " + v.ID + " (" + v.Help + ") at " + strings.Join(where, ", ")
		if v.Impact == "critical" {
			b.t.Error(msg)
		} else {
			b.t.Log(msg)
		}
	}
}

// artifacts is where screenshots go: $SESAME_ARTIFACTS, else
// testdata/artifacts (ignored by git).
func artifacts(t *testing.T) string {
	dir := os.Getenv("SESAME_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshot saves the whole page as dir/name.png.
func (b *chrome) screenshot(dir, name string) {
	b.t.Helper()
	sctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}
