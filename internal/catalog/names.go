package catalog

import (
	"fmt"
	"sort"
	"strings"

	"github.com/agnivade/levenshtein"
)

// TypeRef is a parsed type name as a user writes it: a short name (Storage::StorageAccount),
// or an ARM type (Microsoft.Storage/storageAccounts), either optionally followed by
// @<api-version>.
type TypeRef struct {
	Name       string
	APIVersion string
}

// ParseTypeRef checks the shape of a type name. It does not look the name up.
func ParseTypeRef(s string) (TypeRef, error) {
	s = strings.TrimSpace(s)
	name, version, hasVersion := strings.Cut(s, "@")
	if name == "" {
		return TypeRef{}, fmt.Errorf("empty resource type name: write Group::Type (Storage::StorageAccount) or an ARM type (Microsoft.Storage/storageAccounts)")
	}
	if hasVersion && !validVersion(version) {
		return TypeRef{}, fmt.Errorf("resource type %q: API version %q is not of the form YYYY-MM-DD[-preview]", s, version)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("./:-_", r)) {
			return TypeRef{}, fmt.Errorf("resource type %q: character %q is not allowed in a type name", s, r)
		}
	}
	if strings.Contains(name, "::") {
		group, typ, _ := strings.Cut(name, "::")
		if group == "" || typ == "" || strings.Contains(typ, ":") || strings.Contains(name, "/") {
			return TypeRef{}, fmt.Errorf("resource type %q: expected Group::Type, such as Storage::StorageAccount", s)
		}
	} else if strings.Contains(name, ":") {
		return TypeRef{}, fmt.Errorf("resource type %q: expected Group::Type with two colons, such as Storage::StorageAccount", s)
	} else if strings.Contains(name, "/") {
		for _, seg := range strings.Split(name, "/") {
			if seg == "" {
				return TypeRef{}, fmt.Errorf("resource type %q: empty segment; expected Namespace/type[/child...], such as Microsoft.Storage/storageAccounts", s)
			}
		}
	}
	return TypeRef{Name: name, APIVersion: version}, nil
}

// validVersion accepts ARM API versions: a date, optionally followed by a suffix like -preview.
func validVersion(v string) bool {
	if len(v) < 10 {
		return false
	}
	for i, r := range v[:10] {
		if i == 4 || i == 7 {
			if r != '-' {
				return false
			}
		} else if r < '0' || r > '9' {
			return false
		}
	}
	rest := v[10:]
	if rest == "" {
		return true
	}
	if rest[0] != '-' || len(rest) == 1 {
		return false
	}
	for _, r := range rest[1:] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// maxSuggestLength bounds the names Suggest compares: the longest ARM type is about 150 characters.
const maxSuggestLength = 200

// Suggest returns up to n type names nearest to a misspelt one. A bare type name (no group,
// no namespace) is compared with the type part of short names, so "StorageAcount" finds
// Storage::StorageAccount.
func (c *Catalog) Suggest(name string, n int) []string {
	c.indexed()
	q := strings.ToLower(strings.TrimSpace(name))
	if len(q) > maxSuggestLength {
		return []string{} // no type name is this long; comparing would only cost time
	}
	bare := !strings.Contains(q, "::") && !strings.Contains(q, "/")
	type scored struct {
		name string
		dist int
	}
	best := map[string]int{}
	for key, t := range c.names {
		cand := key
		if bare {
			if _, typ, ok := strings.Cut(key, "::"); ok {
				cand = typ
			} else {
				continue
			}
		} else if strings.Contains(q, "/") != strings.Contains(key, "/") {
			continue
		}
		d := levenshtein.ComputeDistance(q, cand)
		display := t.ShortName
		if strings.Contains(q, "/") {
			display = t.ARMType
		}
		if prev, ok := best[display]; !ok || d < prev {
			best[display] = d
		}
	}
	list := make([]scored, 0, len(best))
	for name, d := range best {
		list = append(list, scored{name, d})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].dist != list[j].dist {
			return list[i].dist < list[j].dist
		}
		if len(list[i].name) != len(list[j].name) {
			return len(list[i].name) < len(list[j].name) // the plainest name first: Storage:: before DataBoxEdge::
		}
		return list[i].name < list[j].name
	})
	out := []string{}
	limit := len(q)/2 + 2 // beyond this a suggestion is noise
	for _, s := range list {
		if len(out) == n || s.dist > limit {
			break
		}
		out = append(out, s.name)
	}
	return out
}
