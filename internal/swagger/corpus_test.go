package swagger

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// TestCorpusExampleResponsesAreValid calibrates the response validator on Microsoft's own
// examples (which Microsoft's model validation checks against the same schemas): nearly every
// example response must be valid for its operation's schema. A validator that finds fault with
// many would be too strict to judge the emulator's responses by.
func TestCorpusExampleResponsesAreValid(t *testing.T) {
	root := filepath.Join("..", "..", "..", "shared", "azure", "examples-corpus", "specification")
	if _, err := os.Stat(root); err != nil {
		t.Skip("the examples corpus is not beside the repository")
	}
	fsys := os.DirFS(root)
	specs, err := LoadSpecs(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	bodies, invalid := 0, 0
	byRule := map[string]int{}
	for _, op := range specs.Operations() {
		for _, file := range op.Examples {
			doc, err := ReadExampleDoc(fsys, file)
			if err != nil {
				continue // a few examples are missing from the corpus
			}
			for code, resp := range doc.Responses {
				status, err := strconv.Atoi(code)
				if err != nil || len(resp.Body) == 0 {
					continue
				}
				bodies++
				vs, err := specs.CheckResponse(op, status, resp.Body, ValidateOptions{})
				if err != nil {
					t.Errorf("%s: %v", file, err)
					continue
				}
				bad := false
				for _, v := range vs {
					byRule[v.Rule]++
					bad = bad || v.Rule != "null" // Microsoft's examples write null where the schema does not say x-nullable
				}
				if bad {
					invalid++
				}
			}
		}
	}
	var rules []string
	for r, n := range byRule {
		rules = append(rules, r+" "+strconv.Itoa(n))
	}
	sort.Strings(rules)
	t.Logf("%d example response bodies, %d with violations other than null; violations by rule: %v", bodies, invalid, rules)
	if bodies < 3000 {
		t.Errorf("only %d example responses", bodies)
	}
	if share := float64(invalid) / float64(bodies); share > 0.01 {
		t.Errorf("%.1f%% of Microsoft's example responses are invalid by the validator: it is too strict", 100*share)
	}
}
