package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gru-iac/gru"
	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/diagram"
)

// model turns the project's resources (or, with live, what of them is live) into a diagram.
func (s *session) model(cmd *cobra.Command, live bool) (diagram.Model, error) {
	m := diagram.Model{Title: s.proj.Name}
	declared, err := s.gru.Declared(cmd.Context(), s.proj, live)
	if err != nil {
		return m, err
	}
	ids := map[string]string{} // lower live ID -> key
	var included []gru.Declared
	for _, d := range declared {
		name := d.Name
		if live {
			if d.Live == nil {
				continue
			}
			if n, _ := d.Live["name"].(string); n != "" {
				name = n
			}
			ids[strings.ToLower(d.ID)] = d.Key
		}
		included = append(included, d)
		m.Nodes = append(m.Nodes, diagram.Node{Key: d.Key, Type: d.Type, Name: name, Group: d.ResourceGroup})
	}
	seen := map[[2]string]bool{}
	add := func(from, to string) {
		if e := [2]string{from, to}; from != to && !seen[e] {
			seen[e] = true
			m.Edges = append(m.Edges, e)
		}
	}
	for _, d := range included {
		if !live {
			for _, dep := range d.DependsOn {
				add(d.Key, dep)
			}
			continue
		}
		// Live: what the resource's body and ID refer to, found by ARM ID.
		for _, ref := range armid.FindIn(d.Live) {
			if to, ok := ids[strings.ToLower(ref)]; ok && !strings.EqualFold(ref, d.ID) {
				add(d.Key, to)
			}
		}
		for p := parentOf(d.ID); p != ""; p = parentOf(p) {
			if to, ok := ids[strings.ToLower(p)]; ok {
				add(d.Key, to)
				break
			}
		}
	}
	return m, nil
}

// modelJSON is a diagram as --json writes it: the resources and, for each dependency, which
// resource depends on which.
func modelJSON(m diagram.Model, live bool) any {
	type node struct {
		Key           string `json:"key"`
		Type          string `json:"type"`
		Name          string `json:"name"`
		ResourceGroup string `json:"resourceGroup,omitempty"`
	}
	type edge struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	out := struct {
		Project      string `json:"project"`
		Live         bool   `json:"live"`
		Resources    []node `json:"resources"`
		Dependencies []edge `json:"dependencies"`
	}{Project: m.Title, Live: live, Resources: []node{}, Dependencies: []edge{}}
	for _, n := range m.Nodes {
		out.Resources = append(out.Resources, node{n.Key, n.Type, n.Name, n.Group})
	}
	for _, e := range m.Edges {
		out.Dependencies = append(out.Dependencies, edge{e[0], e[1]})
	}
	return out
}

// openDrawing loads the project for graph and tree: offline (no cloud, no credentials, no
// local database made) unless live is wanted.
func (g *globalOptions) openDrawing(cmd *cobra.Command, live bool) (*session, error) {
	if live {
		return g.openProject(cmd.Context(), cmd, nil)
	}
	return g.openOffline(cmd.Context(), cmd.ErrOrStderr())
}

// openOffline loads the project of -C in a session of no cloud (gru.Options.Offline); console
// receives what its code logs.
func (g *globalOptions) openOffline(ctx context.Context, console io.Writer) (*session, error) {
	s, err := gru.Open(ctx, gru.Options{Offline: true, Subscription: g.subscription, TypesDir: g.typesDir, Console: console})
	if err != nil {
		return nil, err
	}
	return g.loadProject(ctx, s)
}

// parentOf drops the last type/name pair of an ID (a provider block's start keeps its scope).
func parentOf(id string) string {
	segs := strings.Split(strings.Trim(id, "/"), "/")
	if len(segs) < 4 {
		return ""
	}
	segs = segs[:len(segs)-2]
	if strings.EqualFold(segs[len(segs)-2], "providers") {
		segs = segs[:len(segs)-2]
	}
	return "/" + strings.Join(segs, "/")
}

func newGraphCommand(g *globalOptions) *cobra.Command {
	var output string
	var svg, png, live, collapse bool
	cmd := &cobra.Command{
		Use:   "graph",
		Short: "Draw the project's resources and dependencies (Graphviz DOT)",
		Long: `Write the project's resources as a Graphviz graph: a cluster per resource group, a node per
resource with its type and name, an edge per dependency. It reads the project alone: no
cloud, credentials or local database. --live draws what is live instead (it needs a cloud:
--local, --endpoint or Azure), with the dependencies found in the resources' bodies.
--collapse merges the resources of one type in a group into one node, for large projects.
--svg and --png run Graphviz's dot (Debian package graphviz) and need -o. --json writes the
resources and dependencies as JSON.`,
		Example: `  gru graph > project.dot
  gru graph --png -o docs/project.png
  gru graph --collapse --svg -o big.svg
  gru graph --live --local --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if (svg || png) && output == "" {
				return errors.New("--svg and --png write an image: give its file with -o")
			}
			if (svg || png) && g.json {
				return errors.New("--json writes JSON: leave out --svg and --png")
			}
			s, err := g.openDrawing(cmd, live)
			if err != nil {
				return err
			}
			defer s.close()
			m, err := s.model(cmd, live)
			if err != nil {
				return err
			}
			if g.json {
				if output == "" {
					return writeJSON(cmd.OutOrStdout(), modelJSON(m, live))
				}
				var b bytes.Buffer
				writeJSON(&b, modelJSON(m, live))
				return os.WriteFile(output, b.Bytes(), 0o644)
			}
			dot := diagram.DOT(m, collapse)
			format := ""
			switch {
			case svg:
				format = "svg"
			case png:
				format = "png"
			}
			if format == "" {
				if output == "" {
					_, err = fmt.Fprint(cmd.OutOrStdout(), dot)
					return err
				}
				return os.WriteFile(output, []byte(dot), 0o644)
			}
			bin, err := exec.LookPath("dot")
			if err != nil {
				return errors.New("the dot program of Graphviz is not installed: install it (Debian: apt-get install graphviz; macOS: brew install graphviz), or write DOT without --svg/--png")
			}
			render := exec.CommandContext(cmd.Context(), bin, "-T"+format, "-o", output)
			render.Stdin = strings.NewReader(dot)
			var stderr bytes.Buffer
			render.Stderr = &stderr
			if err := render.Run(); err != nil {
				return fmt.Errorf("dot: %v: %s", err, stderr.String())
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of standard output")
	cmd.Flags().BoolVar(&svg, "svg", false, "render SVG with dot")
	cmd.Flags().BoolVar(&png, "png", false, "render PNG with dot")
	cmd.Flags().BoolVar(&live, "live", false, "draw what is live rather than the code")
	cmd.Flags().BoolVar(&collapse, "collapse", false, "one node per type and resource group")
	return cmd
}

func newTreeCommand(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "tree",
		Short: "Write the project's resources as a mind map, by group and type",
		Long: `Write the project's resources as a Markdown outline (--format md) or a PlantUML mind map
(--format plantuml), or both (the default); --json writes the resources and dependencies as
JSON. It reads the project alone: no cloud, credentials or local database.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "" && format != "md" && format != "plantuml" {
				return fmt.Errorf("--format %q: want md or plantuml", format)
			}
			s, err := g.openDrawing(cmd, false)
			if err != nil {
				return err
			}
			defer s.close()
			m, err := s.model(cmd, false)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if g.json {
				return writeJSON(out, modelJSON(m, false))
			}
			switch format {
			case "md":
				fmt.Fprint(out, diagram.Outline(m))
			case "plantuml":
				fmt.Fprint(out, diagram.MindMap(m))
			default:
				fmt.Fprintf(out, "%s\n```plantuml\n%s```\n", diagram.Outline(m), diagram.MindMap(m))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "md or plantuml (default: both)")
	return cmd
}
