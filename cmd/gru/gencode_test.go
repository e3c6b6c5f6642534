package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGencodeFlags: --resource-group narrows gencode to resource groups (--group, hidden,
// still does, with a warning); --inventory writes inventory.json; --json writes what was
// done as JSON, with --dry-run the files' content, writing nothing.
func TestGencodeFlags(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	if code, out, errOut := runGru(t, "", "apply", "-f", "--local", "--progress", "none", "-C", example); code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errOut)
	}
	type report struct {
		Dir    string `json:"dir"`
		DryRun bool   `json:"dryRun"`
		Files  []struct {
			Name    string  `json:"name"`
			Bytes   int     `json:"bytes"`
			Content *string `json:"content"`
		} `json:"files"`
		Resources, Requests int
		Projects            []string
		Env                 []map[string]string
	}

	dir := filepath.Join(t.TempDir(), "imported")
	code, out, errOut := runGru(t, "", "gencode", "--local", "--resource-group", "myResourceGroup", "--inventory", "--json", "-o", dir)
	var r report
	if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil {
		t.Fatalf("--json: exit %d %v\n%s\n%s", code, err, out, errOut)
	}
	if strings.Contains(errOut, "wrote ") || r.Dir != dir || r.DryRun || r.Resources < 6 || r.Requests == 0 || len(r.Files) != 3 || r.Files[2].Name != "inventory.json" || r.Files[0].Content != nil {
		t.Errorf("the report: %+v\nstderr: %s", r, errOut)
	}
	for _, f := range r.Files {
		if st, err := os.Stat(filepath.Join(dir, f.Name)); err != nil || st.Size() != int64(f.Bytes) {
			t.Errorf("%s: %v", f.Name, err)
		}
	}
	inv, _ := os.ReadFile(filepath.Join(dir, "inventory.json"))
	var resources []map[string]any
	if json.Unmarshal(inv, &resources) != nil || len(resources) != r.Resources {
		t.Errorf("inventory.json holds %d resources, the report %d", len(resources), r.Resources)
	}

	// A known type of which nothing is live: an empty project.
	code, out, _ = runGru(t, "", "gencode", "--local", "--types", "Compute::VirtualMachine", "--dry-run", "--json", "-o", filepath.Join(t.TempDir(), "none"))
	r = report{}
	if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil || !r.DryRun || r.Resources != 0 || len(r.Files) != 2 || r.Files[1].Content == nil || !strings.Contains(*r.Files[1].Content, "createResources") {
		t.Errorf("--dry-run --json of a type not live: exit %d %v %s", code, err, out)
	}
	// A resource group that does not exist: an error naming the live ones.
	if code, out, _ = runGru(t, "", "gencode", "--local", "--resource-group", "nosuchgroup", "--dry-run", "--json"); code != 1 || !strings.Contains(out, `"code": "no-match"`) || !strings.Contains(out, "the live ones are myResourceGroup") {
		t.Errorf("--resource-group of no group: exit %d %s", code, out)
	}

	code, out, errOut = runGru(t, "", "gencode", "--local", "--group", "myResourceGroup", "--dry-run")
	if code != 0 || !strings.Contains(errOut, "warning: gencode --group is now --resource-group") || !strings.Contains(out, `name: "myVnet"`) {
		t.Errorf("--group: exit %d\n%s\n%s", code, tail(out, 300), errOut)
	}
	if _, help, _ := runGru(t, "", "gencode", "--help"); strings.Contains(help, "--group ") || !strings.Contains(help, "--resource-group") || !strings.Contains(help, "--inventory") {
		t.Errorf("gencode --help:\n%s", help)
	}
}
