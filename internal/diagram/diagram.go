// Package diagram draws resources: Graphviz DOT with a cluster per resource group, and mind
// maps (a Markdown outline and a PlantUML mind map) by group and type. It works on a small
// neutral model and knows nothing of ARM or projects.
package diagram

import (
	"fmt"
	"sort"
	"strings"
)

// Node is one resource.
type Node struct {
	Key   string // unique
	Type  string // Group::Type
	Name  string
	Group string // the resource group it is in ("" outside one)
}

// Model is the resources and their dependencies (From depends on To).
type Model struct {
	Title string
	Nodes []Node
	Edges [][2]string
}

// DOT writes the model as a Graphviz digraph: a cluster per resource group, a node per
// resource labelled with its type and name, an edge per dependency. With collapse, the
// resources of one type become a single node "Type ×n" and edges between types are merged,
// so that a thousand resources fit one screen.
func DOT(m Model, collapse bool) string {
	nodes := m.Nodes
	edges := m.Edges
	if collapse {
		nodes, edges = collapsed(m)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", quote(m.Title))
	b.WriteString("  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", fontname=\"Helvetica\", fontsize=10];\n  edge [color=\"#7a869a\"];\n")
	groups := map[string][]Node{}
	for _, n := range nodes {
		groups[n.Group] = append(groups[n.Group], n)
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	for i, g := range names {
		indent := "  "
		if g != "" {
			fmt.Fprintf(&b, "  subgraph cluster_%d {\n    label=%s;\n    style=\"rounded\";\n    color=\"#9aa5b8\";\n", i, quote("resource group "+g))
			indent = "    "
		}
		for _, n := range groups[g] {
			fmt.Fprintf(&b, "%s%s [label=%s];\n", indent, quote(n.Key), quote(n.Type+"\n"+n.Name))
		}
		if g != "" {
			b.WriteString("  }\n")
		}
	}
	for _, e := range edges {
		fmt.Fprintf(&b, "  %s -> %s;\n", quote(e[0]), quote(e[1]))
	}
	b.WriteString("}\n")
	return b.String()
}

func collapsed(m Model) ([]Node, [][2]string) {
	keyOf := map[string]string{}
	count := map[string]int{}
	var order []string
	first := map[string]Node{}
	for _, n := range m.Nodes {
		k := n.Type
		keyOf[n.Key] = k
		if count[k] == 0 {
			order = append(order, k)
			first[k] = n
		}
		count[k]++
	}
	var nodes []Node
	for _, k := range order {
		n := first[k]
		name := n.Name
		if count[k] > 1 {
			name = fmt.Sprintf("×%d", count[k])
		}
		nodes = append(nodes, Node{Key: k, Type: n.Type, Name: name})
	}
	seen := map[[2]string]bool{}
	var edges [][2]string
	for _, e := range m.Edges {
		c := [2]string{keyOf[e[0]], keyOf[e[1]]}
		if c[0] == c[1] || seen[c] || c[0] == "" || c[1] == "" {
			continue
		}
		seen[c] = true
		edges = append(edges, c)
	}
	return nodes, edges
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// tree groups the nodes by provider group, then type.
func tree(m Model) ([]string, map[string][]string, map[string][]Node) {
	byGroup := map[string][]string{}
	byType := map[string][]Node{}
	for _, n := range m.Nodes {
		group, _, _ := strings.Cut(n.Type, "::")
		if len(byType[n.Type]) == 0 {
			byGroup[group] = append(byGroup[group], n.Type)
		}
		byType[n.Type] = append(byType[n.Type], n)
	}
	groups := make([]string, 0, len(byGroup))
	for g := range byGroup {
		groups = append(groups, g)
		sort.Strings(byGroup[g])
	}
	sort.Strings(groups)
	return groups, byGroup, byType
}

// Outline writes the model as a Markdown outline: groups, then types, then resources.
func Outline(m Model) string {
	groups, byGroup, byType := tree(m)
	var b strings.Builder
	fmt.Fprintf(&b, "- %s\n", m.Title)
	for _, g := range groups {
		fmt.Fprintf(&b, "  - %s\n", g)
		for _, t := range byGroup[g] {
			_, typ, _ := strings.Cut(t, "::")
			fmt.Fprintf(&b, "    - %s\n", typ)
			for _, n := range byType[t] {
				fmt.Fprintf(&b, "      - %s\n", n.Name)
			}
		}
	}
	return b.String()
}

// MindMap writes the model as a PlantUML mind map.
func MindMap(m Model) string {
	groups, byGroup, byType := tree(m)
	var b strings.Builder
	fmt.Fprintf(&b, "@startmindmap\n* %s\n", m.Title)
	for _, g := range groups {
		fmt.Fprintf(&b, "** %s\n", g)
		for _, t := range byGroup[g] {
			_, typ, _ := strings.Cut(t, "::")
			fmt.Fprintf(&b, "*** %s\n", typ)
			for _, n := range byType[t] {
				fmt.Fprintf(&b, "**** %s\n", n.Name)
			}
		}
	}
	b.WriteString("@endmindmap\n")
	return b.String()
}
