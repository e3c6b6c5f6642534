package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gru-iac/gru"
	"github.com/gru-iac/gru/internal/codegen"
)

func newGencodeCommand(g *globalOptions) *cobra.Command {
	var output string
	var groups, types []string
	var our, dryRun, force bool
	var projectName string
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
			s, err := g.open(ctx, cmd, nil)
			if err != nil {
				return err
			}
			defer s.Close()
			if output == "" {
				output = g.dir
			}
			gen, err := s.Gencode(ctx, gru.GencodeOptions{ResourceGroups: groups, Types: types, Our: our, Project: projectName, ProjectName: filepath.Base(mustAbs(output))})
			if err != nil {
				return err
			}
			if len(gen.Resources) == 0 {
				// As GruCloud: a project that declares nothing, createResources = () => [].
				fmt.Fprintln(cmd.ErrOrStderr(), "no live resource matches: the project written declares none")
			}
			files := gen.Files
			names := []string{"config.js", "resources.js"}
			for n := range files {
				if strings.HasPrefix(n, "blobs/") { // blob contents, the source files of Storage::Blob
					names = append(names, n)
				}
			}
			sort.Strings(names[2:])
			if g.json {
				data, _ := jsonIndent(gen.Resources)
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
				if old, err := os.ReadFile(p); err == nil && !force && strings.HasSuffix(n, ".js") && codegen.Edited(string(old)) {
					return fmt.Errorf("%s was edited since gencode wrote it (or gencode did not write it): not overwriting it; use --force, or another -o", p)
				}
			}
			if err := os.MkdirAll(output, 0o755); err != nil {
				return err
			}
			for _, n := range names {
				file := filepath.Join(output, filepath.FromSlash(n))
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(file, []byte(files[n]), 0o644); err != nil {
					return err
				}
			}
			errOut := cmd.ErrOrStderr()
			if len(gen.Projects) > 1 {
				fmt.Fprintf(errOut, "warning: the resources written belong to %d GruCloud projects (%s); config.js names the one with the most: --project NAME keeps one project's\n", len(gen.Projects), strings.Join(gen.Projects, ", "))
			}
			fmt.Fprintf(errOut, "wrote %s for %s in %s (%d requests)\n", strings.Join(names, ", "), count(len(gen.Resources), "resource"), output, gen.Requests)
			if len(gen.Env) > 0 {
				fmt.Fprintf(errOut, "The project reads %s from the environment (or from default.env in %s); gencode writes no secret:\n", count(len(gen.Env), "secret"), output)
				for _, v := range gen.Env {
					fmt.Fprintf(errOut, "  %s  (%s, %s)\n", v.Name, v.Resource, v.Path)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output-dir", "o", "", "folder to write into (default: the project folder, -C)")
	cmd.Flags().StringSliceVar(&groups, "group", nil, "only these resource groups")
	cmd.Flags().StringSliceVar(&types, "types", nil, "only these types (Group::Type)")
	cmd.Flags().BoolVar(&our, "our", false, "only what GruCloud manages (gc-managed-by=grucloud, any project), and its children")
	cmd.Flags().StringVar(&projectName, "project", "", "only what this GruCloud project manages (gc-project-name), and its children")
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
