package diagram

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

func sample(n int) Model {
	m := Model{Title: "t"}
	for g := 0; g < n; g++ {
		rg := fmt.Sprintf("rg%d", g)
		m.Nodes = append(m.Nodes, Node{Key: rg, Type: "Resources::ResourceGroup", Name: rg, Group: rg})
		for i := 0; i < 3; i++ {
			k := fmt.Sprintf("%s/acct%d", rg, i)
			m.Nodes = append(m.Nodes, Node{Key: k, Type: "Storage::StorageAccount", Name: fmt.Sprintf("acct%d", i), Group: rg})
			m.Edges = append(m.Edges, [2]string{k, rg})
		}
	}
	return m
}

func TestDOT(t *testing.T) {
	dot := DOT(sample(2), false)
	for _, want := range []string{`digraph "t" {`, `label="resource group rg0";`, `"rg1/acct2" [label="Storage::StorageAccount\nacct2"];`, `"rg0/acct0" -> "rg0";`} {
		if !strings.Contains(dot, want) {
			t.Errorf("DOT lacks %q:\n%s", want, dot)
		}
	}
	c := DOT(sample(2), true)
	if strings.Count(c, "->") != 1 || !strings.Contains(c, `"Storage::StorageAccount\n×6"`) || strings.Contains(c, "cluster") {
		t.Errorf("collapsed:\n%s", c)
	}
	if bin, err := exec.LookPath("dot"); err == nil {
		cmd := exec.Command(bin, "-Tsvg")
		cmd.Stdin = strings.NewReader(DOT(sample(3), false))
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "<svg") {
			t.Errorf("dot refuses the graph: %v %s", err, out)
		}
	}
}

func TestMindMaps(t *testing.T) {
	m := sample(1)
	if got := Outline(m); !strings.HasPrefix(got, "- t\n  - Resources\n    - ResourceGroup\n      - rg0\n  - Storage\n    - StorageAccount\n      - acct0\n") {
		t.Errorf("outline:\n%s", got)
	}
	if got := MindMap(m); !strings.HasPrefix(got, "@startmindmap\n* t\n** Resources\n") || !strings.HasSuffix(got, "@endmindmap\n") {
		t.Errorf("mind map:\n%s", got)
	}
}
