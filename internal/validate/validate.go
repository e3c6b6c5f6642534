// Package validate checks resource bodies against the catalogue's schemas before any request
// leaves the machine. It owns the rules (what is an error, what is only a warning) and the
// wording of problems; it knows no HTTP and no project format.
//
// The rules follow what Azure Resource Manager does with a body: enum strings are compared
// case-insensitively (ARM's model binders do), property names too, read-only properties and
// unknown properties are ignored by ARM and so are only warnings here (the type data also lags
// the service at times), and id, name, type and apiVersion travel in the URL.
package validate

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"

	"github.com/gru-iac/gru/internal/catalog"
	secrets "github.com/gru-iac/gru/internal/secret"
)

// Severity grades a problem.
type Severity uint8

const (
	// Error: ARM would refuse the body or misread it.
	Error Severity = iota
	// Warning: ARM ignores the value, or gru cannot tell.
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// MarshalText writes the severity as a word in JSON output.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Problem is one finding, at a JSON path of the body such as
// properties.privateLinkServiceConnectionState.status ("" is the body itself).
type Problem struct {
	Severity Severity `json:"severity"`
	Path     string   `json:"path"`
	Message  string   `json:"message"`
	Expected string   `json:"expected,omitempty"`
	Found    string   `json:"found,omitempty"`
	// Suggestion is the schema's closest name to an unknown property, "" when none is close.
	Suggestion string `json:"suggestion,omitempty"`
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Path != "" {
		b.WriteString(p.Path)
	} else {
		b.WriteString("(body)")
	}
	b.WriteString(": ")
	b.WriteString(p.Message)
	if p.Expected != "" {
		b.WriteString(": expected ")
		b.WriteString(p.Expected)
	}
	if p.Found != "" {
		if p.Expected != "" {
			b.WriteString(", found ")
		} else {
			b.WriteString(": found ")
		}
		b.WriteString(p.Found)
	}
	if p.Suggestion != "" {
		b.WriteString("; did you mean ")
		b.WriteString(p.Suggestion)
		b.WriteString("?")
	}
	return b.String()
}

// Options adjust the rules.
type Options struct {
	// Patch validates a PATCH body: required properties are not enforced.
	Patch bool
	// Name is the resource's name from its URL. When set, it is checked against the schema's
	// name (length, pattern, or the fixed name of a singleton such as blobServices/default).
	// A few types (Web sites' config, for one) choose their body's shape by name: without it,
	// only the properties common to every shape are checked.
	Name string
}

// HasErrors reports whether any problem is an error.
func HasErrors(problems []Problem) bool {
	for _, p := range problems {
		if p.Severity == Error {
			return true
		}
	}
	return false
}

// inURL reports the top-level properties that travel in the request URL and are never
// required in a body.
func inURL(name string) bool {
	switch strings.ToLower(name) {
	case "id", "name", "type", "apiversion":
		return true
	}
	return false
}

// Body checks a decoded JSON body (as from Decode: numbers as json.Number) against a resource
// schema and returns every problem found, errors and warnings, in path order.
func Body(r *catalog.Resource, body any, opts Options) []Problem {
	v := &validator{opts: opts}
	if r.Body == nil {
		return nil
	}
	v.check(r.Body, body, "", false, true)
	if opts.Name != "" && r.Body.Kind == catalog.KindObject {
		if p := r.Body.Property("name"); p != nil {
			var name any = opts.Name
			if _, err := strconv.ParseInt(opts.Name, 10, 64); err == nil && p.Type.Kind == catalog.KindInteger {
				name = json.Number(opts.Name) // a number in the URL (a cloud service's update domain 0)
			}
			v.check(p.Type, name, "name", false, false)
		}
	}
	sort.SliceStable(v.problems, func(i, j int) bool { return v.problems[i].Path < v.problems[j].Path })
	return v.problems
}

type validator struct {
	opts     Options
	problems []Problem
}

func (v *validator) add(sev Severity, path, msg, expected, found string) {
	v.problems = append(v.problems, Problem{Severity: sev, Path: path, Message: msg, Expected: expected, Found: found})
}

// check validates value against t at path. secret says a value must not be shown.
func (v *validator) check(t *catalog.Type, value any, path string, secret bool, root bool) {
	if value == nil {
		return // JSON null: ARM treats it as not set
	}
	secret = secret || t.Sensitive
	switch t.Kind {
	case catalog.KindAny:
	case catalog.KindString:
		s, ok := value.(string)
		if !ok {
			v.add(Error, path, "wrong type", "string", describe(value, secret))
			return
		}
		v.checkString(t, s, path, secret)
	case catalog.KindStringLiteral, catalog.KindUnion:
		v.checkChoice(t, value, path, secret)
	case catalog.KindInteger:
		v.checkInteger(t, value, path, secret)
	case catalog.KindBoolean:
		if _, ok := value.(bool); !ok {
			v.add(Error, path, "wrong type", "boolean", describe(value, secret))
		}
	case catalog.KindArray:
		list, ok := value.([]any)
		if !ok {
			v.add(Error, path, "wrong type", "array", describe(value, secret))
			return
		}
		if t.MinLength != nil && int64(len(list)) < *t.MinLength {
			v.add(Error, path, "too few items", fmt.Sprintf("at least %d", *t.MinLength), strconv.Itoa(len(list)))
		}
		if t.MaxLength != nil && int64(len(list)) > *t.MaxLength {
			v.add(Error, path, "too many items", fmt.Sprintf("at most %d", *t.MaxLength), strconv.Itoa(len(list)))
		}
		if t.Items != nil {
			for i, item := range list {
				v.check(t.Items, item, fmt.Sprintf("%s[%d]", path, i), secret, false)
			}
		}
	case catalog.KindObject:
		obj, ok := value.(map[string]any)
		if !ok {
			v.add(Error, path, "wrong type", "object", describe(value, secret))
			return
		}
		if !root && idOnly(obj) && (t.Property("id") != nil || t.Property("properties") != nil) {
			// A reference to a sub-resource by its ID alone, as in ARM templates
			// (localNetworkGateway2: { id }): what the full object requires is not asked of
			// it; the id is checked as the schema has it (a read-only one is warned about).
			if p := t.Property("id"); p != nil {
				v.checkObject(t.Name, []catalog.Property{*p}, nil, obj, path, secret, root)
			}
			return
		}
		v.checkObject(t.Name, t.Properties, t.AdditionalProperties, obj, path, secret, root)
	case catalog.KindDiscriminatedObject:
		v.checkDiscriminated(t, value, path, secret, root)
	}
}

func (v *validator) checkString(t *catalog.Type, s, path string, secret bool) {
	n := int64(utf8.RuneCountInString(s))
	if t.MinLength != nil && n < *t.MinLength {
		v.add(Error, path, "string too short", fmt.Sprintf("at least %d characters", *t.MinLength), fmt.Sprintf("%d (%s)", n, quote(s, secret)))
	}
	if t.MaxLength != nil && n > *t.MaxLength {
		v.add(Error, path, "string too long", fmt.Sprintf("at most %d characters", *t.MaxLength), fmt.Sprintf("%d (%s)", n, quote(s, secret)))
	}
	if matched, checked := t.MatchPattern(s); checked && !matched {
		v.add(Error, path, "string does not match the pattern", "/"+t.Pattern+"/", quote(s, secret))
	}
	// A pattern that cannot be run is not checked, and not worth a warning per value.
}

// checkChoice validates a string literal or a union. Enum strings compare case-insensitively,
// as ARM compares them.
func (v *validator) checkChoice(t *catalog.Type, value any, path string, secret bool) {
	literals, open := t.Literals()
	var others []*catalog.Type
	if t.Kind == catalog.KindUnion {
		for _, e := range t.Elements {
			if e.Kind != catalog.KindStringLiteral && e.Kind != catalog.KindString {
				others = append(others, e)
			}
		}
	}
	if s, ok := value.(string); ok && (len(literals) > 0 || open) {
		for _, l := range literals {
			if strings.EqualFold(l, s) {
				return
			}
		}
		if open {
			for _, e := range t.Elements {
				if e.Kind == catalog.KindString {
					v.checkString(e, s, path, secret)
					return
				}
			}
		}
		if len(others) == 0 {
			v.add(Error, path, "not an allowed value", "one of "+quoteList(literals)+" (compared case-insensitively)", quote(s, secret))
			return
		}
	}
	if len(others) == 0 {
		expected := "one of " + quoteList(literals)
		if open {
			expected = "string"
		}
		v.add(Error, path, "wrong type", expected, describe(value, secret))
		return
	}
	// A union of other shapes: the value must match one element. Report the closest one's problems.
	var best []Problem
	for _, e := range others {
		sub := &validator{opts: v.opts}
		sub.check(e, value, path, secret, false)
		if !HasErrors(sub.problems) {
			v.problems = append(v.problems, sub.problems...)
			return
		}
		if best == nil || countErrors(sub.problems) < countErrors(best) {
			best = sub.problems
		}
	}
	v.problems = append(v.problems, best...)
}

func countErrors(ps []Problem) int {
	n := 0
	for _, p := range ps {
		if p.Severity == Error {
			n++
		}
	}
	return n
}

// checkInteger checks a number where the type data says integer. Microsoft's type data has
// no floating-point type: a swagger number (a container's 0.5 CPU, a budget's amount, a
// coordinate) arrives as an integer. So a fraction is a number like any other; the bounds
// still hold.
func (v *validator) checkInteger(t *catalog.Type, value any, path string, secret bool) {
	num, ok := value.(json.Number)
	if !ok {
		if f, isFloat := value.(float64); isFloat {
			num, ok = json.Number(strconv.FormatFloat(f, 'f', -1, 64)), true
		}
	}
	if !ok {
		v.add(Error, path, "wrong type", "number", describe(value, secret))
		return
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil {
		v.add(Error, path, "wrong type", "number", describe(value, secret))
		return
	}
	if t.MinValue != nil && f < float64(*t.MinValue) {
		v.add(Error, path, "number too small", fmt.Sprintf("at least %d", *t.MinValue), describe(value, secret))
	}
	if t.MaxValue != nil && f > float64(*t.MaxValue) {
		v.add(Error, path, "number too large", fmt.Sprintf("at most %d", *t.MaxValue), describe(value, secret))
	}
}

func (v *validator) checkObject(typeName string, props []catalog.Property, additional *catalog.Type, obj map[string]any, path string, secret, root bool) {
	matched := make(map[string]bool, len(obj))
	for i := range props {
		p := &props[i]
		key, val, present := lookupKey(obj, p.Name)
		if present {
			matched[key] = true
		}
		child := join(path, p.Name)
		if root && inURL(p.Name) {
			continue // travels in the URL
		}
		if !present || val == nil {
			if p.Flags.Has(catalog.FlagRequired) && !p.Flags.Has(catalog.FlagReadOnly) && !v.opts.Patch {
				v.add(Error, child, "required property is missing", p.Type.Describe(), "")
			}
			continue
		}
		if p.Flags.Has(catalog.FlagReadOnly) {
			v.add(Warning, child, "read-only property: ARM ignores it", "", "")
			continue
		}
		v.check(p.Type, val, child, secret || isSecret(typeName, props, p.Name), false)
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		if !matched[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		child := join(path, k)
		switch {
		case additional != nil:
			v.check(additional, obj[k], child, secret || secrets.Name(k), false)
		case root && inURL(k):
		default:
			v.add(Warning, child, "unknown property: not in the schema, ARM may ignore it", "", "")
			v.problems[len(v.problems)-1].Suggestion = closest(k, props)
		}
	}
}

func (v *validator) checkDiscriminated(t *catalog.Type, value any, path string, secret, root bool) {
	obj, ok := value.(map[string]any)
	if !ok {
		v.add(Error, path, "wrong type", "object", describe(value, secret))
		return
	}
	values := make([]string, len(t.Variants))
	for i, vr := range t.Variants {
		values[i] = vr.Value
	}
	_, raw, present := lookupKey(obj, t.Discriminator)
	child := join(path, t.Discriminator)
	if (!present || raw == nil) && root && inURL(t.Discriminator) && strings.EqualFold(t.Discriminator, "name") && v.opts.Name != "" {
		raw, present = v.opts.Name, true
	}
	if !present || raw == nil {
		if !v.opts.Patch && !(root && inURL(t.Discriminator)) {
			v.add(Error, child, "required discriminator is missing", "one of "+quoteList(values), "")
		}
		v.checkObject(t.Name, withoutDiscriminator(t.BaseProperties, t.Discriminator), nil, withoutKey(obj, t.Discriminator), path, secret, root)
		return
	}
	s, ok := raw.(string)
	if !ok {
		v.add(Error, child, "wrong type", "one of "+quoteList(values), describe(raw, secret))
		return
	}
	var variant *catalog.Type
	for _, vr := range t.Variants {
		if vr.Value == s {
			variant = vr.Type
		}
	}
	for _, vr := range t.Variants {
		if variant == nil && strings.EqualFold(vr.Value, s) {
			variant = vr.Type
		}
	}
	if variant == nil {
		v.add(Error, child, "unknown discriminator value", "one of "+quoteList(values), quote(s, secret))
		return
	}
	if root && inURL(t.Discriminator) {
		obj = withoutKey(obj, t.Discriminator)
	}
	props := append(append([]catalog.Property{}, t.BaseProperties...), variant.Properties...)
	v.checkObject(variant.Name, dedupe(props, t.Discriminator), variant.AdditionalProperties, obj, path, secret, root)
}

// dedupe keeps the first property of each name, and drops the discriminator's literal check
// (the variant was chosen by it, case-insensitively).
func dedupe(props []catalog.Property, discriminator string) []catalog.Property {
	seen := map[string]bool{}
	out := props[:0:0]
	for _, p := range props {
		k := strings.ToLower(p.Name)
		if seen[k] {
			continue
		}
		seen[k] = true
		if strings.EqualFold(p.Name, discriminator) {
			p.Type = &catalog.Type{Kind: catalog.KindString}
		}
		out = append(out, p)
	}
	return out
}

func withoutDiscriminator(props []catalog.Property, discriminator string) []catalog.Property {
	out := make([]catalog.Property, 0, len(props))
	for _, p := range props {
		if !strings.EqualFold(p.Name, discriminator) {
			out = append(out, p)
		}
	}
	return out
}

func withoutKey(obj map[string]any, key string) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		if !strings.EqualFold(k, key) {
			out[k] = v
		}
	}
	return out
}

// lookupKey finds a property by name, exactly first, then case-insensitively as ARM reads bodies.
func lookupKey(obj map[string]any, name string) (string, any, bool) {
	if v, ok := obj[name]; ok {
		return name, v, true
	}
	for k, v := range obj {
		if strings.EqualFold(k, name) {
			return k, v, true
		}
	}
	return "", nil, false
}

// isSecret applies gru's one secret rule to a property of an object of a named type.
func isSecret(typeName string, props []catalog.Property, name string) bool {
	return secrets.Property(&catalog.Type{Kind: catalog.KindObject, Name: typeName, Properties: props}, name, false) != secrets.None
}

// closest is the property of props whose name is nearest to an unknown key, "" when none is
// near enough to be a likely typo.
func closest(key string, props []catalog.Property) string {
	best, bestDist := "", len(key)/3+2
	lk := strings.ToLower(key)
	for _, p := range props {
		d := levenshtein.ComputeDistance(lk, strings.ToLower(p.Name))
		if d < bestDist || d == bestDist && best != "" && p.Name < best {
			best, bestDist = p.Name, d
		}
	}
	return best
}

// join appends a property to a JSON path: a.b, or a["odd key"] for keys that are not identifiers.
func join(path, key string) string {
	plain := key != ""
	for i, r := range key {
		if !(r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			plain = false
			break
		}
	}
	if !plain {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

const redacted = "(redacted: secret value)"

func quote(s string, secret bool) string {
	if secret {
		return redacted
	}
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return strconv.Quote(s)
}

func quoteList(values []string) string {
	q := make([]string, len(values))
	for i, s := range values {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// describe shows a value briefly, as a type and value, never a secret.
func describe(value any, secret bool) string {
	if secret {
		return redacted
	}
	switch x := value.(type) {
	case string:
		return "string " + quote(x, false)
	case json.Number:
		return "number " + string(x)
	case float64:
		return "number " + strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return "boolean " + strconv.FormatBool(x)
	case []any:
		return fmt.Sprintf("array of %d items", len(x))
	case map[string]any:
		return fmt.Sprintf("object with %d properties", len(x))
	}
	return fmt.Sprintf("%T", value)
}

// idOnly: an object that holds nothing but a string "id".
func idOnly(obj map[string]any) bool {
	if len(obj) != 1 {
		return false
	}
	for k, v := range obj {
		_, isString := v.(string)
		return strings.EqualFold(k, "id") && isString
	}
	return false
}
