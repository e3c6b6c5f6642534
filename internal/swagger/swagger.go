// Package swagger reads Azure REST API specifications (the swagger 2.0 files of
// azure-rest-api-specs) as far as gru needs them: their operations, the resource type each
// operation's path addresses, and the request examples (x-ms-examples) written for them.
// It knows nothing of gru's catalogue or validation.
package swagger

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Example is one request example of a PUT or PATCH operation.
type Example struct {
	// SpecFile is the swagger file, relative to the specification root, with slashes.
	SpecFile    string `json:"spec"`
	Path        string `json:"path"`
	Method      string `json:"method"`
	OperationID string `json:"operationId"`
	// Name is the example's title in x-ms-examples; ExampleFile its file, relative to the root.
	Name        string `json:"name"`
	ExampleFile string `json:"exampleFile"`
	// ARMType is the resource type the path addresses; APIVersion the spec's info.version,
	// which the example belongs to (ExampleAPIVersion is what the example itself says: often a
	// stale copy from an older version).
	ARMType           string `json:"armType"`
	APIVersion        string `json:"apiVersion"`
	ExampleAPIVersion string `json:"exampleApiVersion,omitempty"`
	// ResourceName is the last segment of the path, from the example's parameters where it is one.
	ResourceName string          `json:"resourceName"`
	Body         json.RawMessage `json:"body"`
}

type document struct {
	Swagger string `json:"swagger"`
	Info    struct {
		Version string `json:"version"`
	} `json:"info"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Parameters map[string]parameter                  `json:"parameters"`
}

type operation struct {
	OperationID string                       `json:"operationId"`
	Parameters  []parameter                  `json:"parameters"`
	Examples    map[string]map[string]string `json:"x-ms-examples"`
}

type parameter struct {
	Ref  string `json:"$ref"`
	Name string `json:"name"`
	In   string `json:"in"`
}

// RequestExamples walks a specification root (a folder holding swagger files, such as an
// azure-rest-api-specs "specification" folder) and returns the body of every PUT and PATCH
// example whose path addresses a resource type, sorted by spec file, path, method and name.
// Examples whose file or body parameter cannot be found are returned in skipped, with why.
func RequestExamples(ctx context.Context, root string) (examples []Example, skipped []string, err error) {
	var specs []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "examples" {
				return filepath.SkipDir
			}
			return ctx.Err()
		}
		if strings.HasSuffix(p, ".json") {
			specs = append(specs, p)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(specs)
	for _, spec := range specs {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		ex, sk, err := fileExamples(root, spec)
		if err != nil {
			return nil, nil, err
		}
		examples = append(examples, ex...)
		skipped = append(skipped, sk...)
	}
	return examples, skipped, nil
}

func fileExamples(root, spec string) ([]Example, []string, error) {
	data, err := os.ReadFile(spec)
	if err != nil {
		return nil, nil, err
	}
	var doc document
	if err := json.Unmarshal(data, &doc); err != nil || doc.Swagger == "" {
		return nil, nil, nil // not a swagger file (an example or a readme's json)
	}
	rel, _ := filepath.Rel(root, spec)
	rel = filepath.ToSlash(rel)
	var out []Example
	var skipped []string
	for p, methods := range doc.Paths {
		armType, ok := ARMTypeFromPath(p)
		if !ok {
			continue
		}
		for method, raw := range methods {
			m := strings.ToUpper(method)
			if m != "PUT" && m != "PATCH" {
				continue
			}
			var op operation
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, nil, fmt.Errorf("%s: %s %s: %w", rel, m, p, err)
			}
			bodyName := ""
			for _, prm := range op.Parameters {
				if prm.Ref != "" {
					prm = resolveParameter(spec, &doc, prm.Ref)
				}
				if prm.In == "body" {
					bodyName = prm.Name
				}
			}
			for title, ref := range op.Examples {
				where := fmt.Sprintf("%s %s %s example %q", rel, m, p, title)
				if bodyName == "" {
					skipped = append(skipped, where+": the operation has no body parameter")
					continue
				}
				exFile := filepath.Join(filepath.Dir(spec), filepath.FromSlash(ref["$ref"]))
				exData, err := os.ReadFile(exFile)
				if err != nil {
					skipped = append(skipped, where+": example file missing")
					continue
				}
				var ex struct {
					Parameters map[string]json.RawMessage `json:"parameters"`
				}
				if err := json.Unmarshal(exData, &ex); err != nil {
					skipped = append(skipped, where+": example is not JSON: "+err.Error())
					continue
				}
				body, ok := ex.Parameters[bodyName]
				if !ok {
					skipped = append(skipped, where+": example has no "+bodyName+" parameter")
					continue
				}
				var exVersion string
				_ = json.Unmarshal(ex.Parameters["api-version"], &exVersion)
				name := p[strings.LastIndexByte(p, '/')+1:]
				if isParam(name) {
					var s string
					_ = json.Unmarshal(ex.Parameters[strings.Trim(name, "{}")], &s)
					name = s // "" when the example does not give it
				}
				exRel, _ := filepath.Rel(root, exFile)
				out = append(out, Example{
					SpecFile: rel, Path: p, Method: m, OperationID: op.OperationID, Name: title,
					ExampleFile: filepath.ToSlash(exRel), ARMType: armType, APIVersion: doc.Info.Version, ExampleAPIVersion: exVersion, ResourceName: name, Body: body,
				})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Method != b.Method {
			return a.Method < b.Method
		}
		return a.Name < b.Name
	})
	sort.Strings(skipped)
	return out, skipped, nil
}

// resolveParameter follows a parameter $ref, local (#/parameters/X) or into another file.
func resolveParameter(spec string, doc *document, ref string) parameter {
	file, frag, _ := strings.Cut(ref, "#")
	name := path.Base(frag)
	if file == "" {
		return doc.Parameters[name]
	}
	data, err := os.ReadFile(filepath.Join(filepath.Dir(spec), filepath.FromSlash(file)))
	if err != nil {
		return parameter{}
	}
	var other document
	if json.Unmarshal(data, &other) != nil {
		return parameter{}
	}
	return other.Parameters[name]
}

// ARMTypeFromPath returns the resource type an operation path addresses, such as
// Microsoft.Storage/storageAccounts/privateEndpointConnections for
// /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{a}/privateEndpointConnections/{c}.
// It reports false for collections, actions and paths whose type segments are parameters.
func ARMTypeFromPath(p string) (string, bool) {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	last := -1
	for i, s := range segs {
		if strings.EqualFold(s, "providers") {
			last = i
		}
	}
	if last < 0 {
		// Resource groups are the one resource type outside a provider path.
		if len(segs) == 4 && strings.EqualFold(segs[0], "subscriptions") && strings.EqualFold(segs[2], "resourceGroups") {
			return "Microsoft.Resources/resourceGroups", true
		}
		return "", false
	}
	rest := segs[last+1:]
	if len(rest) < 3 || len(rest)%2 == 0 || isParam(rest[0]) {
		return "", false
	}
	parts := []string{rest[0]}
	for i := 1; i < len(rest); i += 2 {
		if isParam(rest[i]) {
			return "", false
		}
		parts = append(parts, rest[i])
	}
	return strings.Join(parts, "/"), true
}

func isParam(s string) bool { return strings.HasPrefix(s, "{") }
