package schemaview

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/gru-iac/gru/internal/catalog"
)

// Change is one difference between two API versions of a type's body, at a property path
// (properties.subnets[].properties.addressPrefix; a discriminated variant as
// [kind=Value]).
type Change struct {
	Path string `json:"path"`
	// Kind: added, removed, renamed (its name's case changed: ARM reads names without case,
	// so only the spelling changed; Before and After are the names), type (its type changed),
	// enum (values added or removed; ARM compares them without case, so case-only changes are
	// left out), flags (required, read-only, write-only... added or removed).
	Kind   string   `json:"kind"`
	Before string   `json:"before,omitempty"`
	After  string   `json:"after,omitempty"`
	Added  []string `json:"added,omitempty"`
	Lost   []string `json:"removed,omitempty"`
}

// diffDepth bounds how deep Diff walks recursive schemas.
const diffDepth = 12

// Diff lists what changed from one body schema (from) to another (to), in path order. Below a
// property read-only in both, nothing is compared: a project never writes it (the copies of
// other resources that bodies embed, such as a subnet's network security group).
func Diff(from, to *catalog.Type) []Change {
	var out []Change
	members(from, to, "", 0, &out)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// props are the named members of a type, for comparison: an object's properties, a
// discriminated object's base properties and its variants (as [discriminator=value]), an
// array's items (as []).
func props(t *catalog.Type) map[string]catalog.Property {
	out := map[string]catalog.Property{}
	if t == nil {
		return out
	}
	switch t.Kind {
	case catalog.KindObject:
		for _, p := range t.Properties {
			out[p.Name] = p
		}
	case catalog.KindDiscriminatedObject:
		for _, p := range t.BaseProperties {
			out[p.Name] = p
		}
		for _, v := range t.Variants {
			out["["+t.Discriminator+"="+v.Value+"]"] = catalog.Property{Name: v.Value, Type: v.Type}
		}
	}
	return out
}

func join(path, name string) string {
	switch {
	case path == "":
		return name
	case strings.HasPrefix(name, "["):
		return path + name
	}
	return path + "." + name
}

// members compares the members of two object-like types below a path.
func members(a, b *catalog.Type, path string, depth int, out *[]Change) {
	if depth > diffDepth || a == nil || b == nil {
		return
	}
	if a.Kind == catalog.KindArray && b.Kind == catalog.KindArray {
		members(a.Items, b.Items, path+"[]", depth+1, out)
		return
	}
	pa, pb := props(a), props(b)
	// A name whose case alone changed is the same property to ARM.
	renamed := map[string]string{} // a's name -> b's
	byLower := map[string]string{}
	for n := range pb {
		byLower[strings.ToLower(n)] = n
	}
	for n := range pa {
		if _, same := pb[n]; !same {
			if m, ok := byLower[strings.ToLower(n)]; ok {
				if _, taken := pa[m]; !taken {
					renamed[n] = m
				}
			}
		}
	}
	names := map[string]bool{}
	for n := range pa {
		names[n] = true
	}
	for n := range pb {
		names[n] = true
	}
	for _, m := range renamed {
		delete(names, m)
	}
	for _, n := range slices.Sorted(maps.Keys(names)) {
		if path == "" && n == "apiVersion" {
			continue // the version itself
		}
		x, inA := pa[n]
		y, inB := pb[n]
		p := join(path, n)
		if m, ok := renamed[n]; ok {
			y, inB = pb[m], true
			*out = append(*out, Change{Path: p, Kind: "renamed", Before: n, After: m})
			p = join(path, m)
		}
		switch {
		case !inA:
			*out = append(*out, Change{Path: p, Kind: "added", After: describe(y)})
			continue
		case !inB:
			*out = append(*out, Change{Path: p, Kind: "removed", Before: describe(x)})
			continue
		}
		compare(x, y, p, out)
		if x.Flags&catalog.FlagReadOnly != 0 && y.Flags&catalog.FlagReadOnly != 0 {
			continue // never written: what changes below it changes nothing a project writes
		}
		members(x.Type, y.Type, p, depth+1, out)
	}
}

// compare compares one property present in both versions: its type, enum values and flags.
func compare(x, y catalog.Property, path string, out *[]Change) {
	if x.Type == nil || y.Type == nil {
		return
	}
	xs, xOpen := x.Type.Literals()
	ys, yOpen := y.Type.Literals()
	if (len(xs) > 0 || len(ys) > 0) && xOpen == yOpen && x.Type.Kind == y.Type.Kind {
		added, lost := setDiffFold(ys, xs), setDiffFold(xs, ys)
		if len(added) > 0 || len(lost) > 0 {
			*out = append(*out, Change{Path: path, Kind: "enum", Added: added, Lost: lost})
		}
	} else if dx, dy := x.Type.Describe(), y.Type.Describe(); dx != dy {
		*out = append(*out, Change{Path: path, Kind: "type", Before: dx, After: dy})
	}
	fx, fy := x.Flags.Names(), y.Flags.Names()
	if x.Type.Sensitive {
		fx = append(fx, "secret")
	}
	if y.Type.Sensitive {
		fy = append(fy, "secret")
	}
	if added, lost := setDiff(fy, fx), setDiff(fx, fy); len(added) > 0 || len(lost) > 0 {
		*out = append(*out, Change{Path: path, Kind: "flags", Added: added, Lost: lost})
	}
}

func describe(p catalog.Property) string {
	if p.Type == nil {
		return ""
	}
	d := p.Type.Describe()
	if names := p.Flags.Names(); len(names) > 0 {
		d += "  [" + strings.Join(names, ", ") + "]"
	}
	return d
}

// setDiff is what a has and b has not, in a's order.
func setDiff(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// setDiffFold is setDiff without case, as ARM compares enum values.
func setDiffFold(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.ContainsFunc(b, func(t string) bool { return strings.EqualFold(s, t) }) {
			out = append(out, s)
		}
	}
	return out
}

// WriteDiffText writes the changes from one version to another, a line each.
func WriteDiffText(w io.Writer, name, from, to string, changes []Change) error {
	if _, err := fmt.Fprintf(w, "%s: from %s to %s, %d change(s)\n", name, from, to, len(changes)); err != nil {
		return err
	}
	for _, c := range changes {
		var line string
		switch c.Kind {
		case "added":
			line = fmt.Sprintf("+ %s  %s", c.Path, c.After)
		case "removed":
			line = fmt.Sprintf("- %s  %s", c.Path, c.Before)
		case "type":
			line = fmt.Sprintf("~ %s  type %s -> %s", c.Path, c.Before, c.After)
		case "renamed":
			line = fmt.Sprintf("~ %s  renamed %s -> %s (case only: ARM reads names without case)", c.Path, c.Before, c.After)
		default:
			var parts []string
			for _, a := range c.Added {
				parts = append(parts, "+"+a)
			}
			for _, l := range c.Lost {
				parts = append(parts, "-"+l)
			}
			line = fmt.Sprintf("~ %s  %s %s", c.Path, c.Kind, strings.Join(parts, " "))
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}

// WriteDiffJSON writes the changes as {type, from, to, changes}.
func WriteDiffJSON(w io.Writer, name, from, to string, changes []Change) error {
	if changes == nil {
		changes = []Change{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"type": name, "from": from, "to": to, "changes": changes})
}
