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
	var groups, oldGroups, types []string
	var our, dryRun, force, inventory bool
	var projectName string
	cmd := &cobra.Command{
		Use:   "gencode",
		Short: "Write a project (resources.js, config.js) for what is live",
		Long: `Read live resources and write the GruCloud project that describes them: only what a user would
write (no read-only properties, no ownership tags, no IDs gru derives from dependencies), with
dependencies inferred from the parent chain and from the ARM IDs in the bodies.

By default every resource group and resource of the subscription is read, and the child
resources gru knows the dependencies of. --resource-group, --types and --our (what GruCloud
manages) narrow it. An edited file is not overwritten without --force. --inventory also
writes the live resources read (secrets masked) as inventory.json; --dry-run prints the files
instead of writing them.

--json writes what was done as JSON on stdout, instead of the summary on stderr: the folder,
each file written (name and size; with --dry-run its content too, nothing being written), the
counts of resources and requests, the GruCloud projects read, and the environment variables
the project reads its secrets from.`,
		Example: `  gru gencode --local --our -o imported
  gru gencode --local --resource-group myResourceGroup --dry-run
  gru gencode --local --our -o imported --inventory --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			errOut := cmd.ErrOrStderr()
			if cmd.Flags().Changed("group") {
				fmt.Fprintln(errOut, "warning: gencode --group is now --resource-group (--group names a type group, Network or Storage, in gru's other commands); it will go")
				groups = append(groups, oldGroups...)
			}
			s, err := g.open(ctx, cmd, nil)
			if err != nil {
				return err
			}
			defer s.Close()
			if output == "" {
				output = g.dir
			}
			stop := tellReading(cmd.ErrOrStderr(), s, readingEvery)
			gen, err := s.Gencode(ctx, gru.GencodeOptions{ResourceGroups: groups, Types: types, Our: our, Project: projectName, ProjectName: filepath.Base(mustAbs(output))})
			stop()
			if err != nil {
				return err
			}
			if len(gen.Resources) == 0 {
				// As GruCloud: a project that declares nothing, createResources = () => [].
				fmt.Fprintln(errOut, "no live resource matches: the project written declares none")
			}
			files := gen.Files
			names := []string{"config.js", "resources.js"}
			for n := range files {
				if strings.HasPrefix(n, "blobs/") { // blob contents, the source files of Storage::Blob
					names = append(names, n)
				}
			}
			sort.Strings(names[2:])
			if inventory {
				data, _ := jsonIndent(gen.Resources)
				files["inventory.json"] = string(data)
				names = append(names, "inventory.json")
			}
			out := cmd.OutOrStdout()
			if dryRun && g.json {
				return writeJSON(out, gencodeReport(output, true, names, files, gen))
			}
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
			if len(gen.Projects) > 1 {
				fmt.Fprintf(errOut, "warning: the resources written belong to %d GruCloud projects (%s); config.js names the one with the most: --project NAME keeps one project's\n", len(gen.Projects), strings.Join(gen.Projects, ", "))
			}
			if g.json {
				return writeJSON(out, gencodeReport(output, false, names, files, gen))
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
	cmd.Flags().StringSliceVar(&groups, "resource-group", nil, "only these resource groups")
	cmd.Flags().StringSliceVar(&oldGroups, "group", nil, "only these resource groups (deprecated: --resource-group)")
	cmd.Flags().MarkHidden("group")
	cmd.Flags().StringSliceVar(&types, "types", nil, "only these types (Group::Type)")
	cmd.Flags().BoolVar(&our, "our", false, "only what GruCloud manages (gc-managed-by=grucloud, any project), and its children")
	cmd.Flags().StringVar(&projectName, "project", "", "only what this GruCloud project manages (gc-project-name), and its children")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the files instead of writing them")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite files even when they were edited")
	cmd.Flags().BoolVar(&inventory, "inventory", false, "also write the live resources read as inventory.json (secrets masked)")
	return cmd
}

// gencodeFile is a file gencode writes, in its JSON report.
type gencodeFile struct {
	Name    string  `json:"name"`
	Bytes   int     `json:"bytes"`
	Content *string `json:"content,omitempty"` // --dry-run
}

// gencodeReport is what gencode --json writes.
func gencodeReport(dir string, dryRun bool, names []string, files map[string]string, gen *gru.Generated) map[string]any {
	list := []gencodeFile{}
	for _, n := range names {
		f := gencodeFile{Name: n, Bytes: len(files[n])}
		if dryRun {
			content := files[n]
			f.Content = &content
		}
		list = append(list, f)
	}
	projects, env := gen.Projects, gen.Env
	if projects == nil {
		projects = []string{}
	}
	if env == nil {
		env = []gru.EnvVar{}
	}
	return map[string]any{"dir": dir, "dryRun": dryRun, "files": list, "resources": len(gen.Resources), "requests": gen.Requests, "projects": projects, "env": env}
}

func mustAbs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
