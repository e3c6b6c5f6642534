package swagger

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Operation is one operation of a swagger file: a method on a path template.
type Operation struct {
	// SpecFile is the swagger file in the file system of the Specs.
	SpecFile    string
	Path        string
	Method      string
	OperationID string
	// APIVersion is the spec's info.version.
	APIVersion string
	// Responses maps each status code the operation lists ("200", "default") to the schema of
	// its body; nil for a response without one (a 202, a 204).
	Responses map[string]*SchemaRef
	// Examples are the operation's x-ms-examples: title -> example file in the file system.
	Examples map[string]string

	segs     []string
	literals int
}

// Specs are the operations of the swagger files of a file system, with their documents for
// schema validation.
type Specs struct {
	*Docs
	ops []*Operation
}

// Operations lists every operation, sorted by spec file, path and method.
func (s *Specs) Operations() []*Operation { return s.ops }

var methods = map[string]bool{"get": true, "put": true, "patch": true, "post": true, "delete": true, "head": true}

// LoadSpecs reads the operations of every swagger file of a file system (such as os.DirFS of
// an azure-rest-api-specs "specification" folder); folders named examples are not read.
func LoadSpecs(ctx context.Context, fsys fs.FS) (*Specs, error) {
	s := &Specs{Docs: NewDocs(fsys)}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "examples" {
				return fs.SkipDir
			}
			return ctx.Err()
		}
		if !strings.HasSuffix(p, ".json") {
			return nil
		}
		ops, err := fileOperations(fsys, p)
		if err != nil {
			return err
		}
		s.ops = append(s.ops, ops...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(s.ops, func(i, j int) bool {
		a, b := s.ops[i], s.ops[j]
		if a.SpecFile != b.SpecFile {
			return a.SpecFile < b.SpecFile
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Method < b.Method
	})
	return s, nil
}

func fileOperations(fsys fs.FS, file string) ([]*Operation, error) {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Swagger string `json:"swagger"`
		Info    struct {
			Version string `json:"version"`
		} `json:"info"`
		Paths     map[string]map[string]json.RawMessage `json:"paths"`
		Responses map[string]json.RawMessage            `json:"responses"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.Swagger == "" {
		return nil, nil // not a swagger file
	}
	var out []*Operation
	for p, byMethod := range doc.Paths {
		for method, raw := range byMethod {
			if !methods[strings.ToLower(method)] {
				continue // path-level parameters, extensions
			}
			var op struct {
				OperationID string                       `json:"operationId"`
				Examples    map[string]map[string]string `json:"x-ms-examples"`
				Responses   map[string]struct {
					Ref    string          `json:"$ref"`
					Schema json.RawMessage `json:"schema"`
				} `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, fmt.Errorf("%s: %s %s: %w", file, method, p, err)
			}
			o := &Operation{SpecFile: file, Path: p, Method: strings.ToUpper(method), OperationID: op.OperationID, APIVersion: doc.Info.Version, Responses: map[string]*SchemaRef{}}
			for title, ref := range op.Examples {
				if r, ok := ref["$ref"]; ok {
					if o.Examples == nil {
						o.Examples = map[string]string{}
					}
					o.Examples[title] = path.Join(path.Dir(file), r)
				}
			}
			for code, resp := range op.Responses {
				switch {
				case resp.Ref != "":
					r := resolveRef(file, resp.Ref)
					r.Pointer += "/schema"
					o.Responses[code] = &r
				case len(resp.Schema) > 0:
					o.Responses[code] = &SchemaRef{File: file, Pointer: "/paths/" + EscapePointer(p) + "/" + method + "/responses/" + EscapePointer(code) + "/schema"}
				default:
					o.Responses[code] = nil
				}
			}
			o.segs = splitPath(p)
			for _, seg := range o.segs {
				if !isParam(seg) {
					o.literals++
				}
			}
			out = append(out, o)
		}
	}
	return out, nil
}

func splitPath(p string) []string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// matchSegments matches a concrete path against a template: literal segments without regard
// to case, a parameter one segment, or, as the template's first segment ({scope},
// {resourceUri}) before a literal one, one or more. A template of parameters alone (the
// generic /{resourceId}) matches no more than its number of segments.
func matchSegments(tmpl, segs []string) bool {
	if len(tmpl) > 1 && isParam(tmpl[0]) && !isParam(tmpl[1]) {
		for n := 1; n <= len(segs)-len(tmpl)+1; n++ {
			if matchFixed(tmpl[1:], segs[n:]) {
				return true
			}
		}
		return false
	}
	return matchFixed(tmpl, segs)
}

func matchFixed(tmpl, segs []string) bool {
	if len(tmpl) != len(segs) {
		return false
	}
	for i, t := range tmpl {
		if !isParam(t) && !strings.EqualFold(t, segs[i]) {
			return false
		}
	}
	return true
}

// Match finds the operation that serves a request: of the operations of method whose path
// template matches path (a path without its query), those whose template has the most literal
// segments (blobServices/default before blobServices/{name}, a provider's path before the
// generic {scope} ones); of these, the one of apiVersion if any (exact is then true), else the
// one of the version nearest to it in time (the newer of two as near). nil when none matches.
func (s *Specs) Match(method, path, apiVersion string) (op *Operation, exact bool) {
	segs := splitPath(path)
	var cands []*Operation
	for _, o := range s.ops {
		if strings.EqualFold(o.Method, method) && matchSegments(o.segs, segs) {
			cands = append(cands, o)
		}
	}
	if len(cands) == 0 {
		return nil, false
	}
	want := versionDate(apiVersion)
	best := cands[0]
	better := func(a, b *Operation) bool {
		if a.literals != b.literals {
			return a.literals > b.literals
		}
		ea, eb := strings.EqualFold(a.APIVersion, apiVersion), strings.EqualFold(b.APIVersion, apiVersion)
		if ea != eb {
			return ea
		}
		if !ea {
			da, db := distance(versionDate(a.APIVersion), want), distance(versionDate(b.APIVersion), want)
			if da != db {
				return da < db
			}
			if a.APIVersion != b.APIVersion {
				return a.APIVersion > b.APIVersion
			}
		}
		return false
	}
	for _, c := range cands[1:] {
		if better(c, best) {
			best = c
		}
	}
	return best, strings.EqualFold(best.APIVersion, apiVersion)
}

func versionDate(v string) time.Time {
	if len(v) >= 10 {
		if t, err := time.Parse("2006-01-02", v[:10]); err == nil {
			return t
		}
	}
	return time.Time{}
}

func distance(a, b time.Time) time.Duration {
	d := a.Sub(b)
	if d < 0 {
		return -d
	}
	return d
}

// armErrorViolations checks an error body ARM writes: {"error": {"code", "message"}}.
func armErrorViolations(body []byte, where string) []Violation {
	var v struct {
		Error *struct {
			Code    *string `json:"code"`
			Message *string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Error == nil || v.Error.Code == nil || v.Error.Message == nil {
		return []Violation{{Path: "$", Rule: "body", Schema: where, Detail: "an error status without ARM's error body {\"error\": {\"code\", \"message\"}}"}}
	}
	return nil
}

// CheckResponse validates a response of an operation: its status code must be one the
// operation lists (an error status may fall to "default"), and its body must match that
// response's schema. An empty body where the response has a schema, or a body where it has
// none, is a violation (rule body); a status the operation does not list is one of rule status.
func (s *Specs) CheckResponse(op *Operation, status int, body []byte, opts ValidateOptions) ([]Violation, error) {
	code := strconv.Itoa(status)
	ref, listed := op.Responses[code]
	where := op.SpecFile + "#/paths/" + EscapePointer(op.Path) + "/" + strings.ToLower(op.Method) + "/responses"
	if !listed {
		def, hasDefault := op.Responses["default"]
		if status >= 400 && !hasDefault {
			// ARM itself answers any request with an error (a resource not found, a bad
			// request) whether or not the provider's spec lists one: its error body.
			return armErrorViolations(body, where), nil
		}
		if status < 400 {
			var codes []string
			for c := range op.Responses {
				codes = append(codes, c)
			}
			sort.Strings(codes)
			return []Violation{{Path: "$", Rule: "status", Schema: where, Detail: fmt.Sprintf("%d is not among the operation's responses %s", status, strings.Join(codes, ", "))}}, nil
		}
		ref = def
	}
	empty := len(strings.TrimSpace(string(body))) == 0
	switch {
	case ref == nil && empty:
		return nil, nil
	case ref == nil:
		return []Violation{{Path: "$", Rule: "body", Schema: where + "/" + code, Detail: "a body where the response has none"}}, nil
	case empty:
		return []Violation{{Path: "$", Rule: "body", Schema: ref.String(), Detail: "no body where the response has one"}}, nil
	}
	return s.ValidateJSON(*ref, body, opts)
}
