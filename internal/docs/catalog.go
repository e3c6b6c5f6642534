package docs

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/gru-iac/gru/internal/catalog"
)

// FromCatalog builds the page of a type from the catalogue alone: the body schema written
// in swagger's vocabulary, and an example that gru plans as it is: the required properties
// with values their schema allows, the names the types allow (a blob service is named
// default), and the dependencies that fill the IDs the body needs.
//
// name is the type's name as the page calls it: one of GruCloud's (an alias fixing names, such
// as Web::WebAppConfiguration), or "" for the catalogue's.
func FromCatalog(ctx context.Context, cat *catalog.Catalog, t *catalog.TypeInfo, name, version string) (*Page, error) {
	return fromCatalog(ctx, cat, t, name, version, false)
}

// StandIn is the page of a type whose example stands in for a dependency of another example:
// with its parents alone as dependencies, and a body complete without the others.
func StandIn(ctx context.Context, cat *catalog.Catalog, t *catalog.TypeInfo, name string) (*Page, error) {
	return fromCatalog(ctx, cat, t, name, "", true)
}

func fromCatalog(ctx context.Context, cat *catalog.Catalog, t *catalog.TypeInfo, name, version string, parentsOnly bool) (*Page, error) {
	if name == "" {
		name = t.ShortName
	}
	group, typeName, _ := strings.Cut(name, "::")
	r, err := cat.Schema(ctx, t, version)
	if err != nil {
		return nil, err
	}
	keys, parents, known, err := keysAndParents(cat, t, name, r.WritableScopes)
	if err != nil {
		return nil, err
	}
	deps := append(keys, parents...)
	filled := map[string]bool{} // the body paths dependencies fill in
	for _, d := range known {
		// The example lists the keys of GruCloud's table alone; a stand-in its parents alone.
		if d.PathID != "" && !d.Extra && !parentsOnly && r.Body.HoldsID(d.PathID) {
			filled[strings.TrimSuffix(d.PathID, ".id")] = true
			filled[d.PathID] = true
		}
	}
	for i, d := range deps {
		dt, err := cat.Lookup(d.Group + "::" + d.Type)
		if err != nil {
			return nil, err
		}
		dr, err := cat.Schema(ctx, dt, "")
		if err != nil {
			return nil, err
		}
		fixed, err := cat.FixedNames(d.Group + "::" + d.Type)
		if err != nil {
			return nil, err
		}
		deps[i].Name = exampleName(dr, d.Type, fixed)
		full, err := fullName(ctx, cat, d.Group+"::"+d.Type, deps[i].Name, 0)
		if err != nil {
			return nil, err
		}
		deps[i].FullName = full
	}
	fixed, err := cat.FixedNames(name)
	if err != nil {
		return nil, err
	}
	if parentsOnly {
		var parents []Dependency
		for _, d := range deps {
			if d.Parent {
				parents = append(parents, d)
			}
		}
		deps = parents
	}
	var schema any = Object{}
	if r.Body != nil {
		schema = swaggerOf(r.Body, map[*catalog.Type]bool{})
	}
	example := exampleName(r, typeName, fixed)
	page := &Page{Group: group, Type: typeName, APIVersion: r.APIVersion, Deps: deps, Schema: schema, Modern: true,
		Name: example, Examples: []Example{{Name: "Basic", Body: minimalBody(r, example, filled)}}}
	if r.ReadOnly() {
		// Azure makes it: no example creates one; a stand-in refers to one.
		page.ReadOnly, page.Examples = true, nil
		if parentsOnly {
			page.Examples = []Example{{Name: "Basic", Body: Object{}}}
		}
	}
	return page, nil
}

// fullName is GruCloud's full name of an example resource of a type (Group::Type) named name:
// its parents' example names first (myResourceGroup::mystorageaccount::myblobcontainer),
// those its PUT path fixes left out.
func fullName(ctx context.Context, cat *catalog.Catalog, typeName, name string, depth int) (string, error) {
	ti, err := cat.Lookup(typeName)
	if err != nil || depth > 8 {
		return name, err
	}
	if strings.EqualFold(ti.ARMType, "Microsoft.Resources/resourceGroups") {
		return name, nil
	}
	known, err := cat.Dependencies(ti.ARMType)
	if err != nil {
		return "", err
	}
	fixed, err := cat.FixedNames(typeName)
	if err != nil {
		return "", err
	}
	// The innermost parent: the deepest ARM type, a resource group the outermost.
	depthOf := func(armType string) int {
		if strings.EqualFold(armType, "Microsoft.Resources/resourceGroups") {
			return 0
		}
		return strings.Count(armType, "/")
	}
	var parent *catalog.Dependency
	for _, d := range append(append([]catalog.Dependency{}, known...), cat.DerivedParents(ti, known, fixed)...) {
		if d.Parent && (parent == nil || depthOf(d.ARMType) > depthOf(parent.ARMType)) {
			d := d
			parent = &d
		}
	}
	if parent == nil {
		return name, nil
	}
	pt, ok := cat.Find(parent.ARMType)
	if !ok {
		return name, nil
	}
	pname := parent.TypeName
	if pname == "" {
		pname = pt.ShortName
	}
	pr, err := cat.Schema(ctx, pt, "")
	if err != nil {
		return "", err
	}
	pfixed, err := cat.FixedNames(pname)
	if err != nil {
		return "", err
	}
	_, ptype, _ := strings.Cut(pname, "::")
	prefix, err := fullName(ctx, cat, pname, exampleName(pr, ptype, pfixed), depth+1)
	if err != nil {
		return "", err
	}
	return prefix + "::" + name, nil
}

// swaggerOf writes a catalogue type in swagger's terms (type, enum, properties, required,
// readOnly, items, additionalProperties, discriminator). A type met inside itself becomes a
// reference to its name.
func swaggerOf(t *catalog.Type, onPath map[*catalog.Type]bool) Object {
	if onPath[t] {
		return Object{{"$ref", "#/definitions/" + t.Name}}
	}
	onPath[t] = true
	defer delete(onPath, t)
	o := Object{}
	switch t.Kind {
	case catalog.KindString:
		o = append(o, Member{"type", "string"})
		if t.Pattern != "" {
			o = append(o, Member{"pattern", t.Pattern})
		}
		if t.MinLength != nil {
			o = append(o, Member{"minLength", json.Number(itoa(*t.MinLength))})
		}
		if t.MaxLength != nil {
			o = append(o, Member{"maxLength", json.Number(itoa(*t.MaxLength))})
		}
		if t.Sensitive {
			o = append(o, Member{"x-ms-secret", true})
		}
	case catalog.KindStringLiteral:
		o = append(o, Member{"type", "string"}, Member{"enum", []any{t.Value}})
	case catalog.KindInteger:
		o = append(o, Member{"type", "integer"})
		if t.MinValue != nil {
			o = append(o, Member{"minimum", json.Number(itoa(*t.MinValue))})
		}
		if t.MaxValue != nil {
			o = append(o, Member{"maximum", json.Number(itoa(*t.MaxValue))})
		}
	case catalog.KindBoolean:
		o = append(o, Member{"type", "boolean"})
	case catalog.KindArray:
		o = append(o, Member{"type", "array"})
		if t.Items != nil {
			o = append(o, Member{"items", swaggerOf(t.Items, onPath)})
		}
	case catalog.KindUnion:
		values, open := t.Literals()
		if len(values) > 0 {
			enum := make([]any, len(values))
			for i, v := range values {
				enum[i] = v
			}
			o = append(o, Member{"type", "string"}, Member{"enum", enum})
			if open {
				o = append(o, Member{"x-ms-enum", Object{{"modelAsString", true}}})
			}
		} else {
			var alts []any
			for _, e := range t.Elements {
				alts = append(alts, swaggerOf(e, onPath))
			}
			o = append(o, Member{"oneOf", alts})
		}
	case catalog.KindObject:
		o = append(o, objectMembers(t.Properties, onPath)...)
		if t.AdditionalProperties != nil {
			o = append(o, Member{"additionalProperties", swaggerOf(t.AdditionalProperties, onPath)})
		}
	case catalog.KindDiscriminatedObject:
		o = append(o, Member{"discriminator", t.Discriminator})
		o = append(o, objectMembers(t.BaseProperties, onPath)...)
		variants := Object{}
		for _, v := range t.Variants {
			variants = append(variants, Member{v.Value, swaggerOf(v.Type, onPath)})
		}
		o = append(o, Member{"x-ms-discriminator-values", variants})
	}
	return o
}

func objectMembers(props []catalog.Property, onPath map[*catalog.Type]bool) Object {
	var o Object
	properties := Object{}
	var required []any
	for _, p := range props {
		s := Object{}
		if p.Description != "" {
			s = append(s, Member{"description", p.Description})
		}
		s = append(s, swaggerOf(p.Type, onPath)...)
		if p.Flags.Has(catalog.FlagReadOnly) {
			s = append(s, Member{"readOnly", true})
		}
		if p.Flags.Has(catalog.FlagWriteOnly) {
			s = append(s, Member{"x-ms-mutability", []any{"create", "update"}})
		}
		if p.Flags.Has(catalog.FlagRequired) {
			required = append(required, p.Name)
		}
		properties = append(properties, Member{p.Name, s})
	}
	if len(properties) > 0 {
		o = append(o, Member{"properties", properties})
	}
	if len(required) > 0 {
		o = append(o, Member{"required", required})
	}
	return o
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
