package gru

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/target"
)

// The codes of a FilterError.
const (
	// CodeUnknownGroup: the group filter names no group of types gru knows.
	CodeUnknownGroup = "unknown-group"
	// CodeNoMatch: the filters name no resource the project declares.
	CodeNoMatch = "no-match"
)

// FilterError says a filter of PlanDestroy or List cannot keep anything: a type (Code
// unknown-type) or group (unknown-group) gru does not know; for PlanDestroy, which keeps
// declared resources only, a type, group or name the project does not declare, or a
// combination of them that no declared resource has (no-match).
type FilterError struct {
	Code string
	// Filter is the option at fault ("types", "group" or "name"), Value what it was given.
	Filter, Value string
	// Suggestions are the nearest values that would keep something.
	Suggestions []string
	// Message says it all, suggestions too.
	Message string
}

func (e *FilterError) Error() string { return e.Message }

// filtersOf resolves a filter's types and group (see typesOf and groupOf).
func (s *Session) filtersOf(types []string, group string) ([]*catalog.TypeInfo, string, error) {
	resolved, err := s.typesOf(types)
	if err != nil {
		return nil, "", err
	}
	g, err := s.groupOf(group)
	return resolved, g, err
}

// typesOf looks the types of a filter up in the catalogue.
func (s *Session) typesOf(names []string) ([]*catalog.TypeInfo, error) {
	var out []*catalog.TypeInfo
	for _, name := range names {
		ti, err := s.catalog.Lookup(name)
		if err != nil {
			e := &FilterError{Code: CodeUnknownType, Filter: "types", Value: name, Message: "types: " + err.Error()}
			var unknown *catalog.UnknownTypeError
			if errors.As(err, &unknown) {
				e.Suggestions = unknown.Suggestions
			}
			return nil, e
		}
		out = append(out, ti)
	}
	return out, nil
}

// groupOf finds a group of types (Network, Storage, ...) as the catalogue writes it, "" for
// none.
func (s *Session) groupOf(name string) (string, error) {
	if name == "" {
		return "", nil
	}
	var groups []string
	seen := map[string]bool{}
	for _, t := range s.catalog.Types() {
		g := t.Group()
		if strings.EqualFold(g, name) {
			return g, nil
		}
		if !seen[g] {
			seen[g] = true
			groups = append(groups, g)
		}
	}
	sort.Strings(groups)
	suggestions := target.Nearest(name, groups, 3)
	return "", &FilterError{Code: CodeUnknownGroup, Filter: "group", Value: name, Suggestions: suggestions,
		Message: fmt.Sprintf("group: no type is of group %q%s (`gru types` lists them)", name, target.DidYouMean(suggestions))}
}

// ofType reports a type among others.
func ofType(t *catalog.TypeInfo, types []*catalog.TypeInfo) bool {
	for _, want := range types {
		if strings.EqualFold(t.ARMType, want.ARMType) {
			return true
		}
	}
	return false
}

// destroyFilter is what PlanDestroy keeps of a project's declared resources with the
// options' filters, nil without filters. Filters that keep no declared resource are an error
// that says so, with the nearest values that would keep some.
func (s *Session) destroyFilter(t *target.Target, o DestroyOptions) (func(*target.Resource) bool, error) {
	if len(o.Types) == 0 && o.Name == "" && o.Group == "" {
		return nil, nil
	}
	types, group, err := s.filtersOf(o.Types, o.Group)
	if err != nil {
		return nil, err
	}
	var declaredTypes, declaredGroups []string
	for _, r := range t.Resources {
		declaredTypes = append(declaredTypes, r.Type.ShortName)
		declaredGroups = append(declaredGroups, r.Type.Group())
	}
	declared := make([]*catalog.TypeInfo, len(t.Resources))
	for i, r := range t.Resources {
		declared[i] = r.Type
	}
	for i, ti := range types {
		if !ofType(ti, declared) {
			return nil, noMatch("types", o.Types[i], fmt.Sprintf("the project declares no %s", ti.ShortName), declaredTypes)
		}
	}
	if group != "" && !containsFold(declaredGroups, group) {
		return nil, noMatch("group", o.Group, fmt.Sprintf("the project declares no resource of group %s", group), declaredGroups)
	}
	// kept by types and group
	var kept []*target.Resource
	for _, r := range t.Resources {
		if (len(types) == 0 || ofType(r.Type, types)) && (group == "" || strings.EqualFold(r.Type.Group(), group)) {
			kept = append(kept, r)
		}
	}
	what := "resource"
	if len(types) == 1 {
		what = types[0].ShortName
	} else if len(types) > 1 {
		what = "resource of these types"
	}
	if group != "" {
		what += " of group " + group
	}
	if len(kept) == 0 && len(types) > 0 && group != "" {
		// The types are declared, the group too, but the types are of other groups.
		var groupsOfTypes []string
		for _, ti := range types {
			if !slices.Contains(groupsOfTypes, ti.Group()) {
				groupsOfTypes = append(groupsOfTypes, ti.Group())
			}
		}
		msg := fmt.Sprintf("%s is of group %s, not %s", types[0].ShortName, types[0].Group(), group)
		if len(types) > 1 {
			msg = fmt.Sprintf("none of the types is of group %s: they are of group %s", group, strings.Join(groupsOfTypes, ", "))
		}
		e := noMatch("group", o.Group, msg, nil)
		e.Suggestions = groupsOfTypes
		return nil, e
	}
	if o.Name != "" {
		var names []string
		found := false
		for _, r := range kept {
			found = found || strings.EqualFold(o.Name, r.Spec.Name) || strings.EqualFold(o.Name, r.FullName)
			names = append(names, r.Spec.Name, r.FullName)
		}
		if !found {
			return nil, noMatch("name", o.Name, fmt.Sprintf("the project declares no %s named %q", what, o.Name), names)
		}
	}
	return func(r *target.Resource) bool {
		return (len(types) == 0 || ofType(r.Type, types)) && (group == "" || strings.EqualFold(r.Type.Group(), group)) &&
			(o.Name == "" || strings.EqualFold(o.Name, r.Spec.Name) || strings.EqualFold(o.Name, r.FullName))
	}, nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// noMatch is the error of a filter that keeps nothing: the nearest of the values that would
// keep something, else (a few of) those values.
func noMatch(filter, value, msg string, values []string) *FilterError {
	return noMatchAmong(filter, value, msg, "it declares", values)
}

// noMatchAmong is noMatch with its own words for the values there are ("it declares").
func noMatchAmong(filter, value, msg, there string, values []string) *FilterError {
	var distinct []string
	seen := map[string]bool{}
	for _, v := range values {
		if !seen[strings.ToLower(v)] {
			seen[strings.ToLower(v)] = true
			distinct = append(distinct, v)
		}
	}
	sort.Strings(distinct)
	e := &FilterError{Code: CodeNoMatch, Filter: filter, Value: value, Suggestions: target.Nearest(value, distinct, 3)}
	switch {
	case len(e.Suggestions) > 0:
		msg += target.DidYouMean(e.Suggestions)
	case len(distinct) > 0 && len(distinct) <= 8:
		msg += "; " + there + " " + strings.Join(distinct, ", ")
	case len(distinct) > 8:
		msg += "; " + there + " " + strings.Join(distinct[:8], ", ") + ", ..."
	}
	e.Message = filter + ": " + msg
	return e
}
