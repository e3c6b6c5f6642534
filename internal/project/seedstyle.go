package project

import (
	"strings"

	"github.com/dop251/goja"
)

// The older project style, the one of the seed page: iac.js exports createStack, which gets
// createProvider, makes the Azure provider, and declares each resource with
// provider.<Group>.make<Type>({ name, properties, dependencies }); dependencies refer to
// other resources as resources.<Group>.<Type>[name].

// declaration is one make<Type> call.
type declaration struct {
	decl       *goja.Object
	group, typ string
	source     Location
}

// provider is the dynamic object behind `provider`: provider.<Group> is a group object
// whose make<Type> functions record declarations.
type provider struct {
	l     *loader
	decls *[]declaration
}

func (pr provider) Get(group string) goja.Value {
	return pr.l.vm.NewDynamicObject(providerGroup{pr: pr, group: group})
}
func (provider) Set(string, goja.Value) bool { return false }
func (provider) Has(string) bool             { return true }
func (provider) Delete(string) bool          { return false }
func (provider) Keys() []string              { return nil }

type providerGroup struct {
	pr    provider
	group string
}

func (g providerGroup) Get(key string) goja.Value {
	typ, ok := strings.CutPrefix(key, "make")
	if !ok || typ == "" {
		return goja.Undefined()
	}
	l := g.pr.l
	return l.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		decl, ok := call.Argument(0).(*goja.Object)
		if !ok {
			panic(l.vm.NewTypeError("provider.%s.%s takes an object { name, properties, dependencies }", g.group, key))
		}
		// Where the object passed was written, else the call.
		source, ok := l.siteOf(decl)
		if !ok {
			source = l.callerSource()
		}
		*g.pr.decls = append(*g.pr.decls, declaration{decl: decl, group: g.group, typ: typ, source: source})
		return decl
	})
}
func (providerGroup) Set(string, goja.Value) bool { return false }
func (providerGroup) Has(string) bool             { return true }
func (providerGroup) Delete(string) bool          { return false }
func (providerGroup) Keys() []string              { return nil }

// resourceIndex is `resources`: resources.<Group>.<Type>[name] is a reference to a resource.
type resourceIndex struct {
	l          *loader
	group, typ string
}

func (r resourceIndex) Get(key string) goja.Value {
	switch {
	case r.group == "":
		return r.l.vm.NewDynamicObject(resourceIndex{l: r.l, group: key})
	case r.typ == "":
		return r.l.vm.NewDynamicObject(resourceIndex{l: r.l, group: r.group, typ: key})
	}
	ref := r.l.vm.NewObject()
	ref.Set("type", r.typ)
	ref.Set("group", r.group)
	ref.Set("name", key)
	return ref
}
func (resourceIndex) Set(string, goja.Value) bool { return false }
func (resourceIndex) Has(string) bool             { return true }
func (resourceIndex) Delete(string) bool          { return false }
func (resourceIndex) Keys() []string              { return nil }

func (l *loader) loadSeedStyle(p *Project, file string) error {
	exports, err := l.module(file)
	if err != nil {
		return err
	}
	fn, ok := goja.AssertFunction(exports.ToObject(l.vm).Get("createStack"))
	if !ok {
		return &Error{Code: CodeFormat, Location: Location{File: l.rel(file)}, Msg: "must export createStack, a function of ({ createProvider })"}
	}
	var decls []declaration
	var providerErr error
	arg := l.vm.NewObject()
	arg.Set("createProvider", func(call goja.FunctionCall) goja.Value {
		if opts, ok := call.Argument(1).(*goja.Object); ok {
			cfg := opts.Get("config")
			if cfgFn, ok := goja.AssertFunction(cfg); ok {
				v, err := cfgFn(goja.Undefined(), l.vm.NewObject())
				if err != nil {
					providerErr = l.jsError(err)
				}
				cfg = v
			}
			if m, ok := plain(cfg).(map[string]any); ok {
				for k, v := range m {
					p.Config[k] = v
				}
				p.Name = stringOr(m["projectName"], p.Name)
				p.Stage = stringOr(m["stage"], p.Stage)
				p.Location = stringOr(m["location"], p.Location)
			}
		}
		return l.vm.NewDynamicObject(provider{l: l, decls: &decls})
	})
	if _, err := fn(goja.Undefined(), arg); err != nil {
		return l.jsError(err)
	}
	if providerErr != nil {
		return providerErr
	}
	return l.evaluateDeclarations(p, decls)
}

// evaluateDeclarations evaluates the resources declared with provider.<Group>.make<Type>.
func (l *loader) evaluateDeclarations(p *Project, decls []declaration) error {
	if len(decls) == 0 {
		return nil
	}
	resources := l.vm.NewDynamicObject(resourceIndex{l: l})
	for _, d := range decls {
		s, err := l.evaluate(p, d.decl, d.typ, d.group, d.source, resources)
		if err != nil {
			return err
		}
		p.Resources = append(p.Resources, s)
	}
	return nil
}
