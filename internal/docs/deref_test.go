package docs

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/nodeoracle"
	"github.com/gru-iac/gru/internal/shareddir"
)

// examplesCorpus is shared/azure/examples-corpus/specification (beside the repository, or in
// $GRU_SHARED_DIR), which the tests that need many swagger files read; they are skipped
// without it.
var examplesCorpus = sharedPath("azure/examples-corpus/specification")

// sharedPath is a path in the shared data folder; where there is none, the path it would have
// beside the repository (which the tests find missing, and say so).
func sharedPath(rel string) string {
	dir, err := shareddir.Find("", rel)
	if err != nil {
		return filepath.Join("..", "..", "..", "shared", filepath.FromSlash(rel))
	}
	return filepath.Join(dir, filepath.FromSlash(rel))
}

// derefCases are the swagger files whose PUT schemas the dereferencing is checked on: the seed's
// storage files, and where shared/ is there, files with references beside other keys
// (FirewallPolicy's basePolicy), recursion (compute, web) and deep schemas.
func derefCases(t *testing.T) []string {
	files := []string{"testdata/specs-seed/specification/storage/resource-manager/Microsoft.Storage/stable/2021-06-01/storage.json"}
	if _, err := os.Stat(examplesCorpus); err != nil {
		t.Logf("%s is not there: only the seed's files are checked", examplesCorpus)
		return files
	}
	for _, f := range []string{
		"network/resource-manager/Microsoft.Network/stable/2024-01-01/firewallPolicy.json",
		"network/resource-manager/Microsoft.Network/stable/2024-01-01/virtualNetwork.json",
		"network/resource-manager/Microsoft.Network/stable/2024-01-01/applicationGateway.json",
		"compute/resource-manager/Microsoft.Compute/ComputeRP/stable/2024-03-01/virtualMachine.json",
		"web/resource-manager/Microsoft.Web/stable/2023-12-01/WebApps.json",
		"cosmos-db/resource-manager/Microsoft.DocumentDB/stable/2024-05-15/cosmos-db.json",
		"containerservice/resource-manager/Microsoft.ContainerService/aks/stable/2024-02-01/managedClusters.json",
	} {
		files = append(files, filepath.Join(examplesCorpus, f))
	}
	return files
}

// TestDereferenceMatchesRefParser: the PUT body schemas of whole swagger files, dereferenced by
// gru and by json-schema-ref-parser 9 (run by node), written by util.inspect's rules, are the
// same: references beside other keys, references met again, circular schemas.
func TestDereferenceMatchesRefParser(t *testing.T) {
	dir := nodeoracle.Packages(t, nodeoracle.RefParser)
	type job struct {
		File    string         `json:"file"`
		Path    string         `json:"path"`
		Options map[string]any `json:"options"`
	}
	var jobs []job
	var got []string
	for _, file := range derefCases(t) {
		abs, err := filepath.Abs(file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(abs); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		s, err := OpenSpecs(filepath.Dir(abs))
		if err != nil {
			t.Fatal(err)
		}
		s.index("")
		for _, paths := range s.paths {
			for i := range paths {
				p := &paths[i]
				if p.file != filepath.ToSlash(abs) || !p.put {
					continue
				}
				op, err := s.operation(p)
				if err != nil {
					t.Fatal(err)
				}
				jobs = append(jobs, job{File: abs, Path: p.key, Options: map[string]any{"depth": 10}})
				got = append(got, Inspect(op.schema))
			}
		}
	}
	input, _ := json.Marshal(jobs)
	var want []string
	if err := json.Unmarshal(nodeoracle.Run(t, dir, "testdata/oracle/schema.js", input), &want); err != nil {
		t.Fatal(err)
	}
	failures := 0
	for i := range jobs {
		if got[i] != want[i] {
			failures++
			if failures <= 3 {
				t.Errorf("%s %s:\n%s", filepath.Base(jobs[i].File), jobs[i].Path, lineDiff(got[i], want[i]))
			}
		}
	}
	circular := 0
	for _, g := range got {
		if strings.Contains(g, "[Circular *") {
			circular++
		}
	}
	t.Logf("%d PUT schemas compared, %d of them circular", len(jobs), circular)
	if failures > 0 {
		t.Errorf("%d of %d schemas differ from %s", failures, len(jobs), nodeoracle.Describe(nodeoracle.RefParser))
	}
}

// lineDiff shows the first line where two texts differ.
func lineDiff(got, want string) string {
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(gl) && i < len(wl); i++ {
		if gl[i] != wl[i] {
			from := max(0, i-3)
			return "line " + itoa(int64(i+1)) + ":\n gru  " + strings.Join(gl[from:i+1], "\n      ") + "\n node " + strings.Join(wl[from:i+1], "\n      ")
		}
	}
	return "lengths differ: " + itoa(int64(len(gl))) + " lines, node " + itoa(int64(len(wl)))
}
