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
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/file"
	"github.com/dop251/goja/parser"
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
	// APIVersion is the API version the resource is written and read with ("": the type's
	// default), from the declaration's apiVersion (gru's own key; GruCloud has none).
	APIVersion string
	// Properties is the body the user wrote (numbers as json.Number).
	Properties map[string]any
	// Dependencies are the resources it names by dependency key.
	Dependencies Dependencies
	// Source is where the resource is declared: the object literal that made it (see
	// Location), for messages.
	Source Location
}

// Dependencies are a resource's dependencies by key, sorted by key, each key once. (A map per
// resource weighs ten times as much, by the ten thousand.)
type Dependencies []Dependency

// Dependency is one key's resources; List when the project gave them as an array.
type Dependency struct {
	Key  string
	Refs []Ref
	List bool
}

// Of is the resources of a key, nil when there are none.
func (d Dependencies) Of(key string) []Ref {
	for _, x := range d {
		if x.Key == key {
			return x.Refs
		}
	}
	return nil
}

// Add appends resources to a key (a key with none is left out).
func (d *Dependencies) Add(key string, list bool, refs ...Ref) {
	if len(refs) == 0 {
		return
	}
	i, found := slices.BinarySearchFunc(*d, key, func(x Dependency, key string) int { return strings.Compare(x.Key, key) })
	if found {
		(*d)[i].Refs = append((*d)[i].Refs, refs...)
		(*d)[i].List = (*d)[i].List || list
		return
	}
	*d = slices.Insert(*d, i, Dependency{Key: key, Refs: refs, List: list})
}

// Location is a place in a project's code: a file (relative to the project folder), and a
// line and column, both 1-based, 0 when not known.
//
// A resource's location is the object literal that made it: the literal in the array
// createResources returns, or, for a resource a loop or a helper function makes, the literal
// in the loop's body or the helper. An object made by spreading others, { ...base, name }, is
// located at that literal; Object.assign copies the location of the last literal it copies.
// A resource declared with provider.<Group>.make<Type> is located at the literal passed to
// it, else at the call. An object no literal made (a class instance, JSON.parse's) has the
// file alone.
type Location struct {
	File         string
	Line, Column int
}

func (l Location) String() string {
	switch {
	case l.File == "":
		return ""
	case l.Line > 0 && l.Column > 0:
		return fmt.Sprintf("%s:%d:%d", l.File, l.Line, l.Column)
	case l.Line > 0:
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	}
	return l.File
}

// Project is a loaded project.
type Project struct {
	Dir string
	// Config is config.js's result with the defaults filled in.
	Config                map[string]any
	Name, Stage, Location string
	Resources             []*Spec
	// GetIDs are the IDs getId gave the project's code, lower-cased, with what it named.
	GetIDs map[string]Ref
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

// apiVersionPattern is the shape of an ARM API version: a date, and a suffix for previews.
var apiVersionPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(-[A-Za-z0-9.]+)?$`)

// The codes of the errors Load returns (an Error's Code).
const (
	// CodeSyntax: a file is not valid JavaScript (or JSON, or dotenv).
	CodeSyntax = "syntax"
	// CodeException: the project's code threw, or a promise it returned was rejected.
	CodeException = "exception"
	// CodeFormat: the code ran, but what it gave is not a GruCloud project (createResources
	// missing, a resource without a type, properties that are not an object).
	CodeFormat = "format"
	// CodeNoProject: the folder has no resources.js nor iac.js.
	CodeNoProject = "no-project"
)

// Error is a problem in a project's code, located in its file; Resource and Path say which
// resource and which of its keys, when it concerns one.
type Error struct {
	Code string
	Location
	Resource, Path string
	Msg            string
}

func (e *Error) Error() string {
	var parts []string
	for _, s := range []string{e.Location.String(), e.Resource, e.Path} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(append(parts, e.Msg), ": ")
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
		return nil, &Error{Code: CodeNoProject, Msg: abs + ": no resources.js (nor iac.js): not a gru project (gru init makes one)"}
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
	l = &loader{dir: abs, vm: goja.New(), modules: map[string]goja.Value{}, hooks: hooks, projectFiles: map[string]bool{}, declaredAt: goja.NewSymbol("gru.declaredAt"), held: heldStrings{}}
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
			return &Error{Code: CodeSyntax, Location: Location{File: file}, Msg: "not a dotenv file: " + err.Error()}
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
	// projectFiles are the files of the project run so far, by name (relative); declaredAt
	// is the symbol under which their object literals keep their index in sites (locate).
	projectFiles map[string]bool
	declaredAt   *goja.Symbol
	sites        []Location
	// arg is the argument of properties and dependencies functions, made once (the same
	// for every resource) for the resources value it was made with.
	arg          *goja.Object
	argResources goja.Value
	// held are the strings the project's specs share (see heldStrings).
	held heldStrings
}

// heldStrings gives the strings a loaded project keeps their own memory: goja's string
// literals are slices of their file's source, which any one of them would keep whole (1.5 MB
// for a project of 10,000 resources, long after it ran). What repeats (types, groups, keys,
// the names dependencies give) is held once.
type heldStrings map[string]string

// shared is s in memory of its own, one copy for all of its uses.
func (h heldStrings) shared(s string) string {
	if v, ok := h[s]; ok {
		return v
	}
	v := strings.Clone(s)
	h[v] = v
	return v
}

// own is s in memory of its own; the same s without a table.
func (h heldStrings) own(s string) string {
	if h == nil {
		return s
	}
	return strings.Clone(s)
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
			return nil, &Error{Code: CodeSyntax, Location: jsonLocation(l.rel(path), src, err), Msg: "not valid JSON: " + err.Error()}
		}
		val := l.vm.ToValue(v)
		l.modules[path] = val
		return val, nil
	}
	return l.runCommonJS(path, l.rel(path), string(src), true)
}

// runCommonJS runs a CommonJS module's source under a key (its path) and returns its exports.
// A file of the project (not one of the libraries gru embeds) has its object literals
// located (see locate).
func (l *loader) runCommonJS(key, name, src string, ofProject bool) (goja.Value, error) {
	prog, err := l.compile(name, src, ofProject)
	if err != nil {
		return nil, err
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
	if _, err := call(goja.Undefined(), exports, l.vm.ToValue(l.require(key)), module, l.vm.ToValue(key), l.vm.ToValue(filepath.Dir(key)), l.declaredAt); err != nil {
		return nil, l.jsError(err)
	}
	v := module.Get("exports")
	l.modules[key] = v
	return v, nil
}

// moduleOpening wraps a file's code into a CommonJS module function; its last parameter is
// the symbol under which object literals keep where they are (see locate).
const moduleOpening = "(function(exports, require, module, __filename, __dirname, " + declaredAtName + ") {"

// moduleClosing ends the module function, on a line of its own.
const moduleClosing = "\n})"

// compile parses a file's code wrapped in its module function, locates its object literals
// when it is the project's, and compiles it.
func (l *loader) compile(name, src string, ofProject bool) (*goja.Program, error) {
	wrapped := moduleOpening + src + moduleClosing
	prg, err := parser.ParseFile(nil, name, wrapped, 0)
	if err != nil {
		return nil, syntaxError(name, src, err)
	}
	if ofProject {
		l.projectFiles[name] = true
		l.locate(prg)
	}
	prog, err := goja.CompileAST(prg, false)
	if err != nil {
		return nil, syntaxError(name, src, err)
	}
	return prog, nil
}

// syntaxError locates a parse or compile error of a file's code (src, without the module
// wrapper, whose opening shares line 1).
func syntaxError(name, src string, err error) error {
	msg := err.Error()
	var pos file.Position
	var list parser.ErrorList
	var pe *parser.Error
	var ce *goja.CompilerSyntaxError
	switch {
	case errors.As(err, &list) && len(list) > 0:
		pos, msg = list[0].Position, list[0].Message
	case errors.As(err, &pe):
		pos, msg = pe.Position, pe.Message
	case errors.As(err, &ce):
		msg = ce.Message
		if ce.File != nil {
			pos = ce.File.Position(ce.Offset)
		}
	}
	loc := unwrapped(Location{File: name, Line: pos.Line, Column: pos.Column})
	if lines := strings.Split(src, "\n"); loc.Line > len(lines) {
		// At the wrapper's closing: the file ends before what it opened is closed.
		loc.Line, loc.Column = len(lines), len(lines[len(lines)-1])+1
		msg = "unexpected end of the file"
	}
	return &Error{Code: CodeSyntax, Location: loc, Msg: "syntax error: " + msg}
}

// unwrapped turns a position in a wrapped module into one in its file: the module opening
// shares the file's first line.
func unwrapped(loc Location) Location {
	if loc.Line == 1 && loc.Column > 0 {
		loc.Column = max(loc.Column-len(moduleOpening), 1)
	}
	return loc
}

// jsError turns an exception thrown by project code into an error at its place: the
// innermost frame in a file of the project, else the innermost with a file.
func (l *loader) jsError(err error) error {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		msg := strings.TrimPrefix(ex.Value().String(), "GoError: ")
		loc, ok := l.frameLocation(ex.Stack())
		if !ok {
			return &Error{Code: CodeException, Msg: msg}
		}
		return &Error{Code: CodeException, Location: loc, Msg: msg}
	}
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		return fmt.Errorf("interrupted while running the project: %v", ie.Value())
	}
	return err
}

// frameLocation is the place of the innermost frame in a file of the project, else of the
// innermost frame with a file.
func (l *loader) frameLocation(frames []goja.StackFrame) (Location, bool) {
	var first *Location
	for _, frame := range frames {
		pos := frame.Position()
		if pos.Filename == "" || pos.Line <= 0 {
			continue
		}
		loc := unwrapped(Location{File: pos.Filename, Line: pos.Line, Column: pos.Column})
		if l.projectFiles[pos.Filename] {
			return loc, true
		}
		if first == nil {
			first = &loc
		}
	}
	if first != nil {
		return *first, true
	}
	return Location{}, false
}

// callerSource is the place of the project code calling into Go now.
func (l *loader) callerSource() Location {
	loc, _ := l.frameLocation(l.vm.CaptureCallStack(10, nil))
	return loc
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
			if v, err = l.settled(v, "config.js"); err != nil {
				return err
			}
		}
		if m, ok := plain(v).(map[string]any); ok {
			cfg = m
		} else if v != nil && !goja.IsUndefined(v) {
			return &Error{Code: CodeFormat, Location: Location{File: "config.js"}, Msg: "must export an object, or a function that returns one"}
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
func plain(v goja.Value) any { return heldStrings(nil).plain(v) }

// plain is the package's plain, its strings held by h (as they are without h).
func (h heldStrings) plain(v goja.Value) any {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil
	}
	out, _ := h.jsonValue(v.Export())
	return out
}

// jsonValue converts an exported JavaScript value; ok is false for what JSON.stringify drops
// (functions, undefined). Strings are held by h (as they are without h).
func (h heldStrings) jsonValue(v any) (any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, true
	case string:
		return h.own(x), true
	case bool:
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
			if val, ok := h.jsonValue(e); ok {
				if h != nil {
					k = h.shared(k)
				}
				out[k] = val
			}
		}
		return out, true
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i], _ = h.jsonValue(e)
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
		if path == "" {
			if p.GetIDs == nil {
				p.GetIDs = map[string]Ref{}
			}
			p.GetIDs[strings.ToLower(id)] = ref
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
		return Ref{Name: l.held.shared(get("name")), Type: l.held.shared(get("type")), Group: l.held.shared(get("group"))}
	}
	return Ref{Name: l.held.shared(v.String())}
}

// settled is what an async function's promise settled with (an async createResources or
// config function, as GruCloud awaits them); any other value as it is. The promise's jobs
// have run when the call returned, as nothing a project does at load time waits on I/O.
// A rejection is located where its error was made; file names the function's file.
func (l *loader) settled(v goja.Value, file string) (goja.Value, error) {
	obj, ok := v.(*goja.Object)
	if !ok || obj.ExportType() != reflect.TypeFor[*goja.Promise]() { // Export would convert a whole array first
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
		loc := Location{File: file}
		if o, ok := p.Result().(*goja.Object); ok {
			if at, ok := l.stackLocation(o.Get("stack")); ok {
				loc = at
			}
		}
		return nil, &Error{Code: CodeException, Location: loc, Msg: fmt.Sprintf("the promise was rejected: %v", p.Result())}
	}
	return nil, &Error{Code: CodeFormat, Location: Location{File: file}, Msg: "the promise is still pending at load time (a project's code cannot wait on I/O here)"}
}

// evaluate turns a resource's declaration into a Spec.
func (l *loader) evaluate(p *Project, decl *goja.Object, typ, group string, source Location, resources goja.Value) (*Spec, error) {
	s := &Spec{Type: l.held.shared(typ), Group: l.held.shared(group), Source: source}
	if v := decl.Get("name"); v != nil && !goja.IsUndefined(v) {
		// GruCloud's generated projects name a resource by its full name (rg::vnet::subnet):
		// its own name is the last part.
		s.Name = v.String()
		if i := strings.LastIndex(s.Name, "::"); i >= 0 {
			s.Name = s.Name[i+2:]
		}
		s.Name = l.held.own(s.Name)
	}
	if v := decl.Get("readOnly"); v != nil {
		s.ReadOnly = v.ToBoolean()
	}
	// what names the resource in errors: Group::Type, and its name when known.
	what := func() string {
		if s.Name != "" {
			return group + "::" + typ + " " + s.Name
		}
		return group + "::" + typ
	}
	if v := decl.Get("apiVersion"); v != nil && !goja.IsUndefined(v) && !goja.IsNull(v) {
		version, ok := v.Export().(string)
		if !ok || !apiVersionPattern.MatchString(version) {
			return nil, &Error{Code: CodeFormat, Location: source, Resource: what(), Path: "apiVersion", Msg: fmt.Sprintf("%s is not an API version: write it as ARM does, such as \"2023-05-01\" or \"2023-05-01-preview\" (gru types --versions TYPE lists them)", v)}
		}
		s.APIVersion = l.held.shared(version)
	}
	call := func(key string) (goja.Value, error) {
		v := decl.Get(key)
		if fn, ok := goja.AssertFunction(v); ok {
			out, err := fn(goja.Undefined(), l.helpers(p, resources))
			if err != nil {
				err = l.jsError(err)
				var e *Error
				if !errors.As(err, &e) {
					return nil, err
				}
				// Where it was thrown, which may be a helper of another file; the declaration
				// when nothing of the project's code is on the stack (a Go hook failed).
				located := *e
				if located.File == "" {
					located.Location = source
				}
				located.Resource, located.Path = what(), key
				return nil, &located
			}
			return out, nil
		}
		return v, nil
	}
	props, err := call("properties")
	if err != nil {
		return nil, err
	}
	switch m := l.held.plain(props).(type) {
	case map[string]any:
		s.Properties = m
	case nil:
		s.Properties = map[string]any{}
	default:
		return nil, &Error{Code: CodeFormat, Location: source, Resource: what(), Path: "properties", Msg: "must be an object, or a function that returns one"}
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
				obj := v.ToObject(l.vm)
				refs := make([]Ref, len(arr))
				for i := range arr {
					refs[i] = l.refOf(obj.Get(fmt.Sprint(i)))
				}
				s.Dependencies.Add(l.held.shared(key), true, refs...)
				continue
			}
			s.Dependencies.Add(l.held.shared(key), false, l.refOf(v))
		}
	}
	return s, nil
}

func (l *loader) loadModern(p *Project, file string) error {
	exports, err := l.module(file)
	if err != nil {
		return err
	}
	name := l.rel(file)
	create := exports.ToObject(l.vm).Get("createResources")
	fn, ok := goja.AssertFunction(create)
	if !ok {
		return &Error{Code: CodeFormat, Location: Location{File: name}, Msg: "must export createResources, a function that returns the array of resources"}
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
	if list, err = l.settled(list, name); err != nil {
		return err
	}
	if list != nil && !goja.IsUndefined(list) && !goja.IsNull(list) {
		obj, ok := list.(*goja.Object)
		if !ok || obj.ClassName() != "Array" {
			return &Error{Code: CodeFormat, Location: Location{File: name}, Msg: "createResources must return an array of resources (or nothing, when it declares them with provider.<Group>.make<Type>)"}
		}
		n := int(obj.Get("length").ToInteger())
		for i := 0; i < n; i++ {
			item := obj.Get(fmt.Sprint(i))
			if item == nil || goja.IsUndefined(item) || goja.IsNull(item) {
				continue
			}
			// Counted from 1, as the array reads in the file.
			decl, ok := item.(*goja.Object)
			if !ok {
				return &Error{Code: CodeFormat, Location: Location{File: name}, Msg: fmt.Sprintf("the resource #%d that createResources returns is %s, not an object {type, group, properties, dependencies}", i+1, item)}
			}
			source, ok := l.siteOf(decl)
			if !ok {
				source = Location{File: name}
			}
			typ, group := decl.Get("type"), decl.Get("group")
			if typ == nil || group == nil || goja.IsUndefined(typ) || goja.IsUndefined(group) {
				msg := "a resource needs a type and a group"
				if !ok {
					msg = fmt.Sprintf("the resource #%d that createResources returns has no type or no group", i+1)
				}
				return &Error{Code: CodeFormat, Location: source, Msg: msg}
			}
			s, err := l.evaluate(p, decl, typ.String(), group.String(), source, nil)
			if err != nil {
				return err
			}
			p.Resources = append(p.Resources, s)
		}
	}
	return l.evaluateDeclarations(p, decls)
}
