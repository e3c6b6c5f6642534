package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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
		Long: `Write a page in the style of GruCloud's Azure documentation: front matter, examples,
dependencies (GruCloud's keys), the request body's schema, and the API version.

With --specs DIR (the root of an azure-rest-api-specs checkout, holding specification/), the
page comes from the swagger, as GruCloud's generator made its pages: the PUT operation's
x-ms-examples as provider.<Group>.make<Type>({...}) calls laid out as prettier does, and its
body schema with every $ref resolved, in Node's util.inspect notation (depth 10). Without a
version, the type's default version where the specs have it, else their newest. Without
--specs, the page comes from the catalogue, its example in the resources.js style gru init
writes, with a minimal valid body.

--all writes a page for every type into --out, as <Group>/<Type>.md.`,
		Example: `  gru doc Storage::PrivateEndpointConnection --api-version 2021-06-01 --specs ../azure-rest-api-specs
  gru doc --all --out site/docs`,
		Args: argsExplained(0, 1, "", "one type (or --all and none)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkSpecs(specs); err != nil {
				return err
			}
			c, err := g.catalog()
			if err != nil {
				return err
			}
			var tree *docs.Specs // the spec tree, read once for every page
			page := func(t *catalog.TypeInfo, name, version string) (*docs.Page, error) {
				if specs != "" {
					if tree == nil {
						if tree, err = docs.OpenSpecs(specs); err != nil {
							return nil, err
						}
					}
					// No version asked: the default where the tree has it, else its newest.
					p, err := tree.Page(cmd.Context(), c, t, name, version)
					if err == nil || !all {
						return p, err
					}
				}
				if version == "" {
					version = t.DefaultVersion
				}
				return docs.FromCatalog(cmd.Context(), c, t, name, version)
			}
			if all {
				if out == "" || len(args) > 0 {
					return errors.New("--all writes every type's page into --out DIR, and takes no type")
				}
				start := time.Now()
				n := 0
				type named struct {
					t    *catalog.TypeInfo
					name string
				}
				var pages []named
				for _, t := range c.Types() {
					pages = append(pages, named{t, t.ShortName})
				}
				// GruCloud's names that are aliases (Web::WebAppConfiguration) have pages too.
				gc, err := c.GruCloudTypes()
				if err != nil {
					return err
				}
				for _, n := range gc {
					if t, err := c.Lookup(n[0]); err == nil && !strings.EqualFold(t.ShortName, n[0]) {
						pages = append(pages, named{t, n[0]})
					}
				}
				for _, pn := range pages {
					t := pn.t
					if err := cmd.Context().Err(); err != nil {
						return err
					}
					p, err := page(t, pn.name, "")
					if err != nil {
						return fmt.Errorf("%s: %w", pn.name, err)
					}
					group, typeName, _ := strings.Cut(pn.name, "::")
					file := filepath.Join(out, group, typeName+".md")
					if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
						return err
					}
					if err := os.WriteFile(file, []byte(p.Markdown()), 0o644); err != nil {
						return err
					}
					n++
				}
				took := time.Since(start).Round(time.Millisecond)
				if g.json {
					return writeJSON(cmd.OutOrStdout(), map[string]any{"out": out, "pages": n, "tookNanoseconds": took})
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d pages into %s in %v\n", n, out, took)
				return nil
			}
			if len(args) == 0 {
				return errors.New("name a type (gru doc Storage::StorageAccount), or use --all --out DIR")
			}
			t, v, err := resolveType(c, args[0], apiVersion)
			if err != nil {
				return err
			}
			if ref, _ := catalog.ParseTypeRef(args[0]); specs != "" && apiVersion == "" && ref.APIVersion == "" {
				v = "" // no version asked: the default where the tree has it, else its newest
			}
			p, err := page(t, gruCloudName(c, args[0]), v)
			if err != nil {
				return err
			}
			if g.json {
				return writeJSON(cmd.OutOrStdout(), map[string]any{"type": gruCloudName(c, args[0]), "apiVersion": p.APIVersion, "markdown": p.Markdown()})
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

// checkSpecs refuses a --specs that is no folder: without it every page would quietly come
// from the catalogue (--all), or the error would blame the missing swagger of one type.
func checkSpecs(dir string) error {
	if dir == "" {
		return nil
	}
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("--specs %s: no such folder; give the root of an azure-rest-api-specs checkout (the folder holding specification/)", dir)
	case err != nil:
		return fmt.Errorf("--specs: %w", err)
	case !st.IsDir():
		return fmt.Errorf("--specs %s is a file; give the root of an azure-rest-api-specs checkout (the folder holding specification/)", dir)
	}
	return nil
}

// gruCloudName is the name of GruCloud's table that a type was asked for by
// (case-insensitively), "" when it is not one: a page of Web::WebAppConfiguration is that
// type's, not Web::SiteConfig's.
func gruCloudName(c *catalog.Catalog, asked string) string {
	types, err := c.GruCloudTypes()
	if err != nil {
		return ""
	}
	for _, t := range types {
		if strings.EqualFold(t[0], asked) {
			return t[0]
		}
	}
	return ""
}
