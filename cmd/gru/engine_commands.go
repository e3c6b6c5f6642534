package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/engine"
	"github.com/gru-iac/gru/internal/project"
)

// session is a loaded project and its cloud, for the commands that need both.
type session struct {
	target *target
	proj   *project.Project
	tgt    *engine.Target
	eng    *engine.Engine
}

func (g *globalOptions) openProject(ctx context.Context, cmd *cobra.Command) (*session, error) {
	t, err := g.connect(ctx, cmd)
	if err != nil {
		return nil, err
	}
	cat, err := g.catalog()
	if err != nil {
		t.Close()
		return nil, err
	}
	sub := t.Client.Subscription()
	proj, err := project.Load(ctx, g.dir, project.Hooks{GetID: func(ref project.Ref, _ string) (string, error) {
		return engine.IDOf(cat, sub, ref)
	}})
	if err != nil {
		t.Close()
		return nil, err
	}
	tgt, err := engine.Build(ctx, cat, proj, sub)
	if err != nil {
		t.Close()
		return nil, err
	}
	eng := &engine.Engine{Cloud: t.Client, Parallelism: g.parallelism}
	return &session{target: t, proj: proj, tgt: tgt, eng: eng}, nil
}

func (s *session) close() { s.target.Close() }

// plan plans the project, with the deletions of --prune when asked.
func (s *session) plan(ctx context.Context, prune bool) (*engine.Plan, error) {
	p, err := s.eng.Plan(ctx, s.tgt)
	if err != nil || !prune {
		return p, err
	}
	return p, s.eng.Prune(ctx, p)
}

// writePlan shows a plan: one line a resource, and the properties that differ.
func writePlan(w io.Writer, p *engine.Plan) {
	for _, c := range p.Changes {
		mark := map[engine.Action]string{engine.Create: "+", engine.Update: "~", engine.Replace: "-/+", engine.Delete: "-", engine.Keep: "="}[c.Action]
		fmt.Fprintf(w, "%s %-9s %s\n", mark, c.Action, c.Key)
		for _, d := range c.Diffs {
			fmt.Fprintf(w, "      %s: %s -> %s\n", d.Path, show(d.Have), show(d.Want))
		}
	}
	n := p.Counts()
	fmt.Fprintf(w, "Plan: %d to create, %d to update, %d to replace, %d to delete, %d unchanged.\n", n[engine.Create], n[engine.Update], n[engine.Replace], n[engine.Delete], n[engine.Keep])
}

func show(v any) string {
	if v == nil {
		return "(none)"
	}
	data, _ := json.Marshal(v)
	s := string(data)
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

func newPlanCommand(g *globalOptions) *cobra.Command {
	var exitCode, prune bool
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what apply would change",
		Long: `Load the project, validate every resource, list what is live (a request per collection, not
per resource), and show what apply would create or update, with each property that differs.

With --exit-code the exit status says the result: 0 when live matches the code, 2 when
changes are pending, 1 on error.`,
		Example: `  gru plan --local
  gru plan -C examples/storage-private-endpoint --local --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := g.openProject(cmd.Context(), cmd)
			if err != nil {
				return err
			}
			defer s.close()
			p, err := s.plan(cmd.Context(), prune)
			if err != nil {
				return err
			}
			if g.json {
				err = writeJSON(cmd.OutOrStdout(), p)
			} else {
				writePlan(cmd.OutOrStdout(), p)
			}
			if err != nil {
				return err
			}
			if exitCode && p.Pending() {
				return exitError{2}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&exitCode, "exit-code", false, "exit 2 when changes are pending, 0 when none")
	cmd.Flags().BoolVar(&prune, "prune", false, "also show the deletion of what the project manages but no longer declares")
	return cmd
}

// confirm asks before changing anything, unless -f. It never asks when stdin is not a
// terminal: then -f is required.
func confirm(cmd *cobra.Command, force bool, question string) error {
	if force {
		return nil
	}
	in, ok := cmd.InOrStdin().(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return errors.New("not asking on a non-interactive input: pass -f to go ahead")
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s [y/N] ", question)
	var answer string
	fmt.Fscanln(in, &answer)
	if strings.EqualFold(answer, "y") || strings.EqualFold(answer, "yes") {
		return nil
	}
	return errors.New("nothing changed")
}

// summarize prints outcomes and returns an error when any failed or was skipped.
func summarize(w io.Writer, what string, outcomes []engine.Outcome, took time.Duration) error {
	counts := map[string]int{}
	for _, o := range outcomes {
		counts[o.State]++
		if o.State != "done" {
			fmt.Fprintf(w, "  %s %s: %s\n", o.State, o.Key, o.Error)
		}
	}
	fmt.Fprintf(w, "%s: %d done, %d failed, %d skipped, %d canceled in %v.\n", what, counts["done"], counts["failed"], counts["skipped"], counts["canceled"], took.Round(time.Millisecond))
	if counts["failed"]+counts["skipped"]+counts["canceled"] > 0 {
		fmt.Fprintln(w, "Run the command again once the cause is fixed: gru carries on from what is live.")
		return exitError{1}
	}
	return nil
}

func newApplyCommand(g *globalOptions) *cobra.Command {
	var force, prune bool
	cmd := &cobra.Command{
		Use:   "apply",
		Short: "Make live match the code",
		Long: `Plan, then create and update resources so that live matches the project: each resource starts
as soon as its dependencies are done (--parallelism at a time), long-running operations are
waited for, and a failure skips what depends on it while independent work goes on.

It asks before changing anything unless -f; when its input is not a terminal it needs -f.
A resource whose location (or another property ARM cannot change in place) changed is
replaced: deleted, then created. With --prune, what the project manages (by its tags) but
no longer declares is deleted.

Ctrl-C stops starting new work, lets what is in flight end, and says what was done: a
second run carries on.`,
		Example: `  gru apply -f --local
  gru apply -C examples/storage-private-endpoint --local -f`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := g.openProject(ctx, cmd)
			if err != nil {
				return err
			}
			defer s.close()
			p, err := s.plan(ctx, prune)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if !g.json {
				writePlan(out, p)
			}
			if !p.Pending() {
				if g.json {
					return writeJSON(out, map[string]any{"plan": p, "outcomes": []engine.Outcome{}})
				}
				fmt.Fprintln(out, "Nothing to do: live matches the code.")
				return nil
			}
			if err := confirm(cmd, force, "Apply these changes?"); err != nil {
				return err
			}
			if !g.json {
				s.eng.Progress = out
			}
			start := time.Now()
			outcomes, err := s.eng.Apply(ctx, p)
			if err != nil {
				return err
			}
			if g.json {
				return writeJSON(out, map[string]any{"plan": p, "outcomes": outcomes})
			}
			return summarize(out, "Apply", outcomes, time.Since(start))
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask")
	cmd.Flags().BoolVar(&prune, "prune", false, "also delete what the project manages but no longer declares")
	return cmd
}

func newDestroyCommand(g *globalOptions) *cobra.Command {
	var force, all bool
	var types []string
	var name, group string
	cmd := &cobra.Command{
		Use:   "destroy",
		Short: "Delete what the project manages",
		Long: `Delete the live resources of the project that carry its ownership tags (gc-managed-by,
gc-project-name, gc-stage), or whose parent does, in reverse dependency order. A resource
group gru manages is deleted whole, with what it holds.`,
		Example: `  gru destroy -f --local
  gru destroy -f --local --types Network::PrivateEndpoint`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := g.openProject(ctx, cmd)
			if err != nil {
				return err
			}
			defer s.close()
			keep := func(r *engine.Resource) bool {
				if len(types) > 0 {
					ok := false
					for _, t := range types {
						ok = ok || strings.EqualFold(t, r.Type.ShortName) || strings.EqualFold(t, r.Type.ARMType)
					}
					if !ok {
						return false
					}
				}
				if name != "" && !strings.EqualFold(name, r.Spec.Name) && !strings.EqualFold(name, r.FullName) {
					return false
				}
				return group == "" || strings.EqualFold(group, r.Type.Group())
			}
			if len(types) == 0 && name == "" && group == "" {
				keep = nil // no filter: everything the project manages, declared or not
			}
			if err := confirm(cmd, force, "Delete what this project manages?"); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			s.eng.Progress = out
			start := time.Now()
			outcomes, err := s.eng.Destroy(ctx, s.tgt, keep, all)
			if err != nil {
				return err
			}
			if len(outcomes) == 0 {
				fmt.Fprintln(out, "Nothing to delete.")
				return nil
			}
			return summarize(out, "Destroy", outcomes, time.Since(start))
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask")
	cmd.Flags().StringSliceVar(&types, "types", nil, "only these types (Group::Type)")
	cmd.Flags().StringVar(&name, "name", "", "only the resource of this name")
	cmd.Flags().StringVar(&group, "group", "", "only types of this group (Network, Storage, ...)")
	cmd.Flags().BoolVar(&all, "all", false, "also the project's resources that gru does not manage (no ownership tags)")
	return cmd
}

// listed is one row of gru list.
type listed struct {
	Type          string `json:"type"`
	Name          string `json:"name"`
	ID            string `json:"id"`
	Managed       bool   `json:"managed"`
	State         string `json:"state,omitempty"`
	Connection    string `json:"connection,omitempty"`
	ResourceGroup string `json:"resourceGroup,omitempty"`
}

func newListCommand(g *globalOptions) *cobra.Command {
	var our bool
	var types []string
	var group string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List live resources",
		Long: `List the live resources of the subscription: resource groups, top-level resources, and, in a
project folder, the child resources the project declares. --our keeps what this project
manages.`,
		Example: `  gru list --local --our
  gru list --local --types Storage::StorageAccount --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := g.openProject(ctx, cmd)
			if err != nil {
				return err
			}
			defer s.close()
			c := s.target.Client
			cat, _ := g.catalog()
			var rows []listed
			add := func(r map[string]any, managed bool) {
				armType := armclient.Field(r, "type")
				short := armType
				if t, ok := cat.Find(armType); ok {
					short = t.ShortName
				}
				row := listed{Type: short, Name: armclient.Field(r, "name"), ID: armclient.Field(r, "id"), Managed: managed}
				if props, ok := r["properties"].(map[string]any); ok {
					row.State, _ = props["provisioningState"].(string)
					if st, ok := props["privateLinkServiceConnectionState"].(map[string]any); ok {
						row.Connection, _ = st["status"].(string)
					}
				}
				rows = append(rows, row)
			}
			proj := s.proj
			groups, err := c.ListResourceGroups(ctx)
			if err != nil {
				return err
			}
			for _, rg := range groups {
				add(rg, engine.Managed(rg, proj.Name, proj.Stage))
			}
			all, err := c.ListResources(ctx, "", "")
			if err != nil {
				return err
			}
			for _, r := range all {
				add(r, engine.Managed(r, proj.Name, proj.Stage))
			}
			// Children are not in /resources: the project's child resources come from its plan.
			p, err := s.eng.Plan(ctx, s.tgt)
			if err != nil {
				return err
			}
			for _, r := range s.tgt.Resources {
				if live := p.LiveOf(r); live != nil && strings.Count(r.Type.ARMType, "/") >= 2 {
					managed := false
					for _, deps := range r.Deps {
						for _, d := range deps {
							if l := p.LiveOf(d); l != nil && engine.Managed(l, proj.Name, proj.Stage) {
								managed = true
							}
						}
					}
					add(live, managed)
				}
			}
			var kept []listed
			for _, row := range rows {
				if our && !row.Managed || group != "" && !strings.EqualFold(strings.SplitN(row.Type, "::", 2)[0], group) {
					continue
				}
				if len(types) > 0 {
					ok := false
					for _, t := range types {
						ok = ok || strings.EqualFold(t, row.Type)
					}
					if !ok {
						continue
					}
				}
				kept = append(kept, row)
			}
			sort.SliceStable(kept, func(i, j int) bool { return strings.ToLower(kept[i].ID) < strings.ToLower(kept[j].ID) })
			if g.json {
				if kept == nil {
					kept = []listed{}
				}
				return writeJSON(cmd.OutOrStdout(), kept)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "TYPE\tNAME\tMANAGED\tSTATE\tCONNECTION")
			for _, r := range kept {
				managed := "no"
				if r.Managed {
					managed = "yes"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Type, r.Name, managed, r.State, r.Connection)
			}
			tw.Flush()
			fmt.Fprintln(cmd.ErrOrStderr(), count(len(kept), "resource"))
			return nil
		},
	}
	cmd.Flags().BoolVar(&our, "our", false, "only what this project manages")
	cmd.Flags().StringSliceVar(&types, "types", nil, "only these types (Group::Type)")
	cmd.Flags().StringVar(&group, "group", "", "only types of this group")
	return cmd
}

func newInitCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Make a new project in the current folder (or -C)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := os.MkdirAll(g.dir, 0o755); err != nil {
				return err
			}
			abs, _ := filepath.Abs(g.dir)
			files := map[string]string{
				"package.json": fmt.Sprintf("{ \"name\": %q, \"version\": \"1.0.0\" }\n", filepath.Base(abs)),
				"config.js":    "const pkg = require(\"./package.json\");\nmodule.exports = () => ({\n  projectName: pkg.name,\n  location: \"westeurope\",\n});\n",
				"resources.js": "exports.createResources = () => [\n  {\n    type: \"ResourceGroup\",\n    group: \"Resources\",\n    name: \"rg-" + filepath.Base(abs) + "\",\n  },\n];\n",
			}
			for _, name := range []string{"package.json", "config.js", "resources.js"} {
				p := filepath.Join(g.dir, name)
				if _, err := os.Stat(p); err == nil {
					return fmt.Errorf("%s exists already: gru init does not overwrite a project", p)
				}
			}
			for _, name := range []string{"package.json", "config.js", "resources.js"} {
				if err := os.WriteFile(filepath.Join(g.dir, name), []byte(files[name]), 0o644); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Made a project in %s: edit resources.js, then gru plan --local.\n", g.dir)
			return nil
		},
	}
}

func newOutputCommand(g *globalOptions) *cobra.Command {
	var typ, name, field string
	cmd := &cobra.Command{
		Use:   "output",
		Short: "Print a live resource of the project, or one of its properties",
		Example: `  gru output --local --type Storage::StorageAccount --name mystorageaccount
  gru output --local --type Storage::StorageAccount --name mystorageaccount --field properties.primaryEndpoints.blob`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if typ == "" || name == "" {
				return errors.New("--type and --name are required")
			}
			ctx := cmd.Context()
			s, err := g.openProject(ctx, cmd)
			if err != nil {
				return err
			}
			defer s.close()
			var found *engine.Resource
			for _, r := range s.tgt.Resources {
				if (strings.EqualFold(typ, r.Type.ShortName) || strings.EqualFold(typ, r.Type.ARMType)) && (strings.EqualFold(name, r.Spec.Name) || strings.EqualFold(name, r.FullName)) {
					found = r
				}
			}
			if found == nil {
				return fmt.Errorf("the project has no %s named %q", typ, name)
			}
			p, err := s.eng.Plan(ctx, s.tgt)
			if err != nil {
				return err
			}
			var v any = p.LiveOf(found)
			if v == nil {
				return fmt.Errorf("%s does not exist yet: gru apply makes it", found.Key)
			}
			if field != "" {
				for _, k := range strings.Split(field, ".") {
					m, ok := v.(map[string]any)
					if !ok {
						return fmt.Errorf("%s: %s is not an object", found.Key, k)
					}
					if v, ok = m[k]; !ok {
						return fmt.Errorf("%s has no %s", found.Key, field)
					}
				}
				if str, ok := v.(string); ok {
					fmt.Fprintln(cmd.OutOrStdout(), str)
					return nil
				}
			}
			return writeJSON(cmd.OutOrStdout(), v)
		},
	}
	cmd.Flags().StringVar(&typ, "type", "", "type of the resource (Group::Type)")
	cmd.Flags().StringVar(&name, "name", "", "name of the resource")
	cmd.Flags().StringVar(&field, "field", "", "a property path, such as properties.provisioningState")
	return cmd
}
