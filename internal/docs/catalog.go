package docs

import (
	"context"
	"encoding/json"

	"github.com/gru-iac/gru/internal/catalog"
)

// FromCatalog builds the page of a type from the catalogue alone: the body schema written
// in swagger's vocabulary, and an example with an empty body.
func FromCatalog(ctx context.Context, cat *catalog.Catalog, t *catalog.TypeInfo, version string) (*Page, error) {
	r, err := cat.Schema(ctx, t, version)
	if err != nil {
		return nil, err
	}
	deps, err := Dependencies(cat, t.ARMType)
	if err != nil {
		return nil, err
	}
	var schema any = Object{}
	if r.Body != nil {
		schema = swaggerOf(r.Body, map[*catalog.Type]bool{})
	}
	return &Page{Group: t.Group(), Type: t.Name(), APIVersion: r.APIVersion, Deps: deps, Schema: schema,
		Examples: []Example{{Name: "Basic", Body: Object{}}}}, nil
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
