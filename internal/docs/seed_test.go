package docs

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/gru-iac/gru/internal/catalog"
)

// TestSeedPageByteForByte builds the page of Storage::PrivateEndpointConnection at 2021-06-01
// from the swagger files the seed page came from, and compares it with the seed page.
func TestSeedPageByteForByte(t *testing.T) {
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ti, err := cat.Lookup("Storage::PrivateEndpointConnection")
	if err != nil {
		t.Fatal(err)
	}
	p, err := FromSpecs(context.Background(), cat, ti, "2021-06-01", "testdata/specs-seed")
	if err != nil {
		t.Fatal(err)
	}
	got := p.Markdown()
	want, err := os.ReadFile("testdata/seed-page.md")
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("line %d differs:\n got  %q\n want %q", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("lengths differ: %d lines, want %d", len(gl), len(wl))
	}
}

var otherStorageTypes = []string{"Storage::StorageAccount", "Storage::BlobContainer", "Storage::FileShare", "Storage::Queue", "Storage::Table"}

// TestOtherStoragePagesAreWellFormed: pages of five other storage types from the same specs
// have the front matter, every section in order, and code blocks that goja parses.
func TestOtherStoragePagesAreWellFormed(t *testing.T) {
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range otherStorageTypes {
		ti, err := cat.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		p, err := FromSpecs(context.Background(), cat, ti, "2021-06-01", "testdata/specs-seed")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		md := p.Markdown()
		checkPage(t, name, md, ti.Name(), ti.Group())
		if len(p.Examples) == 0 {
			t.Errorf("%s: no example", name)
		}
	}
}

// inspectNotation matches what util.inspect writes that is not JavaScript: <ref *1> before a
// circular object, [Circular *1] where it recurs, and "... 30 more items" ending a cut array.
var (
	inspectRef      = regexp.MustCompile(`<ref \*\d+> `)
	inspectNotation = regexp.MustCompile(`\[Circular \*\d+\]|\.\.\. \d+ more items?`)
)

// checkPage checks a page's sections and parses its code blocks with goja.
func checkPage(t *testing.T, name, md, typ, group string) {
	t.Helper()
	if !strings.HasPrefix(md, "---\nid: "+typ+"\ntitle: "+typ+"\n---\nProvides a **"+typ+"** from the **"+group+"** group\n") {
		t.Errorf("%s: front matter:\n%s", name, md[:min(200, len(md))])
	}
	last := 0
	for _, section := range []string{"## Examples\n", "## Dependencies\n", "## Swagger Schema\n", "## Misc\n"} {
		i := strings.Index(md, section)
		if i < last {
			t.Errorf("%s: section %q missing or out of order", name, strings.TrimSpace(section))
		}
		last = i
	}
	lines := strings.Split(md, "\n")
	blocks := 0
	for i := 0; i < len(lines); i++ {
		fence, ok := strings.CutSuffix(lines[i], "js")
		if !ok || !strings.HasPrefix(fence, "```") || strings.Trim(fence, "`") != "" {
			continue
		}
		end := i + 1
		for end < len(lines) && lines[end] != fence {
			end++
		}
		if end == len(lines) {
			t.Errorf("%s: the block at line %d is not closed", name, i+1)
			return
		}
		code := strings.Join(lines[i+1:end], "\n")
		src := code
		if strings.HasPrefix(strings.TrimSpace(code), "{") || strings.HasPrefix(code, "<ref *") {
			// The schema is an object expression in util.inspect's notation, which marks
			// circular objects and cut arrays in ways JavaScript does not parse.
			src = "(" + inspectNotation.ReplaceAllString(inspectRef.ReplaceAllString(code, ""), "null") + ")"
		}
		if _, err := goja.Compile(name, src, false); err != nil {
			t.Errorf("%s: the block at line %d does not parse: %v", name, i+1, err)
		}
		blocks++
		i = end
	}
	if want := 2 - strings.Count(md, "## Examples\n## Dependencies"); blocks < want {
		t.Errorf("%s: %d code blocks, want an example (unless the page has none) and the schema", name, blocks)
	}
}

// TestCatalogPagesAreWellFormed: pages built from the catalogue alone, for types with
// discriminators, recursion and long enums, parse too.
func TestCatalogPagesAreWellFormed(t *testing.T) {
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Network::Subnet", "Compute::VirtualMachine", "Web::SiteConfig", "DataFactory::Pipeline", "Resources::ResourceGroup"} {
		ti, err := cat.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		p, err := FromCatalog(context.Background(), cat, ti, "", "")
		if err != nil {
			t.Fatal(err)
		}
		checkPage(t, name, p.Markdown(), ti.Name(), ti.Group())
	}
}

// TestEveryCataloguePageParses writes the catalogue page of every type (what gru doc --all
// writes) and parses its code blocks.
func TestEveryCataloguePageParses(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 3,405 pages")
	}
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range cat.Types() {
		p, err := FromCatalog(context.Background(), cat, ti, "", "")
		if err != nil {
			t.Fatalf("%s: %v", ti.ShortName, err)
		}
		checkPage(t, ti.ShortName, p.Markdown(), ti.Name(), ti.Group())
		if t.Failed() {
			t.FailNow()
		}
	}
}

// TestSeveralExamples: examples are separated by a blank line, an empty body writes no
// properties, and a body is written as the example file has it, read-only keys included.
func TestSeveralExamples(t *testing.T) {
	p := &Page{Group: "Storage", Type: "Queue", APIVersion: "2021-06-01", Schema: "", Examples: []Example{
		{Name: "WithBody", Body: Object{{"id", "/subscriptions/sub/queues/q"}, {"properties", Object{{"metadata", Object{{"sample", "yes"}}}}}}},
		{Name: "Empty", Body: Object{}},
		{Name: "NoBody"},
	}}
	want := "## Examples\n### WithBody\n```js\nprovider.Storage.makeQueue({\n  name: \"myQueue\",\n  properties: () => ({\n" +
		"    id: \"/subscriptions/sub/queues/q\",\n    properties: { metadata: { sample: \"yes\" } },\n  }),\n});\n\n```\n\n" +
		"### Empty\n```js\nprovider.Storage.makeQueue({\n  name: \"myQueue\",\n});\n\n```\n\n" +
		"### NoBody\n```js\nprovider.Storage.makeQueue({\n  name: \"myQueue\",\n});\n\n```\n## Dependencies\n"
	md := p.Markdown()
	if !strings.Contains(md, want) {
		t.Errorf("got\n%s\nwant it to hold\n%s", md, want)
	}
}
