// Package jsfmt writes JavaScript source for values, in the style prettier gives GruCloud's
// files: two-space indentation, double quotes, trailing commas, objects one key a line.
// The documentation pages and the code generator share it.
package jsfmt

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Code is JavaScript written as it is, such as a getId({...}) call or config.location.
type Code string

// Member is one key of an ordered object.
type Member struct {
	Key   string
	Value any
}

// Ordered is an object whose keys keep their order.
type Ordered []Member

// IsIdentifier reports a key that needs no quotes: ^[a-zA-Z_][a-zA-Z_0-9]*$ (and $).
func IsIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// Key writes an object key.
func Key(k string) string {
	if k == "__proto__" {
		// Written plain or quoted, it would set the object's prototype: computed, it is a key.
		return `["__proto__"]`
	}
	if IsIdentifier(k) {
		return k
	}
	return Quote(k, '"')
}

// Quote writes a string literal with the preferred quote unless the string holds it, then
// with the other quote, then with backticks, escaping what JavaScript needs escaped.
func Quote(s string, prefer rune) string {
	q := prefer
	other := '"'
	if prefer == '"' {
		other = '\''
	}
	if strings.ContainsRune(s, prefer) {
		switch {
		case !strings.ContainsRune(s, other):
			q = other
		case !strings.ContainsRune(s, '`') && !strings.Contains(s, "${"):
			q = '`'
		}
	}
	var b strings.Builder
	b.WriteRune(q)
	for _, r := range s {
		switch {
		case r == q || r == '\\':
			b.WriteRune('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteRune(q)
	return b.String()
}

// Number writes a JSON number as JavaScript prints it.
func Number(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	if math.Abs(f) >= 1e21 || f != 0 && math.Abs(f) < 1e-6 {
		out := strconv.FormatFloat(f, 'e', -1, 64)
		mant, exp, _ := strings.Cut(out, "e")
		e, _ := strconv.Atoi(exp)
		sign := "+"
		if e < 0 {
			sign, e = "-", -e
		}
		return mant + "e" + sign + strconv.Itoa(e)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// Literal writes a value at an indentation: objects one key a line, arrays of plain values
// on one line when they fit in 80 columns. Plain maps are written with sorted keys.
func Literal(v any, indent int) string {
	pad := strings.Repeat(" ", indent)
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		o := make(Ordered, 0, len(keys))
		for _, k := range keys {
			o = append(o, Member{k, x[k]})
		}
		return Literal(o, indent)
	case Ordered:
		if len(x) == 0 {
			return "{}"
		}
		var b strings.Builder
		b.WriteString("{\n")
		for _, m := range x {
			fmt.Fprintf(&b, "%s  %s: %s,\n", pad, Key(m.Key), Literal(m.Value, indent+2))
		}
		b.WriteString(pad + "}")
		return b.String()
	case []any:
		if len(x) == 0 {
			return "[]"
		}
		plain := true
		parts := make([]string, len(x))
		for i, e := range x {
			switch e.(type) {
			case map[string]any, Ordered, []any:
				plain = false
			}
			parts[i] = Literal(e, indent+2)
		}
		if line := "[" + strings.Join(parts, ", ") + "]"; plain && indent+len(line)+2 <= 80 {
			return line
		}
		var b strings.Builder
		b.WriteString("[\n")
		for _, p := range parts {
			fmt.Fprintf(&b, "%s  %s,\n", pad, p)
		}
		b.WriteString(pad + "]")
		return b.String()
	case []string:
		anys := make([]any, len(x))
		for i, s := range x {
			anys[i] = s
		}
		return Literal(anys, indent)
	case string:
		if strings.Count(x, `"`) > strings.Count(x, "'") {
			return Quote(x, '\'')
		}
		return Quote(x, '"')
	case Code:
		return string(x)
	case json.Number:
		return Number(string(x))
	case float64:
		return Number(strconv.FormatFloat(x, 'g', -1, 64))
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}
