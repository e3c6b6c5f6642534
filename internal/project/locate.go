package project

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
)

// declaredAtName is the module function's parameter that holds the symbol under which object
// literals keep where they are.
const declaredAtName = "__gruDeclaredAt"

// locate gives each object literal of a parsed project file that may declare a resource
// (mayDeclare) one more property, under the loader's symbol: its index in l.sites, which
// holds its place. An object keeps it as
// spreading copies it: { ...base, name } has its own literal's, written last. Symbol keys are
// not seen by JSON, Object.keys, for..in nor Export: the project's values are unchanged.
//
// The property is added to the syntax tree, not the text: every other place goja reports
// (exceptions, call frames) is the file's own.
func (l *loader) locate(prg *ast.Program) {
	astPkg := reflect.TypeOf(ast.Program{}).PkgPath()
	seen := map[*ast.ObjectLiteral]bool{}
	// The fields of each node type that may hold nodes (not positions, names, literals).
	nodeFields := map[reflect.Type][]int{}
	fieldsOf := func(t reflect.Type) []int {
		if f, ok := nodeFields[t]; ok {
			return f
		}
		var f []int
		for i := 0; i < t.NumField(); i++ {
			switch ft := t.Field(i).Type; ft.Kind() {
			case reflect.Interface, reflect.Pointer, reflect.Slice:
				f = append(f, i)
			case reflect.Struct:
				if ft.PkgPath() == astPkg {
					f = append(f, i)
				}
			}
		}
		nodeFields[t] = f
		return f
	}
	var visit func(n any)
	// walk goes through any node field by field; visit takes the nodes a project is made of
	// most (object and array literals, their properties, names and literals) without
	// reflection, and hands every other node to walk.
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Pointer:
			if v.IsNil() || v.Elem().Kind() != reflect.Struct || v.Elem().Type().PkgPath() != astPkg {
				return
			}
			visit(v.Interface())
		case reflect.Struct:
			if v.Type().PkgPath() != astPkg {
				return
			}
			for _, i := range fieldsOf(v.Type()) {
				walk(v.Field(i))
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		}
	}
	visit = func(n any) {
		switch n := n.(type) {
		case *ast.ObjectLiteral:
			if n == nil {
				return
			}
			for _, p := range n.Value {
				visit(p)
			}
			if !seen[n] && mayDeclare(n) {
				seen[n] = true
				l.mark(prg, n)
			}
		case *ast.PropertyKeyed:
			if n != nil {
				visit(n.Key)
				visit(n.Value)
			}
		case *ast.ArrayLiteral:
			if n != nil {
				for _, e := range n.Value {
					visit(e)
				}
			}
		case *ast.ArrowFunctionLiteral:
			if n != nil {
				visit(n.ParameterList)
				visit(n.Body)
				for _, d := range n.DeclarationList {
					visit(d)
				}
			}
		case *ast.ExpressionBody:
			if n != nil {
				visit(n.Expression)
			}
		case nil, *ast.Identifier, *ast.StringLiteral, *ast.NumberLiteral, *ast.BooleanLiteral, *ast.NullLiteral:
			// nothing below
		default:
			if v := reflect.ValueOf(n); v.Kind() == reflect.Pointer && !v.IsNil() {
				walk(v.Elem())
			} else {
				walk(v)
			}
		}
	}
	visit(prg)
}

// mayDeclare reports an object literal that may declare a resource, whose place is worth
// keeping: one with a key a declaration has (type, group, name, dependencies; a literal given
// to provider.<Group>.make<Type> has a name), or one that spreads another, which may.
func mayDeclare(o *ast.ObjectLiteral) bool {
	for _, p := range o.Value {
		switch x := p.(type) {
		case *ast.PropertyKeyed:
			if x.Computed {
				continue
			}
			var key string
			switch k := x.Key.(type) {
			case *ast.StringLiteral:
				key = k.Value.String()
			case *ast.Identifier:
				key = k.Name.String()
			}
			switch key {
			case "type", "group", "name", "dependencies":
				return true
			}
		case *ast.PropertyShort:
			switch x.Name.Name.String() {
			case "type", "group", "name", "dependencies":
				return true
			}
		case *ast.SpreadElement:
			return true
		}
	}
	return false
}

// mark adds its place to an object literal: [__gruDeclaredAt]: index, last.
func (l *loader) mark(prg *ast.Program, o *ast.ObjectLiteral) {
	pos := prg.File.Position(int(o.LeftBrace) - prg.File.Base())
	l.sites = append(l.sites, unwrapped(Location{File: pos.Filename, Line: pos.Line, Column: pos.Column}))
	i := len(l.sites) - 1
	o.Value = append(o.Value, &ast.PropertyKeyed{
		Key:      &ast.Identifier{Name: declaredAtName, Idx: o.LeftBrace},
		Kind:     ast.PropertyKindValue,
		Value:    &ast.NumberLiteral{Idx: o.LeftBrace, Literal: strconv.Itoa(i), Value: int64(i)},
		Computed: true,
	})
}

// siteOf is where an object was made: the object literal that made it (see locate).
func (l *loader) siteOf(o *goja.Object) (Location, bool) {
	v := o.GetSymbol(l.declaredAt)
	if v == nil || goja.IsUndefined(v) {
		return Location{}, false
	}
	i, ok := v.Export().(int64)
	if !ok || i < 0 || int(i) >= len(l.sites) {
		return Location{}, false
	}
	return l.sites[i], true
}

// jsonLocation locates a JSON decoding error in a file's data.
func jsonLocation(name string, data []byte, err error) Location {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	offset := int64(-1)
	switch {
	case errors.As(err, &se):
		offset = se.Offset - 1 // the byte read last, which is wrong
	case errors.As(err, &te):
		offset = te.Offset
	}
	if offset < 0 || offset > int64(len(data)) {
		return Location{File: name}
	}
	before := string(data[:offset])
	line := strings.Count(before, "\n") + 1
	col := len(before) - strings.LastIndex(before, "\n")
	return Location{File: name, Line: line, Column: col}
}

// stackFrame is a frame of an error's stack as goja writes it: "at f (file:line:column(pc))".
var stackFrame = regexp.MustCompile(`([^\s()]+):(\d+):(\d+)\(\d+\)`)

// stackLocation locates an error by the stack goja wrote when it was made (a rejected
// promise's error, which no exception carries): its innermost frame in a file of the project.
func (l *loader) stackLocation(stack goja.Value) (Location, bool) {
	if stack == nil || goja.IsUndefined(stack) {
		return Location{}, false
	}
	for _, m := range stackFrame.FindAllStringSubmatch(stack.String(), -1) {
		if !l.projectFiles[m[1]] {
			continue
		}
		line, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		return unwrapped(Location{File: m[1], Line: line, Column: col}), true
	}
	return Location{}, false
}
