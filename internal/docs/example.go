package docs

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/gru-iac/gru/internal/catalog"
)

// exampleName is the name a page's example gives a resource of a type: "my" and the type's
// name, as GruCloud's pages have it, unless the type's name is fixed (a blob service's is
// default, or fixed by GruCloud's PUT path: fixed, see catalog.FixedNames) or its pattern or
// length refuses that (storage account names are lower case).
func exampleName(r *catalog.Resource, typeName string, fixed []string) string {
	if len(fixed) > 0 && fixed[len(fixed)-1] != "" {
		return fixed[len(fixed)-1]
	}
	preferred := "my" + typeName
	var name *catalog.Type
	if r != nil && r.Body != nil {
		if p := r.Body.Property("name"); p != nil {
			name = p.Type
		}
	}
	if name == nil {
		return preferred
	}
	if values, open := name.Literals(); len(values) > 0 && !open {
		return values[0]
	}
	if name.Kind == catalog.KindInteger { // a cloud service's update domains are numbered
		n := int64(0)
		if name.MinValue != nil {
			n = *name.MinValue
		}
		return strconv.FormatInt(n, 10)
	}
	lower := strings.ToLower(preferred)
	alnum := strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return unicode.ToLower(r)
		}
		return -1
	}, preferred)
	candidates := []string{preferred, lower, alnum, "default"}
	if r != nil && strings.HasPrefix(strings.ToLower(r.ARMType), "microsoft.storage/") {
		// Storage names are lower case (containers, shares, queues), which the schema does
		// not always say.
		candidates = []string{alnum, lower, "default"}
	}
	for _, c := range candidates {
		if fitsString(name, c) {
			return c
		}
		if name.MaxLength != nil && int64(len(c)) > *name.MaxLength {
			if c = c[:*name.MaxLength]; fitsString(name, c) {
				return c
			}
		}
	}
	return preferred
}

// fitsString reports whether s is a valid value of a string type: length and pattern.
func fitsString(t *catalog.Type, s string) bool {
	if t.MinLength != nil && int64(len(s)) < *t.MinLength || t.MaxLength != nil && int64(len(s)) > *t.MaxLength {
		return false
	}
	if ok, checked := t.MatchPattern(s); checked && !ok {
		return false
	}
	return true
}

// minimalBody is the smallest body a type accepts: its required, writable properties, each
// with a value its schema allows (the first enum value, the lower bound, one item where an
// array needs one). The name, location and the IDs a dependency fills in (skip, by property
// path) are left out: the project gives them.
//
// A body discriminated by its name (a web app's config: web, logs, appsettings...) takes the
// variant of the example's name.
func minimalBody(r *catalog.Resource, name string, skip map[string]bool) Object {
	if r == nil || r.Body == nil {
		return Object{}
	}
	out := Object{}
	props := propertiesOf(r.Body)
	if t := r.Body; t.Kind == catalog.KindDiscriminatedObject && len(t.Variants) > 0 {
		variant := t.Variants[0]
		for _, v := range t.Variants {
			if strings.EqualFold(t.Discriminator, "name") && strings.EqualFold(v.Value, name) {
				variant = v
			}
		}
		if !strings.EqualFold(t.Discriminator, "name") {
			out = append(out, Member{Key: t.Discriminator, Value: variant.Value})
		}
		props = append([]catalog.Property{}, t.BaseProperties...)
		if variant.Type != nil {
			props = append(props, variant.Type.Properties...)
		}
	}
	for _, p := range props {
		if _, done := out.Get(p.Name); done {
			continue
		}
		switch strings.ToLower(p.Name) {
		case "name", "location", "id", "type", "apiversion":
			continue
		}
		if v, ok := minimalProperty(p, p.Name, skip, 0); ok {
			out = append(out, Member{Key: p.Name, Value: v})
		}
	}
	return out
}

// minimalDepth bounds the recursion of minimalValue in recursive schemas.
const minimalDepth = 12

// minimalProperty is the value of a property that is required, or that lies on the way to an
// ID a dependency fills in (its objects then need their own required properties), and false
// for any other, and for the IDs themselves.
func minimalProperty(p catalog.Property, path string, skip map[string]bool, depth int) (any, bool) {
	if p.Flags.Has(catalog.FlagReadOnly) || skip[path] || !p.Flags.Has(catalog.FlagRequired) && !onTheWay(path, skip) {
		return nil, false
	}
	return minimalValue(p.Type, p.Name, path, skip, depth+1), true
}

// onTheWay reports whether a path leads to one that a dependency fills in.
func onTheWay(path string, filled map[string]bool) bool {
	for f := range filled {
		if strings.HasPrefix(f, path+".") || strings.HasPrefix(f, path+"[]") {
			return true
		}
	}
	return false
}

// minimalValue is a value of a type, for a property of a name at a path.
func minimalValue(t *catalog.Type, name, path string, skip map[string]bool, depth int) any {
	if t == nil || depth > minimalDepth {
		return Object{}
	}
	switch t.Kind {
	case catalog.KindStringLiteral:
		return t.Value
	case catalog.KindUnion:
		if values, _ := t.Literals(); len(values) > 0 {
			return values[0]
		}
		if len(t.Elements) > 0 {
			return minimalValue(t.Elements[0], name, path, skip, depth+1)
		}
	case catalog.KindString:
		return exampleString(t, name)
	case catalog.KindInteger:
		n := int64(1)
		if t.MinValue != nil {
			n = *t.MinValue
		}
		if t.MaxValue != nil && n > *t.MaxValue {
			n = *t.MaxValue
		}
		return n
	case catalog.KindBoolean:
		return false
	case catalog.KindArray:
		if t.MinLength != nil && *t.MinLength > 0 || onTheWay(path, skip) {
			return []any{minimalValue(t.Items, name, path+"[]", skip, depth+1)}
		}
		return []any{}
	case catalog.KindObject, catalog.KindDiscriminatedObject:
		out := Object{}
		props := t.Properties
		if t.Kind == catalog.KindDiscriminatedObject {
			props = t.BaseProperties
			if len(t.Variants) > 0 {
				v := t.Variants[0]
				out = append(out, Member{Key: t.Discriminator, Value: v.Value})
				if v.Type != nil {
					props = append(append([]catalog.Property{}, props...), v.Type.Properties...)
				}
			}
		}
		for _, p := range props {
			if p.Name == t.Discriminator && t.Kind == catalog.KindDiscriminatedObject {
				continue
			}
			if v, ok := minimalProperty(p, path+"."+p.Name, skip, depth); ok {
				out = append(out, Member{Key: p.Name, Value: v})
			}
		}
		return out
	}
	return "value"
}

// exampleString is a string a string type accepts, for a property of a name: its name after
// "my" where nothing forbids it, else the first of a few common shapes that fits.
func exampleString(t *catalog.Type, name string) string {
	candidates := []string{"my" + strings.ToUpper(name[:1]) + name[1:]}
	lowerName := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lowerName, "id") || strings.Contains(lowerName, "tenant") || strings.Contains(lowerName, "guid"):
		candidates = append([]string{"00000000-0000-0000-0000-000000000000"}, candidates...)
	case lowerName == "source" || strings.HasSuffix(lowerName, "file") || strings.HasSuffix(lowerName, "path"):
		candidates = append([]string{"assets/index.html"}, candidates...)
	case strings.Contains(lowerName, "password") || strings.Contains(lowerName, "secret") || strings.Contains(lowerName, "key"):
		candidates = append([]string{"Chang3-Me-Pl3ase!"}, candidates...)
	}
	candidates = append(candidates, strings.ToLower(candidates[len(candidates)-1]), "default", "value", "a1", "1", "00000000-0000-0000-0000-000000000000", "10.0.0.1", "10.0.0.0/24", "https://example.com")
	for _, c := range candidates {
		if fitsString(t, c) {
			return c
		}
	}
	if t.MinLength != nil {
		return strings.Repeat("a", int(*t.MinLength))
	}
	return candidates[0]
}

// propertiesOf are the properties of an object or of a discriminated object's first variant.
func propertiesOf(t *catalog.Type) []catalog.Property {
	if t.Kind == catalog.KindDiscriminatedObject {
		props := append([]catalog.Property{}, t.BaseProperties...)
		if len(t.Variants) > 0 && t.Variants[0].Type != nil {
			props = append(props, t.Variants[0].Type.Properties...)
		}
		return props
	}
	return t.Properties
}
