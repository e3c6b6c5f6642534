package project

//go:generate sh rubico/fetch.sh

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/dop251/goja"
)

// rubicoFiles are rubico's published bundles (rubico/fetch.sh), gzipped.
//
//go:embed rubico/dist
var rubicoFiles embed.FS

// builtIn answers require() of what a GruCloud project may use besides its own files: rubico
// and rubico/x (the real library, embedded), and Node's assert, path and fs (fs reads only
// files of the project's folder). ok is false for any other name.
func (l *loader) builtIn(name string) (v goja.Value, ok bool, err error) {
	switch {
	case name == "rubico":
		v, err = l.rubico("rubico.js")
		return v, true, err
	case name == "rubico/x":
		return l.vm.NewDynamicObject(rubicoX{l: l}), true, nil
	case strings.HasPrefix(name, "rubico/x/"):
		v, err = l.rubico("x/" + strings.TrimSuffix(strings.TrimPrefix(name, "rubico/x/"), ".js") + ".js")
		return v, true, err
	case name == "assert" || name == "node:assert":
		return l.assertModule(), true, nil
	case name == "path" || name == "node:path":
		return l.pathModule(), true, nil
	case name == "fs" || name == "node:fs":
		return l.fsModule(), true, nil
	}
	return nil, false, nil
}

// rubico runs one of rubico's bundles (once) and returns what it exports.
func (l *loader) rubico(file string) (goja.Value, error) {
	key := "rubico:" + file
	if v, ok := l.modules[key]; ok {
		return v, nil
	}
	f, err := rubicoFiles.Open("rubico/dist/" + file + ".gz")
	if err != nil {
		return nil, fmt.Errorf("rubico has no %s", strings.TrimSuffix(file, ".js"))
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	src, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	return l.runCommonJS(key, "rubico/"+file, string(src), false)
}

// rubicoX is require("rubico/x"): each function is loaded when the project first reads it.
type rubicoX struct{ l *loader }

func (x rubicoX) Get(key string) goja.Value {
	v, err := x.l.rubico("x/" + key + ".js")
	if err != nil {
		return goja.Undefined()
	}
	return v
}
func (x rubicoX) Set(string, goja.Value) bool { return false }
func (x rubicoX) Has(key string) bool {
	_, err := fs.Stat(rubicoFiles, "rubico/dist/x/"+key+".js.gz")
	return err == nil
}
func (x rubicoX) Delete(string) bool { return false }
func (x rubicoX) Keys() []string {
	entries, _ := fs.ReadDir(rubicoFiles, "rubico/dist/x")
	var keys []string
	for _, e := range entries {
		keys = append(keys, strings.TrimSuffix(e.Name(), ".js.gz"))
	}
	sort.Strings(keys)
	return keys
}

// assertModule is Node's assert, as far as configuration code uses it.
func (l *loader) assertModule() goja.Value {
	fail := func(message goja.Value, def string) {
		msg := def
		if message != nil && !goja.IsUndefined(message) {
			msg = message.String()
		}
		panic(l.vm.NewGoError(fmt.Errorf("AssertionError: %s", msg)))
	}
	ok := func(call goja.FunctionCall) goja.Value {
		if !call.Argument(0).ToBoolean() {
			fail(call.Argument(1), "the value is not truthy")
		}
		return goja.Undefined()
	}
	same := func(a, b goja.Value) bool { return a.StrictEquals(b) }
	deep := func(a, b goja.Value) bool { return reflect.DeepEqual(plain(a), plain(b)) }
	assert := l.vm.ToValue(ok).ToObject(l.vm)
	assert.Set("ok", ok)
	for name, check := range map[string]func(a, b goja.Value) bool{
		"equal": func(a, b goja.Value) bool { return a.Equals(b) }, "strictEqual": same,
		"deepEqual": deep, "deepStrictEqual": deep,
		"notEqual":       func(a, b goja.Value) bool { return !a.Equals(b) },
		"notStrictEqual": func(a, b goja.Value) bool { return !same(a, b) },
	} {
		assert.Set(name, func(call goja.FunctionCall) goja.Value {
			if !check(call.Argument(0), call.Argument(1)) {
				fail(call.Argument(2), fmt.Sprintf("%s failed: %v and %v", name, call.Argument(0), call.Argument(1)))
			}
			return goja.Undefined()
		})
	}
	return assert
}

// pathModule is Node's path (POSIX), as far as configuration code uses it.
func (l *loader) pathModule() goja.Value {
	m := l.vm.NewObject()
	strs := func(call goja.FunctionCall) []string {
		var out []string
		for _, a := range call.Arguments {
			out = append(out, a.String())
		}
		return out
	}
	m.Set("sep", "/")
	m.Set("join", func(call goja.FunctionCall) goja.Value { return l.vm.ToValue(path.Join(strs(call)...)) })
	m.Set("resolve", func(call goja.FunctionCall) goja.Value {
		p := filepath.ToSlash(l.dir)
		for _, s := range strs(call) {
			if path.IsAbs(s) {
				p = s
			} else {
				p = path.Join(p, s)
			}
		}
		return l.vm.ToValue(path.Clean(p))
	})
	m.Set("dirname", func(s string) string { return path.Dir(s) })
	m.Set("basename", func(s string, ext goja.Value) string {
		b := path.Base(s)
		if ext != nil && !goja.IsUndefined(ext) {
			b = strings.TrimSuffix(b, ext.String())
		}
		return b
	})
	m.Set("extname", func(s string) string { return path.Ext(s) })
	m.Set("normalize", func(s string) string { return path.Clean(s) })
	m.Set("isAbsolute", func(s string) bool { return path.IsAbs(s) })
	return m
}

// fsModule is Node's fs for reading files that sit in the project's folder (cloud-init
// scripts, certificates): nothing outside it, nothing written.
func (l *loader) fsModule() goja.Value {
	m := l.vm.NewObject()
	inside := func(p string) string {
		full := p
		if !filepath.IsAbs(full) {
			full = filepath.Join(l.dir, full)
		}
		full = filepath.Clean(full)
		if rel, err := filepath.Rel(l.dir, full); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			panic(l.vm.NewGoError(fmt.Errorf("fs: %s is outside the project folder: a project reads only its own files", p)))
		}
		return full
	}
	m.Set("readFileSync", func(call goja.FunctionCall) goja.Value {
		data, err := ReadInside(l.dir, inside(call.Argument(0).String()))
		if err != nil {
			panic(l.vm.NewGoError(fmt.Errorf("fs.readFileSync: %w", err)))
		}
		enc := call.Argument(1)
		if o, ok := enc.(*goja.Object); ok {
			enc = o.Get("encoding")
		}
		if enc == nil || goja.IsUndefined(enc) || goja.IsNull(enc) {
			return l.vm.ToValue(l.vm.NewArrayBuffer(bytes.Clone(data)))
		}
		return l.vm.ToValue(string(data))
	})
	m.Set("existsSync", func(p string) bool {
		_, err := ReadInside(l.dir, inside(p))
		return err == nil
	})
	// fs.promises.readFile, for async project code: settled at once, as readFileSync.
	promises := l.vm.NewObject()
	promises.Set("readFile", func(call goja.FunctionCall) goja.Value {
		p, resolve, reject := l.vm.NewPromise()
		data, err := ReadInside(l.dir, inside(call.Argument(0).String()))
		if err != nil {
			reject(l.vm.NewGoError(fmt.Errorf("fs.promises.readFile: %w", err)))
			return l.vm.ToValue(p)
		}
		enc := call.Argument(1)
		if o, ok := enc.(*goja.Object); ok {
			enc = o.Get("encoding")
		}
		if enc == nil || goja.IsUndefined(enc) || goja.IsNull(enc) {
			resolve(l.vm.NewArrayBuffer(bytes.Clone(data)))
		} else {
			resolve(string(data))
		}
		return l.vm.ToValue(p)
	})
	m.Set("promises", promises)
	return m
}

// ReadInside reads a file of a folder (a path in it, or relative to it), refusing what lies
// outside, symbolic links that lead out included.
func ReadInside(dir, file string) ([]byte, error) {
	if filepath.IsAbs(file) {
		rel, err := filepath.Rel(dir, file)
		if err != nil {
			return nil, err
		}
		file = rel
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	data, err := root.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (a project reads only the files of its folder)", file, err)
	}
	return data, nil
}

// setBuffer defines the part of Node's Buffer that projects use at load time:
// Buffer.from(a string, or data read with fs) and toString in utf8, base64 or hex (a VM's
// cloud-init as customData is base64).
func (l *loader) setBuffer() error {
	var wrap func(data []byte) *goja.Object
	wrap = func(data []byte) *goja.Object {
		b := l.vm.NewObject()
		b.Set("length", len(data))
		b.Set("toString", func(call goja.FunctionCall) goja.Value {
			switch enc := call.Argument(0); {
			case goja.IsUndefined(enc) || enc.String() == "utf8" || enc.String() == "utf-8":
				return l.vm.ToValue(string(data))
			case enc.String() == "base64":
				return l.vm.ToValue(base64.StdEncoding.EncodeToString(data))
			case enc.String() == "hex":
				return l.vm.ToValue(hex.EncodeToString(data))
			default:
				panic(l.vm.NewTypeError("Buffer.toString: encoding %q is not supported here (utf8, base64, hex)", enc.String()))
			}
		})
		return b
	}
	buffer := l.vm.NewObject()
	buffer.Set("from", func(call goja.FunctionCall) goja.Value {
		v, enc := call.Argument(0), call.Argument(1)
		switch x := v.Export().(type) {
		case string:
			switch {
			case goja.IsUndefined(enc) || enc.String() == "utf8" || enc.String() == "utf-8":
				return wrap([]byte(x))
			case enc.String() == "base64":
				data, err := base64.StdEncoding.DecodeString(x)
				if err != nil {
					panic(l.vm.NewTypeError("Buffer.from: not base64: %v", err))
				}
				return wrap(data)
			case enc.String() == "hex":
				data, err := hex.DecodeString(x)
				if err != nil {
					panic(l.vm.NewTypeError("Buffer.from: not hex: %v", err))
				}
				return wrap(data)
			}
			panic(l.vm.NewTypeError("Buffer.from: encoding %q is not supported here (utf8, base64, hex)", enc.String()))
		case goja.ArrayBuffer:
			return wrap(bytes.Clone(x.Bytes()))
		}
		panic(l.vm.NewTypeError("Buffer.from takes a string or what fs.readFileSync returns"))
	})
	return l.vm.Set("Buffer", buffer)
}

// console is what a project's console.log writes to: the hooks' writer, else nothing.
func (l *loader) setConsole() {
	out := l.hooks.Console
	if out == nil {
		out = io.Discard
	}
	write := func(call goja.FunctionCall) goja.Value {
		parts := make([]string, len(call.Arguments))
		for i, a := range call.Arguments {
			if o, ok := a.(*goja.Object); ok && o.ClassName() != "Function" {
				if data, err := json.Marshal(plain(a)); err == nil {
					parts[i] = string(data)
					continue
				}
			}
			parts[i] = a.String()
		}
		fmt.Fprintln(out, strings.Join(parts, " "))
		return goja.Undefined()
	}
	console := l.vm.NewObject()
	for _, name := range []string{"log", "info", "warn", "error", "debug"} {
		console.Set(name, write)
	}
	l.vm.Set("console", console)
}
