// Package engine is gru's main job: it turns a project's resources into a target graph (types
// resolved, dependencies linked, bodies validated, ownership tagged), compares it with what is
// live, and makes live match, in parallel and in dependency order. It reaches ARM through the
// small Cloud interface, so that it runs the same against Azure and the emulator, and knows
// no JavaScript: projects come to it as plain specifications.
package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/dag"
	"github.com/gru-iac/gru/internal/project"
	"github.com/gru-iac/gru/internal/validate"
)

// The ownership tags GruCloud writes on what it deploys.
const (
	TagManagedBy = "gc-managed-by"
	TagProject   = "gc-project-name"
	TagStage     = "gc-stage"
	TagProvider  = "gc-created-by-provider"
)

// Resource is one resource of the target.
type Resource struct {
	Spec   *project.Spec
	Type   *catalog.TypeInfo
	Schema *catalog.Resource
	// Key names the resource in messages and in the graph: Group::Type rg::parent::name.
	Key string
	// FullName is GruCloud's name of the resource: rg::parent::name.
	FullName string
	// ID is the resource's ARM ID; nil while Azure has yet to name it (IdentityFrom).
	ID *armid.ID
	// Parent is the ID the resource lives under (its collection's parent).
	Parent *armid.ID
	// Body is what a PUT sends: the user's properties, dependency IDs at their paths,
	// location and ownership tags.
	Body map[string]any
	// Deps are the resources this one depends on, by key.
	Deps map[string][]*Resource
	// IdentityFrom names the dependency through which Azure names the resource (the seed's
	// private endpoint connection is the one its privateEndpoint made), "" when its name is its own.
	IdentityFrom string
}

// Target is the resources a project wants, linked.
type Target struct {
	Project      *project.Project
	Subscription string
	Resources    []*Resource // in declaration order
	byKey        map[string]*Resource
}

// Resource returns a resource by key.
func (t *Target) Resource(key string) *Resource { return t.byKey[key] }

// Problems is every problem found in a project, reported together.
type Problems []string

func (p Problems) Error() string {
	if len(p) == 1 {
		return p[0]
	}
	return fmt.Sprintf("%d problems:\n  %s", len(p), strings.Join(p, "\n  "))
}

// Build loads nothing and sends nothing: it resolves a loaded project against the catalogue.
func Build(ctx context.Context, cat *catalog.Catalog, proj *project.Project, subscription string) (*Target, error) {
	b := &builder{cat: cat, t: &Target{Project: proj, Subscription: subscription, byKey: map[string]*Resource{}}}
	for _, s := range proj.Resources {
		b.add(ctx, s)
	}
	if len(b.problems) > 0 {
		return nil, b.problems
	}
	b.names()
	b.link()
	if len(b.problems) > 0 {
		return nil, b.problems
	}
	b.rename()
	b.checkCycles()
	if len(b.problems) > 0 {
		return nil, b.problems
	}
	b.identify()
	b.bodies()
	if len(b.problems) > 0 {
		return nil, b.problems
	}
	return b.t, nil
}

type builder struct {
	cat      *catalog.Catalog
	t        *Target
	problems Problems
	deps     map[*Resource][]catalog.Dependency
}

func (b *builder) problem(format string, args ...any) {
	b.problems = append(b.problems, fmt.Sprintf(format, args...))
}

func (b *builder) add(ctx context.Context, s *project.Spec) {
	ti, err := b.cat.Lookup(s.Group + "::" + s.Type)
	if err != nil {
		b.problem("%s: %v", s.Source, err)
		return
	}
	if s.Name == "" {
		b.problem("%s: %s has no name: set properties.name or name", s.Source, ti.ShortName)
		return
	}
	schema, err := b.cat.Schema(ctx, ti, "")
	if err != nil {
		b.problem("%s: %s: %v", s.Source, ti.ShortName, err)
		return
	}
	r := &Resource{Spec: s, Type: ti, Schema: schema, Deps: map[string][]*Resource{}}
	if b.deps == nil {
		b.deps = map[*Resource][]catalog.Dependency{}
	}
	deps, err := b.cat.Dependencies(ti.ARMType)
	if err != nil {
		b.problem("%v", err)
		return
	}
	b.deps[r] = append(deps, b.derivedParents(ti, deps)...)
	b.t.Resources = append(b.t.Resources, r)
}

// derivedParents gives a type that GruCloud's table lacks its parent keys from the ARM type:
// resourceGroup, then the singular of each ancestor collection (virtualNetwork, ...).
func (b *builder) derivedParents(ti *catalog.TypeInfo, known []catalog.Dependency) []catalog.Dependency {
	has := map[string]bool{}
	for _, d := range known {
		if d.Parent {
			has[strings.ToLower(d.ARMType)] = true
		}
	}
	var out []catalog.Dependency
	if !has["microsoft.resources/resourcegroups"] && !strings.EqualFold(ti.ARMType, "Microsoft.Resources/resourceGroups") {
		out = append(out, catalog.Dependency{Key: "resourceGroup", ARMType: "Microsoft.Resources/resourceGroups", Parent: true})
	}
	for p := ti.ParentType(); p != ""; {
		if !has[strings.ToLower(p)] {
			if pt, ok := b.cat.Find(p); ok {
				out = append(out, catalog.Dependency{Key: lowerFirst(pt.Name()), ARMType: pt.ARMType, Parent: true})
			}
		}
		next := strings.LastIndexByte(p, '/')
		if strings.Count(p, "/") < 2 {
			break
		}
		p = p[:next]
	}
	return out
}

func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}

func isResourceGroup(t *catalog.TypeInfo) bool {
	return strings.EqualFold(t.ARMType, "Microsoft.Resources/resourceGroups")
}

// parentDeps returns the parent dependencies of r, outermost first (resource group, then
// each ancestor resource by depth).
func (b *builder) parentDeps(r *Resource) []catalog.Dependency {
	var out []catalog.Dependency
	for _, d := range b.deps[r] {
		if d.Parent {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return depth(out[i].ARMType) < depth(out[j].ARMType)
	})
	return out
}

// depth orders parents: resource groups first, then by how nested the type is.
func depth(armType string) int {
	if strings.EqualFold(armType, "Microsoft.Resources/resourceGroups") {
		return 0
	}
	return strings.Count(armType, "/")
}

// names gives each resource its GruCloud full name (rg::parent::name) from its parent
// dependencies as the project wrote them.
func (b *builder) names() {
	for _, r := range b.t.Resources {
		parts := []string{}
		for _, d := range b.parentDeps(r) {
			refs := r.Spec.Dependencies[d.Key]
			if len(refs) == 0 {
				continue
			}
			name := refs[0].Name
			if i := strings.LastIndex(name, "::"); i >= 0 {
				name = name[i+2:]
			}
			parts = append(parts, name)
		}
		r.FullName = strings.Join(append(parts, r.Spec.Name), "::")
		r.Key = r.Type.ShortName + " " + r.FullName
		if other, dup := b.t.byKey[strings.ToLower(r.Key)]; dup {
			b.problem("%s: %s is declared twice (first at %s)", r.Spec.Source, r.Key, other.Spec.Source)
			continue
		}
		b.t.byKey[strings.ToLower(r.Key)] = r
	}
}

// rename writes the full names again from the resolved parents, so that a reference written
// in another case (ARM names are case-insensitive) does not change a resource's name.
func (b *builder) rename() {
	done := map[*Resource]bool{}
	var visit func(r *Resource)
	visit = func(r *Resource) {
		if done[r] {
			return
		}
		done[r] = true
		prefix := ""
		for _, d := range b.parentDeps(r) {
			for _, p := range r.Deps[d.Key] {
				visit(p)
				prefix = p.FullName
			}
		}
		r.FullName = r.Spec.Name
		if prefix != "" {
			r.FullName = prefix + "::" + r.Spec.Name
		}
		r.Key = r.Type.ShortName + " " + r.FullName
	}
	for _, r := range b.t.Resources {
		visit(r)
	}
	b.t.byKey = map[string]*Resource{}
	for _, r := range b.t.Resources {
		b.t.byKey[strings.ToLower(r.Key)] = r
	}
}

// checkCycles refuses a project whose dependencies loop, naming the loop.
func (b *builder) checkCycles() {
	g := dag.New()
	for _, r := range b.t.Resources {
		g.Add(r.Key)
		for _, deps := range r.Deps {
			for _, d := range deps {
				g.Connect(r.Key, d.Key)
			}
		}
	}
	if c := g.Cycle(); c != nil {
		b.problem("dependency cycle: %s", strings.Join(c, " -> "))
	}
}

// resolve finds the resource a reference names, for a dependency of a given ARM type
// ("" when the key is unknown and the name alone must tell).
func (b *builder) resolve(ref project.Ref, armType string) (*Resource, error) {
	if ref.Type != "" {
		ti, err := b.cat.Lookup(ref.Group + "::" + ref.Type)
		if err != nil {
			return nil, err
		}
		armType = ti.ARMType
	}
	var found []*Resource
	for _, r := range b.t.Resources {
		if armType != "" && !strings.EqualFold(r.Type.ARMType, armType) {
			continue
		}
		// ARM names are case-insensitive, and so are references to them.
		if strings.EqualFold(r.FullName, ref.Name) || strings.EqualFold(r.Spec.Name, ref.Name) && !strings.Contains(ref.Name, "::") {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		what := "a resource"
		if armType != "" {
			if ti, ok := b.cat.Find(armType); ok {
				what = ti.ShortName
			}
		}
		return nil, fmt.Errorf("no %s named %q in the project", what, ref.Name)
	}
	var names []string
	for _, r := range found {
		names = append(names, r.Key)
	}
	return nil, fmt.Errorf("%q is ambiguous: it could be %s; write { type, group, name } to say which", ref.Name, strings.Join(names, " or "))
}

// link resolves every dependency.
func (b *builder) link() {
	for _, r := range b.t.Resources {
		known := map[string]catalog.Dependency{}
		for _, d := range b.deps[r] {
			known[d.Key] = d
		}
		keys := make([]string, 0, len(r.Spec.Dependencies))
		for k := range r.Spec.Dependencies {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, key := range keys {
			d := known[key]
			for _, ref := range r.Spec.Dependencies[key] {
				dep, err := b.resolve(ref, d.ARMType)
				if err != nil {
					b.problem("%s: %s: dependency %s: %v", r.Spec.Source, r.Key, key, err)
					continue
				}
				if dep == r {
					b.problem("%s: %s depends on itself (%s)", r.Spec.Source, r.Key, key)
					continue
				}
				r.Deps[key] = append(r.Deps[key], dep)
			}
		}
		for _, d := range b.parentDeps(r) {
			if len(r.Deps[d.Key]) == 0 && !isResourceGroup(r.Type) {
				pt, _ := b.cat.Find(d.ARMType)
				name := d.ARMType
				if pt != nil {
					name = pt.ShortName
				}
				b.problem("%s: %s needs its %s: add dependencies { %s: ... } naming the %s", r.Spec.Source, r.Key, d.Key, d.Key, name)
			}
		}
	}
}

// identify computes IDs from the parent chain, in dependency order so that parents are known.
func (b *builder) identify() {
	done := map[*Resource]bool{}
	var visit func(r *Resource, seen map[*Resource]bool)
	visit = func(r *Resource, seen map[*Resource]bool) {
		if done[r] || seen[r] {
			return
		}
		seen[r] = true
		for _, d := range b.parentDeps(r) {
			for _, p := range r.Deps[d.Key] {
				visit(p, seen)
			}
		}
		done[r] = true
		if isResourceGroup(r.Type) {
			r.ID = armid.ResourceGroup(b.t.Subscription, r.Spec.Name)
			r.Parent = r.ID.Parent
			return
		}
		// The innermost parent that has an ID is where this resource's block continues.
		var parent *Resource
		var group *Resource
		for _, d := range b.parentDeps(r) {
			for _, p := range r.Deps[d.Key] {
				if isResourceGroup(p.Type) {
					group = p
				} else {
					parent = p
				}
			}
		}
		ns := r.Type.Namespace()
		segs := strings.Split(r.Type.ARMType, "/")
		last := segs[len(segs)-1]
		switch {
		case parent != nil && parent.ID != nil:
			r.Parent = parent.ID
			r.ID = parent.ID.Child(last, r.Spec.Name)
		case parent != nil:
			r.Parent = nil // the parent's own ID is not known before apply
		case group != nil:
			r.Parent = group.ID
			r.ID = group.ID.Provider(ns, last, r.Spec.Name)
		default:
			sub := armid.Subscription(b.t.Subscription)
			r.Parent = sub
			r.ID = sub.Provider(ns, last, r.Spec.Name)
		}
		if from := identityDependency(r.Type.ARMType); from != "" && len(r.Deps[from]) > 0 {
			r.IdentityFrom = from
			r.ID = nil // Azure names it
		}
	}
	for _, r := range b.t.Resources {
		visit(r, map[*Resource]bool{})
	}
}

// bodies builds what each PUT sends and validates it.
func (b *builder) bodies() {
	proj := b.t.Project
	for _, r := range b.t.Resources {
		body := deepCopy(r.Spec.Properties)
		delete(body, "name")
		for _, d := range b.deps[r] {
			deps := r.Deps[d.Key]
			if d.PathID == "" || len(deps) == 0 {
				continue
			}
			ids := make([]string, 0, len(deps))
			for _, dep := range deps {
				ids = append(ids, placeholderID(dep))
			}
			setPath(body, d.PathID, ids)
		}
		if r.Schema.Has("location") {
			if _, ok := body["location"]; !ok {
				if proj.Location == "" {
					b.problem("%s: %s needs a location: set location in config.js or in its properties", r.Spec.Source, r.Key)
					continue
				}
				body["location"] = proj.Location
			}
		}
		if r.Schema.Has("tags") {
			tags, _ := body["tags"].(map[string]any)
			if tags == nil {
				tags = map[string]any{}
			}
			tags[TagManagedBy], tags[TagProject], tags[TagStage], tags[TagProvider] = "grucloud", proj.Name, proj.Stage, "azure"
			body["tags"] = tags
		}
		r.Body = body
		for _, p := range validate.Body(r.Schema, body, validate.Options{Name: r.Spec.Name}) {
			if p.Severity == validate.Error {
				b.problem("%s: %s: %s", r.Spec.Source, r.Key, p)
			}
		}
	}
}

// placeholderID is a dependency's ID, or a placeholder naming it while Azure has yet to name it.
func placeholderID(r *Resource) string {
	if r.ID != nil {
		return r.ID.String()
	}
	return "(ID of " + r.Key + ", known after apply)"
}

// IsPlaceholder reports a placeholder written by placeholderID.
func IsPlaceholder(s string) bool {
	return strings.HasPrefix(s, "(ID of ") && strings.HasSuffix(s, ", known after apply)")
}

// setPath writes dependency IDs at a pathId such as properties.subnet.id or
// properties.publicIpAddresses[].id, where the user did not write them.
func setPath(body map[string]any, path string, ids []string) {
	head, rest, isList := strings.Cut(path, "[].")
	keys := strings.Split(head, ".")
	cur := body
	for i, k := range keys {
		last := i == len(keys)-1
		if last && !isList {
			if _, written := cur[k]; !written {
				cur[k] = ids[0]
			}
			return
		}
		if last {
			list, _ := cur[k].([]any)
			if list == nil {
				for _, id := range ids {
					entry := map[string]any{}
					setPath(entry, rest, []string{id})
					list = append(list, entry)
				}
				cur[k] = list
				return
			}
			for i, item := range list {
				if entry, ok := item.(map[string]any); ok && i < len(ids) {
					setPath(entry, rest, []string{ids[i]})
				}
			}
			return
		}
		next, ok := cur[k].(map[string]any)
		if !ok {
			if _, written := cur[k]; written {
				return
			}
			next = map[string]any{}
			cur[k] = next
		}
		cur = next
	}
}

func deepCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return deepCopy(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyValue(e)
		}
		return out
	}
	return v
}

// IDOf computes the ARM ID a project's getId({ type, group, name }) stands for, before the
// target is built: GruCloud names are rg::name for a resource-group-scoped resource and
// rg::parent::child for a child, the resource group's own name alone, and a name alone for
// a subscription-scoped resource. Resources that Azure names get a placeholder.
func IDOf(cat *catalog.Catalog, subscription string, ref project.Ref) (string, error) {
	ti, err := cat.Lookup(ref.Group + "::" + ref.Type)
	if err != nil {
		return "", fmt.Errorf("getId: %w", err)
	}
	parts := strings.Split(ref.Name, "::")
	if isResourceGroup(ti) {
		return armid.ResourceGroup(subscription, parts[len(parts)-1]).String(), nil
	}
	if identityDependency(ti.ARMType) != "" {
		return "(ID of " + ti.ShortName + " " + ref.Name + ", known after apply)", nil
	}
	segs := strings.Split(ti.ARMType, "/")
	types := segs[1:]
	var id *armid.ID
	names := parts
	if len(parts) == len(types)+1 {
		id = armid.ResourceGroup(subscription, parts[0])
		names = parts[1:]
	} else if len(parts) == len(types) {
		id = armid.Subscription(subscription)
	} else {
		return "", fmt.Errorf("getId: %s name %q: expected %d parts joined by :: (resource group, then %s)", ti.ShortName, ref.Name, len(types)+1, strings.Join(types, ", "))
	}
	id = id.Provider(segs[0], types[0], names[0])
	for i := 1; i < len(types); i++ {
		id = id.Child(types[i], names[i])
	}
	return id.String(), nil
}
