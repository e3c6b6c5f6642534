package main

import (
	"encoding/json"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionCommand: gru version and gru --version give gru's version, its commit (unknown
// without a VCS stamp), the type data's source commit and the Go version; --json as JSON.
func TestVersionCommand(t *testing.T) {
	code, out, errOut := runGru(t, "", "version")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"gru " + version, "commit ", "bicep-types-az 1f896de2db966ad91e8f7d7d981e11d32e4f5d8d", runtime.Version()} {
		if !strings.Contains(out, want) {
			t.Errorf("gru version lacks %q:\n%s", want, out)
		}
	}
	if code, flag, _ := runGru(t, "", "--version"); code != 0 || flag != out {
		t.Errorf("--version: exit %d\n%s\nwant\n%s", code, flag, out)
	}
	code, out, _ = runGru(t, "", "version", "--json")
	var v versionInfo
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v.Version != version || v.Commit == "" || len(v.CatalogCommit) != 40 || v.GoVersion != runtime.Version() {
		t.Errorf("version --json: exit %d: %s", code, out)
	}

	stamped := versionOf(&debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abc"}, {Key: "vcs.modified", Value: "true"}}})
	if stamped.Commit != "0123abc" || !stamped.Modified {
		t.Errorf("a stamped build: %+v", stamped)
	}
	if v := versionOf(nil); v.Commit != "unknown" || v.Modified {
		t.Errorf("no build information: %+v", v)
	}
}

// TestParallelismBelowOneIsRefused, before the command runs.
func TestParallelismBelowOneIsRefused(t *testing.T) {
	for _, n := range []string{"0", "-3"} {
		code, out, errOut := runGru(t, "", "plan", "--local", "--parallelism", n)
		if code != 1 || out != "" || !strings.Contains(errOut, "--parallelism "+n+": ") || !strings.Contains(errOut, "1 or more") {
			t.Errorf("--parallelism %s: exit %d %q %q", n, code, out, errOut)
		}
	}
}

// TestCompletionOfAnUnknownShell: gru completion tcsh says gru has no script for it, and
// prints the help, with exit status 0.
func TestCompletionOfAnUnknownShell(t *testing.T) {
	code, out, errOut := runGru(t, "", "completion", "tcsh")
	if code != 0 || !strings.Contains(errOut, "no completion script for tcsh") || !strings.Contains(errOut, "bash, fish, powershell, zsh") || !strings.Contains(out, "Available Commands:") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, _ := runGru(t, "", "completion", "zsh"); code != 0 || !strings.Contains(out, "zsh completion") {
		t.Errorf("zsh: exit %d", code)
	}
}

// TestMissingArgumentsExplain: a command without its argument says which, with an example,
// and how to find one; extra arguments are named.
func TestMissingArgumentsExplain(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"schema"}, []string{"name the resource type", "gru schema Storage::StorageAccount", "gru types FILTER finds types"}},
		{[]string{"validate"}, []string{"name the JSON file", "- for standard input", "gru validate body.json --type Storage::StorageAccount"}},
		{[]string{"schema", "Storage::StorageAccount", "2021-01-01", "extra"}, []string{`"extra" not expected`, "--diff V1", "gru schema --help"}},
		{[]string{"types", "a", "b"}, []string{`"b" not expected`, "one filter at most"}},
		{[]string{"doc", "a", "b"}, []string{`"b" not expected`}},
	} {
		code, _, errOut := runGru(t, "", c.args...)
		if code != 1 || strings.Contains(errOut, "arg(s)") {
			t.Errorf("gru %v: exit %d: %s", c.args, code, errOut)
		}
		for _, w := range c.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("gru %v: no %q in %s", c.args, w, errOut)
			}
		}
	}
}

// TestDocSpecsMissing: --specs naming no folder says so, for one page and for --all.
func TestDocSpecsMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "azure-rest-api-specs")
	for _, args := range [][]string{
		{"doc", "Storage::StorageAccount", "--specs", missing},
		{"doc", "--all", "--out", t.TempDir(), "--specs", missing},
	} {
		code, out, errOut := runGru(t, "", args...)
		if code != 1 || out != "" || !strings.Contains(errOut, "--specs "+missing+": no such folder") || !strings.Contains(errOut, "azure-rest-api-specs checkout") {
			t.Errorf("%v: exit %d %s", args, code, errOut)
		}
	}
	file := writeFile(t, "specs.json", "{}")
	if code, _, errOut := runGru(t, "", "doc", "Storage::StorageAccount", "--specs", file); code != 1 || !strings.Contains(errOut, "is a file") {
		t.Errorf("a file: exit %d %s", code, errOut)
	}
}
