package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gru-iac/gru"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/docs"
)

// TestDocExamplesPlan: the example of every page gru doc writes for the types of GruCloud's
// table plans without a problem, as it is, in a resources.js project where what it depends on
// is declared as the examples of those types' pages declare them, with their parents (their
// own other dependencies left out, as two examples may refer to each other).
func TestDocExamplesPlan(t *testing.T) {
	ctx := context.Background()
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	types, err := cat.GruCloudTypes()
	if err != nil {
		t.Fatal(err)
	}
	s, err := gru.Open(ctx, gru.Options{Local: true, LocalDB: filepath.Join(t.TempDir(), "local.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	standIns := map[string]*docs.Page{}
	standIn := func(name string) (*docs.Page, error) {
		if p, ok := standIns[strings.ToLower(name)]; ok {
			return p, nil
		}
		ti, err := cat.Lookup(name)
		if err != nil {
			return nil, err
		}
		p, err := docs.StandIn(ctx, cat, ti, name)
		standIns[strings.ToLower(name)] = p
		return p, err
	}
	planned := 0
	for _, gt := range types {
		if _, err := cat.Lookup(gt[0]); err != nil {
			continue // a type Microsoft's type data lacks (TestGruCloudTypeTable lists them)
		}
		ti, _ := cat.Lookup(gt[0])
		page, err := docs.FromCatalog(ctx, cat, ti, gt[0], "")
		if err != nil {
			t.Errorf("%s: %v", gt[0], err)
			continue
		}
		if len(page.Examples) == 0 {
			if !page.ReadOnly {
				t.Errorf("%s: the page has no example", gt[0])
			}
			continue // Azure makes it: nothing to declare
		}
		// The example, then what it depends on, each with its parents, once.
		var sb strings.Builder
		declared := map[string]bool{}
		var declare func(p *docs.Page) error
		declare = func(p *docs.Page) error {
			key := strings.ToLower(p.Group + "::" + p.Type)
			if declared[key] {
				return nil
			}
			declared[key] = true
			fmt.Fprintf(&sb, "  %s\n", strings.ReplaceAll(strings.TrimSpace(p.Code(0)), "\n", "\n  ")) // an entry of the array
			for _, d := range p.Deps {
				if d.Inside {
					continue
				}
				dp, err := standIn(d.Group + "::" + d.Type)
				if err != nil {
					return fmt.Errorf("dependency %s: %w", d.Key, err)
				}
				if err := declare(dp); err != nil {
					return err
				}
			}
			return nil
		}
		if err := declare(page); err != nil {
			t.Errorf("%s: %v", gt[0], err)
			continue
		}
		dir := t.TempDir()
		js := "exports.createResources = () => [\n" + sb.String() + "];\n"
		os.WriteFile(filepath.Join(dir, "resources.js"), []byte(js), 0o644)
		os.WriteFile(filepath.Join(dir, "config.js"), []byte(`module.exports = { projectName: "doc-example", location: "westeurope" };`), 0o644)
		// The file a blob's example uploads (its source).
		os.MkdirAll(filepath.Join(dir, "assets"), 0o755)
		os.WriteFile(filepath.Join(dir, "assets", "index.html"), []byte("<h1>gru</h1>\n"), 0o644)
		proj, err := s.LoadProject(ctx, dir)
		if err == nil {
			_, err = s.Plan(ctx, proj, gru.PlanOptions{})
		}
		if err != nil {
			t.Errorf("the example of %s does not plan: %v\n%s", gt[0], err, js)
			continue
		}
		planned++
	}
	if planned < 240 {
		t.Errorf("planned the examples of %d pages, want the %d types of GruCloud's table but the two Microsoft's data lacks", planned, len(types))
	}
}
