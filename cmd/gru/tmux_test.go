package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestLiveViewInATerminal runs apply in a real terminal (tmux, 100×30) against an emulator
// whose operations take two seconds, and reads the screen: while it runs, the live block shows
// the counts and the resources in flight with their elapsed time; when it ends, the block is
// gone and the summary follows the lines of what was done.
func TestLiveViewInATerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gru and runs an apply in tmux")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed (Debian package tmux): the live view is not tested in a terminal")
	}
	bin := buildGru(t)
	state := t.TempDir()
	serve, endpoint := launchEmulator(t, bin, state, "--db", filepath.Join(state, "arm.db"), "--latency", "2s")
	t.Cleanup(func() { serve.Process.Kill(); serve.Wait() })
	dir := writeProject(t, `exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg-live" },
  ...[1, 2, 3].map((i) => ({ type: "NetworkSecurityGroup", group: "Network", name: "nsg" + i, dependencies: () => ({ resourceGroup: "rg-live" }) })),
];`)
	socket := filepath.Join(t.TempDir(), "tmux.sock")
	run := func(args ...string) string {
		out, err := exec.Command(tmux, append([]string{"-S", socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v %s", args, err, out)
		}
		return string(out)
	}
	// As a user's shell: no $CI, a terminal that takes ANSI sequences; --progress is auto.
	script := filepath.Join(t.TempDir(), "apply.sh")
	os.WriteFile(script, []byte("#!/bin/sh\nunset CI\nexport TERM=xterm\n"+bin+" apply -f --endpoint "+endpoint+" -C "+dir+"\necho EXIT=$?\nsleep 120\n"), 0o755)
	run("new-session", "-d", "-s", "live", "-x", "100", "-y", "30", script)
	t.Cleanup(func() { exec.Command(tmux, "-S", socket, "kill-server").Run() })

	counts := regexp.MustCompile(`(?m)^\d+s: (\d+) in flight, \d+ done, 0 failed, of 4$`)
	flying := regexp.MustCompile(`(?m)^ +\d+s  creating Network::NetworkSecurityGroup rg-live::nsg\d$`)
	sawBlock := false
	var screen string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		screen = run("capture-pane", "-p", "-t", "live")
		if m := counts.FindStringSubmatch(screen); m != nil && m[1] != "0" && flying.MatchString(screen) {
			sawBlock = true
		}
		if strings.Contains(screen, "EXIT=") {
			break
		}
	}
	if !sawBlock {
		t.Errorf("the live block (counts, resources in flight) never showed; last screen:\n%s", screen)
	}
	if !strings.Contains(screen, "EXIT=0") || !strings.Contains(screen, "Apply: 4 done, 0 failed") {
		t.Fatalf("apply did not end well; screen:\n%s", screen)
	}
	if counts.MatchString(screen) || flying.MatchString(screen) {
		t.Errorf("the live block is left on the screen after the run:\n%s", screen)
	}
	if n := strings.Count(screen, "creating Network::NetworkSecurityGroup rg-live::nsg"); n < 3 {
		t.Errorf("the three network security groups' lines are not all above the summary:\n%s", screen)
	}
}
