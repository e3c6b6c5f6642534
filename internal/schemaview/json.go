package schemaview

import (
	"encoding/json"
	"io"

	"github.com/gru-iac/gru/internal/catalog"
)

// Node is the JSON form of a schema type. A type met again inside itself is written once and
// then referred to with Recursive set.
type Node struct {
	Type                 string          `json:"type"`
	Name                 string          `json:"name,omitempty"`
	Value                string          `json:"value,omitempty"`
	Pattern              string          `json:"pattern,omitempty"`
	MinLength            *int64          `json:"minLength,omitempty"`
	MaxLength            *int64          `json:"maxLength,omitempty"`
	MinValue             *int64          `json:"minValue,omitempty"`
	MaxValue             *int64          `json:"maxValue,omitempty"`
	Sensitive            bool            `json:"sensitive,omitempty"`
	Properties           []PropertyNode  `json:"properties,omitempty"`
	AdditionalProperties *Node           `json:"additionalProperties,omitempty"`
	Items                *Node           `json:"items,omitempty"`
	Elements             []*Node         `json:"elements,omitempty"`
	Discriminator        string          `json:"discriminator,omitempty"`
	Variants             map[string]Node `json:"variants,omitempty"`
	Recursive            bool            `json:"recursive,omitempty"`
}

// PropertyNode is a property in JSON form.
type PropertyNode struct {
	Name        string   `json:"name"`
	Flags       []string `json:"flags,omitempty"`
	Description string   `json:"description,omitempty"`
	Schema      *Node    `json:"schema"`
}

// Document is what `gru schema --json` writes.
type Document struct {
	Header
	Body *Node `json:"body"`
}

// WriteJSON writes the header and body schema as one indented JSON document.
func WriteJSON(w io.Writer, h Header, body *catalog.Type) error {
	doc := Document{Header: h}
	if body != nil {
		doc.Body = toNode(body, map[*catalog.Type]bool{})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// kindJSON names a kind in JSON output.
func kindJSON(k catalog.Kind) string {
	switch k {
	case catalog.KindStringLiteral:
		return "literal"
	case catalog.KindDiscriminatedObject:
		return "discriminatedObject"
	}
	return k.String()
}

func toNode(t *catalog.Type, onPath map[*catalog.Type]bool) *Node {
	n := &Node{Type: kindJSON(t.Kind), Name: t.Name}
	if onPath[t] {
		n.Recursive = true
		return n
	}
	onPath[t] = true
	defer delete(onPath, t)
	n.Value, n.Pattern, n.Sensitive = t.Value, t.Pattern, t.Sensitive
	n.MinLength, n.MaxLength, n.MinValue, n.MaxValue = t.MinLength, t.MaxLength, t.MinValue, t.MaxValue
	props := func(list []catalog.Property) []PropertyNode {
		out := make([]PropertyNode, 0, len(list))
		for _, p := range list {
			out = append(out, PropertyNode{Name: p.Name, Flags: p.Flags.Names(), Description: p.Description, Schema: toNode(p.Type, onPath)})
		}
		return out
	}
	switch t.Kind {
	case catalog.KindObject:
		n.Properties = props(t.Properties)
		if t.AdditionalProperties != nil {
			n.AdditionalProperties = toNode(t.AdditionalProperties, onPath)
		}
	case catalog.KindArray:
		if t.Items != nil {
			n.Items = toNode(t.Items, onPath)
		}
	case catalog.KindUnion:
		for _, e := range t.Elements {
			n.Elements = append(n.Elements, toNode(e, onPath))
		}
	case catalog.KindDiscriminatedObject:
		n.Discriminator = t.Discriminator
		n.Properties = props(t.BaseProperties)
		n.Variants = map[string]Node{}
		for _, v := range t.Variants {
			n.Variants[v.Value] = *toNode(v.Type, onPath)
		}
	}
	return n
}
