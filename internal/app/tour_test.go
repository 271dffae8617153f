package app_test

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTour runs the README's tour (examples/tour.sh) as a reader would: a
// fresh data directory, a built binary, every call checked.
func TestTour(t *testing.T) {
	script, err := os.ReadFile("../../examples/tour.sh")
	if err != nil {
		t.Fatal(err)
	}
	port, mgmt := freeAddr(t), freeAddr(t)
	out := runShell(t, string(script), map[string]string{"PORT": port[strings.LastIndexByte(port, ':')+1:],
		"MGMT": mgmt[strings.LastIndexByte(mgmt, ':')+1:], "TMPDIR": t.TempDir()}, 5*time.Minute)
	if m := regexp.MustCompile(`Stop it with: kill (\d+)`).FindStringSubmatch(out); m != nil {
		pid, _ := strconv.Atoi(m[1])
		t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGTERM) })
	} else {
		t.Fatalf("the tour did not finish:\n%s", out)
	}
	for _, want := range []string{"Sesame is ready on", "active\n", `"name":"SIM - Price Plan Modify","value":"true","setBy":"Operators"`,
		"olivia\n401\n", `{"allow":true,"via":"basic"}`, `"setBy":"Users"`, `sesame_logins_total{method="api_basic",outcome="failure"} 1`} {
		if !strings.Contains(out, want) {
			t.Errorf("the tour's output lacks %q:\n%s", want, out)
		}
	}
}

// TestTourFailsLoudly: a tour that cannot start its server says so and
// exits non-zero (here: the port is taken).
func TestTourFailsLoudly(t *testing.T) {
	script, err := os.ReadFile("../../examples/tour.sh")
	if err != nil {
		t.Fatal(err)
	}
	ln := listen(t)
	port := ln[strings.LastIndexByte(ln, ':')+1:]
	out, code := runShellStatus(t, string(script), map[string]string{"PORT": port, "MGMT": "0", "TMPDIR": t.TempDir()})
	if code == 0 || !strings.Contains(out, "tour failed") || !strings.Contains(out, "server.addr") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

// TestREADMETour: the tour printed in the README is examples/tour.sh's
// block, character for character, so what TestTour proves is what a reader
// pastes.
func TestREADMETour(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("../../examples/tour.sh")
	if err != nil {
		t.Fatal(err)
	}
	s := string(script)
	start := strings.Index(s, "(\n")
	end := strings.LastIndex(s, ")")
	if start < 0 || end < start {
		t.Fatal("examples/tour.sh has no ( … ) block")
	}
	if !strings.Contains(string(readme), "```sh\n"+s[start:end+1]+"\n```") {
		t.Fatal("README.md's tour differs from examples/tour.sh: copy the ( … ) block of the script into the README")
	}
}
