// Package project loads a GruCloud project: a folder with resources.js (or the older iac.js
// with createStack), config.js and package.json, run by the goja JavaScript engine. It owns
// the project format and turns it into plain resource specifications; it knows nothing of
// ARM, the catalogue or the engine, which reaches it only through Hooks (getId).
package project

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dop251/goja"
	"github.com/joho/godotenv"
)

// Ref names another resource in a dependency or a getId call: by GruCloud's name
// ("rg", "rg::name", "rg::parent::child") and, where the project says, its type.
type Ref struct {
	Name  string
	Type  string // "" when the project gave the name alone
	Group string
}

// Spec is one resource as the project declares it.
type Spec struct {
	Type, Group string
	// Name is properties.name, else name.
	Name     string
	ReadOnly bool
	// Properties is the body the user wrote (numbers as json.Number).
	Properties map[string]any
	// Dependencies by key; ListKeys marks the keys given as arrays (nil when none is).
	Dependencies map[string][]Ref
	ListKeys     map[string]bool
	// Source is where the resource is declared, file:line, for messages.
	Source string
}

// Project is a loaded project.
type Project struct {
	Dir string
	// Config is config.js's result with the defaults filled in.
	Config                map[string]any
	Name, Stage, Location string
	Resources             []*Spec
}

// Hooks are what the project's code may ask of the engine.
type Hooks struct {
	// GetID returns the ARM ID of a resource (getId({type, group, name, path})).
	GetID func(ref Ref, path string) (string, error)
	// Provider is what GruCloud's Azure provider adds to the config projects receive
	// (tenantId, subscriptionId): config.js's own values win.
	Provider map[string]any
	// Console receives what the project's console.log writes (nil: nothing).
	Console io.Writer
}

// Error is a problem in a project's code, located in its file.
type Error struct {
	File string
	Line int
	Col  int
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Load runs a project's files and returns its resources.
func Load(ctx context.Context, dir string, hooks Hooks) (*Project, error) {
	l, p, stop, err := configured(ctx, dir, hooks)
	defer stop()
	if err != nil {
		return nil, err
	}
	abs := p.Dir
	resources := filepath.Join(abs, "resources.js")
	iac := filepath.Join(abs, "iac.js")
	switch {
	case exists(resources):
		err = l.loadModern(p, resources)
	case exists(iac):
		err = l.loadSeedStyle(p, iac)
	default:
		return nil, fmt.Errorf("%s: no resources.js (nor iac.js): not a gru project (gru init makes one)", abs)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// LoadConfig runs a project's configuration alone (package.json, config.js, the stage's
// .env): its name, stage and location, without running resources.js; for what needs only
// the project's ownership tags, such as destroying it while resources.js fails.
func LoadConfig(ctx context.Context, dir string, hooks Hooks) (*Project, error) {
	_, p, stop, err := configured(ctx, dir, hooks)
	stop()
	return p, err
}

// configured makes a loader for a project folder and runs its configuration; stop ends the
// loader's watch of ctx.
func configured(ctx context.Context, dir string, hooks Hooks) (l *loader, p *Project, stop func(), err error) {
	stop = func() {}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, stop, err
	}
	l = &loader{dir: abs, vm: goja.New(), modules: map[string]goja.Value{}, hooks: hooks}
	l.vm.SetFieldNameMapper(goja.UncapFieldNameMapper())
	unwatch := context.AfterFunc(ctx, func() { l.vm.Interrupt(ctx.Err()) })
	stop = func() { unwatch() }
	p = &Project{Dir: abs}
	if err := l.setProcess(); err != nil {
		return nil, nil, stop, err
	}
	l.setConsole()
	if err := l.loadConfig(p); err != nil {
		return nil, nil, stop, err
	}
	return l, p, stop, nil
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// envFiles are the files of a project folder that GruCloud reads into process.env, in order:
// a variable set in the environment, or in an earlier file, is kept.
func envFiles() []string { return []string{"default.env", "auth.env", stage() + ".env"} }

// stage is the stage a project is loaded for: $STAGE, else dev, as GruCloud has it (config.js
// may set another, which the ownership tags then carry).
func stage() string {
	if s := os.Getenv("STAGE"); s != "" {
		return s
	}
	return "dev"
}

// setProcess defines process.env: the environment, and the variables of the project's env
// files (dotenv format) that the environment does not set, as GruCloud does.
func (l *loader) setProcess() error {
	env := map[string]any{}
	for _, file := range envFiles() {
		path := filepath.Join(l.dir, file)
		if !exists(path) {
			continue
		}
		vars, err := godotenv.Read(path)
		if err != nil {
			return &Error{File: file, Msg: "not a dotenv file: " + err.Error()}
		}
		for k, v := range vars {
			if _, set := env[k]; !set {
				env[k] = v
			}
		}
	}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	process := l.vm.NewObject()
	process.Set("env", env)
	process.Set("cwd", func() string { return l.dir }) // the project folder, where GruCloud runs
	process.Set("platform", "linux")
	if err := l.vm.Set("process", process); err != nil {
		return err
	}
	return l.setBuffer()
}

type loader struct {
	dir     string
	vm      *goja.Runtime
	modules map[string]goja.Value // by absolute path
	hooks   Hooks
	// arg is the argument of properties and dependencies functions, made once (the same
	// for every resource) for the resources value it was made with.
	arg          *goja.Object
	argResources goja.Value
}

// rel names a file of the project relative to its folder, for messages.
func (l *loader) rel(p string) string {
	if r, err := filepath.Rel(l.dir, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

// require loads a module: a relative file of the project (.js or .json), or one of the
// packages GruCloud-generated code imports.
func (l *loader) require(from string) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		name := call.Argument(0).String()
		if v, ok, err := l.builtIn(name); ok {
			if err != nil {
				panic(l.vm.NewGoError(err))
			}
			return v
		}
		switch name {
		case "@grucloud/provider-azure":
			obj := l.vm.NewObject()
			obj.Set("AzureProvider", l.vm.NewObject())
			return obj
		}
		if !strings.HasPrefix(name, "./") && !strings.HasPrefix(name, "../") {
			panic(l.vm.NewGoError(fmt.Errorf("require(%q): gru cannot load npm packages; a project may require its own files, rubico, @grucloud/provider-azure and Node's assert, path and fs (reading files of the project)", name)))
		}
		target := filepath.Join(filepath.Dir(from), filepath.FromSlash(name))
		if !exists(target) && exists(target+".js") {
			target += ".js"
		}
		v, err := l.module(target)
		if err != nil {
			panic(l.vm.NewGoError(err))
		}
		return v
	}
}

// module runs a file once and returns its exports.
func (l *loader) module(path string) (goja.Value, error) {
	if v, ok := l.modules[path]; ok {
		return v, nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l.rel(path), err)
	}
	if strings.HasSuffix(path, ".json") {
		var v any
		if err := json.Unmarshal(src, &v); err != nil {
			return nil, &Error{File: l.rel(path), Msg: "not valid JSON: " + err.Error()}
		}
		val := l.vm.ToValue(v)
		l.modules[path] = val
		return val, nil
	}
	return l.runCommonJS(path, l.rel(path), string(src))
}

// runCommonJS runs a CommonJS module's source under a key (its path) and returns its exports.
func (l *loader) runCommonJS(key, name, src string) (goja.Value, error) {
	prog, err := goja.Compile(name, moduleOpening+src+"\n})", false)
	if err != nil {
		return nil, syntaxError(name, err)
	}
	fn, err := l.vm.RunProgram(prog)
	if err != nil {
		return nil, l.jsError(err)
	}
	call, ok := goja.AssertFunction(fn)
	if !ok {
		return nil, fmt.Errorf("%s: could not be loaded", name)
	}
	module := l.vm.NewObject()
	exports := l.vm.NewObject()
	module.Set("exports", exports)
	l.modules[key] = exports // a cycle of requires sees the exports so far, as in Node
	if _, err := call(goja.Undefined(), exports, l.vm.ToValue(l.require(key)), module, l.vm.ToValue(key), l.vm.ToValue(filepath.Dir(key))); err != nil {
		return nil, l.jsError(err)
	}
	v := module.Get("exports")
	l.modules[key] = v
	return v, nil
}

// syntaxError locates a compile error. goja writes the place in its message
// ("resources.js: Line 2:10 Unexpected identifier"); the module wrapper adds nothing before
// line 1's code but its own opening.
func syntaxError(file string, err error) error {
	msg := err.Error()
	var se *goja.CompilerSyntaxError
	if errors.As(err, &se) {
		msg = se.Message
	}
	msg = strings.TrimPrefix(msg, file+": ")
	var line, col int
	if _, scanErr := fmt.Sscanf(msg, "Line %d:%d", &line, &col); scanErr == nil {
		if i := strings.Index(msg, " "); i >= 0 {
			if j := strings.Index(msg[i+1:], " "); j >= 0 {
				msg = msg[i+1+j+1:]
			}
		}
		if line == 1 {
			col -= len(moduleOpening)
		}
		return &Error{File: file, Line: line, Col: col, Msg: "syntax error: " + msg}
	}
	return &Error{File: file, Msg: "syntax error: " + msg}
}

// moduleOpening wraps a file's code into a CommonJS module function.
const moduleOpening = "(function(exports, require, module, __filename, __dirname) {"

// jsError turns an exception thrown by project code into an error at its place.
func (l *loader) jsError(err error) error {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		msg := strings.TrimPrefix(ex.Value().String(), "GoError: ")
		for _, frame := range ex.Stack() {
			pos := frame.Position()
			if pos.Filename != "" && pos.Line > 0 {
				return &Error{File: pos.Filename, Line: pos.Line, Msg: msg}
			}
		}
		return errors.New(msg)
	}
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		return fmt.Errorf("interrupted while running the project: %v", ie.Value())
	}
	return err
}

// callerSource is file:line of the project code calling into Go now.
func (l *loader) callerSource() string {
	for _, frame := range l.vm.CaptureCallStack(10, nil) {
		pos := frame.Position()
		if pos.Filename != "" && pos.Line > 0 {
			return fmt.Sprintf("%s:%d", pos.Filename, pos.Line)
		}
	}
	return ""
}

func (l *loader) loadConfig(p *Project) error {
	cfg := map[string]any{}
	pkgName := ""
	if pkg := filepath.Join(l.dir, "package.json"); exists(pkg) {
		v, err := l.module(pkg)
		if err != nil {
			return err
		}
		if m, ok := v.Export().(map[string]any); ok {
			pkgName, _ = m["name"].(string)
		}
	}
	if file := filepath.Join(l.dir, "config.js"); exists(file) {
		v, err := l.module(file)
		if err != nil {
			return err
		}
		if fn, ok := goja.AssertFunction(v); ok {
			arg := l.vm.NewObject()
			arg.Set("stage", stage())
			if v, err = fn(goja.Undefined(), arg); err != nil {
				return l.jsError(err)
			}
			if v, err = l.settled(v); err != nil {
				return &Error{File: "config.js", Msg: err.Error()}
			}
		}
		if m, ok := plain(v).(map[string]any); ok {
			cfg = m
		} else if v != nil && !goja.IsUndefined(v) {
			return &Error{File: "config.js", Msg: "must export an object, or a function that returns one"}
		}
	}
	for k, v := range l.hooks.Provider {
		if _, set := cfg[k]; !set && v != nil && v != "" {
			cfg[k] = v
		}
	}
	p.Name = stringOr(cfg["projectName"], stringOr(pkgName, filepath.Base(l.dir)))
	p.Stage = stringOr(cfg["stage"], stage())
	p.Location, _ = cfg["location"].(string)
	cfg["projectName"], cfg["stage"] = p.Name, p.Stage
	p.Config = cfg
	return nil
}

func stringOr(v any, def string) string {
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return def
}

// plain exports a JavaScript value as JSON data, as JSON.stringify then JSON.parse would:
// objects, arrays, strings, booleans, and numbers as json.Number; functions and undefined are
// dropped from objects (null in arrays), NaN and infinities become null, dates ISO strings.
func plain(v goja.Value) any {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil
	}
	out, _ := jsonValue(v.Export())
	return out
}

// jsonValue converts an exported JavaScript value; ok is false for what JSON.stringify drops
// (functions, undefined).
func jsonValue(v any) (any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, true
	case string, bool:
		return x, true
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, true
		}
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64)), true
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if val, ok := jsonValue(e); ok {
				out[k] = val
			}
		}
		return out, true
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i], _ = jsonValue(e)
		}
		return out, true
	case func(goja.FunctionCall) goja.Value:
		return nil, false
	}
	// Anything else (dates, Go values, class instances): as JSON would write it.
	data, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out any
	if dec.Decode(&out) != nil {
		return nil, false
	}
	return out, true
}

// helpers builds the argument of properties and dependencies functions: config, getId, and
// (seed style) resources.
func (l *loader) helpers(p *Project, resources goja.Value) *goja.Object {
	if l.arg != nil && l.argResources == resources {
		return l.arg
	}
	arg := l.vm.NewObject()
	l.arg, l.argResources = arg, resources
	arg.Set("config", l.vm.ToValue(p.Config))
	arg.Set("getId", func(call goja.FunctionCall) goja.Value {
		ref, path := l.refOf(call.Argument(0)), ""
		if o, ok := call.Argument(0).(*goja.Object); ok {
			if pv := o.Get("path"); pv != nil && !goja.IsUndefined(pv) {
				path = pv.String()
			}
		}
		if l.hooks.GetID == nil {
			return l.vm.ToValue("")
		}
		id, err := l.hooks.GetID(ref, path)
		if err != nil {
			panic(l.vm.NewGoError(err))
		}
		return l.vm.ToValue(id)
	})
	if resources != nil {
		arg.Set("resources", resources)
	}
	return arg
}

// refOf reads a reference: "rg::name", {type, group, name}, or a seed-style resources.X.Y[name].
func (l *loader) refOf(v goja.Value) Ref {
	if o, ok := v.(*goja.Object); ok {
		get := func(k string) string {
			if x := o.Get(k); x != nil && !goja.IsUndefined(x) {
				return x.String()
			}
			return ""
		}
		return Ref{Name: get("name"), Type: get("type"), Group: get("group")}
	}
	return Ref{Name: v.String()}
}

// settled is what an async function's promise settled with (an async createResources or
// config function, as GruCloud awaits them); any other value as it is. The promise's jobs
// have run when the call returned, as nothing a project does at load time waits on I/O.
func (l *loader) settled(v goja.Value) (goja.Value, error) {
	obj, ok := v.(*goja.Object)
	if !ok {
		return v, nil
	}
	p, ok := obj.Export().(*goja.Promise)
	if !ok {
		return v, nil
	}
	switch p.State() {
	case goja.PromiseStateFulfilled:
		return p.Result(), nil
	case goja.PromiseStateRejected:
		return nil, fmt.Errorf("the promise was rejected: %v", p.Result())
	}
	return nil, errors.New("the promise is still pending at load time (a project's code cannot wait on I/O here)")
}

// evaluate turns a resource's declaration into a Spec.
func (l *loader) evaluate(p *Project, decl *goja.Object, typ, group, source string, resources goja.Value) (*Spec, error) {
	s := &Spec{Type: typ, Group: group, Source: source, Dependencies: map[string][]Ref{}}
	if v := decl.Get("name"); v != nil && !goja.IsUndefined(v) {
		// GruCloud's generated projects name a resource by its full name (rg::vnet::subnet):
		// its own name is the last part.
		s.Name = v.String()
		if i := strings.LastIndex(s.Name, "::"); i >= 0 {
			s.Name = s.Name[i+2:]
		}
	}
	if v := decl.Get("readOnly"); v != nil {
		s.ReadOnly = v.ToBoolean()
	}
	call := func(key string) (goja.Value, error) {
		v := decl.Get(key)
		if fn, ok := goja.AssertFunction(v); ok {
			out, err := fn(goja.Undefined(), l.helpers(p, resources))
			if err != nil {
				return nil, fmt.Errorf("%s %s::%s: %s: %w", source, group, typ, key, l.jsError(err))
			}
			return out, nil
		}
		return v, nil
	}
	props, err := call("properties")
	if err != nil {
		return nil, err
	}
	switch m := plain(props).(type) {
	case map[string]any:
		s.Properties = m
	case nil:
		s.Properties = map[string]any{}
	default:
		return nil, fmt.Errorf("%s %s::%s: properties must be an object, or a function that returns one", source, group, typ)
	}
	if n, ok := s.Properties["name"].(string); ok && n != "" {
		s.Name = n
	}
	deps, err := call("dependencies")
	if err != nil {
		return nil, err
	}
	if o, ok := deps.(*goja.Object); ok {
		for _, key := range o.Keys() {
			v := o.Get(key)
			if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
				continue
			}
			if arr, ok := v.Export().([]any); ok {
				if s.ListKeys == nil {
					s.ListKeys = map[string]bool{}
				}
				s.ListKeys[key] = true
				obj := v.ToObject(l.vm)
				for i := range arr {
					s.Dependencies[key] = append(s.Dependencies[key], l.refOf(obj.Get(fmt.Sprint(i))))
				}
				continue
			}
			s.Dependencies[key] = []Ref{l.refOf(v)}
		}
	}
	return s, nil
}

func (l *loader) loadModern(p *Project, file string) error {
	exports, err := l.module(file)
	if err != nil {
		return err
	}
	create := exports.ToObject(l.vm).Get("createResources")
	fn, ok := goja.AssertFunction(create)
	if !ok {
		return &Error{File: l.rel(file), Msg: "must export createResources, a function that returns the array of resources"}
	}
	// As GruCloud: createResources({ config, provider }) returns the resources, or declares
	// them with provider.<Group>.make<Type>({...}) and returns nothing; entries that are
	// undefined or null (a resource left out by a condition) are skipped.
	var decls []declaration
	arg := l.vm.NewObject()
	arg.Set("config", l.vm.ToValue(p.Config))
	arg.Set("provider", l.vm.NewDynamicObject(provider{l: l, decls: &decls}))
	list, err := fn(goja.Undefined(), arg)
	if err != nil {
		return l.jsError(err)
	}
	if list, err = l.settled(list); err != nil {
		return &Error{File: l.rel(file), Msg: "createResources: " + err.Error()}
	}
	if list != nil && !goja.IsUndefined(list) && !goja.IsNull(list) {
		obj, ok := list.(*goja.Object)
		if !ok || obj.ClassName() != "Array" {
			return &Error{File: l.rel(file), Msg: "createResources must return an array of resources (or nothing, when it declares them with provider.<Group>.make<Type>)"}
		}
		n := int(obj.Get("length").ToInteger())
		for i := 0; i < n; i++ {
			item := obj.Get(fmt.Sprint(i))
			if item == nil || goja.IsUndefined(item) || goja.IsNull(item) {
				continue
			}
			decl, ok := item.(*goja.Object)
			if !ok {
				return &Error{File: l.rel(file), Msg: fmt.Sprintf("resource %d is not an object {type, group, properties, dependencies}", i)}
			}
			typ, group := decl.Get("type"), decl.Get("group")
			if typ == nil || group == nil || goja.IsUndefined(typ) || goja.IsUndefined(group) {
				return &Error{File: l.rel(file), Msg: fmt.Sprintf("resource %d has no type or no group", i)}
			}
			s, err := l.evaluate(p, decl, typ.String(), group.String(), fmt.Sprintf("%s: resource %d", l.rel(file), i), nil)
			if err != nil {
				return err
			}
			p.Resources = append(p.Resources, s)
		}
	}
	return l.evaluateDeclarations(p, decls)
}
