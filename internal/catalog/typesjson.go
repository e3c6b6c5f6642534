package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// TypesFile is the decoded content of one bicep-types-az types.json file: the resource types
// and functions of one provider namespace at one API version.
type TypesFile struct {
	Resources []*Resource
	// byType indexes Resources by lower-cased ARM type (the first of each); set by
	// ParseTypesFile, the file is immutable after.
	byType map[string]*Resource
}

// Resource returns the resource of the file with the given ARM type, compared case-insensitively.
func (f *TypesFile) Resource(armType string) *Resource {
	if f.byType != nil {
		return f.byType[strings.ToLower(armType)]
	}
	for _, r := range f.Resources {
		if strings.EqualFold(r.ARMType, armType) {
			return r
		}
	}
	return nil
}

// rawEntry is one element of a types.json array, with the union of every kind's fields.
type rawEntry struct {
	Kind               string          `json:"$type"`
	Name               string          `json:"name"`
	Value              string          `json:"value"`
	Pattern            string          `json:"pattern"`
	MinLength          *int64          `json:"minLength"`
	MaxLength          *int64          `json:"maxLength"`
	MinValue           *int64          `json:"minValue"`
	MaxValue           *int64          `json:"maxValue"`
	Sensitive          bool            `json:"sensitive"`
	Properties         orderedMembers  `json:"properties"`
	AdditionalProperty *rawRef         `json:"additionalProperties"`
	ItemType           *rawRef         `json:"itemType"`
	Elements           json.RawMessage `json:"elements"`
	Discriminator      string          `json:"discriminator"`
	BaseProperties     orderedMembers  `json:"baseProperties"`
	Body               *rawRef         `json:"body"`
	ReadableScopes     *int            `json:"readableScopes"`
	WritableScopes     *int            `json:"writableScopes"`
	ScopeType          *int            `json:"scopeType"`
	Flags              int             `json:"flags"`
	ResourceType       string          `json:"resourceType"`
	APIVersion         string          `json:"apiVersion"`
	Input              *rawRef         `json:"input"`
	Output             *rawRef         `json:"output"`
}

type rawRef struct {
	Ref string `json:"$ref"`
}

type rawProperty struct {
	Type        rawRef `json:"type"`
	Flags       int    `json:"flags"`
	Description string `json:"description"`
}

// member is one key of a JSON object kept with its position.
type member struct {
	Key   string
	Value json.RawMessage
}

// orderedMembers decodes a JSON object keeping the order of its keys, which is the order in
// which the type data (and the swagger before it) lists properties.
type orderedMembers []member

func (o *orderedMembers) UnmarshalJSON(data []byte) error {
	members, err := decodeOrdered(data)
	*o = members
	return err
}

func decodeOrdered(data []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("expected an object, found %v", tok)
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{Key: key, Value: v})
	}
	return out, nil
}

// ParseTypesFile decodes a bicep-types-az types.json file and resolves its references.
func ParseTypesFile(data []byte) (*TypesFile, error) {
	var entries []rawEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("decoding types.json: %w", err)
	}
	types := make([]*Type, len(entries))
	for i := range entries {
		types[i] = &Type{}
	}
	resolve := func(at int, r *rawRef) (*Type, error) {
		if r == nil {
			return nil, nil
		}
		n, err := refIndex(r.Ref)
		if err != nil || n >= len(types) {
			return nil, fmt.Errorf("entry %d: bad reference %q", at, r.Ref)
		}
		return types[n], nil
	}
	members := func(at int, raw orderedMembers) ([]Property, error) {
		out := make([]Property, 0, len(raw))
		for _, m := range raw {
			var p rawProperty
			if err := json.Unmarshal(m.Value, &p); err != nil {
				return nil, fmt.Errorf("entry %d, property %q: %w", at, m.Key, err)
			}
			t, err := resolve(at, &p.Type)
			if err != nil {
				return nil, err
			}
			out = append(out, Property{Name: m.Key, Type: t, Flags: PropertyFlags(p.Flags), Description: p.Description})
		}
		return out, nil
	}

	file := &TypesFile{}
	var functions []rawEntry
	for i, e := range entries {
		t := types[i]
		var err error
		switch e.Kind {
		case "AnyType":
			t.Kind = KindAny
		case "StringType":
			t.Kind = KindString
			t.Pattern, t.MinLength, t.MaxLength, t.Sensitive = e.Pattern, e.MinLength, e.MaxLength, e.Sensitive
		case "StringLiteralType":
			t.Kind, t.Value = KindStringLiteral, e.Value
		case "IntegerType":
			t.Kind, t.MinValue, t.MaxValue = KindInteger, e.MinValue, e.MaxValue
		case "BooleanType":
			t.Kind = KindBoolean
		case "ArrayType":
			t.Kind, t.MinLength, t.MaxLength = KindArray, e.MinLength, e.MaxLength
			t.Items, err = resolve(i, e.ItemType)
		case "ObjectType":
			t.Kind, t.Name, t.Sensitive = KindObject, e.Name, e.Sensitive
			if t.Properties, err = members(i, e.Properties); err == nil {
				t.AdditionalProperties, err = resolve(i, e.AdditionalProperty)
			}
		case "UnionType":
			t.Kind = KindUnion
			var refs []rawRef
			if err = json.Unmarshal(e.Elements, &refs); err == nil {
				for _, r := range refs {
					var el *Type
					if el, err = resolve(i, &r); err != nil {
						break
					}
					t.Elements = append(t.Elements, el)
				}
			}
		case "DiscriminatedObjectType":
			t.Kind, t.Name, t.Discriminator = KindDiscriminatedObject, e.Name, e.Discriminator
			if t.BaseProperties, err = members(i, e.BaseProperties); err != nil {
				break
			}
			var variants []member
			if variants, err = decodeOrdered(e.Elements); err != nil {
				break
			}
			for _, v := range variants {
				var r rawRef
				if err = json.Unmarshal(v.Value, &r); err != nil {
					break
				}
				var vt *Type
				if vt, err = resolve(i, &r); err != nil {
					break
				}
				t.Variants = append(t.Variants, Variant{Value: v.Key, Type: vt})
			}
		case "ResourceType":
			armType, version, _ := strings.Cut(e.Name, "@")
			res := &Resource{ARMType: armType, APIVersion: version}
			res.Body, err = resolve(i, e.Body)
			switch {
			case e.ReadableScopes != nil:
				res.ReadableScopes = Scope(*e.ReadableScopes)
				if e.WritableScopes != nil {
					res.WritableScopes = Scope(*e.WritableScopes)
				}
			case e.ScopeType != nil: // older type data: one scope mask, read-only flagged in "flags"
				res.ReadableScopes = Scope(*e.ScopeType)
				if e.Flags&1 == 0 {
					res.WritableScopes = res.ReadableScopes
				}
			}
			file.Resources = append(file.Resources, res)
		case "ResourceFunctionType":
			functions = append(functions, e)
		default:
			return nil, fmt.Errorf("entry %d: unknown $type %q", i, e.Kind)
		}
		if err != nil {
			return nil, err
		}
	}
	for _, e := range functions {
		res := file.Resource(e.ResourceType)
		if res == nil {
			continue // an action of a type this file does not describe
		}
		in, err := resolve(0, e.Input)
		if err != nil {
			return nil, err
		}
		out, err := resolve(0, e.Output)
		if err != nil {
			return nil, err
		}
		res.Functions = append(res.Functions, &Function{Name: e.Name, Input: in, Output: out})
	}
	file.byType = make(map[string]*Resource, len(file.Resources))
	for _, r := range file.Resources {
		if key := strings.ToLower(r.ARMType); file.byType[key] == nil {
			file.byType[key] = r
		}
	}
	return file, nil
}

func refIndex(ref string) (int, error) {
	s, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return 0, fmt.Errorf("reference %q is not local", ref)
	}
	return strconv.Atoi(s)
}
