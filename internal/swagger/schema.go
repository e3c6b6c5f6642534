package swagger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Docs reads the swagger documents of a file system, each once, and validates JSON values
// against their schemas, following $ref across documents (relative file paths, as the specs'
// references to common-types are). It is safe for concurrent use.
type Docs struct {
	fsys fs.FS
	mu   sync.Mutex
	docs map[string]*loadedDoc
	// subtypes caches the subtype of a polymorphic schema for a discriminator value.
	subtypes sync.Map // "file#pointer|value" -> *node (nil: none)
}

type loadedDoc struct {
	once sync.Once
	v    any
	err  error
}

// NewDocs returns the documents of a file system, read as they are needed.
func NewDocs(fsys fs.FS) *Docs {
	return &Docs{fsys: fsys, docs: map[string]*loadedDoc{}}
}

// SchemaRef points at a schema: a document of the file system (a slash-separated path, as
// fs.FS names files) and a JSON pointer into it ("/definitions/StorageAccount").
type SchemaRef struct {
	File    string `json:"file"`
	Pointer string `json:"pointer"`
}

func (r SchemaRef) String() string { return r.File + "#" + r.Pointer }

// Violation is one way a value breaks a schema.
type Violation struct {
	// Path is where in the value, such as $.properties.primaryEndpoints.blob.
	Path string `json:"path"`
	// Rule is the rule broken: type, null, enum, format, required, additionalProperties,
	// undeclared (ValidateOptions.Undeclared), case (a property spelt with another case than
	// the schema's), or ref (the schema itself has a reference that cannot be followed).
	Rule string `json:"rule"`
	// Schema is the schema that states the rule.
	Schema string `json:"schema"`
	Detail string `json:"detail"`
}

func (v Violation) String() string {
	return fmt.Sprintf("%s: %s: %s (%s)", v.Path, v.Rule, v.Detail, v.Schema)
}

// ValidateOptions tune validation.
type ValidateOptions struct {
	// Undeclared reports the properties of an object that none of its schemas declares, when
	// the schemas declare some and admit no additional properties. JSON Schema allows them;
	// a service that answers as its spec says has none.
	Undeclared bool
}

// node is a schema: an object in a document, and where it is.
type node struct {
	file string
	ptr  string
	m    map[string]any
}

func (n *node) ref() string { return n.file + "#" + n.ptr }

func (d *Docs) load(file string) (any, error) {
	d.mu.Lock()
	ld := d.docs[file]
	if ld == nil {
		ld = &loadedDoc{}
		d.docs[file] = ld
	}
	d.mu.Unlock()
	ld.once.Do(func() {
		data, err := fs.ReadFile(d.fsys, file)
		if err != nil {
			ld.err = err
			return
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&ld.v); err != nil {
			ld.err = fmt.Errorf("%s: %w", file, err)
		}
	})
	return ld.v, ld.err
}

// lookup returns the schema a SchemaRef points at.
func (d *Docs) lookup(r SchemaRef) (*node, error) {
	doc, err := d.load(r.File)
	if err != nil {
		return nil, err
	}
	v, err := pointerGet(doc, r.Pointer)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s is not a schema object", r)
	}
	return &node{file: r.File, ptr: r.Pointer, m: m}, nil
}

// resolveRef turns a $ref written in file into a SchemaRef.
func resolveRef(file, ref string) SchemaRef {
	target, frag, _ := strings.Cut(ref, "#")
	if target == "" {
		target = file
	} else {
		target = path.Join(path.Dir(file), target)
	}
	return SchemaRef{File: target, Pointer: frag}
}

func pointerGet(doc any, ptr string) (any, error) {
	if ptr == "" || ptr == "/" {
		return doc, nil
	}
	cur := doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, fmt.Errorf("no %q", tok)
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, fmt.Errorf("no index %q", tok)
			}
			cur = c[i]
		default:
			return nil, fmt.Errorf("cannot descend into %q", tok)
		}
	}
	return cur, nil
}

// EscapePointer escapes one token of a JSON pointer (a path template holds slashes).
func EscapePointer(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

// ValidateJSON validates a JSON document against a schema; see Validate.
func (d *Docs) ValidateJSON(r SchemaRef, data []byte, opts ValidateOptions) ([]Violation, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("the value is not JSON: %w", err)
	}
	return d.Validate(r, v, opts)
}

// Validate checks a decoded JSON value (numbers as json.Number or float64) against the
// swagger 2.0 schema r points at, as far as ARM's response schemas need: $ref, allOf,
// properties, additionalProperties, required, type, items, enum (closed enums compared without
// regard to case, as ARM's services do; x-ms-enum modelAsString enums are open), x-nullable,
// polymorphism by discriminator and x-ms-discriminator-value, and the formats date-time and
// uuid. readOnly and the other request-side keywords are ignored. The error is for a schema
// that cannot be read; a reference within it that cannot be followed is a violation (ref).
func (d *Docs) Validate(r SchemaRef, value any, opts ValidateOptions) ([]Violation, error) {
	n, err := d.lookup(r)
	if err != nil {
		return nil, err
	}
	v := &validator{d: d, opts: opts}
	v.value(n, value, "$", 0)
	return v.out, nil
}

type validator struct {
	d    *Docs
	opts ValidateOptions
	out  []Violation
}

const maxDepth = 128

func (v *validator) add(at, rule string, n *node, format string, args ...any) {
	v.out = append(v.out, Violation{Path: at, Rule: rule, Schema: n.ref(), Detail: fmt.Sprintf(format, args...)})
}

// deref follows $ref until a schema without one.
func (v *validator) deref(n *node, at string) *node {
	for i := 0; i < 32; i++ {
		ref, ok := n.m["$ref"].(string)
		if !ok {
			return n
		}
		target, err := v.d.lookup(resolveRef(n.file, ref))
		if err != nil {
			v.add(at, "ref", n, "%s cannot be followed: %v", ref, err)
			return nil
		}
		n = target
	}
	v.add(at, "ref", n, "a chain of more than 32 references")
	return nil
}

// child is the schema at a pointer below n (such as /properties/name).
func child(n *node, suffix string, m map[string]any) *node {
	return &node{file: n.file, ptr: n.ptr + suffix, m: m}
}

// flatten lists n and, depth first, the schemas its allOf includes, each once.
func (v *validator) flatten(n *node, at string) []*node {
	var out []*node
	seen := map[string]bool{}
	var walk func(n *node, depth int)
	walk = func(n *node, depth int) {
		if n == nil || depth > 32 || seen[n.ref()] {
			return
		}
		seen[n.ref()] = true
		out = append(out, n)
		all, _ := n.m["allOf"].([]any)
		for i, s := range all {
			sm, ok := s.(map[string]any)
			if !ok {
				continue
			}
			walk(v.deref(child(n, "/allOf/"+strconv.Itoa(i), sm), at), depth+1)
		}
	}
	walk(n, 0)
	return out
}

func (v *validator) value(n *node, val any, at string, depth int) {
	if depth > maxDepth {
		return
	}
	n = v.deref(n, at)
	if n == nil {
		return
	}
	parts := v.flatten(n, at)
	if val == nil {
		for _, p := range parts {
			if b, _ := p.m["x-nullable"].(bool); b {
				return
			}
		}
		v.add(at, "null", n, "null where the schema does not allow it (x-nullable)")
		return
	}
	if obj, ok := val.(map[string]any); ok {
		if sub := v.subtype(parts, obj, at); sub != nil {
			n = sub
			parts = v.flatten(sub, at)
		}
	}
	for _, p := range parts {
		if t, ok := p.m["type"].(string); ok && !hasType(val, t) {
			v.add(at, "type", p, "%s where the schema wants %s", jsonKind(val), t)
			return
		}
	}
	for _, p := range parts {
		v.enum(p, val, at)
		v.format(p, val, at)
	}
	switch x := val.(type) {
	case map[string]any:
		v.object(n, parts, x, at, depth)
	case []any:
		for _, p := range parts {
			items, ok := p.m["items"].(map[string]any)
			if !ok {
				continue
			}
			for i, e := range x {
				v.value(child(p, "/items", items), e, fmt.Sprintf("%s[%d]", at, i), depth+1)
			}
		}
	}
}

// subtype is the schema of a polymorphic object: the definition beside the base (the part
// with a discriminator) whose allOf includes the base and whose x-ms-discriminator-value (or
// name) is the object's discriminator value. nil when none.
func (v *validator) subtype(parts []*node, obj map[string]any, at string) *node {
	for _, base := range parts {
		prop, ok := base.m["discriminator"].(string)
		if !ok {
			continue
		}
		value, ok := obj[prop].(string)
		if !ok {
			return nil
		}
		key := base.ref() + "|" + value
		if cached, ok := v.d.subtypes.Load(key); ok {
			return cached.(*node)
		}
		var found *node
		doc, err := v.d.load(base.file)
		if err == nil {
			defs, _ := doc.(map[string]any)["definitions"].(map[string]any)
			names := make([]string, 0, len(defs))
			for name := range defs {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				def, ok := defs[name].(map[string]any)
				if !ok {
					continue
				}
				dv, has := def["x-ms-discriminator-value"].(string)
				if !has {
					dv = name
				}
				if dv != value || base.ptr == "/definitions/"+EscapePointer(name) {
					continue
				}
				cand := &node{file: base.file, ptr: "/definitions/" + EscapePointer(name), m: def}
				for _, p := range v.flatten(cand, at) {
					if p.ref() == base.ref() {
						found = cand
					}
				}
				if found != nil {
					break
				}
			}
		}
		v.d.subtypes.Store(key, found)
		return found
	}
	return nil
}

type declared struct {
	name string
	n    *node
}

func (v *validator) object(n *node, parts []*node, obj map[string]any, at string, depth int) {
	props := map[string][]declared{}
	var additional []*node
	closed := false
	for _, p := range parts {
		pm, _ := p.m["properties"].(map[string]any)
		for name, s := range pm {
			if sm, ok := s.(map[string]any); ok {
				props[strings.ToLower(name)] = append(props[strings.ToLower(name)], declared{name, child(p, "/properties/"+EscapePointer(name), sm)})
			}
		}
		switch ap := p.m["additionalProperties"].(type) {
		case bool:
			closed = closed || !ap
		case map[string]any:
			additional = append(additional, child(p, "/additionalProperties", ap))
		}
		req, _ := p.m["required"].([]any)
		for _, r := range req {
			name, _ := r.(string)
			if _, _, ok := lookupKey(obj, name); !ok {
				v.add(at, "required", p, "%s is required", name)
			}
		}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		where := at + "." + k
		if ds, ok := props[strings.ToLower(k)]; ok {
			exact := false
			for _, d := range ds {
				exact = exact || d.name == k
			}
			if !exact {
				v.add(where, "case", ds[0].n, "the schema spells it %s", ds[0].name)
			}
			for _, d := range ds {
				v.value(d.n, obj[k], where, depth+1)
			}
			continue
		}
		switch {
		case len(additional) > 0:
			for _, a := range additional {
				v.value(a, obj[k], where, depth+1)
			}
		case closed:
			v.add(where, "additionalProperties", n, "%s is not a property of the schema, which admits no others", k)
		case v.opts.Undeclared && len(props) > 0:
			v.add(where, "undeclared", n, "%s is not a property of the schema", k)
		}
	}
}

// lookupKey finds a key in an object, exactly or else without regard to case.
func lookupKey(obj map[string]any, name string) (string, any, bool) {
	if x, ok := obj[name]; ok {
		return name, x, true
	}
	for k, x := range obj {
		if strings.EqualFold(k, name) {
			return k, x, true
		}
	}
	return "", nil, false
}

func (v *validator) enum(p *node, val any, at string) {
	values, ok := p.m["enum"].([]any)
	if !ok || len(values) == 0 {
		return
	}
	if xe, ok := p.m["x-ms-enum"].(map[string]any); ok {
		if open, _ := xe["modelAsString"].(bool); open {
			return
		}
	}
	for _, e := range values {
		es, eok := e.(string)
		vs, vok := val.(string)
		if eok && vok && strings.EqualFold(es, vs) || !eok && !vok && fmt.Sprint(e) == fmt.Sprint(val) {
			return
		}
	}
	shown := make([]string, len(values))
	for i, e := range values {
		shown[i] = fmt.Sprint(e)
	}
	v.add(at, "enum", p, "%v is not one of %s", val, strings.Join(shown, ", "))
}

var (
	dateTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$`)
	uuidRE     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

func (v *validator) format(p *node, val any, at string) {
	s, ok := val.(string)
	if !ok {
		return
	}
	switch f, _ := p.m["format"].(string); f {
	case "date-time":
		if !dateTimeRE.MatchString(s) {
			v.add(at, "format", p, "%q is not a date-time", s)
		}
	case "uuid":
		if !uuidRE.MatchString(s) {
			v.add(at, "format", p, "%q is not a uuid", s)
		}
	}
}

func hasType(val any, t string) bool {
	switch t {
	case "object":
		_, ok := val.(map[string]any)
		return ok
	case "array":
		_, ok := val.([]any)
		return ok
	case "string":
		_, ok := val.(string)
		return ok
	case "boolean":
		_, ok := val.(bool)
		return ok
	case "number":
		switch val.(type) {
		case json.Number, float64:
			return true
		}
		return false
	case "integer":
		switch x := val.(type) {
		case json.Number:
			if _, err := x.Int64(); err == nil {
				return true
			}
			f, err := x.Float64()
			return err == nil && f == math.Trunc(f)
		case float64:
			return x == math.Trunc(x)
		}
		return false
	}
	return true // file, or a type this validator does not know
}

func jsonKind(val any) string {
	switch val.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	}
	return fmt.Sprintf("%T", val)
}
