package docs

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/nodeoracle"
)

// TestCorpusPagesMatchNode writes the page of every type of GruCloud's table that the examples
// corpus has (244), with gru and with GruCloud's generator rules in node, and compares. It takes
// about 15 seconds: set GRU_DOCS_CORPUS=1 to run it.
func TestCorpusPagesMatchNode(t *testing.T) {
	if os.Getenv("GRU_DOCS_CORPUS") == "" {
		t.Skip("set GRU_DOCS_CORPUS=1 to compare every page of the examples corpus with node")
	}
	if _, err := os.Stat(examplesCorpus); err != nil {
		t.Skipf("%s is not there", examplesCorpus)
	}
	dir := nodeoracle.Packages(t, nodeoracle.Prettier, nodeoracle.RefParser)
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenSpecs(examplesCorpus)
	if err != nil {
		t.Fatal(err)
	}
	lookupGruType("", "") // reads the table
	type job struct {
		Name       string `json:"name"`
		File       string `json:"file"`
		Path       string `json:"path"`
		APIVersion string `json:"apiVersion"`
		SpecFile   string `json:"specFile"`
		Deps       []any  `json:"deps"`
	}
	var jobs []job
	var got []string
	for _, gts := range gruTable.types {
		gt := gts[len(gts)-1]
		ti, err := cat.Lookup(gt.Name)
		if err != nil {
			continue
		}
		p, err := s.Page(context.Background(), cat, ti, gt.Name, "")
		if err != nil {
			continue
		}
		sp, err := s.findPath(ti.ARMType, gt.PutPath, p.APIVersion)
		if err != nil {
			t.Fatal(err)
		}
		abs, err := filepath.Abs(sp.file)
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, job{gt.Name, abs, sp.key, p.APIVersion, strings.TrimPrefix(strings.TrimPrefix(sp.file, s.root), "/"), []any{}})
		got = append(got, p.Markdown())
	}
	table, err := filepath.Abs(sharedPath("grucloud/azure-types.json"))
	if err != nil {
		t.Fatal(err)
	}
	input, _ := json.Marshal(map[string]any{"table": table, "jobs": jobs})
	var want []string
	if err := json.Unmarshal(nodeoracle.Run(t, dir, "testdata/oracle/page.js", input), &want); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i := range jobs {
		if got[i] != want[i] {
			bad++
			if bad <= 5 {
				t.Errorf("%s: %s", jobs[i].Name, lineDiff(got[i], want[i]))
			}
		}
	}
	t.Logf("%d pages compared, %d differ", len(jobs), bad)
}
