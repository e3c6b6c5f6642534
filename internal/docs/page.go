package docs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/jsfmt"
)

// Dependency is one dependency key of a type, as GruCloud's pages list it.
type Dependency struct {
	Key         string
	Group, Type string
	List        bool
	// Parent marks the dependencies that are part of the resource's ID.
	Parent bool
	// Name is the name the example refers to it by ("my" and its type when empty).
	Name string
	// FullName is how a resources.js project refers to it: GruCloud's full name
	// (myResourceGroup::mystorageaccount); Name when empty.
	FullName string
	// Inside marks a dependency on a type that lives inside the page's own (a container
	// app's source control, which GruCloud's table lists): a project declaring it would loop,
	// so the example leaves it out.
	Inside bool
}

// Page is what a documentation page says.
type Page struct {
	Group, Type string
	// Name is the name the examples give the resource ("my" and its type when empty).
	Name string
	// Modern writes the examples in the resources.js style gru init writes (an entry of
	// createResources' array, dependencies by GruCloud's full names), as pages built from the
	// catalogue do; pages from GruCloud's swagger keep its provider.<Group>.make<Type> style.
	Modern bool
	// ReadOnly marks a type Azure makes (no PUT): a project refers to one with readOnly: true.
	ReadOnly   bool
	APIVersion string
	Examples   []Example
	Deps       []Dependency
	// Schema is the request body's schema (swagger, $refs resolved) in key order.
	Schema any
	// SpecFile is the swagger file the page comes from, relative to the specification root;
	// "" for a page built from the catalogue.
	SpecFile string
}

// Example is a request body with its name.
type Example struct {
	Name string
	Body any
}

// Markdown writes the page in the sections and order of GruCloud's pages.
func (p *Page) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\nid: %s\ntitle: %s\n---\n", p.Type, p.Type)
	fmt.Fprintf(&b, "Provides a **%s** from the **%s** group\n", p.Type, p.Group)
	b.WriteString("## Examples\n")
	for i, e := range p.Examples {
		if i > 0 {
			b.WriteString("\n") // GruCloud's pages join their examples with a blank line
		}
		code := jsfmt.Format(p.program(e.Body))
		fence := fenceFor(code)
		fmt.Fprintf(&b, "### %s\n%sjs\n%s\n%s\n", e.Name, fence, code, fence)
	}
	b.WriteString("## Dependencies\n")
	for _, d := range p.Deps { // a line per key, as GruCloud's generator wrote them
		fmt.Fprintf(&b, "- [%s](../%s/%s.md)\n", d.Type, d.Group, d.Type)
	}
	schema := Inspect(p.Schema)
	fence := fenceFor(schema)
	fmt.Fprintf(&b, "## Swagger Schema\n%sjs\n%s\n%s\n", fence, schema, fence)
	fmt.Fprintf(&b, "## Misc\nThe resource version is `%s`.\n", p.APIVersion)
	if p.SpecFile != "" {
		fmt.Fprintf(&b, "\nThe Swagger schema used to generate this documentation can be found [here](%s).\n", specLink(p.SpecFile))
	} else {
		b.WriteString("\nThe schema on this page comes from Microsoft's bicep-types-az type data, in gru's catalogue.\n")
	}
	return b.String()
}

// Code is the code of the page's i-th example: the provider.<Group>.make<Type> call, or for a
// Modern page the entry of createResources' array (the page shows it inside the array).
func (p *Page) Code(i int) string {
	code := jsfmt.Format(p.program(p.Examples[i].Body))
	if !p.Modern {
		return code
	}
	lines := strings.Split(strings.TrimSuffix(code, "\n"), "\n")
	lines = lines[1 : len(lines)-1] // the lines between "exports.createResources = () => [" and "];"
	for j, l := range lines {
		lines[j] = strings.TrimPrefix(l, "  ")
	}
	return strings.Join(lines, "\n") + "\n"
}

// program is an example's code, as GruCloud's generator writes it before prettier formats it:
// the provider.<Group>.make<Type> call, or for a Modern page createResources' array.
func (p *Page) program(body any) jsfmt.Node {
	if p.Modern {
		return jsfmt.Program{jsfmt.Assign{
			Left:  jsfmt.Dot{Object: jsfmt.Ident("exports"), Name: "createResources"},
			Right: jsfmt.Arrow{Body: jsfmt.ArrayExpr{p.entry(body)}},
		}}
	}
	return jsfmt.Program{p.call(body)}
}

// entry writes an example as an entry of createResources' array, in the resources.js style.
func (p *Page) entry(body any) jsfmt.Node {
	props := []jsfmt.Prop{
		{Key: "type", Value: jsfmt.Str(p.Type)},
		{Key: "group", Value: jsfmt.Str(p.Group)},
		{Key: "name", Value: jsfmt.Str(p.exampleName())},
	}
	if p.ReadOnly {
		props = append(props, jsfmt.Prop{Key: "readOnly", Value: jsfmt.Bool(true)})
	} else if o, ok := body.(Object); !ok || len(o) > 0 {
		props = append(props, jsfmt.Prop{Key: "properties", Value: jsfmt.Arrow{Body: jsfmt.Value(jsValue(body))}})
	}
	if deps := p.exampleDeps(); len(deps) > 0 {
		o := jsfmt.ObjectExpr{Expanded: true}
		for _, d := range deps {
			ref := d.FullName
			if ref == "" {
				ref = d.Name
			}
			if ref == "" {
				ref = "my" + d.Type
			}
			var v jsfmt.Node = jsfmt.Str(ref)
			if d.List {
				v = jsfmt.ArrayExpr{v}
			}
			o.Props = append(o.Props, jsfmt.Prop{Key: d.Key, Value: v})
		}
		props = append(props, jsfmt.Prop{Key: "dependencies", Value: jsfmt.Arrow{Body: o}})
	}
	return jsfmt.ObjectExpr{Expanded: true, Props: props}
}

// exampleName is the name the examples give the resource: Name, else "my" and its type.
func (p *Page) exampleName() string {
	if p.Name != "" {
		return p.Name
	}
	return "my" + p.Type
}

// exampleDeps are the dependencies an example names: all but those on types inside its own.
func (p *Page) exampleDeps() []Dependency {
	var deps []Dependency
	for _, d := range p.Deps {
		if !d.Inside {
			deps = append(deps, d)
		}
	}
	return deps
}

// fenceFor is a Markdown code fence that the code cannot close: three backticks, or more
// when the code holds a run of three (descriptions quote Markdown at times).
func fenceFor(code string) string {
	fence := "```"
	for strings.Contains(code, fence) {
		fence += "`"
	}
	return fence
}

// call writes an example as a provider.<Group>.make<Type> call, in the style of the older
// GruCloud projects, as GruCloud's generator writes it: the example's body as JSON.stringify
// writes it (which prettier then lays out), no properties for an empty body.
func (p *Page) call(body any) jsfmt.Node {
	props := []jsfmt.Prop{{Key: "name", Value: jsfmt.Str(p.exampleName())}}
	if p.ReadOnly {
		props = append(props, jsfmt.Prop{Key: "readOnly", Value: jsfmt.Bool(true)})
	} else if !emptyBody(body) {
		props = append(props, jsfmt.Prop{Key: "properties", Value: jsfmt.Arrow{Body: jsfmt.Value(jsValue(body))}})
	}
	if deps := p.exampleDeps(); len(deps) > 0 {
		o := jsfmt.ObjectExpr{Expanded: true}
		for _, d := range deps {
			name := d.Name
			if name == "" {
				name = "my" + d.Type
			}
			var ref jsfmt.Node = jsfmt.Index{
				Object: jsfmt.Dot{Object: jsfmt.Dot{Object: jsfmt.Ident("resources"), Name: d.Group}, Name: d.Type},
				Index:  jsfmt.Str(name),
			}
			if d.List {
				ref = jsfmt.ArrayExpr{ref}
			}
			o.Props = append(o.Props, jsfmt.Prop{Key: d.Key, Value: ref})
		}
		props = append(props, jsfmt.Prop{Key: "dependencies", Value: jsfmt.Arrow{Params: []jsfmt.Node{jsfmt.ObjectPattern{"resources"}}, Body: o}})
	}
	return jsfmt.Call{
		Callee: jsfmt.Dot{Object: jsfmt.Dot{Object: jsfmt.Ident("provider"), Name: p.Group}, Name: "make" + p.Type},
		Args:   []jsfmt.Node{jsfmt.ObjectExpr{Expanded: true, Props: props}},
	}
}

// emptyBody reports an example without a body, or with an empty one (rubico's isEmpty, which
// GruCloud's generator tests bodies with).
func emptyBody(body any) bool {
	switch b := body.(type) {
	case nil:
		return true
	case Object:
		return len(b) == 0
	case []any:
		return len(b) == 0
	case string:
		return b == ""
	}
	return false
}

// jsValue turns a page's ordered JSON into jsfmt's values.
func jsValue(v any) any {
	switch x := v.(type) {
	case Object:
		o := make(jsfmt.Ordered, len(x))
		for i, m := range x {
			o[i] = jsfmt.Member{Key: m.Key, Value: jsValue(m.Value)}
		}
		return o
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsValue(e)
		}
		return out
	}
	return v
}

// Dependencies turns the catalogue's dependency keys of a type into a page's.
func Dependencies(cat *catalog.Catalog, armType string) ([]Dependency, error) {
	deps, err := cat.Dependencies(armType)
	if err != nil {
		return nil, err
	}
	var out []Dependency
	for _, d := range deps {
		t, ok := cat.Find(d.ARMType)
		if !ok || d.Extra {
			continue // pages list GruCloud's table's keys
		}
		group, name := t.Group(), t.Name()
		if d.TypeName != "" { // GruCloud's name for it, which may be an alias fixing names
			group, name, _ = strings.Cut(d.TypeName, "::")
		}
		inside := len(d.ARMType) > len(armType) && strings.EqualFold(d.ARMType[:len(armType)+1], armType+"/")
		out = append(out, Dependency{Key: d.Key, Group: group, Type: name, List: d.List, Parent: d.Parent, Inside: inside})
	}
	return out, nil
}

// FromSpecs builds the page of a type from the swagger files below a specification root.
func FromSpecs(ctx context.Context, cat *catalog.Catalog, t *catalog.TypeInfo, version, specsRoot string) (*Page, error) {
	return FromSpecsAs(ctx, cat, t, "", version, specsRoot)
}

// FromSpecsAs builds the page of a type by one of GruCloud's names for it (Web::WebAppConfiguration
// for Microsoft.Web/sites/config; "" for the catalogue's name) from the swagger files below a
// specification root. Pages of several types should share one Specs (OpenSpecs).
func FromSpecsAs(ctx context.Context, cat *catalog.Catalog, t *catalog.TypeInfo, name, version, specsRoot string) (*Page, error) {
	s, err := OpenSpecs(specsRoot)
	if err != nil {
		return nil, err
	}
	return s.Page(ctx, cat, t, name, version)
}

// Page builds the page of a type by one of GruCloud's names for it ("" for the catalogue's
// name) at an API version: "" for the type's default version where the tree has it, else the
// newest the tree has. A type the tree has paths of but no PUT (a web app's backups, web jobs,
// processes) has a page without examples whose schema is the empty string.
func (s *Specs) Page(ctx context.Context, cat *catalog.Catalog, t *catalog.TypeInfo, name, version string) (*Page, error) {
	if name == "" {
		name = t.ShortName
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// GruCloud's PUT path: where its table fixes the name (sites/{name}/config/web), that
	// path's PUT makes the page.
	putPath := ""
	if gt, ok := lookupGruType(name, version); ok {
		putPath = gt.PutPath
	}
	if version == "" {
		versions := s.versions(t.ARMType, putPath)
		version = t.DefaultVersion
		if len(versions) > 0 && !slices.Contains(versions, version) {
			version = versions[0]
		}
	}
	path, err := s.findPath(t.ARMType, putPath, version)
	if err != nil {
		return nil, err
	}
	op, err := s.operation(path)
	if err != nil {
		return nil, err
	}
	deps, err := specDependencies(ctx, cat, t, name, version)
	if err != nil {
		return nil, err
	}
	group, typeName, _ := strings.Cut(name, "::")
	p := &Page{Group: group, Type: typeName, APIVersion: version, Deps: deps, Schema: op.schema, SpecFile: op.file}
	for _, e := range op.examples {
		p.Examples = append(p.Examples, Example{Name: e.name, Body: e.body})
	}
	return p, nil
}
