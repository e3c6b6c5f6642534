package docs

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/gru-iac/gru/internal/swagger"
)

// Specs is a tree of swagger files (an azure-rest-api-specs checkout, or its specification
// folder), read once for any number of pages: its file list is walked when opened, a file
// parsed the first time a page needs it, and each swagger file dereferenced once, as a whole,
// as GruCloud's generator dereferenced it.
type Specs struct {
	root string // the folder holding the provider folders, with slashes

	mu        sync.Mutex
	byVersion map[string][]string   // API version folder → swagger files in it, sorted
	parsed    map[string]any        // file → its parsed JSON (never changed)
	parseErr  map[string]error      // file → why it could not be read
	indexed   map[string]bool       // the versions whose files' paths are indexed
	paths     map[string][]specPath // lower-case ARM type → its paths, file by file
	all       map[string][]specPath // API version → every path of its files
	derefd    map[string]any        // swagger file → its dereferenced document
}

// specPath is a path of a swagger file that addresses a resource type.
type specPath struct {
	file, version, key string
	put                bool
}

// OpenSpecs lists the swagger files below a specification root (the folder holding
// specification/, or specification/ itself).
func OpenSpecs(root string) (*Specs, error) {
	if st, err := os.Stat(filepath.Join(root, "specification")); err == nil && st.IsDir() {
		root = filepath.Join(root, "specification")
	}
	st, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", root)
	}
	s := &Specs{root: filepath.ToSlash(root), byVersion: map[string][]string{}, parsed: map[string]any{},
		parseErr: map[string]error{}, indexed: map[string]bool{}, paths: map[string][]specPath{}, all: map[string][]specPath{},
		derefd: map[string]any{}}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && d.Name() == "examples" {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".json") {
			version := filepath.Base(filepath.Dir(p))
			s.byVersion[version] = append(s.byVersion[version], filepath.ToSlash(p))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, files := range s.byVersion {
		sort.Strings(files)
	}
	return s, nil
}

// load returns a file's parsed JSON, reading it the first time.
func (s *Specs) load(file string) (any, error) {
	if v, ok := s.parsed[file]; ok {
		return v, nil
	}
	if err, ok := s.parseErr[file]; ok {
		return nil, err
	}
	data, err := os.ReadFile(filepath.FromSlash(file))
	if err == nil {
		var v any
		if v, err = parseJS(data); err == nil {
			s.parsed[file] = v
			return v, nil
		}
		err = fmt.Errorf("%s: %w", file, err)
	}
	s.parseErr[file] = err
	return nil, err
}

// index reads the paths of the swagger files of an API version ("" for every version).
func (s *Specs) index(version string) {
	versions := []string{version}
	if version == "" {
		versions = nil
		for v := range s.byVersion {
			versions = append(versions, v)
		}
		sort.Strings(versions)
	}
	for _, v := range versions {
		if s.indexed[v] {
			continue
		}
		s.indexed[v] = true
		for _, file := range s.byVersion[v] {
			doc, err := s.load(file)
			if err != nil {
				continue
			}
			o, _ := doc.(*jsObject)
			if o == nil {
				continue
			}
			paths, _ := o.get("paths")
			po, _ := paths.(*jsObject)
			if po == nil {
				continue
			}
			for _, m := range po.members {
				methods, _ := m.Value.(*jsObject)
				p := specPath{file: file, version: v, key: m.Key, put: methods != nil && methods.has("put")}
				s.all[v] = append(s.all[v], p)
				if t, ok := swagger.ARMTypeFromPath(m.Key); ok {
					k := strings.ToLower(t)
					s.paths[k] = append(s.paths[k], p)
				}
			}
		}
	}
}

// Versions lists the API versions (newest first) at which the tree has a path of an ARM type.
func (s *Specs) Versions(armType string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.versions(armType, "")
}

// versions lists the API versions (newest first) at which the tree has a path of an ARM type,
// or the path of a PUT path template.
func (s *Specs) versions(armType, putPath string) []string {
	s.index("")
	seen := map[string]bool{}
	var out []string
	for _, p := range s.paths[strings.ToLower(armType)] {
		if !seen[p.version] {
			seen[p.version] = true
			out = append(out, p.version)
		}
	}
	if putPath != "" {
		for v, paths := range s.all {
			for _, p := range paths {
				if !seen[v] && samePath(p.key, putPath) {
					seen[v] = true
					out = append(out, v)
				}
			}
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out
}

// findPath finds the path a page of a type comes from at an API version: the one of GruCloud's
// PUT path where its table has the type (a web app's configuration is sites/{name}/config/web,
// not the first config path), else the first with a PUT, else the first.
func (s *Specs) findPath(armType, putPath, version string) (*specPath, error) {
	s.index(version)
	if putPath != "" {
		// GruCloud's path, which may address a type the path alone does not name
		// (connections/{name}/sharedkey).
		for i, p := range s.all[version] {
			if samePath(p.key, putPath) {
				return &s.all[version][i], nil
			}
		}
	}
	var candidates []specPath
	for _, p := range s.paths[strings.ToLower(armType)] {
		if p.version == version {
			candidates = append(candidates, p)
		}
	}
	if len(candidates) == 0 {
		return nil, fmt.Errorf("no swagger file below %s has a path of %s at %s", s.root, armType, version)
	}
	for i, p := range candidates {
		if p.put {
			return &candidates[i], nil
		}
	}
	return &candidates[0], nil
}

// samePath compares two path templates: their fixed segments case-insensitively, any
// parameter matching any parameter.
func samePath(a, b string) bool {
	as, bs := strings.Split(strings.Trim(a, "/"), "/"), strings.Split(strings.Trim(b, "/"), "/")
	if len(as) != len(bs) {
		return false
	}
	for i := range as {
		ap, bp := strings.HasPrefix(as[i], "{"), strings.HasPrefix(bs[i], "{")
		if ap != bp || !ap && !strings.EqualFold(as[i], bs[i]) {
			return false
		}
	}
	return true
}

// dereferenced is a swagger file's document with its references replaced.
func (s *Specs) dereferenced(file string) (*jsObject, error) {
	if v, ok := s.derefd[file]; ok {
		o, _ := v.(*jsObject)
		return o, nil
	}
	v, err := dereference(file, s.load)
	if err != nil {
		return nil, err
	}
	s.derefd[file] = v
	o, _ := v.(*jsObject)
	return o, nil
}

// operation is what a page shows of a resource type's PUT in a swagger file.
type operation struct {
	file     string // relative to the specification root, with slashes
	schema   any    // the body's dereferenced schema; "" without a PUT or a body
	examples []example
}

type example struct {
	name string
	body any // nil without a body
}

// operation reads the PUT of a path: its body schema and its examples' bodies.
func (s *Specs) operation(p *specPath) (*operation, error) {
	doc, err := s.dereferenced(p.file)
	if err != nil {
		return nil, err
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(p.file, s.root), "/")
	o := &operation{file: rel, schema: ""}
	var put *jsObject
	if doc != nil {
		paths, _ := doc.get("paths")
		if po, ok := paths.(*jsObject); ok {
			methods, _ := po.get(p.key)
			if mo, ok := methods.(*jsObject); ok {
				v, _ := mo.get("put")
				put, _ = v.(*jsObject)
			}
		}
	}
	if put == nil {
		return o, nil // a type without a PUT: no examples, no schema
	}
	params, _ := put.get("parameters")
	if list, ok := params.(*jsArray); ok {
		for _, e := range list.elems {
			if po, ok := e.(*jsObject); ok && po.str("in") == "body" {
				if schema, ok := po.get("schema"); ok {
					o.schema = schema
				}
				break
			}
		}
	}
	exs, _ := put.get("x-ms-examples")
	if eo, ok := exs.(*jsObject); ok {
		for _, m := range eo.members {
			e := example{name: m.Key}
			if ed, ok := m.Value.(*jsObject); ok {
				e.body = exampleBody(ed)
			}
			o.examples = append(o.examples, e)
		}
	}
	return o, nil
}

// exampleBody is the body of an x-ms-example as GruCloud's generator took it: the first of its
// parameters, in the file's order, whose value is an object or an array (usually the body
// parameter; where an example's author put another first, such as a top-level sku or zones,
// that one), as the example file has it, read-only keys too. Nil when none is.
func exampleBody(ex *jsObject) any {
	params, _ := ex.get("parameters")
	po, ok := params.(*jsObject)
	if !ok {
		return nil
	}
	for _, m := range po.members {
		switch m.Value.(type) {
		case *jsObject, *jsArray:
			return plain(m.Value)
		}
	}
	return nil
}

// specLink is where a swagger file is published.
func specLink(rel string) string {
	return "https://github.com/Azure/azure-rest-api-specs/tree/main/specification/" + path.Clean(rel)
}
