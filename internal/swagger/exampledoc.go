package swagger

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// ExampleDoc is an x-ms-examples file: the request's parameters by name (path and query
// parameters as strings, the body as an object) and the responses by status code.
type ExampleDoc struct {
	Parameters map[string]json.RawMessage `json:"parameters"`
	Responses  map[string]ExampleResponse `json:"responses"`
}

// ExampleResponse is one response of an example.
type ExampleResponse struct {
	Body    json.RawMessage            `json:"body,omitempty"`
	Headers map[string]json.RawMessage `json:"headers,omitempty"`
}

// ReadExampleDoc reads an example file of a file system.
func ReadExampleDoc(fsys fs.FS, name string) (*ExampleDoc, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	var d ExampleDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &d, nil
}

// StatusCodes lists the example's response status codes, in order ("default" is left out).
func (d *ExampleDoc) StatusCodes() []int {
	var out []int
	for c := range d.Responses {
		if n, err := strconv.Atoi(c); err == nil {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out
}

// Param returns a string parameter of the example, its name compared without regard to case
// when no parameter has it exactly; false when it has none or it is not a string.
func (d *ExampleDoc) Param(name string) (string, bool) {
	raw, ok := d.Parameters[name]
	if !ok {
		for k, v := range d.Parameters {
			if strings.EqualFold(k, name) {
				raw, ok = v, true
				break
			}
		}
	}
	var s string
	if !ok || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// FillPath writes a path template with values for its parameters (each escaped as a path
// segment), taken from param; missing lists the parameters it has no value for, which stay
// as they are in the path.
func FillPath(template string, param func(name string) (string, bool)) (p string, missing []string) {
	segs := strings.Split(template, "/")
	for i, s := range segs {
		if !isParam(s) || !strings.HasSuffix(s, "}") {
			continue
		}
		name := s[1 : len(s)-1]
		v, ok := param(name)
		if !ok || v == "" {
			missing = append(missing, name)
			continue
		}
		segs[i] = url.PathEscape(v)
	}
	return strings.Join(segs, "/"), missing
}
