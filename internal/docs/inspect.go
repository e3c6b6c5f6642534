package docs

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gru-iac/gru/internal/jsfmt"
)

// Inspect writes a JSON value in the notation of Node.js's util.inspect with no depth limit
// and no array limit (what GruCloud's pages show schemas in, and valid JavaScript): single-
// quoted strings, unquoted identifier keys, the innermost levels of small objects and arrays
// on one line when they fit in 80 columns, long arrays of short items grouped in columns.
func Inspect(v any) string {
	in := &inspector{}
	return in.value(v, 0)
}

// The settings of util.inspect that GruCloud's pages were written with (Node's defaults).
const (
	breakLength   = 80
	compactLevels = 3
)

type inspector struct {
	indent int // the indentation of the value being written
	// depth is the nesting level of the object or array written last (Node's currentDepth),
	// which decides whether an enclosing one may go on a single line.
	depth int
}

// isIdentifier reports a key util.inspect writes without quotes: ^[a-zA-Z_][a-zA-Z_0-9]*$.
func isIdentifier(s string) bool {
	return jsfmt.IsIdentifier(s) && !strings.Contains(s, "$")
}

func quoteJS(s string, prefer rune) string { return jsfmt.Quote(s, prefer) }

func jsNumber(s string) string { return jsfmt.Number(s) }

func (in *inspector) value(v any, level int) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return jsNumber(string(x))
	case float64:
		return jsNumber(strconv.FormatFloat(x, 'g', -1, 64))
	case string:
		return quoteJS(x, '\'')
	case Object:
		if len(x) == 0 {
			return "{}"
		}
		level++
		in.depth = level
		out := make([]string, 0, len(x))
		for _, m := range x {
			key := m.Key
			if !isIdentifier(key) {
				key = quoteJS(key, '\'')
			}
			in.indent += 2
			s := in.value(m.Value, level)
			in.indent -= 2
			out = append(out, key+": "+s)
		}
		return in.reduce(out, "{", "}", false, level, nil)
	case []any:
		if len(x) == 0 {
			return "[]"
		}
		level++
		in.depth = level
		out := make([]string, 0, len(x))
		for _, e := range x {
			in.indent += 2
			out = append(out, in.value(e, level))
			in.indent -= 2
		}
		return in.reduce(out, "[", "]", true, level, x)
	}
	return fmt.Sprint(v)
}

// reduce joins the entries of an object or array: on one line when it is among the innermost
// levels and fits, else one entry a line (long arrays grouped in columns first).
func (in *inspector) reduce(out []string, open, close string, isArray bool, level int, values []any) string {
	entries := len(out)
	if isArray && entries > 6 {
		out = in.group(out, values)
	}
	if in.depth-level < compactLevels && entries == len(out) {
		start := len(out) + in.indent + len(open) + 10
		if fits(out, start) {
			joined := strings.Join(out, ", ")
			if !strings.Contains(joined, "\n") {
				return open + " " + joined + " " + close
			}
		}
	}
	pad := "\n" + strings.Repeat(" ", in.indent)
	return open + pad + "  " + strings.Join(out, ","+pad+"  ") + pad + close
}

// fits reports whether entries written on one line, after start characters, stay within the
// break length.
func fits(out []string, start int) bool {
	total := len(out) + start
	if total+len(out) > breakLength {
		return false
	}
	for _, s := range out {
		total += len(s)
		if total > breakLength {
			return false
		}
	}
	return true
}

// group lays a long array of short entries out in columns, as util.inspect does: as square a
// block as the entries allow, at most 12 columns and within the break length.
func (in *inspector) group(out []string, values []any) []string {
	n := len(out)
	const separator = 2 // ", "
	lengths := make([]int, n)
	total, longest := 0, 0
	for i := 0; i < n; i++ {
		lengths[i] = len(out[i])
		total += lengths[i] + separator
		longest = max(longest, lengths[i])
	}
	width := longest + separator
	if !(width*3+in.indent < breakLength && (float64(total)/float64(width) > 5 || longest <= 6)) {
		return out
	}
	bias := math.Sqrt(float64(width) - float64(total)/float64(len(out)))
	biased := math.Max(float64(width)-3-bias, 1)
	columns := min(
		int(math.Round(math.Sqrt(2.5*biased*float64(n))/biased)),
		(breakLength-in.indent)/width,
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
	for _, v := range values {
		if _, ok := v.(json.Number); !ok {
			numbers = false
			break
		}
	}
	var rows []string
	for i := 0; i < n; i += columns {
		end := min(i+columns, n)
		var b strings.Builder
		for j := i; j < end-1; j++ {
			cell := out[j] + ", "
			pad := strings.Repeat(" ", max(0, colWidth[j-i]-len(cell)))
			if numbers {
				b.WriteString(pad + cell)
			} else {
				b.WriteString(cell + pad)
			}
		}
		last := out[end-1]
		if numbers {
			b.WriteString(strings.Repeat(" ", max(0, colWidth[end-1-i]-separator-len(last))) + last)
		} else {
			b.WriteString(last)
		}
		rows = append(rows, b.String())
	}
	return rows
}
