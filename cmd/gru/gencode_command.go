package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/codegen"
	"github.com/gru-iac/gru/internal/engine"
)

func newGencodeCommand(g *globalOptions) *cobra.Command {
	var output string
	var groups, types []string
	var our, dryRun, force bool
	cmd := &cobra.Command{
		Use:   "gencode",
		Short: "Write a project (resources.js, config.js) for what is live",
		Long: `Read live resources and write the GruCloud project that describes them: only what a user would
write (no read-only properties, no ownership tags, no IDs gru derives from dependencies), with
dependencies inferred from the parent chain and from the ARM IDs in the bodies.

By default every resource group and resource of the subscription is read, and the child
resources gru knows the dependencies of. --group, --types and --our (what GruCloud manages)
narrow it. An edited file is not overwritten without --force. --json also writes the live
inventory as inventory.json; --dry-run prints instead of writing.`,
		Example: `  gru gencode --local --our -o imported
  gru gencode --local --group myResourceGroup --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			t, err := g.connect(ctx, cmd)
			if err != nil {
				return err
			}
			defer t.Close()
			cat, err := g.catalog()
			if err != nil {
				return err
			}
			if output == "" {
				output = g.dir
			}
			live, requests, err := inventory(cmd, t.Client, cat, groups, types, our)
			if err != nil {
				return err
			}
			opts := codegen.Options{ProjectName: filepath.Base(mustAbs(output)), Location: mostCommon(live, "location")}
			if name := mostCommonTag(live, engine.TagProject); name != "" {
				opts.ProjectName = name
			}
			opts.Stage = mostCommonTag(live, engine.TagStage)
			files, err := codegen.Generate(ctx, cat, live, opts)
			if err != nil {
				return err
			}
			names := []string{"config.js", "resources.js"}
			if g.json {
				data, _ := jsonIndent(live)
				files["inventory.json"] = string(data)
				names = append(names, "inventory.json")
			}
			out := cmd.OutOrStdout()
			if dryRun {
				for _, n := range names {
					fmt.Fprintf(out, "// ---- %s\n%s", n, files[n])
				}
				return nil
			}
			for _, n := range names {
				p := filepath.Join(output, n)
				if old, err := os.ReadFile(p); err == nil && !force && n != "inventory.json" && codegen.Edited(string(old)) {
					return fmt.Errorf("%s was edited since gencode wrote it (or gencode did not write it): not overwriting it; use --force, or another -o", p)
				}
			}
			if err := os.MkdirAll(output, 0o755); err != nil {
				return err
			}
			for _, n := range names {
				if err := os.WriteFile(filepath.Join(output, n), []byte(files[n]), 0o644); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s for %s in %s (%d requests)\n", strings.Join(names, ", "), count(len(live), "resource"), output, requests)
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output-dir", "o", "", "folder to write into (default: the project folder, -C)")
	cmd.Flags().StringSliceVar(&groups, "group", nil, "only these resource groups")
	cmd.Flags().StringSliceVar(&types, "types", nil, "only these types (Group::Type)")
	cmd.Flags().BoolVar(&our, "our", false, "only what GruCloud manages (gc-managed-by=grucloud), and its children")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the files instead of writing them")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite files even when they were edited")
	return cmd
}

func mustAbs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// inventory lists the live resources gencode writes: resource groups, top-level resources,
// and, below each, the child resources of the types GruCloud's table describes.
func inventory(cmd *cobra.Command, c *armclient.Client, cat *catalog.Catalog, groups, types []string, our bool) ([]map[string]any, int, error) {
	ctx := cmd.Context()
	requests := 0
	inGroups := func(rg string) bool {
		if len(groups) == 0 {
			return true
		}
		for _, g := range groups {
			if strings.EqualFold(g, rg) {
				return true
			}
		}
		return false
	}
	managed := func(r map[string]any) bool {
		tags, _ := r["tags"].(map[string]any)
		return !our || tags[engine.TagManagedBy] == "grucloud"
	}
	var out []map[string]any
	rgs, err := c.ListResourceGroups(ctx)
	requests++
	if err != nil {
		return nil, requests, err
	}
	for _, rg := range rgs {
		if inGroups(armclient.Field(rg, "name")) && managed(rg) {
			out = append(out, rg)
		}
	}
	all, err := c.ListResources(ctx, "", "")
	requests++
	if err != nil {
		return nil, requests, err
	}
	children := map[string][]*catalog.TypeInfo{} // lower parent type -> child types GruCloud knows
	for _, t := range cat.Types() {
		if p := t.ParentType(); p != "" {
			if deps, _ := cat.Dependencies(t.ARMType); len(deps) > 0 {
				children[strings.ToLower(p)] = append(children[strings.ToLower(p)], t)
			}
		}
	}
	var below func(parent map[string]any) error
	below = func(parent map[string]any) error {
		for _, ct := range children[strings.ToLower(armclient.Field(parent, "type"))] {
			segs := strings.Split(ct.ARMType, "/")
			items, err := c.List(ctx, armclient.Field(parent, "id")+"/"+segs[len(segs)-1], ct.DefaultVersion, nil)
			requests++
			if err != nil {
				if armclient.IsNotFound(err) || armclient.IsCode(err, "UnsupportedAction", "InvalidResourceType", "NoRegisteredProviderFound") {
					continue
				}
				return err
			}
			for _, it := range items {
				out = append(out, it)
				if err := below(it); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, r := range all {
		id := armclient.Field(r, "id")
		rg := ""
		if parts := strings.Split(id, "/"); len(parts) > 4 {
			rg = parts[4]
		}
		if !inGroups(rg) || !managed(r) {
			continue
		}
		out = append(out, r)
		if err := below(r); err != nil {
			return nil, requests, err
		}
	}
	if len(types) > 0 {
		var kept []map[string]any
		for _, r := range out {
			t, ok := cat.Find(armclient.Field(r, "type"))
			for _, want := range types {
				if ok && (strings.EqualFold(want, t.ShortName) || strings.EqualFold(want, t.ARMType)) {
					kept = append(kept, r)
				}
			}
		}
		out = kept
	}
	sort.SliceStable(out, func(i, j int) bool {
		return strings.ToLower(armclient.Field(out[i], "id")) < strings.ToLower(armclient.Field(out[j], "id"))
	})
	if len(out) == 0 {
		return nil, requests, errors.New("no live resource matches: nothing to write")
	}
	return out, requests, nil
}

func mostCommon(live []map[string]any, key string) string {
	counts := map[string]int{}
	best := ""
	for _, r := range live {
		v := armclient.Field(r, key)
		if v == "" {
			continue
		}
		counts[v]++
		if counts[v] > counts[best] || counts[v] == counts[best] && v < best {
			best = v
		}
	}
	return best
}

func mostCommonTag(live []map[string]any, tag string) string {
	var tagged []map[string]any
	for _, r := range live {
		tags, _ := r["tags"].(map[string]any)
		if v, ok := tags[tag].(string); ok {
			tagged = append(tagged, map[string]any{"v": v})
		}
	}
	return mostCommon(tagged, "v")
}
