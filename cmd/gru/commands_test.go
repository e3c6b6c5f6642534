package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"unicode/utf8"
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

// TestTypesFitATerminal: the rows of gru types, fitted to a terminal 100 columns wide, are
// 99 characters at most; short names stay whole, long ones lose their middle; piped, they
// are whole.
func TestTypesFitATerminal(t *testing.T) {
	c, err := (&globalOptions{}).catalog()
	if err != nil {
		t.Fatal(err)
	}
	table := [][]string{{"SHORT NAME", "ARM TYPE", "DEFAULT API VERSION"}}
	for _, ty := range c.Types() {
		table = append(table, []string{ty.ShortName, ty.ARMType, ty.DefaultVersion})
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, r := range fitColumns(table, 2, 99, 0, 1) {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	elided := 0
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > 99 {
			t.Fatalf("a row of %d characters: %q", n, l)
		}
		if strings.Contains(l, "...") {
			elided++
		}
	}
	// Half the names of the catalogue are longer than 100 columns can hold whole.
	if len(lines) != len(table) || elided == 0 || elided > len(lines)*2/3 {
		t.Errorf("%d rows, %d shortened", len(lines), elided)
	}
	if !slices.ContainsFunc(lines, func(l string) bool {
		return strings.HasPrefix(l, "Storage::StorageAccount ") && strings.Contains(l, " Microsoft.Storage/storageAccounts ")
	}) {
		t.Error("Storage::StorageAccount is not whole")
	}
	// piped: whole
	if code, out, _ := runGru(t, "", "types", "--group", "Network"); code != 0 || strings.Contains(out, "...") {
		t.Errorf("piped: exit %d, names shortened", code)
	}
}

func TestElideName(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"Microsoft.Security/privateLinks/privateEndpointConnections", 50, "Microsoft.Security/.../privateEndpointConnections"},
		{"Microsoft.Security/privateLinks/privateEndpointConnections", 40, "Microsoft.Security/...ndpointConnections"},
		{"Security::PrivateEndpointConnection", 30, "Security::...ndpointConnection"},
		{"Security::Pricing", 30, "Security::Pricing"},
		{"averyveryveryverylongnamewithoutseparators", 20, "averyver...eparators"},
	} {
		got := elideName(c.in, c.n)
		if got != c.want || utf8.RuneCountInString(got) > c.n {
			t.Errorf("elideName(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
