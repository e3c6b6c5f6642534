package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/docs"
)

func newDocCommand(g *globalOptions) *cobra.Command {
	var apiVersion, specs, out string
	var all bool
	cmd := &cobra.Command{
		Use:   "doc [type]",
		Short: "Write a resource type's documentation page (Markdown)",
		Long: `Write a page in the style of GruCloud's Azure documentation: front matter, examples written as
provider.<Group>.make<Type>({...}) calls, dependencies, the request body's schema, and the API
version.

With --specs DIR (the root of an azure-rest-api-specs checkout, holding specification/), the
page comes from the swagger: the PUT operation's x-ms-examples and its body schema with every
$ref resolved, in Node's util.inspect notation. Without it, the page comes from the catalogue.

--all writes a page for every type into --out, as <Group>/<Type>.md.`,
		Example: `  gru doc Storage::PrivateEndpointConnection --api-version 2021-06-01 --specs ../azure-rest-api-specs
  gru doc --all --out site/docs`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.catalog()
			if err != nil {
				return err
			}
			page := func(t *catalog.TypeInfo, version string) (*docs.Page, error) {
				if version == "" {
					version = t.DefaultVersion
				}
				if specs != "" {
					p, err := docs.FromSpecs(c, t, version, specs)
					if err == nil || !all {
						return p, err
					}
				}
				return docs.FromCatalog(cmd.Context(), c, t, version)
			}
			if all {
				if out == "" || len(args) > 0 {
					return errors.New("--all writes every type's page into --out DIR, and takes no type")
				}
				start := time.Now()
				n := 0
				for _, t := range c.Types() {
					if err := cmd.Context().Err(); err != nil {
						return err
					}
					p, err := page(t, "")
					if err != nil {
						return fmt.Errorf("%s: %w", t.ShortName, err)
					}
					file := filepath.Join(out, t.Group(), t.Name()+".md")
					if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
						return err
					}
					if err := os.WriteFile(file, []byte(p.Markdown()), 0o644); err != nil {
						return err
					}
					n++
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d pages into %s in %v\n", n, out, time.Since(start).Round(time.Millisecond))
				return nil
			}
			if len(args) == 0 {
				return errors.New("name a type (gru doc Storage::StorageAccount), or use --all --out DIR")
			}
			t, v, err := resolveType(c, args[0], apiVersion)
			if err != nil {
				return err
			}
			p, err := page(t, v)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), p.Markdown())
			return err
		},
	}
	cmd.Flags().StringVar(&apiVersion, "api-version", "", "API version (default: the type's default version)")
	cmd.Flags().StringVar(&specs, "specs", "", "root of an azure-rest-api-specs checkout: build pages from its swagger files")
	cmd.Flags().BoolVar(&all, "all", false, "write a page for every type")
	cmd.Flags().StringVar(&out, "out", "", "folder for --all")
	return cmd
}
