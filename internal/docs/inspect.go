package docs

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gru-iac/gru/internal/jsfmt"
)

// Inspect writes a value as Node.js's util.inspect(value, { depth: 10 }) does, what GruCloud's
// pages show schemas in: single-quoted strings, unquoted identifier keys, the innermost levels
// of small objects and arrays on one line when they fit in 80 columns, long arrays of short
// items in columns, objects and arrays deeper than 10 levels as [Object] and [Array], arrays
// cut after 100 items, long strings of several lines split into one literal a line, and
// objects met inside themselves (a circular schema) as [Circular *1], the object itself marked
// <ref *1>. Values are the swagger's JavaScript values (jsObject, jsArray, float64) or the
// page's ordered ones (Object, []any, json.Number).
func Inspect(v any) string {
	return inspectWith(v, nodeDefaults)
}

// inspectOptions are the options of util.inspect that matter here; -1 is null (no limit).
type inspectOptions struct {
	depth, maxArrayLength int
}

// nodeDefaults are those GruCloud's generator gave: depth 10, the rest Node's defaults.
var nodeDefaults = inspectOptions{depth: 10, maxArrayLength: 100}

func inspectWith(v any, opts inspectOptions) string {
	in := &inspector{opts: opts, circular: map[any]int{}}
	return in.value(v, 0)
}

// The settings of util.inspect that GruCloud's pages were written with (Node's defaults).
const (
	breakLength    = 80
	compactLevels  = 3
	minLineWidth   = 16
	maxStringWidth = 10000
)

type inspector struct {
	opts inspectOptions
	// indentation is ctx.indentationLvl: the indentation of the value being written.
	indentation int
	// depth is ctx.currentDepth: the nesting level of the object or array entered last, which
	// decides whether an enclosing one may go on a single line.
	depth int
	// seen are the objects being written (the ancestors), circular the objects met inside
	// themselves, numbered in the order they were met.
	seen     []any
	circular map[any]int
}

// isIdentifier reports a key util.inspect writes without quotes: ^[a-zA-Z_][a-zA-Z_0-9]*$.
func isIdentifier(s string) bool {
	return jsfmt.IsIdentifier(s) && !strings.Contains(s, "$")
}

func jsNumber(s string) string { return jsfmt.Number(s) }

// value is formatValue: primitives, and objects unless met among their ancestors.
func (in *inspector) value(v any, level int) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return jsNumber(string(x))
	case float64:
		if x == 0 && math.Signbit(x) {
			return "-0"
		}
		return jsNumber(strconv.FormatFloat(x, 'g', -1, 64))
	case string:
		return in.str(x)
	case *jsObject, *jsArray:
		for _, s := range in.seen {
			if s == v {
				n, ok := in.circular[v]
				if !ok {
					n = len(in.circular) + 1
					in.circular[v] = n
				}
				return fmt.Sprintf("[Circular *%d]", n)
			}
		}
	}
	return in.raw(v, level)
}

// str writes a string: quoted, or, long and of several lines, one literal a line.
func (in *inspector) str(s string) string {
	trailer := ""
	if n := jsfmt.UTF16Len(s); n > maxStringWidth {
		s, trailer = cutUTF16(s, maxStringWidth), fmt.Sprintf("... %d more character%s", n-maxStringWidth, plural(n-maxStringWidth))
	}
	if n := jsfmt.UTF16Len(s); n > minLineWidth && n > breakLength-in.indentation-4 && strings.Contains(strings.TrimSuffix(s, "\n"), "\n") {
		lines := strings.SplitAfter(s, "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		for i, l := range lines {
			lines[i] = strEscape(l)
		}
		return strings.Join(lines, " +\n"+strings.Repeat(" ", in.indentation+2)) + trailer
	}
	return strEscape(s) + trailer
}

func plural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}

// cutUTF16 keeps the first n UTF-16 code units of a string.
func cutUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if units+w > n {
			return s[:i]
		}
		units += w
	}
	return s
}

// strEscape quotes a string as util.inspect does: single quotes, or double quotes when it
// holds single ones and no double ones, or backticks when it holds both (and neither a
// backtick nor ${); control characters as \n, \t... or \xHH.
func strEscape(s string) string {
	q := '\''
	if strings.ContainsRune(s, '\'') {
		if !strings.ContainsRune(s, '"') {
			q = '"'
		} else if !strings.ContainsRune(s, '`') && !strings.Contains(s, "${") {
			q = '`'
		}
	}
	var b strings.Builder
	b.WriteRune(q)
	for _, r := range s {
		switch {
		case r == q && q == '\'' || r == '\\':
			b.WriteByte('\\')
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
		case r < 0x20 || r >= 0x7f && r < 0xa0:
			fmt.Fprintf(&b, `\x%02X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteRune(q)
	return b.String()
}

// raw is formatRaw: an object or array, its entries and how they are laid out.
func (in *inspector) raw(v any, level int) string {
	var members []Member
	var elems []any
	isArray := false
	switch x := v.(type) {
	case Object:
		members = x
	case *jsObject:
		members = x.members
	case []any:
		elems, isArray = x, true
	case *jsArray:
		elems, isArray = x.elems, true
	default:
		return fmt.Sprint(v)
	}
	if isArray && len(elems) == 0 {
		return "[]"
	}
	if !isArray && len(members) == 0 {
		return "{}"
	}
	if in.opts.depth >= 0 && level > in.opts.depth {
		if isArray {
			return "[Array]"
		}
		return "[Object]"
	}
	level++
	identity := isIdentity(v)
	if identity {
		in.seen = append(in.seen, v)
	}
	in.depth = level
	var out []string
	if isArray {
		n := len(elems)
		if in.opts.maxArrayLength >= 0 && n > in.opts.maxArrayLength {
			n = in.opts.maxArrayLength
		}
		for _, e := range elems[:n] {
			in.indentation += 2
			out = append(out, in.value(e, level))
			in.indentation -= 2
		}
		if rest := len(elems) - n; rest > 0 {
			out = append(out, fmt.Sprintf("... %d more item%s", rest, plural(rest)))
		}
	} else {
		for _, m := range members {
			key := m.Key
			if !isIdentifier(key) {
				key = strEscape(key)
			}
			in.indentation += 2
			s := in.value(m.Value, level)
			in.indentation -= 2
			out = append(out, key+": "+s)
		}
	}
	base := ""
	if identity {
		in.seen = in.seen[:len(in.seen)-1]
		if n, ok := in.circular[v]; ok {
			base = fmt.Sprintf("<ref *%d>", n)
		}
	}
	open, close := "{", "}"
	if isArray {
		open, close = "[", "]"
	}
	return in.reduce(out, base, open, close, isArray, level, elems)
}

// isIdentity reports the values that have an identity (the swagger's objects and arrays), which
// a circular schema meets again.
func isIdentity(v any) bool {
	switch v.(type) {
	case *jsObject, *jsArray:
		return true
	}
	return false
}

// reduce joins the entries of an object or array: on one line when it is among the innermost
// levels and fits, else one entry a line (long arrays grouped in columns first).
func (in *inspector) reduce(out []string, base, open, close string, isArray bool, level int, values []any) string {
	entries := len(out)
	if isArray && entries > 6 {
		out = in.group(out, values)
	}
	prefix := ""
	if base != "" {
		prefix = base + " "
	}
	if in.depth-level < compactLevels && entries == len(out) {
		start := len(out) + in.indentation + len(open) + len(base) + 10
		if fits(out, start) {
			joined := strings.Join(out, ", ")
			if !strings.Contains(joined, "\n") {
				return prefix + open + " " + joined + " " + close
			}
		}
	}
	pad := "\n" + strings.Repeat(" ", in.indentation)
	return prefix + open + pad + "  " + strings.Join(out, ","+pad+"  ") + pad + close
}

// fits reports whether entries written on one line, after start characters, stay within the
// break length (counting UTF-16 code units, as Node does).
func fits(out []string, start int) bool {
	total := len(out) + start
	if total+len(out) > breakLength {
		return false
	}
	for _, s := range out {
		total += jsfmt.UTF16Len(s)
		if total > breakLength {
			return false
		}
	}
	return true
}

// group lays a long array of short entries out in columns, as util.inspect does: as square a
// block as the entries allow, at most 12 columns and within the break length. The entry
// saying how many more items there are is left out of the columns.
func (in *inspector) group(out []string, values []any) []string {
	n := len(out)
	if in.opts.maxArrayLength >= 0 && in.opts.maxArrayLength < len(out) {
		n-- // the "... more items" entry
	}
	const separator = 2 // ", "
	lengths := make([]int, n)
	total, longest := 0, 0
	for i := 0; i < n; i++ {
		lengths[i] = jsfmt.StringWidth(out[i])
		total += lengths[i] + separator
		longest = max(longest, lengths[i])
	}
	width := longest + separator
	if !(width*3+in.indentation < breakLength && (float64(total)/float64(width) > 5 || longest <= 6)) {
		return out
	}
	bias := math.Sqrt(float64(width) - float64(total)/float64(len(out)))
	biased := math.Max(float64(width)-3-bias, 1)
	columns := min(
		int(math.Round(math.Sqrt(2.5*biased*float64(n))/biased)),
		(breakLength-in.indentation)/width,
		compactLevels*4,
		15,
	)
	if columns <= 1 {
		return out
	}
	colWidth := make([]int, columns)
	for c := 0; c < columns; c++ {
		w := 0
		for j := c; j < len(out); j += columns {
			if j < n {
				w = max(w, lengths[j])
			}
		}
		colWidth[c] = w + separator
	}
	numbers := true
	for i := 0; i < len(out) && i < len(values); i++ {
		switch values[i].(type) {
		case json.Number, float64:
		default:
			numbers = false
		}
		if !numbers {
			break
		}
	}
	var rows []string
	for i := 0; i < n; i += columns {
		end := min(i+columns, n)
		var b strings.Builder
		for j := i; j < end-1; j++ {
			cell := out[j] + ", "
			pad := strings.Repeat(" ", max(0, colWidth[j-i]-lengths[j]-separator))
			if numbers {
				b.WriteString(pad + cell)
			} else {
				b.WriteString(cell + pad)
			}
		}
		last := out[end-1]
		if numbers {
			b.WriteString(strings.Repeat(" ", max(0, colWidth[end-1-i]-separator-lengths[end-1])) + last)
		} else {
			b.WriteString(last)
		}
		rows = append(rows, b.String())
	}
	if n < len(out) {
		rows = append(rows, out[n])
	}
	return rows
}
