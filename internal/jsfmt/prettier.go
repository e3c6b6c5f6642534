package jsfmt

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// This file prints JavaScript the way prettier 2 does with its default options (80 columns,
// two spaces, double quotes, semicolons, trailing commas where ES5 allows them, parentheses
// around arrow parameters), for the expressions gru's generated code is made of: object and
// array literals, strings, numbers, booleans and null, identifiers, member accesses, calls,
// arrow functions and assignments. A Node is a syntax tree of that code as a generator writes
// it (Source is that text, what prettier would be given); Format lays it out as prettier does:
// prettier's layout rules build a document of groups and lines (doc.go), which is printed in
// 80 columns.

// Node is an expression or statement.
type Node interface{ node() }

// Ident is an identifier.
type Ident string

// Str is a string literal, written as JSON.stringify writes the string.
type Str string

// Num is a number literal (a negative number is the minus operator applied to one).
type Num float64

// Bool is true or false.
type Bool bool

// Null is null.
type Null struct{}

// ObjectExpr is an object literal. Expanded says the source breaks the line after its opening
// brace, which makes prettier keep it broken.
type ObjectExpr struct {
	Props    []Prop
	Expanded bool
}

// Prop is a key and its value. A Quoted key is written as a string in the source (as
// JSON.stringify writes keys); prettier removes the quotes where they are not needed.
type Prop struct {
	Key    string
	Quoted bool
	Value  Node
}

// ArrayExpr is an array literal.
type ArrayExpr []Node

// Dot is a property access: Object.Name.
type Dot struct {
	Object Node
	Name   string
}

// Index is a computed property access: Object[Index].
type Index struct {
	Object, Index Node
}

// Call is a function call.
type Call struct {
	Callee Node
	Args   []Node
}

// Arrow is an arrow function with an expression body.
type Arrow struct {
	Params []Node // Ident or ObjectPattern
	Body   Node
}

// ObjectPattern is a destructuring parameter of shorthand names: { config, getId }.
type ObjectPattern []string

// Assign is an assignment expression.
type Assign struct{ Left, Right Node }

// Program is a sequence of expression statements.
type Program []Node

func (Ident) node()         {}
func (Str) node()           {}
func (Num) node()           {}
func (Bool) node()          {}
func (Null) node()          {}
func (ObjectExpr) node()    {}
func (ArrayExpr) node()     {}
func (Dot) node()           {}
func (Index) node()         {}
func (Call) node()          {}
func (Arrow) node()         {}
func (ObjectPattern) node() {}
func (Assign) node()        {}
func (Program) node()       {}

// unary is a negative number as the parser reads it: the minus operator and a literal.
type unary struct{ arg Node }

func (unary) node() {}

// Value turns a JSON-like value into an expression: Ordered objects (quoted keys, on one line
// in the source, as JSON.stringify writes them), []any arrays, strings, json.Number and
// float64 numbers, booleans and nil. Code is not a value: it has no syntax tree.
func Value(v any) Node {
	switch x := v.(type) {
	case Node:
		return x
	case Ordered:
		o := ObjectExpr{Props: make([]Prop, len(x))}
		for i, m := range x {
			o.Props[i] = Prop{Key: m.Key, Quoted: true, Value: Value(m.Value)}
		}
		return o
	case []any:
		a := make(ArrayExpr, len(x))
		for i, e := range x {
			a[i] = Value(e)
		}
		return a
	case string:
		return Str(x)
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return Ident(string(x))
		}
		return Num(f)
	case float64:
		return Num(x)
	case int:
		return Num(float64(x))
	case int64:
		return Num(float64(x))
	case bool:
		return Bool(x)
	case nil:
		return Null{}
	}
	panic(fmt.Sprintf("jsfmt.Value: %T has no syntax tree", v))
}

// Source writes an expression or program as plain text (what a generator would give prettier):
// strings and keys as JSON.stringify writes them, objects on one line unless Expanded.
func Source(n Node) string {
	var b strings.Builder
	writeSource(&b, n)
	return b.String()
}

func writeSource(b *strings.Builder, n Node) {
	switch x := n.(type) {
	case Ident:
		b.WriteString(string(x))
	case Str:
		b.WriteString(JSONString(string(x)))
	case Num:
		if x < 0 || x == 0 && math.Signbit(float64(x)) {
			b.WriteString("-")
			x = -x
		}
		b.WriteString(Number(strconv.FormatFloat(float64(x), 'g', -1, 64)))
	case Bool:
		b.WriteString(strconv.FormatBool(bool(x)))
	case Null:
		b.WriteString("null")
	case ObjectExpr:
		b.WriteString("{")
		sep := ","
		if x.Expanded {
			b.WriteString("\n")
			sep = ",\n"
		}
		for i, p := range x.Props {
			if i > 0 {
				b.WriteString(sep)
			}
			if p.Quoted {
				b.WriteString(JSONString(p.Key))
			} else {
				b.WriteString(p.Key)
			}
			b.WriteString(": ")
			writeSource(b, p.Value)
		}
		if x.Expanded {
			b.WriteString("\n")
		}
		b.WriteString("}")
	case ArrayExpr:
		b.WriteString("[")
		for i, e := range x {
			if i > 0 {
				b.WriteString(",")
			}
			writeSource(b, e)
		}
		b.WriteString("]")
	case Dot:
		writeSource(b, x.Object)
		b.WriteString("." + x.Name)
	case Index:
		writeSource(b, x.Object)
		b.WriteString("[")
		writeSource(b, x.Index)
		b.WriteString("]")
	case Call:
		writeSource(b, x.Callee)
		b.WriteString("(")
		for i, a := range x.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			writeSource(b, a)
		}
		b.WriteString(")")
	case Arrow:
		b.WriteString("(")
		for i, p := range x.Params {
			if i > 0 {
				b.WriteString(", ")
			}
			writeSource(b, p)
		}
		b.WriteString(") => ")
		if _, ok := x.Body.(ObjectExpr); ok {
			b.WriteString("(")
			writeSource(b, x.Body)
			b.WriteString(")")
		} else {
			writeSource(b, x.Body)
		}
	case ObjectPattern:
		b.WriteString("{ " + strings.Join(x, ", ") + " }")
	case Assign:
		writeSource(b, x.Left)
		b.WriteString(" = ")
		writeSource(b, x.Right)
	case Program:
		for _, s := range x {
			if _, ok := s.(ObjectExpr); ok {
				b.WriteString("(")
				writeSource(b, s)
				b.WriteString(");\n")
				continue
			}
			writeSource(b, s)
			b.WriteString(";\n")
		}
	case unary:
		b.WriteString("-")
		writeSource(b, x.arg)
	}
}

// JSONString writes a string as JSON.stringify does.
func JSONString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Format writes an expression or program as prettier 2 formats its Source. A program ends
// with a newline; an expression does not.
func Format(n Node) string {
	f := &formatter{}
	return printDoc(f.print(n, ctx{}), 80)
}

type formatter struct {
	ids int
}

// ctx is what the printing of a node needs to know of where it is.
type ctx struct {
	parentMember  bool // the node is the object of a member access
	expandLastArg bool // the node is a call's last argument, hugged
	statement     bool // the node is an expression statement's
}

func (f *formatter) newID() int {
	f.ids++
	return f.ids
}

func (f *formatter) print(n Node, c ctx) doc {
	switch x := n.(type) {
	case Program:
		var parts concat
		for i, s := range x {
			if i > 0 {
				parts = append(parts, docHardline)
			}
			d := f.print(s, ctx{statement: true})
			if _, ok := s.(ObjectExpr); ok {
				d = concat{"(", d, ")"} // a statement starting with { would be a block
			}
			parts = append(parts, d, ";")
		}
		return append(parts, docHardline)
	case Ident:
		return string(x)
	case Str:
		return printString(JSONString(string(x)))
	case Num:
		if x < 0 {
			return f.print(unary{Num(-x)}, c)
		}
		return printNumber(Number(strconv.FormatFloat(float64(x), 'g', -1, 64)))
	case unary:
		return concat{"-", f.print(x.arg, ctx{})}
	case Bool:
		return strconv.FormatBool(bool(x))
	case Null:
		return "null"
	case ObjectExpr:
		return f.object(x)
	case ArrayExpr:
		return f.array(x)
	case Dot, Index:
		return f.member(n, c)
	case Call:
		return f.call(x, c)
	case Arrow:
		return f.arrow(x, c)
	case ObjectPattern:
		return f.pattern(x)
	case Assign:
		return f.assignment(f.print(x.Left, ctx{}), concat{" ", "="}, x.Right, false)
	}
	panic(fmt.Sprintf("jsfmt: cannot print %T", n))
}

// object prints an object literal: on one line when it fits and its source did not break
// after the brace, else one property a line with a trailing comma.
func (f *formatter) object(o ObjectExpr) doc {
	if len(o.Props) == 0 {
		return "{}"
	}
	var props concat
	for i, p := range o.Props {
		if i > 0 {
			props = append(props, ",", docLine)
		}
		props = append(props, &group{contents: f.property(p)})
	}
	return &group{contents: concat{"{", indent{concat{docLine, props}}, ifBreak{breakContents: ","}, docLine, "}"}, brk: o.Expanded}
}

func (f *formatter) property(p Prop) doc {
	key := propertyKey(p)
	return f.assignment(key, ":", p.Value, true)
}

// propertyKey is a key as prettier writes it with quoteProps as-needed: a quoted key that is
// an identifier or a simple number loses its quotes.
func propertyKey(p Prop) string {
	if !p.Quoted {
		return p.Key
	}
	raw := JSONString(p.Key)
	if raw[1:len(raw)-1] == p.Key {
		if isIdentifierName(p.Key) {
			return p.Key
		}
		if isSimpleNumber(p.Key) {
			if f, err := strconv.ParseFloat(p.Key, 64); err == nil && Number(strconv.FormatFloat(f, 'g', -1, 64)) == p.Key {
				return printNumber(p.Key)
			}
		}
	}
	return printString(raw)
}

func isSimpleNumber(s string) bool {
	if s == "" {
		return false
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	digits := func(t string) bool {
		if t == "" {
			return false
		}
		for _, r := range t {
			if r < '0' || r > '9' {
				return false
			}
		}
		return true
	}
	return digits(intPart) && (!hasDot || digits(frac))
}

// isIdentifierName reports an ES2015 IdentifierName.
func isIdentifierName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		start := r == '$' || r == '_' || unicode.IsLetter(r) || unicode.Is(unicode.Nl, r)
		if i == 0 && !start {
			return false
		}
		if i > 0 && !start && !(unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || unicode.Is(unicode.Nd, r) || unicode.Is(unicode.Pc, r) || r == '\u200c' || r == '\u200d') {
			return false
		}
	}
	return true
}

type layout int

const (
	breakAfterOperator layout = iota
	neverBreakAfterOperator
	fluid
)

// assignment prints a property (left: its key) or an assignment in the layout prettier chooses
// for its right side.
func (f *formatter) assignment(left doc, op doc, right Node, isProperty bool) doc {
	rightDoc := f.print(right, ctx{})
	switch f.chooseLayout(left, right, isProperty) {
	case breakAfterOperator:
		return &group{contents: concat{&group{contents: left}, op, &group{contents: indent{concat{docLine, rightDoc}}}}}
	case neverBreakAfterOperator:
		return &group{contents: concat{&group{contents: left}, op, " ", rightDoc}}
	default:
		id := f.newID()
		return &group{contents: concat{&group{contents: left}, op, &group{contents: indent{docLine}, id: id}, indentIfBreak{contents: rightDoc, groupID: id}}}
	}
}

func (f *formatter) chooseLayout(left doc, right Node, isProperty bool) layout {
	if call, ok := right.(Call); ok && call.Callee == Ident("require") {
		return neverBreakAfterOperator
	}
	shortKey := false
	if key, ok := left.(string); ok && isProperty {
		shortKey = stringWidth(key) < 2+3
	}
	if !shortKey {
		inner := right
		if n, ok := right.(Num); ok && n < 0 {
			inner = Num(-n)
		}
		if _, ok := inner.(Str); ok {
			return breakAfterOperator
		}
		if f.poorlyBreakableChain(inner, false) {
			return breakAfterOperator
		}
	}
	if shortKey {
		return neverBreakAfterOperator
	}
	switch x := right.(type) {
	case Bool:
		return neverBreakAfterOperator
	case Num:
		if x >= 0 {
			return neverBreakAfterOperator
		}
	}
	return fluid
}

// poorlyBreakableChain reports a chain of member accesses and calls without arguments (or with
// one short one) ending in an identifier: prettier breaks after the operator before it.
func (f *formatter) poorlyBreakableChain(n Node, deep bool) bool {
	switch x := n.(type) {
	case Call:
		if _, labelled := f.memberChain(x, ctx{}); labelled {
			return false
		}
		if len(x.Args) > 1 || len(x.Args) == 1 && !loneShortArgument(x.Args[0]) {
			return false
		}
		return f.poorlyBreakableChain(x.Callee, true)
	case Dot:
		return f.poorlyBreakableChain(x.Object, true)
	case Index:
		return f.poorlyBreakableChain(x.Object, true)
	case Ident:
		return deep
	}
	return false
}

func loneShortArgument(n Node) bool {
	const threshold = 80 / 4
	switch x := n.(type) {
	case Ident:
		return len(x) <= threshold
	case Num:
		return true
	case Str:
		return len(JSONString(string(x))) <= threshold
	case Bool, Null:
		return true
	}
	return false
}

// array prints an array literal: on one line when it fits, else one element a line; numbers
// fill the lines; an array of several objects (or arrays) of more than one key each always
// breaks.
func (f *formatter) array(a ArrayExpr) doc {
	if len(a) == 0 {
		return "[]"
	}
	shouldBreak := len(a) > 1
	for i, e := range a {
		size := -1
		switch x := e.(type) {
		case ObjectExpr:
			size = len(x.Props)
		case ArrayExpr:
			size = len(x)
		}
		if size < 0 || size <= 1 {
			shouldBreak = false
			break
		}
		if i+1 < len(a) && fmt.Sprintf("%T", a[i+1]) != fmt.Sprintf("%T", e) {
			shouldBreak = false
			break
		}
	}
	concise := len(a) > 1
	for _, e := range a {
		if _, ok := e.(Num); !ok {
			concise = false
			break
		}
	}
	id := f.newID()
	var items doc
	if concise {
		var parts fill
		for i, e := range a {
			if i == len(a)-1 {
				parts = append(parts, concat{f.print(e, ctx{}), ifBreak{breakContents: ",", flatContents: "", groupID: id}})
			} else {
				parts = append(parts, concat{f.print(e, ctx{}), ","}, docLine)
			}
		}
		items = parts
	} else {
		var parts concat
		for i, e := range a {
			if i > 0 {
				parts = append(parts, ",", docLine)
			}
			parts = append(parts, &group{contents: f.print(e, ctx{})})
		}
		items = concat{parts, ifBreak{breakContents: ","}}
	}
	return &group{contents: concat{"[", indent{concat{docSoftline, items}}, docSoftline, "]"}, brk: shouldBreak, id: id}
}

// member prints a property access; a name access breaks before its dot, and a computed one
// inside its brackets, when the line is too long.
func (f *formatter) member(n Node, c ctx) doc {
	var objectDoc, lookup doc
	inline := false
	switch x := n.(type) {
	case Dot:
		objectDoc = f.print(x.Object, ctx{parentMember: true})
		lookup = concat{".", x.Name}
		_, objectIdent := x.Object.(Ident)
		inline = objectIdent && !c.parentMember
	case Index:
		objectDoc = f.print(x.Object, ctx{parentMember: true})
		if num, ok := x.Index.(Num); ok && num >= 0 {
			lookup = concat{"[", f.print(x.Index, ctx{}), "]"}
		} else {
			lookup = &group{contents: concat{"[", indent{concat{docSoftline, f.print(x.Index, ctx{})}}, docSoftline, "]"}}
		}
		inline = true
	}
	if inline {
		return concat{objectDoc, lookup}
	}
	return concat{objectDoc, &group{contents: indent{concat{docSoftline, lookup}}}}
}

func isMemberish(n Node) bool {
	switch n.(type) {
	case Dot, Index:
		return true
	}
	return false
}

func (f *formatter) call(x Call, c ctx) doc {
	if isMemberish(x.Callee) {
		d, _ := f.memberChain(x, c)
		return d
	}
	return concat{f.print(x.Callee, ctx{}), f.arguments(x.Args)}
}

// chainNode is a link of a member chain: its first expression, a lookup or a call's arguments.
type chainNode struct {
	node    Node // Member, Index or Call for links; the first expression otherwise
	printed doc
}

// memberChain prints a call on a member access (a.b.c(...)): on one line when short, else the
// calls one a line. labelled reports prettier's long-chain form.
func (f *formatter) memberChain(x Call, c ctx) (d doc, labelled bool) {
	var nodes []chainNode
	var rec func(n Node)
	rec = func(n Node) {
		switch y := n.(type) {
		case Call:
			if isMemberish(y.Callee) || isCall(y.Callee) {
				nodes = append([]chainNode{{y, f.arguments(y.Args)}}, nodes...)
				rec(y.Callee)
				return
			}
		case Dot:
			nodes = append([]chainNode{{y, concat{".", y.Name}}}, nodes...)
			rec(y.Object)
			return
		case Index:
			var lookup doc
			if num, ok := y.Index.(Num); ok && num >= 0 {
				lookup = concat{"[", f.print(y.Index, ctx{}), "]"}
			} else {
				lookup = &group{contents: concat{"[", indent{concat{docSoftline, f.print(y.Index, ctx{})}}, docSoftline, "]"}}
			}
			nodes = append([]chainNode{{y, lookup}}, nodes...)
			rec(y.Object)
			return
		}
		nodes = append([]chainNode{{n, f.print(n, ctx{})}}, nodes...)
	}
	nodes = append(nodes, chainNode{x, f.arguments(x.Args)})
	rec(x.Callee)

	numericIndex := func(n Node) bool {
		ix, ok := n.(Index)
		if !ok {
			return false
		}
		num, ok := ix.Index.(Num)
		return ok && num >= 0
	}
	var groups [][]chainNode
	current := []chainNode{nodes[0]}
	i := 1
	for ; i < len(nodes); i++ {
		if isCall(nodes[i].node) || numericIndex(nodes[i].node) {
			current = append(current, nodes[i])
		} else {
			break
		}
	}
	if !isCall(nodes[0].node) {
		for ; i+1 < len(nodes); i++ {
			if isMemberish(nodes[i].node) && isMemberish(nodes[i+1].node) {
				current = append(current, nodes[i])
			} else {
				break
			}
		}
	}
	groups = append(groups, current)
	current = nil
	seenCall := false
	for ; i < len(nodes); i++ {
		if seenCall && isMemberish(nodes[i].node) {
			if numericIndex(nodes[i].node) {
				current = append(current, nodes[i])
				continue
			}
			groups = append(groups, current)
			current = nil
			seenCall = false
		}
		if isCall(nodes[i].node) {
			seenCall = true
		}
		current = append(current, nodes[i])
	}
	if len(current) > 0 {
		groups = append(groups, current)
	}
	isFactory := func(name string) bool {
		return name != "" && (name[0] >= 'A' && name[0] <= 'Z' || strings.Trim(name, "$_") == "")
	}
	shouldNotWrap := func() bool {
		hasComputed := len(groups[1]) > 0 && isIndex(groups[1][0].node)
		if len(groups[0]) == 1 {
			switch first := groups[0][0].node.(type) {
			case Ident:
				return isFactory(string(first)) || c.statement && len(first) <= 2 || hasComputed
			}
			return false
		}
		last, ok := groups[0][len(groups[0])-1].node.(Dot)
		return ok && (isFactory(last.Name) || hasComputed)
	}
	merge := len(groups) >= 2 && shouldNotWrap()
	printGroup := func(g []chainNode) doc {
		var out concat
		for _, n := range g {
			out = append(out, n.printed)
		}
		return out
	}
	var oneLine concat
	for _, g := range groups {
		oneLine = append(oneLine, printGroup(g))
	}
	cutoff := 2
	if merge {
		cutoff = 3
	}
	if len(groups) <= cutoff {
		return &group{contents: oneLine}, false
	}
	rest := groups[1:]
	var head concat
	head = append(head, printGroup(groups[0]))
	if merge {
		head = append(head, printGroup(groups[1]))
		rest = groups[2:]
	}
	var indented doc = ""
	if len(rest) > 0 {
		var lines concat
		for j, g := range rest {
			if j > 0 {
				lines = append(lines, docHardline)
			}
			lines = append(lines, printGroup(g))
		}
		indented = indent{&group{contents: concat{docHardline, lines}}}
	}
	expanded := concat{head, indented}
	calls := 0
	complexArgs := false
	for _, n := range nodes {
		if call, ok := n.node.(Call); ok {
			calls++
			for _, a := range call.Args {
				if !simpleArgument(a, 0) {
					complexArgs = true
				}
			}
		}
	}
	earlierBreaks := false
	for _, g := range oneLine[:len(oneLine)-1] {
		if willBreak(g) {
			earlierBreaks = true
		}
	}
	if calls > 2 && complexArgs || earlierBreaks {
		return &group{contents: expanded}, true
	}
	var bp doc = ""
	if willBreak(oneLine) {
		bp = breakParent{}
	}
	return concat{bp, &group{contents: oneLine, expanded: []doc{oneLine, expanded}}}, true
}

func isCall(n Node) bool {
	_, ok := n.(Call)
	return ok
}

func isIndex(n Node) bool {
	_, ok := n.(Index)
	return ok
}

// simpleArgument is prettier's isSimpleCallArgument.
func simpleArgument(n Node, depth int) bool {
	if depth >= 2 {
		return false
	}
	switch x := n.(type) {
	case Ident, Str, Num, Bool, Null:
		return true
	case ObjectExpr:
		for _, p := range x.Props {
			if !simpleArgument(p.Value, depth+1) {
				return false
			}
		}
		return true
	case ArrayExpr:
		for _, e := range x {
			if !simpleArgument(e, depth+1) {
				return false
			}
		}
		return true
	case Call:
		if !simpleArgument(x.Callee, depth) {
			return false
		}
		for _, a := range x.Args {
			if !simpleArgument(a, depth+1) {
				return false
			}
		}
		return true
	case Dot:
		return simpleArgument(x.Object, depth)
	case Index:
		return simpleArgument(x.Object, depth) && simpleArgument(x.Index, depth)
	}
	return false
}

// couldGroup reports a last argument prettier hugs: a non-empty object or array, or an arrow
// function whose body is one.
func couldGroup(n Node) bool {
	switch x := n.(type) {
	case ObjectExpr:
		return len(x.Props) > 0
	case ArrayExpr:
		return len(x) > 0
	case Arrow:
		switch b := x.Body.(type) {
		case ObjectExpr, ArrayExpr, Call:
			return true
		case Arrow:
			return couldGroupChain(b)
		}
	}
	return false
}

func couldGroupChain(a Arrow) bool {
	switch b := a.Body.(type) {
	case ObjectExpr, ArrayExpr:
		return true
	case Arrow:
		return couldGroupChain(b)
	}
	return false
}

// arguments prints a call's arguments: the last one hugged where prettier hugs it.
func (f *formatter) arguments(args []Node) doc {
	if len(args) == 0 {
		return "()"
	}
	var printed []doc
	for i, a := range args {
		d := f.print(a, ctx{})
		if i < len(args)-1 {
			printed = append(printed, concat{d, ",", docLine})
		} else {
			printed = append(printed, concat{d})
		}
	}
	allBroken := func() doc {
		return &group{contents: concat{"(", indent{concat{docLine, concat(printed)}}, docLine, ")"}, brk: true}
	}
	last := args[len(args)-1]
	groupLast := couldGroup(last)
	if len(args) > 1 {
		penultimate := args[len(args)-2]
		if fmt.Sprintf("%T", penultimate) == fmt.Sprintf("%T", last) {
			groupLast = false
		}
		if _, ok := penultimate.(Arrow); ok && len(args) == 2 {
			if _, ok := last.(ArrayExpr); ok {
				groupLast = false
			}
		}
		if arr, ok := last.(ArrayExpr); ok && len(arr) > 1 {
			concise := true
			for _, e := range arr {
				if _, ok := e.(Num); !ok {
					concise = false
				}
			}
			if concise {
				groupLast = false
			}
		}
	}
	if groupLast {
		for _, p := range printed[:len(printed)-1] {
			if willBreak(p) {
				return allBroken()
			}
		}
		expandedLast := f.print(last, ctx{expandLastArg: true})
		var bp doc = ""
		for _, p := range printed {
			if willBreak(p) {
				bp = breakParent{}
			}
		}
		head := concat(printed[:len(printed)-1])
		first := concat{"(", head, expandedLast, ")"}
		second := concat{"(", head, &group{contents: expandedLast, brk: true}, ")"}
		return concat{bp, &group{contents: first, expanded: []doc{first, second, allBroken()}}}
	}
	brk := false
	for _, p := range printed {
		if willBreak(p) {
			brk = true
		}
	}
	return &group{contents: concat{"(", indent{concat{docSoftline, concat(printed)}}, ifBreak{breakContents: ""}, docSoftline, ")"}, brk: brk}
}

// arrow prints an arrow function; an object or array body hugs the arrow.
func (f *formatter) arrow(a Arrow, c ctx) doc {
	var params doc
	switch {
	case len(a.Params) == 0:
		params = "()"
	case len(a.Params) == 1:
		p := f.print(a.Params[0], ctx{})
		if c.expandLastArg {
			p = removeLines(p)
		}
		params = concat{"(", p, ")"}
	default:
		var ps concat
		for i, p := range a.Params {
			if i > 0 {
				ps = append(ps, ",", docLine)
			}
			ps = append(ps, f.print(p, ctx{}))
		}
		params = concat{"(", indent{concat{docSoftline, ps}}, docSoftline, ")"}
	}
	sig := concat{&group{contents: params}, " =>"}
	switch a.Body.(type) {
	case ObjectExpr:
		return &group{contents: concat{sig, " ", concat{"(", f.print(a.Body, ctx{}), ")"}}}
	case ArrayExpr, Arrow:
		return &group{contents: concat{sig, " ", f.print(a.Body, ctx{})}}
	}
	var soft doc = ""
	if c.expandLastArg {
		soft = concat{ifBreak{breakContents: ""}, docSoftline}
	}
	return &group{contents: concat{sig, &group{contents: concat{indent{concat{docLine, f.print(a.Body, ctx{})}}, soft}}}}
}

// pattern prints a destructuring parameter; it is hugged by the parentheses (no group).
func (f *formatter) pattern(p ObjectPattern) doc {
	if len(p) == 0 {
		return "{}"
	}
	var props concat
	for i, name := range p {
		if i > 0 {
			props = append(props, ",", docLine)
		}
		props = append(props, &group{contents: name})
	}
	return concat{"{", indent{concat{docLine, props}}, ifBreak{breakContents: ","}, docLine, "}"}
}

// removeLines flattens a document: lines become spaces (soft ones nothing), breaks go.
func removeLines(d doc) doc {
	switch x := d.(type) {
	case concat:
		out := make(concat, len(x))
		for i, p := range x {
			out[i] = removeLines(p)
		}
		return out
	case *group:
		g := &group{contents: removeLines(x.contents), brk: x.brk, id: x.id}
		if x.expanded != nil {
			for _, s := range x.expanded {
				g.expanded = append(g.expanded, removeLines(s))
			}
		}
		return g
	case indent:
		return indent{removeLines(x.contents)}
	case line:
		if x.hard {
			return x
		}
		if x.soft {
			return ""
		}
		return " "
	case ifBreak:
		if x.flatContents == nil {
			return ""
		}
		return removeLines(x.flatContents)
	}
	return d
}

// printString writes a string literal given as JSON.stringify writes it, as prettier does:
// double quotes unless the string holds more double quotes than single ones.
func printString(raw string) string {
	content := raw[1 : len(raw)-1]
	doubles := strings.Count(content, `"`)
	singles := strings.Count(content, `'`)
	enclosing, other := byte('"'), byte('\'')
	if doubles > singles {
		enclosing, other = '\'', '"'
	}
	var b strings.Builder
	b.WriteByte(enclosing)
	for i := 0; i < len(content); i++ {
		ch := content[i]
		switch {
		case ch == '\\' && i+1 < len(content):
			next := content[i+1]
			i++
			switch {
			case next == other:
				b.WriteByte(next)
			case strings.IndexByte("\n\r\"'01234567\\bfnrtuvx", next) < 0 && next < 0x80:
				b.WriteByte(next)
			default:
				b.WriteByte('\\')
				b.WriteByte(next)
			}
		case ch == enclosing:
			b.WriteByte('\\')
			b.WriteByte(ch)
		default:
			b.WriteByte(ch)
		}
	}
	b.WriteByte(enclosing)
	return b.String()
}

// printNumber writes a number as prettier does: lower case, no + in the exponent.
func printNumber(raw string) string {
	s := strings.ToLower(raw)
	if i := strings.Index(s, "e"); i >= 0 {
		mant, exp := s[:i], s[i+1:]
		sign := ""
		if strings.HasPrefix(exp, "+") {
			exp = exp[1:]
		} else if strings.HasPrefix(exp, "-") {
			sign, exp = "-", exp[1:]
		}
		exp = strings.TrimLeft(exp, "0")
		if exp == "" {
			return trimFraction(mant)
		}
		return trimFraction(mant) + "e" + sign + exp
	}
	return trimFraction(s)
}

func trimFraction(s string) string {
	if strings.HasPrefix(s, ".") {
		s = "0" + s
	}
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s
}
