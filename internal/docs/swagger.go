package docs

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gru-iac/gru/internal/swagger"
)

// specs reads swagger files below a specification root and resolves their references.
type specs struct {
	root  string // the folder holding specification/
	files map[string]Object
}

func newSpecs(root string) *specs {
	if st, err := os.Stat(filepath.Join(root, "specification")); err == nil && st.IsDir() {
		root = filepath.Join(root, "specification")
	}
	return &specs{root: root, files: map[string]Object{}}
}

func (s *specs) load(file string) (Object, error) {
	if o, ok := s.files[file]; ok {
		return o, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	v, err := decodeOrdered(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	o, ok := v.(Object)
	if !ok {
		return nil, fmt.Errorf("%s: not a JSON object", file)
	}
	s.files[file] = o
	return o, nil
}

// pointer follows a JSON pointer (#/definitions/X) in a document.
func pointer(doc Object, ptr string) (any, bool) {
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if part == "" {
			continue
		}
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		o, ok := cur.(Object)
		if !ok {
			return nil, false
		}
		if cur, ok = o.Get(part); !ok {
			return nil, false
		}
	}
	return cur, true
}

// resolve replaces every $ref below v (in file) by what it points at: the referencing
// object's other keys first, then the keys of the target that it does not already have.
// A reference met again inside itself is left as it is.
func (s *specs) resolve(v any, file string, stack []string) any {
	switch x := v.(type) {
	case Object:
		if ref := x.String("$ref"); ref != "" {
			target, targetFile, key, err := s.follow(ref, file)
			for _, k := range stack {
				if k == key {
					err = fmt.Errorf("cycle")
				}
			}
			if err != nil {
				return x
			}
			resolved, _ := s.resolve(target, targetFile, append(stack, key)).(Object)
			out := Object{}
			for _, m := range x {
				if m.Key != "$ref" {
					out = append(out, Member{m.Key, s.resolve(m.Value, file, stack)})
				}
			}
			for _, m := range resolved {
				if _, has := out.Get(m.Key); !has {
					out = append(out, m)
				}
			}
			return out
		}
		out := make(Object, 0, len(x))
		for _, m := range x {
			out = append(out, Member{m.Key, s.resolve(m.Value, file, stack)})
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = s.resolve(e, file, stack)
		}
		return out
	}
	return v
}

// follow finds what a $ref points at.
func (s *specs) follow(ref, file string) (any, string, string, error) {
	target, frag, _ := strings.Cut(ref, "#")
	targetFile := file
	if target != "" {
		targetFile = filepath.Join(filepath.Dir(file), filepath.FromSlash(target))
	}
	doc, err := s.load(targetFile)
	if err != nil {
		return nil, "", "", err
	}
	v, ok := pointer(doc, frag)
	if !ok {
		return nil, "", "", fmt.Errorf("%s: no %s", targetFile, frag)
	}
	return v, targetFile, targetFile + "#" + frag, nil
}

// operation is a resource type's PUT in a swagger file.
type operation struct {
	file     string // relative to the specification root, with slashes
	version  string
	op       Object
	bodyName string
	schema   any // resolved
	examples []example
}

type example struct {
	name string
	body any // ordered
}

// findPut finds the PUT operation of a resource type at an API version below the root.
func (s *specs) findPut(armType, version string) (*operation, error) {
	var candidates []string
	filepath.WalkDir(s.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && d.Name() == "examples" {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".json") && filepath.Base(filepath.Dir(p)) == version {
			candidates = append(candidates, p)
		}
		return nil
	})
	sort.Strings(candidates)
	for _, file := range candidates {
		doc, err := s.load(file)
		if err != nil {
			continue
		}
		paths, _ := doc.Get("paths")
		po, _ := paths.(Object)
		for _, p := range po {
			t, ok := swagger.ARMTypeFromPath(p.Key)
			if !ok || !strings.EqualFold(t, armType) {
				continue
			}
			methods, _ := p.Value.(Object)
			put, ok := methods.Get("put")
			if !ok {
				continue
			}
			return s.operation(file, version, put.(Object))
		}
	}
	return nil, fmt.Errorf("no swagger file below %s has a PUT of %s at %s", s.root, armType, version)
}

func (s *specs) operation(file, version string, op Object) (*operation, error) {
	rel, _ := filepath.Rel(s.root, file)
	o := &operation{file: filepath.ToSlash(rel), version: version, op: op}
	params, _ := op.Get("parameters")
	list, _ := params.([]any)
	for _, p := range list {
		po, _ := p.(Object)
		if ref := po.String("$ref"); ref != "" {
			if target, _, _, err := s.follow(ref, file); err == nil {
				po, _ = target.(Object)
			}
		}
		if po.String("in") == "body" {
			o.bodyName = po.String("name")
			schema, _ := po.Get("schema")
			o.schema = s.resolve(schema, file, nil)
		}
	}
	if o.bodyName == "" {
		// A PUT without a body (some child types are made by name alone): the page shows the
		// schema of what the PUT answers, and examples with empty properties.
		responses, _ := op.Get("responses")
		ro, _ := responses.(Object)
		for _, code := range []string{"200", "201"} {
			if r, ok := ro.Get(code); ok {
				schema, _ := r.(Object).Get("schema")
				o.schema = s.resolve(schema, file, nil)
				break
			}
		}
	}
	exs, _ := op.Get("x-ms-examples")
	eo, _ := exs.(Object)
	for _, e := range eo {
		ref := e.Value.(Object).String("$ref")
		doc, err := s.load(filepath.Join(filepath.Dir(file), filepath.FromSlash(ref)))
		if err != nil {
			continue
		}
		params, _ := doc.Get("parameters")
		po, _ := params.(Object)
		body, ok := po.Get(o.bodyName)
		if o.bodyName == "" {
			body, ok = Object{}, true
		}
		if !ok {
			continue
		}
		o.examples = append(o.examples, example{name: e.Key, body: withoutReadOnly(body, o.schema)})
	}
	return o, nil
}

// withoutReadOnly drops from an example body what its schema marks read-only, as a user would
// not write it.
func withoutReadOnly(body, schema any) any {
	b, ok := body.(Object)
	sc, _ := schema.(Object)
	if !ok || sc == nil {
		return body
	}
	props := properties(sc)
	out := Object{}
	for _, m := range b {
		p, _ := props.Get(m.Key)
		po, _ := p.(Object)
		if ro, _ := po.Get("readOnly"); ro == true {
			continue
		}
		out = append(out, Member{m.Key, withoutReadOnly(m.Value, po)})
	}
	return out
}

// properties gathers a schema's properties, those of its allOf parents included.
func properties(schema Object) Object {
	out := Object{}
	if p, ok := schema.Get("properties"); ok {
		if po, ok := p.(Object); ok {
			out = append(out, po...)
		}
	}
	if all, ok := schema.Get("allOf"); ok {
		for _, parent := range all.([]any) {
			if po, ok := parent.(Object); ok {
				out = append(out, properties(po)...)
			}
		}
	}
	return out
}

// specLink is where a swagger file is published.
func specLink(rel string) string {
	return "https://github.com/Azure/azure-rest-api-specs/tree/main/specification/" + path.Clean(rel)
}
