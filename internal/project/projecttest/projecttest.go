// Package projecttest declares resources for the tests of the packages that read projects
// (engine, plan), without running JavaScript.
package projecttest

import (
	"encoding/json"
	"strings"

	"github.com/gru-iac/gru/internal/project"
)

// Spec declares a resource: its type (Group::Type), name, properties (JSON; "" for none) and
// dependencies ("key=name" or "key=name,name", a list). It is declared in name.js, at 1:1.
func Spec(typ, name, body string, deps ...string) *project.Spec {
	group, short, _ := strings.Cut(typ, "::")
	s := &project.Spec{Type: short, Group: group, Name: name, Properties: map[string]any{}, Source: project.Location{File: name + ".js", Line: 1, Column: 1}}
	if body != "" {
		dec := json.NewDecoder(strings.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&s.Properties); err != nil {
			panic(err)
		}
	}
	for _, d := range deps {
		key, names, _ := strings.Cut(d, "=")
		var refs []project.Ref
		for _, n := range strings.Split(names, ",") {
			refs = append(refs, project.Ref{Name: n})
		}
		s.Dependencies.Add(key, strings.Contains(names, ","), refs...)
	}
	return s
}
