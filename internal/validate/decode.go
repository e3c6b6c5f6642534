package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gru-iac/gru/internal/catalog"
)

// SyntaxError is malformed JSON, located by line and column (both from 1).
type SyntaxError struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d:%d: malformed JSON: %s", e.File, e.Line, e.Column, e.Msg)
}

// Decode parses a JSON document keeping numbers exact (json.Number), as Body expects.
// file names the source in errors.
func Decode(file string, data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, locate(file, data, dec.InputOffset(), err)
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		rest := data[end:]
		off := end + int64(len(rest)-len(bytes.TrimLeft(rest, " \t\r\n")))
		return nil, locate(file, data, off, errors.New("unexpected data after the JSON value"))
	}
	return v, nil
}

func locate(file string, data []byte, fallback int64, err error) error {
	off := fallback
	msg := err.Error()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		off = int64(len(data))
		msg = "unexpected end of input"
		if len(bytes.TrimSpace(data)) == 0 {
			msg = "empty document"
		}
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	if se != nil && col > 0 {
		col-- // the offset is just past the offending byte
	}
	return &SyntaxError{File: file, Line: line, Column: col + 1, Msg: msg}
}

// StripReadOnly returns a copy of body without the properties the schema marks read-only
// (what a GET returns but a PUT must not send). Values the schema does not describe are kept.
func StripReadOnly(r *catalog.Resource, body any) any {
	if r.Body == nil {
		return body
	}
	return strip(r.Body, body, readOnly, 0)
}

func readOnly(p *catalog.Property) bool { return p.Flags.Has(catalog.FlagReadOnly) }

// StripReadOnlyOf is StripReadOnly for a value of type t inside a body.
func StripReadOnlyOf(t *catalog.Type, v any) any {
	if t == nil {
		return v
	}
	return strip(t, v, readOnly, 0)
}

// DropReadOnly removes, in place, the properties the schema marks read-only from a body the
// caller owns (StripReadOnly without the copy).
func DropReadOnly(r *catalog.Resource, body any) {
	if r.Body != nil {
		drop(r.Body, body, catalog.FlagReadOnly, 0)
	}
}

func drop(t *catalog.Type, value any, flag catalog.PropertyFlags, depth int) {
	if depth > 64 || t == nil {
		return
	}
	switch x := value.(type) {
	case map[string]any:
		props := propertiesOf(t, x)
		for k, v := range x {
			p := findProperty(props, k)
			switch {
			case p != nil && p.Flags.Has(flag):
				delete(x, k)
			case p != nil:
				drop(p.Type, v, flag, depth+1)
			case t.AdditionalProperties != nil:
				drop(t.AdditionalProperties, v, flag, depth+1)
			}
		}
	case []any:
		if t.Kind == catalog.KindArray && t.Items != nil {
			for _, v := range x {
				drop(t.Items, v, flag, depth+1)
			}
		}
	}
}

// StripUnreturned returns a copy of body without what ARM takes and never returns: the
// properties the schema marks write-only, and those of a secure type (passwords, keys).
func StripUnreturned(r *catalog.Resource, body any) any {
	if r.Body == nil {
		return body
	}
	return strip(r.Body, body, func(p *catalog.Property) bool {
		return p.Flags.Has(catalog.FlagWriteOnly) || p.Type != nil && p.Type.Sensitive
	}, 0)
}

func strip(t *catalog.Type, value any, drop func(*catalog.Property) bool, depth int) any {
	if depth > 64 {
		return value
	}
	switch x := value.(type) {
	case map[string]any:
		props := propertiesOf(t, x)
		out := make(map[string]any, len(x))
		for k, v := range x {
			p := findProperty(props, k)
			switch {
			case p != nil && drop(p):
			case p != nil:
				out[k] = strip(p.Type, v, drop, depth+1)
			case t.AdditionalProperties != nil:
				out[k] = strip(t.AdditionalProperties, v, drop, depth+1)
			default:
				out[k] = v
			}
		}
		return out
	case []any:
		if t.Kind != catalog.KindArray || t.Items == nil {
			return value
		}
		out := make([]any, len(x))
		for i, v := range x {
			out[i] = strip(t.Items, v, drop, depth+1)
		}
		return out
	}
	return value
}

// propertiesOf lists the properties an object of type t has: a discriminated object's base
// properties and those of the variant its discriminator names.
func propertiesOf(t *catalog.Type, obj map[string]any) []catalog.Property {
	return propertiesBy(t, func(name string) any {
		_, v, _ := lookupKey(obj, name)
		return v
	})
}

// propertiesBy is propertiesOf of an object whose values valueOf gives by name (nil when it
// has none).
func propertiesBy(t *catalog.Type, valueOf func(name string) any) []catalog.Property {
	if t.Kind != catalog.KindDiscriminatedObject {
		return t.Properties
	}
	props := append([]catalog.Property{}, t.BaseProperties...)
	if d := valueOf(t.Discriminator); d != nil {
		for _, v := range t.Variants {
			if s, _ := d.(string); strings.EqualFold(v.Value, s) {
				props = append(props, v.Type.Properties...)
			}
		}
	}
	return props
}

func findProperty(props []catalog.Property, name string) *catalog.Property {
	for i := range props {
		if strings.EqualFold(props[i].Name, name) {
			return &props[i]
		}
	}
	return nil
}
