// Package target turns a loaded project into the target graph: each resource's type resolved
// in the catalogue, its dependencies linked by GruCloud's keys, its ARM ID computed (this
// package is the one place that computes resource IDs, and the collections they are listed
// in), its body built (dependency IDs at GruCloud's pathIds, location, ownership tags) and
// validated. It sends nothing; the plan compares the target with what is live.
package target

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/agnivade/levenshtein"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/dag"
	"github.com/gru-iac/gru/internal/ownership"
	"github.com/gru-iac/gru/internal/project"
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
	// Body is what a PUT sends: the user's properties (read-only ones dropped), dependency IDs
	// at their paths (Unknown where Azure has yet to name the dependency), location and
	// ownership tags. It is shared: nothing changes it once built.
	Body map[string]any
	// Deps are the resources this one depends on, by key.
	Deps map[string][]*Resource
	// IdentityFrom names the dependency through which Azure names the resource (the seed's
	// private endpoint connection is the one its privateEndpoint made), "" when its name is its own.
	IdentityFrom string
	// fixed are the names GruCloud's PUT path fixes in the ID, by type segment (catalog.FixedNames).
	fixed []string
	// ValuePaths are the paths of its live body that other resources take a value from
	// (getId with a path): a plan keeps them when it trims live bodies.
	ValuePaths []string
}

// ReadOnly reports a resource the project refers to but does not manage (readOnly: true):
// it must exist, and gru never writes, tags nor deletes it.
func (r *Resource) ReadOnly() bool { return r.Spec.ReadOnly }

// APIVersion is the API version the resource is read and written with.
func (r *Resource) APIVersion() string { return r.Schema.APIVersion }

// Target is the resources a project wants, linked.
type Target struct {
	Project      *project.Project
	Catalog      *catalog.Catalog
	Owner        ownership.Owner
	Subscription string
	Resources    []*Resource // in declaration order
	// Warnings are what validation found that ARM would ignore (unknown or read-only
	// properties); with Options.Strict they are errors instead.
	Warnings Problems
	byKey    map[string]*Resource
}

// Resource returns a resource by key (case-insensitively), nil when there is none.
func (t *Target) Resource(key string) *Resource { return t.byKey[strings.ToLower(key)] }

// The codes of the problems Build finds (a Problem's Code); the errors of loading a project
// have project's codes.
const (
	// CodeUnknownType: the catalogue has no such type (Message suggests the nearest).
	CodeUnknownType = "unknown-type"
	// CodeUnsupportedType: gru cannot write the type (Azure makes it, or gru has no schema).
	CodeUnsupportedType = "unsupported-type"
	// CodeMissingName: the resource has no name.
	CodeMissingName = "missing-name"
	// CodeDuplicate: two resources have the same type and full name.
	CodeDuplicate = "duplicate"
	// CodeBadDependency: a dependency names no declared resource of its type, or several, or
	// the resource itself; or getId names an undeclared resource.
	CodeBadDependency = "bad-dependency"
	// CodeMissingDependency: the resource needs a parent (its resource group, its server)
	// that it does not name.
	CodeMissingDependency = "missing-dependency"
	// CodeUnknownDependencyKey: a dependency key the type does not have (a warning, an error
	// with Strict).
	CodeUnknownDependencyKey = "unknown-dependency-key"
	// CodeCycle: the dependencies loop.
	CodeCycle = "cycle"
	// CodeMissingLocation: the resource needs an Azure location and neither it nor config.js
	// has one.
	CodeMissingLocation = "missing-location"
	// CodeInvalidProperty: the body breaks its schema (a wrong type, a missing required
	// property), or a property gru reads is missing or wrong (a blob's source).
	CodeInvalidProperty = "invalid-property"
	// CodeUnknownProperty: the body has a property its schema does not (a warning, an error
	// with Strict).
	CodeUnknownProperty = "unknown-property"
)

// Problem is one problem of a project: what (Code), where the resource is declared (File,
// Line and Column, 1-based), which resource, which property.
type Problem struct {
	Code string `json:"code,omitempty"`
	// File, Line and Column are where the resource is declared (project.Location); the
	// first resource of a cycle for a cycle.
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	// Resource is the resource's key (Group::Type rg::name), or its type and name as the
	// project wrote them before it has one.
	Resource string `json:"resource,omitempty"`
	// Path is the property or dependency (dependencies.<key>), "" for the resource as a whole.
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
	Warning bool   `json:"warning,omitempty"`
}

// Location is where the problem's resource is declared.
func (p Problem) Location() project.Location {
	return project.Location{File: p.File, Line: p.Line, Column: p.Column}
}

// String writes a problem as file:line:column: resource: path: message.
func (p Problem) String() string {
	var parts []string
	for _, s := range []string{p.Location().String(), p.Resource, p.Path} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	parts = append(parts, p.Message)
	return strings.Join(parts, ": ")
}

// Problems is every problem found in a project, reported together.
type Problems []Problem

func (p Problems) Error() string {
	if len(p) == 1 {
		return p[0].String()
	}
	lines := make([]string, len(p))
	for i, x := range p {
		lines[i] = x.String()
	}
	return fmt.Sprintf("%d problems:\n  %s", len(p), strings.Join(lines, "\n  "))
}

// Options adjust how a target is built.
type Options struct {
	// Strict turns validation warnings (unknown and read-only properties) into errors.
	Strict bool
}

// Build loads nothing and sends nothing: it resolves a loaded project against the catalogue.
func Build(ctx context.Context, cat *catalog.Catalog, proj *project.Project, subscription string, opts Options) (*Target, error) {
	b := &builder{cat: cat, opts: opts, t: &Target{Project: proj, Catalog: cat, Owner: ownership.Owner{Project: proj.Name, Stage: proj.Stage}, Subscription: subscription, byKey: map[string]*Resource{}}}
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
	opts     Options
	t        *Target
	problems Problems
	deps     map[*Resource][]catalog.Dependency
	// byName and byFullName index the resources by lower-cased name for resolve; position is
	// each resource's place in the project.
	byName, byFullName map[string][]*Resource
	position           map[*Resource]int
	// ownerTags is the ownership tags, shared by the bodies that have no tags of their own.
	ownerTags map[string]any
	// byID indexes the resources by lower-cased ID, once IDs are known (referencesByID).
	byID map[string]*Resource
}

// problemOf starts a problem of a resource (r may be nil before the resource is made): its
// code, where it is declared, which resource, which path.
func problemOf(code string, s *project.Spec, r *Resource, path string) Problem {
	p := Problem{Code: code, Path: path}
	if s != nil {
		p.File, p.Line, p.Column = s.Source.File, s.Source.Line, s.Source.Column
		p.Resource = strings.TrimSpace(s.Group + "::" + s.Type + " " + s.Name)
	}
	if r != nil {
		p.Resource = r.Key
	}
	return p
}

// problem records a problem of a resource (r may be nil before the resource is made).
func (b *builder) problem(code string, s *project.Spec, r *Resource, path, format string, args ...any) {
	p := problemOf(code, s, r, path)
	p.Message = fmt.Sprintf(format, args...)
	b.problems = append(b.problems, p)
}

func (b *builder) add(ctx context.Context, s *project.Spec) {
	ti, err := b.cat.Lookup(s.Group + "::" + s.Type)
	if err != nil {
		b.problem(CodeUnknownType, s, nil, "", "%v", err)
		return
	}
	fixed, err := b.cat.FixedNames(s.Group + "::" + s.Type)
	if err != nil {
		b.problem(CodeUnsupportedType, s, nil, "", "%v", err)
		return
	}
	if s.Name == "" && len(fixed) > 0 && fixed[len(fixed)-1] != "" {
		s.Name = fixed[len(fixed)-1] // its path fixes its name (a Blob service's properties: default)
	}
	if s.Name == "" {
		b.problem(CodeMissingName, s, nil, "", "%s has no name: set properties.name or name", ti.ShortName)
		return
	}
	schema, err := b.cat.Schema(ctx, ti, "")
	if err != nil {
		b.problem(CodeUnsupportedType, s, nil, "", "%s: %v", ti.ShortName, err)
		return
	}
	if schema.ReadOnly() && !s.ReadOnly {
		b.problem(CodeUnsupportedType, s, nil, "", "%s cannot be created: Azure makes it (a PUT does not exist for it); declare it with readOnly: true to refer to one", ti.ShortName)
		return
	}
	r := &Resource{Spec: s, Type: ti, Schema: schema, Deps: map[string][]*Resource{}, fixed: fixed}
	if b.deps == nil {
		b.deps = map[*Resource][]catalog.Dependency{}
	}
	deps, err := b.cat.Dependencies(ti.ARMType)
	if err != nil {
		b.problem(CodeUnsupportedType, s, nil, "", "%v", err)
		return
	}
	b.deps[r] = append(deps, b.cat.DerivedParents(ti, deps, fixed)...)
	b.t.Resources = append(b.t.Resources, r)
}

// IsResourceGroup reports the type of resource groups.
func IsResourceGroup(t *catalog.TypeInfo) bool {
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
			b.problem(CodeDuplicate, r.Spec, r, "", "declared twice (first at %s)", other.Spec.Source)
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
		b.problem(CodeCycle, nil, nil, "", "dependency cycle: %s", strings.Join(c, " -> "))
	}
}

// unknownKey reports a dependency key that neither GruCloud's table nor gru knows for a type:
// it orders, and fills nothing. A warning (an error with --strict), with the nearest key
// when it looks like a typo.
func (b *builder) unknownKey(r *Resource, key string, known map[string]catalog.Dependency) {
	best, bestDist := "", len(key)/3+2
	for k := range known {
		if d := levenshtein.ComputeDistance(strings.ToLower(key), strings.ToLower(k)); d < bestDist || d == bestDist && best != "" && k < best {
			best, bestDist = k, d
		}
	}
	msg := fmt.Sprintf("dependency key %q is not one of %s's: it only orders, and fills nothing", key, r.Type.ShortName)
	if best != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", best)
	}
	p := problemOf(CodeUnknownDependencyKey, r.Spec, r, "dependencies."+key)
	p.Message, p.Warning = msg, true
	if b.opts.Strict {
		p.Message += " (an error with --strict)"
		p.Warning = false
		b.problems = append(b.problems, p)
		return
	}
	b.t.Warnings = append(b.t.Warnings, p)
}

// inferAncestors gives r the parents it does not name through the parents it does, as
// GruCloud does: a blob whose container is named lives in that container's account.
func (b *builder) inferAncestors(r *Resource) {
	for _, d := range b.parentDeps(r) {
		if len(r.Deps[d.Key]) > 0 || IsResourceGroup(r.Type) {
			continue
		}
		for _, other := range b.parentDeps(r) {
			for _, p := range r.Deps[other.Key] {
				if found := b.ancestorOfType(p, d.ARMType, map[*Resource]bool{}); found != nil {
					r.Deps[d.Key] = []*Resource{found}
				}
			}
			if len(r.Deps[d.Key]) > 0 {
				break
			}
		}
	}
}

// ancestorOfType finds, among r's declared parents and theirs, one of an ARM type.
func (b *builder) ancestorOfType(r *Resource, armType string, seen map[*Resource]bool) *Resource {
	if seen[r] {
		return nil
	}
	seen[r] = true
	for _, d := range b.parentDeps(r) {
		for _, ref := range r.Spec.Dependencies[d.Key] {
			p, err := b.resolve(ref, d.ARMType)
			if err != nil {
				continue
			}
			if strings.EqualFold(p.Type.ARMType, armType) {
				return p
			}
			if found := b.ancestorOfType(p, armType, seen); found != nil {
				return found
			}
		}
	}
	return nil
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
	if b.byName == nil {
		b.indexNames()
	}
	// ARM names are case-insensitive, and so are references to them.
	name := strings.ToLower(ref.Name)
	candidates := b.byFullName[name]
	if !strings.Contains(ref.Name, "::") {
		candidates = append(append([]*Resource{}, candidates...), b.byName[name]...)
	}
	var found []*Resource
	seen := map[*Resource]bool{}
	for _, r := range candidates {
		if seen[r] || armType != "" && !strings.EqualFold(r.Type.ARMType, armType) {
			continue
		}
		seen[r] = true
		found = append(found, r)
	}
	sort.SliceStable(found, func(i, j int) bool { return b.position[found[i]] < b.position[found[j]] })
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		what := "resource"
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

// indexNames indexes the resources by full name and by name (lower-cased), for resolve.
func (b *builder) indexNames() {
	b.byName, b.byFullName, b.position = map[string][]*Resource{}, map[string][]*Resource{}, map[*Resource]int{}
	for i, r := range b.t.Resources {
		b.position[r] = i
		b.byFullName[strings.ToLower(r.FullName)] = append(b.byFullName[strings.ToLower(r.FullName)], r)
		b.byName[strings.ToLower(r.Spec.Name)] = append(b.byName[strings.ToLower(r.Spec.Name)], r)
	}
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
			d, isKnown := known[key]
			if !isKnown && key != GetIDDependency {
				b.unknownKey(r, key, known)
			}
			for _, ref := range r.Spec.Dependencies[key] {
				dep, err := b.resolve(ref, d.ARMType)
				if err != nil {
					b.problem(CodeBadDependency, r.Spec, r, "dependencies."+key, "%v", err)
					continue
				}
				if dep == r {
					b.problem(CodeBadDependency, r.Spec, r, "dependencies."+key, "the resource depends on itself")
					continue
				}
				r.Deps[key] = append(r.Deps[key], dep)
			}
		}
		b.inferAncestors(r)
		for _, d := range b.parentDeps(r) {
			atSubscription := r.Schema.WritableScopes&catalog.ScopeSubscription != 0 && strings.EqualFold(d.ARMType, "Microsoft.Resources/resourceGroups")
			if len(r.Deps[d.Key]) == 0 && !IsResourceGroup(r.Type) && !atSubscription { // without a group, at the subscription
				pt, _ := b.cat.Find(d.ARMType)
				name := d.ARMType
				if pt != nil {
					name = pt.ShortName
				}
				b.problem(CodeMissingDependency, r.Spec, r, "dependencies."+d.Key, "needs its %s: add dependencies { %s: ... } naming the %s", d.Key, d.Key, name)
			}
		}
	}
}
