package validate

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gru-iac/gru/internal/catalog"
	"github.com/tidwall/gjson"
)

// WritableDecoder reads resources' JSON text into Go values as encoding/json does (objects as
// map[string]any, numbers as float64), leaving out what their schema marks read-only, as
// DropReadOnly would; the values at its kept paths (dotted, from the body's top) are read
// whole, read-only or not. A read-only part is skipped, never decoded: a plan reads thousands
// of live bodies whose read-only parts (a network security group's default rules) outweigh
// the rest. Strings are copies: nothing made holds on to the text.
type WritableDecoder struct {
	// keep are the paths read whole, prefixes the paths that lead to them.
	keep, prefixes map[string]bool
}

// NewWritableDecoder makes a decoder that reads the values at the keep paths whole.
func NewWritableDecoder(keep ...string) *WritableDecoder {
	d := &WritableDecoder{keep: map[string]bool{}, prefixes: map[string]bool{}}
	for _, p := range keep {
		d.keep[p] = true
		for i := range len(p) {
			if p[i] == '.' {
				d.prefixes[p[:i]] = true
			}
		}
	}
	return d
}

// Decode reads one resource of schema r (nil: nothing is left out).
func (d *WritableDecoder) Decode(r *catalog.Resource, text string) (map[string]any, error) {
	if !gjson.Valid(text) {
		return nil, errors.New("the resource is not valid JSON")
	}
	return d.DecodeValid(r, text)
}

// DecodeValid is Decode of a text known to be valid JSON (an item of a list page checked
// whole), which it does not check again.
func (d *WritableDecoder) DecodeValid(r *catalog.Resource, text string) (map[string]any, error) {
	v := gjson.Parse(text)
	if !v.IsObject() {
		return nil, errors.New("the resource is not a JSON object")
	}
	var t *catalog.Type
	if r != nil {
		t = r.Body
	}
	return d.value(t, v, "", true, false, 0).(map[string]any), nil
}

// value decodes v, of type t (nil: nothing below is left out), at path (followed only while
// it leads to a kept path); with onlyKept (a read-only object on the way to a kept path) it
// keeps what leads to kept paths alone.
func (d *WritableDecoder) value(t *catalog.Type, v gjson.Result, path string, onPath, onlyKept bool, depth int) any {
	switch v.Type {
	case gjson.Null:
		return nil
	case gjson.False:
		return false
	case gjson.True:
		return true
	case gjson.Number:
		return v.Num
	case gjson.String:
		return strings.Clone(v.Str)
	}
	if depth > 64 {
		t = nil // as drop: no deeper than that
	}
	if v.IsArray() {
		var items *catalog.Type
		if t != nil && t.Kind == catalog.KindArray {
			items = t.Items
		}
		out := []any{}
		v.ForEach(func(_, e gjson.Result) bool {
			if !onPath {
				out = append(out, d.value(items, e, "", false, false, depth+1))
				return true
			}
			// Kept paths go through lists by index (properties.ipConfigurations.0.…).
			childPath := path + "." + strconv.Itoa(len(out))
			switch {
			case d.keep[childPath]:
				out = append(out, d.value(nil, e, "", false, false, depth+1))
			case onlyKept && !d.prefixes[childPath]:
				out = append(out, nil) // in a read-only list, an item no kept path goes through
			default:
				out = append(out, d.value(items, e, childPath, d.prefixes[childPath], onlyKept, depth+1))
			}
			return true
		})
		return out
	}
	var props []catalog.Property
	if t != nil {
		props = propertiesBy(t, func(name string) any {
			var found any
			v.ForEach(func(k, e gjson.Result) bool {
				if strings.EqualFold(k.Str, name) {
					found = e.Value()
					return false
				}
				return true
			})
			return found
		})
	}
	out := map[string]any{}
	v.ForEach(func(k, e gjson.Result) bool {
		var p *catalog.Property
		if t != nil {
			p = findProperty(props, k.Str)
		}
		key := k.Str
		if p != nil && p.Name == key {
			key = p.Name // the schema's: one string for thousands of bodies
		} else {
			key = strings.Clone(key)
		}
		childPath, childOnPath := "", false
		if onPath {
			childPath = key
			if path != "" {
				childPath = path + "." + key
			}
			if d.keep[childPath] {
				out[key] = d.value(nil, e, "", false, false, depth+1) // whole
				return true
			}
			childOnPath = d.prefixes[childPath]
		}
		if onlyKept && !childOnPath {
			return true
		}
		var child *catalog.Type
		childOnlyKept := onlyKept
		if t != nil {
			switch {
			case p != nil && p.Flags.Has(catalog.FlagReadOnly) && !childOnPath:
				return true // skipped
			case p != nil:
				child = p.Type
				childOnlyKept = childOnlyKept || p.Flags.Has(catalog.FlagReadOnly)
			default:
				child = t.AdditionalProperties
			}
		}
		out[key] = d.value(child, e, childPath, childOnPath, childOnlyKept, depth+1)
		return true
	})
	return out
}
