// Package nodeoracle runs Node.js scripts for tests that compare gru's output with that of the
// JavaScript tools it imitates (prettier, util.inspect, json-schema-ref-parser). The npm
// packages, pinned by the test, are installed once into the user's cache folder, never into
// the repository. Without node, npm or the registry, the test is skipped with a message.
package nodeoracle

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Packages returns a folder whose node_modules holds the given packages (name@version), after
// installing them there if needed; it skips the test when that cannot be done.
func Packages(t testing.TB, pkgs ...string) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: the comparison with the JavaScript tools is skipped")
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	name := regexp.MustCompile(`[^A-Za-z0-9@._-]+`).ReplaceAllString(strings.Join(pkgs, "+"), "_")
	dir := filepath.Join(cache, "gru-test-node", name)
	if installed(dir, pkgs) {
		return dir
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skipf("npm is not installed: cannot install %s for the comparison, which is skipped", strings.Join(pkgs, ", "))
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		t.Skipf("cannot make the npm cache folder: %v", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), name+".tmp")
	if err != nil {
		t.Skipf("cannot make the npm cache folder: %v", err)
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append([]string{"install", "--no-audit", "--no-fund", "--no-save", "--loglevel=error", "--prefix", tmp}, pkgs...)
	cmd := exec.CommandContext(ctx, npm, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("npm install %s failed (no registry?), the comparison is skipped: %v\n%s", strings.Join(pkgs, " "), err, out)
	}
	if err := os.Rename(tmp, dir); err != nil && !installed(dir, pkgs) {
		t.Skipf("cannot keep the installed packages: %v", err)
	}
	if !installed(dir, pkgs) {
		t.Skipf("npm installed %s but they are not found in %s", strings.Join(pkgs, ", "), dir)
	}
	return dir
}

func installed(dir string, pkgs []string) bool {
	for _, p := range pkgs {
		name := p
		if i := strings.LastIndex(p, "@"); i > 0 {
			name = p[:i]
		}
		if _, err := os.Stat(filepath.Join(dir, "node_modules", name, "package.json")); err != nil {
			return false
		}
	}
	return true
}

// Run runs a node script with the packages of dir, the input on its standard input, and
// returns what it writes; the test fails when the script does.
func Run(t testing.TB, dir, script string, input []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("node", append([]string{script}, args...)...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"))
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	return out
}

// Prettier is the prettier release GruCloud's generator formatted its examples with: prettier 2
// (its trailing commas default to "es5", as the seed page has them; prettier 3's is "all").
const Prettier = "prettier@2.8.8"

// RefParser is the json-schema-ref-parser release GruCloud's generator dereferenced with.
const RefParser = "@apidevtools/json-schema-ref-parser@9.0.9"

// Describe says which packages a comparison used, for failure messages.
func Describe(pkgs ...string) string { return fmt.Sprintf("node with %s", strings.Join(pkgs, ", ")) }
