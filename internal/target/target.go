// Package target turns a loaded project into the target graph: each resource's type resolved
// in the catalogue, its dependencies linked by GruCloud's keys, its ARM ID computed (this
// package is the one place that computes resource IDs, and the collections they are listed
// in), its body built (dependency IDs at GruCloud's pathIds, location, ownership tags) and
// validated. It sends nothing; the plan compares the target with what is live.
package target

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/dag"
	"github.com/gru-iac/gru/internal/ownership"
	"github.com/gru-iac/gru/internal/project"
)

// Resource is one resource of the target.
type Resource struct {
	// Spec is the resource as the project declares it, once built without its properties and
	// dependencies (Body and Deps hold what they say): a copy, not the project's.
	Spec   *project.Spec
	Type   *catalog.TypeInfo
	Schema *catalog.Resource
	// Key names the resource in messages and in the graph: Group::Type rg::parent::name.
	Key string
	// FullName is GruCloud's name of the resource: rg::parent::name.
	FullName string
	// ID is the resource's ARM ID; nil while Azure has yet to name it (IdentityFrom).
	ID *armid.ID
	// idText is ID written out, once for the bodies and changes that hold it.
	idText string
	// Parent is the ID the resource lives under (its collection's parent).
	Parent *armid.ID
	// Body is what a PUT sends: the user's properties (read-only ones dropped), dependency IDs
	// at their paths (Unknown where Azure has yet to name the dependency), location and
	// ownership tags. It is shared: nothing changes it once built.
	Body map[string]any
	// Deps are the resources this one depends on, by key.
	Deps Deps
	// IdentityFrom names the dependency through which Azure names the resource (the seed's
	// private endpoint connection is the one its privateEndpoint made), "" when its name is its own.
	IdentityFrom string
	// fixed are the names GruCloud's PUT path fixes in the ID, by type segment (catalog.FixedNames).
	fixed []string
	// ValuePaths are the paths of its live body that other resources take a value from
	// (getId with a path): a plan keeps them when it trims live bodies.
	ValuePaths []string
	// index is the resource's place in Target.Resources.
	index int
	// apiVersion is the project's API version when the catalogue holds no schema for it:
	// requests use it, and Schema (the default version's) serves for comparing only.
	apiVersion string
}

// Deps are a resource's dependencies: the resources it depends on by GruCloud's dependency
// keys, sorted by key. (A map per resource weighs ten times as much, by the ten thousand.)
type Deps []Dep

// Dep is the resources of one dependency key.
type Dep struct {
	Key string
	On  []*Resource
}

// Of is the resources of a key, nil when there are none.
func (d Deps) Of(key string) []*Resource {
	for _, x := range d {
		if x.Key == key {
			return x.On
		}
	}
	return nil
}

// Add appends resources to a key.
func (d *Deps) Add(key string, rs ...*Resource) {
	x := d.at(key)
	x.On = append(x.On, rs...)
}

// Set replaces the resources of a key.
func (d *Deps) Set(key string, rs ...*Resource) { d.at(key).On = rs }

// at is a key's entry, added in its place when there is none.
func (d *Deps) at(key string) *Dep {
	i, found := slices.BinarySearchFunc(*d, key, func(x Dep, key string) int { return strings.Compare(x.Key, key) })
	if !found {
		*d = slices.Insert(*d, i, Dep{Key: key})
	}
	return &(*d)[i]
}

// IDString is the resource's ARM ID written out, "" while Azure has yet to name it.
func (r *Resource) IDString() string {
	switch {
	case r.ID == nil:
		return ""
	case r.idText == "":
		return r.ID.String() // a resource made elsewhere than Build
	}
	return r.idText
}

// Index is the resource's place in its target's Resources: a plan keeps what it knows of each
// resource by it, in slices rather than maps by the ten thousand.
func (r *Resource) Index() int { return r.index }

// ReadOnly reports a resource the project refers to but does not manage (readOnly: true):
// it must exist, and gru never writes, tags nor deletes it.
func (r *Resource) ReadOnly() bool { return r.Spec.ReadOnly }

// APIVersion is the API version the resource is read and written with.
func (r *Resource) APIVersion() string {
	if r.apiVersion != "" {
		return r.apiVersion
	}
	return r.Schema.APIVersion
}

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
	byKey    *foldIndex
	// byID indexes the resources whose IDs the project gives.
	byID *foldIndex
}

// Resource returns a resource by key (case-insensitively), nil when there is none.
func (t *Target) Resource(key string) *Resource { return t.byKey.get(key) }

// ByID returns the resource of an ID (case-insensitively), nil when no resource has it as
// the project gives it (a resource Azure names has its ID only once live).
func (t *Target) ByID(id string) *Resource { return t.byID.get(id) }

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
	// CodeUnvalidated: the resource's API version is not one gru has type data for, so its
	// body is not validated (a warning, an error with Strict).
	CodeUnvalidated = "unvalidated"
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
	t, err := build(ctx, cat, proj, subscription, opts)
	var problems Problems
	if errors.As(err, &problems) {
		// In the order of the files, as the resources are declared.
		sort.SliceStable(problems, func(i, j int) bool {
			a, b := problems[i], problems[j]
			if a.File != b.File {
				return a.File < b.File
			}
			if a.Line != b.Line {
				return a.Line < b.Line
			}
			return a.Column < b.Column
		})
	}
	return t, err
}

func build(ctx context.Context, cat *catalog.Catalog, proj *project.Project, subscription string, opts Options) (*Target, error) {
	b := &builder{cat: cat, opts: opts, t: &Target{Project: proj, Catalog: cat, Owner: ownership.Owner{Project: proj.Name, Stage: proj.Stage}, Subscription: subscription, byKey: newFoldIndex(len(proj.Resources), keyOf)}}
	b.toMake = len(proj.Resources)
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
	b.t.byID = b.resourcesByID()
	b.keepWhatIsUsed()
	return b.t, nil
}

// keepWhatIsUsed keeps of the project what the built target uses: neither its resources'
// properties, which their bodies hold, nor their dependencies, which Deps resolve, nor its
// config. The caller's project is left as it is; once the caller lets go of it too, they go
// (4 MB of 10,000 resources').
func (b *builder) keepWhatIsUsed() {
	p := *b.t.Project
	p.Resources, p.Config = nil, nil
	b.t.Project = &p
	specs := make([]project.Spec, len(b.t.Resources)) // one allocation for all
	for i, r := range b.t.Resources {
		specs[i] = *r.Spec
		specs[i].Properties, specs[i].Dependencies = nil, nil
		r.Spec = &specs[i]
	}
}

type builder struct {
	cat      *catalog.Catalog
	opts     Options
	t        *Target
	problems Problems
	// kinds are what the catalogue says of each kind of resource (kindOf), resourceKind
	// each resource's.
	kinds        map[kindKey]*kind
	resourceKind map[*Resource]*kind
	// byName and byFullName index the resources by lower-cased name for resolve; position is
	// each resource's place in the project.
	byName, byFullName map[string][]*Resource
	position           map[*Resource]int
	// ownerTags is the ownership tags, shared by the bodies that have no tags of their own.
	ownerTags map[string]any
	// made holds the resources made so far, toMake how many the project declares: one
	// allocation for all (they live and go together), not one each.
	made   []Resource
	toMake int
	// sameBodies are the bodies resources share (sharedBody), by what tells them apart.
	sameBodies map[string]map[string]any
	// byID indexes the resources by ID, once IDs are known (referencesByID).
	byID *foldIndex
	// namesOf are the full names of the declared resources by lower ARM type, for suggestions;
	// nil until needed.
	namesOf map[string][]string
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

// kindKey names a kind of resource a project declares: its type as written, and its API
// version.
type kindKey struct{ group, typ, version string }

// kind is what the catalogue says of a kind of resource, asked once for all its resources.
type kind struct {
	ti                 *catalog.TypeInfo
	fixed              []string
	schema             *catalog.Resource
	lookupErr, nameErr error
	schemaErr          error
	// deps are its dependency keys (derived parents too), parents those of its parents
	// (parentDeps); depsErr says why there are none.
	deps, parents []catalog.Dependency
	depsErr       error
	// depByKey are the deps by key.
	depByKey map[string]catalog.Dependency
	// defaultSchema is the default version's, for a version the catalogue does not hold.
	defaultSchema    *catalog.Resource
	defaultSchemaErr error
}

// kindOf asks the catalogue of a resource's kind, once per kind.
func (b *builder) kindOf(ctx context.Context, s *project.Spec) *kind {
	key := kindKey{s.Group, s.Type, s.APIVersion}
	if k, ok := b.kinds[key]; ok {
		return k
	}
	k := &kind{}
	if b.kinds == nil {
		b.kinds = map[kindKey]*kind{}
	}
	b.kinds[key] = k
	name := s.Group + "::" + s.Type
	if k.ti, k.lookupErr = b.cat.Lookup(name); k.lookupErr != nil {
		return k
	}
	if k.fixed, k.nameErr = b.cat.FixedNames(name); k.nameErr != nil {
		return k
	}
	k.schema, k.schemaErr = b.cat.Schema(ctx, k.ti, s.APIVersion)
	var notHeld *catalog.VersionNotHeldError
	if errors.As(k.schemaErr, &notHeld) {
		k.defaultSchema, k.defaultSchemaErr = b.cat.Schema(ctx, k.ti, "")
	}
	deps, err := b.cat.Dependencies(k.ti.ARMType)
	if err != nil {
		k.depsErr = err
		return k
	}
	k.deps = append(slices.Clip(deps), b.cat.DerivedParents(k.ti, deps, k.fixed)...)
	k.depByKey = make(map[string]catalog.Dependency, len(k.deps))
	for _, d := range k.deps {
		k.depByKey[d.Key] = d
		if d.Parent {
			k.parents = append(k.parents, d)
		}
	}
	sort.SliceStable(k.parents, func(i, j int) bool {
		return depth(k.parents[i].ARMType) < depth(k.parents[j].ARMType)
	})
	return k
}

func (b *builder) add(ctx context.Context, s *project.Spec) {
	k := b.kindOf(ctx, s)
	ti, fixed := k.ti, k.fixed
	if k.lookupErr != nil {
		b.problem(CodeUnknownType, s, nil, "", "%v", k.lookupErr)
		return
	}
	if k.nameErr != nil {
		b.problem(CodeUnsupportedType, s, nil, "", "%v", k.nameErr)
		return
	}
	if s.Name == "" {
		named := *s // the target's, not the caller's
		s = &named
	}
	if s.Name == "" && len(fixed) > 0 && fixed[len(fixed)-1] != "" {
		s.Name = fixed[len(fixed)-1] // its path fixes its name (a Blob service's properties: default)
	}
	schema, err := k.schema, k.schemaErr
	unvalidated := ""
	var notHeld *catalog.VersionNotHeldError
	if errors.As(err, &notHeld) {
		// A version newer than gru's type data (or a mistake): sent as it is, not validated,
		// and compared with live by the default version's schema.
		if b.opts.Strict {
			b.problem(CodeUnvalidated, s, nil, "apiVersion", "%v; with --strict a body that cannot be validated is an error", err)
			return
		}
		p := problemOf(CodeUnvalidated, s, nil, "apiVersion")
		p.Message, p.Warning = fmt.Sprintf("%v: the body is sent as written, not validated (an error with --strict)", err), true
		b.t.Warnings = append(b.t.Warnings, p)
		unvalidated = s.APIVersion
		schema, err = k.defaultSchema, k.defaultSchemaErr
	}
	if err != nil {
		b.problem(CodeUnsupportedType, s, nil, "", "%s: %v", ti.ShortName, err)
		return
	}
	if s.Name == "" {
		s.Name = onlyName(schema) // a Blob service is named default, and nothing else
	}
	if s.Name == "" {
		b.problem(CodeMissingName, s, nil, "", "%s has no name: set properties.name or name", ti.ShortName)
		return
	}
	if schema.ReadOnly() && !s.ReadOnly {
		b.problem(CodeUnsupportedType, s, nil, "", "%s cannot be created: Azure makes it (a PUT does not exist for it); declare it with readOnly: true to refer to one", ti.ShortName)
		return
	}
	if k.depsErr != nil {
		b.problem(CodeUnsupportedType, s, nil, "", "%v", k.depsErr)
		return
	}
	if len(b.made) == cap(b.made) {
		b.made = make([]Resource, 0, max(16, b.toMake))
	}
	b.made = append(b.made, Resource{Spec: s, Type: ti, Schema: schema, fixed: fixed, apiVersion: unvalidated})
	r := &b.made[len(b.made)-1]
	if b.resourceKind == nil {
		b.resourceKind = map[*Resource]*kind{}
	}
	b.resourceKind[r] = k
	r.index = len(b.t.Resources)
	b.t.Resources = append(b.t.Resources, r)
}

// onlyName is the one name a type's schema allows ("default"), "" when it allows others.
func onlyName(r *catalog.Resource) string {
	if r.Body == nil {
		return ""
	}
	p := r.Body.Property("name")
	if p == nil || p.Type == nil {
		return ""
	}
	if values, open := p.Type.Literals(); len(values) == 1 && !open {
		return values[0]
	}
	return ""
}

// IsResourceGroup reports the type of resource groups.
func IsResourceGroup(t *catalog.TypeInfo) bool {
	return strings.EqualFold(t.ARMType, "Microsoft.Resources/resourceGroups")
}

// parentDeps returns the parent dependencies of r, outermost first (resource group, then
// each ancestor resource by depth).
func (b *builder) parentDeps(r *Resource) []catalog.Dependency { return b.resourceKind[r].parents }

// depsOf are the dependency keys of a resource's type (GruCloud's and derived parents).
func (b *builder) depsOf(r *Resource) []catalog.Dependency { return b.resourceKind[r].deps }

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
			refs := r.Spec.Dependencies.Of(d.Key)
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
		if other := b.t.byKey.get(r.Key); other != nil {
			b.problem(CodeDuplicate, r.Spec, r, "", "declared twice (first at %s)", other.Spec.Source)
			continue
		}
		b.t.byKey.put(r)
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
			for _, p := range r.Deps.Of(d.Key) {
				visit(p)
				prefix = p.FullName
			}
		}
		full := r.Spec.Name
		if prefix != "" {
			full = prefix + "::" + r.Spec.Name
		}
		r.Key = r.Type.ShortName + " " + full
		r.FullName = r.Key[len(r.Type.ShortName)+1:] // one string for both
	}
	for _, r := range b.t.Resources {
		visit(r)
	}
	b.t.byKey = newFoldIndex(len(b.t.Resources), keyOf)
	for _, r := range b.t.Resources {
		b.t.byKey.put(r)
	}
}

// checkCycles refuses a project whose dependencies loop, naming each resource of the loop
// with where it is declared, and the dependency keys that make it.
func (b *builder) checkCycles() {
	g := dag.New()
	for _, r := range b.t.Resources {
		g.Add(r.Key)
		for _, deps := range r.Deps {
			for _, d := range deps.On {
				g.Connect(r.Key, d.Key)
			}
		}
	}
	c := g.Cycle()
	if c == nil {
		return
	}
	var text strings.Builder
	for i, key := range c {
		r := b.t.Resource(key)
		text.WriteString(key)
		if i == len(c)-1 || r == nil {
			break
		}
		if loc := r.Spec.Source.String(); loc != "" {
			fmt.Fprintf(&text, " (%s)", loc)
		}
		fmt.Fprintf(&text, " -[%s]-> ", strings.Join(keysTo(r, c[i+1]), ", "))
	}
	p := problemOf(CodeCycle, nil, nil, "")
	if first := b.t.Resource(c[0]); first != nil {
		p.File, p.Line, p.Column = first.Spec.Source.File, first.Spec.Source.Line, first.Spec.Source.Column
	}
	p.Message = "dependency cycle: " + text.String()
	b.problems = append(b.problems, p)
}

// keysTo lists the dependency keys through which r depends on the resource of a key.
func keysTo(r *Resource, key string) []string {
	var keys []string
	for _, deps := range r.Deps {
		for _, d := range deps.On {
			if strings.EqualFold(d.Key, key) && !slices.Contains(keys, deps.Key) {
				keys = append(keys, deps.Key)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// unknownKey reports a dependency key that neither GruCloud's table nor gru knows for a type:
// it orders, and fills nothing. A warning (an error with --strict), with the nearest keys
// when it looks like a typo. When the nearest is a parent the resource lacks, the typo is
// why: one error says so (and the missing parent is not reported again). It returns the key
// of that parent, "" when it reported a warning.
func (b *builder) unknownKey(r *Resource, key string, known map[string]catalog.Dependency) string {
	keys := make([]string, 0, len(known))
	for k := range known {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	suggestions := Nearest(key, keys, 2)
	p := problemOf(CodeUnknownDependencyKey, r.Spec, r, "dependencies."+key)
	if len(suggestions) > 0 && known[suggestions[0]].Parent && b.lacks(r, known[suggestions[0]]) {
		parent := suggestions[0]
		p.Message = fmt.Sprintf("not a dependency key of %s (did you mean %s?): without it, the resource has no %s", r.Type.ShortName, parent, parent)
		b.problems = append(b.problems, p)
		return parent
	}
	p.Message = fmt.Sprintf("not a dependency key of %s: it only orders, and fills nothing%s", r.Type.ShortName, DidYouMean(suggestions))
	if b.opts.Strict {
		p.Message += " (an error with --strict)"
		b.problems = append(b.problems, p)
		return ""
	}
	p.Warning = true
	b.t.Warnings = append(b.t.Warnings, p)
	return ""
}

// lacks reports a parent dependency r needs and has not (a resource group is optional for a
// type that may live at the subscription).
func (b *builder) lacks(r *Resource, d catalog.Dependency) bool {
	atSubscription := r.Schema.WritableScopes&catalog.ScopeSubscription != 0 && strings.EqualFold(d.ARMType, "Microsoft.Resources/resourceGroups")
	return d.Parent && len(r.Deps.Of(d.Key)) == 0 && !IsResourceGroup(r.Type) && !atSubscription
}

// inferAncestors gives r the parents it does not name through the parents it does, as
// GruCloud does: a blob whose container is named lives in that container's account.
func (b *builder) inferAncestors(r *Resource) {
	for _, d := range b.parentDeps(r) {
		if len(r.Deps.Of(d.Key)) > 0 || IsResourceGroup(r.Type) {
			continue
		}
		for _, other := range b.parentDeps(r) {
			for _, p := range r.Deps.Of(other.Key) {
				if found := b.ancestorOfType(p, d.ARMType, map[*Resource]bool{}); found != nil {
					r.Deps.Set(d.Key, found)
				}
			}
			if len(r.Deps.Of(d.Key)) > 0 {
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
		for _, ref := range r.Spec.Dependencies.Of(d.Key) {
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
// ("" when the key is unknown and the name alone must tell). Its error is a *refError.
func (b *builder) resolve(ref project.Ref, armType string) (*Resource, error) {
	if ref.Type != "" {
		ti, err := b.cat.Lookup(ref.Group + "::" + ref.Type)
		if err != nil {
			return nil, &refError{msg: err.Error()}
		}
		armType = ti.ARMType
	}
	if b.byName == nil {
		b.indexNames()
	}
	found := b.named(ref.Name, armType)
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, b.notFound(ref, armType)
	}
	var names []string
	for _, r := range found {
		names = append(names, r.Key)
	}
	return nil, &refError{msg: fmt.Sprintf("%q is ambiguous: it could be %s; write { type, group, name } to say which", ref.Name, strings.Join(names, " or "))}
}

// named lists the resources a name may mean (a full name rg::parent::name, or a name alone),
// of an ARM type ("" for any), in the project's order. ARM names are case-insensitive, and so
// are references to them.
func (b *builder) named(refName, armType string) []*Resource {
	name := strings.ToLower(refName)
	candidates := b.byFullName[name]
	if !strings.Contains(refName, "::") {
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
	return found
}

// refError says why a reference names no resource.
type refError struct {
	msg string
	// near are the resources of the type wanted and of the name (its last part) that the
	// reference places under other parents: when their own parents are wrong, the reference
	// is likely right, and its error a consequence.
	near []*Resource
}

func (e *refError) Error() string { return e.msg }

// notFound says that no resource of a type has a name, and what comes closest: a resource
// of that name of another type, the nearest names of the type, or the type's resources.
func (b *builder) notFound(ref project.Ref, armType string) error {
	what := "resource"
	if ti, ok := b.cat.Find(armType); ok {
		what = ti.ShortName
	}
	e := &refError{msg: fmt.Sprintf("no %s named %q in the project", what, ref.Name)}
	if armType == "" {
		var names []string
		for _, r := range b.t.Resources {
			names = append(names, r.FullName)
		}
		e.msg += DidYouMean(Nearest(ref.Name, names, 3))
		return e
	}
	if others := b.named(ref.Name, ""); len(others) > 0 {
		var keys []string
		for _, r := range others {
			keys = append(keys, r.Key)
		}
		e.msg = fmt.Sprintf("%q is %s, not a %s", ref.Name, strings.Join(keys, " and "), what)
	}
	leaf := strings.ToLower(ref.Name)
	if i := strings.LastIndex(leaf, "::"); i >= 0 {
		leaf = leaf[i+2:]
	}
	var ofType, names []string
	for _, r := range b.t.Resources {
		if !strings.EqualFold(r.Type.ARMType, armType) {
			continue
		}
		if strings.ToLower(r.Spec.Name) == leaf {
			e.near = append(e.near, r)
		}
		ofType = append(ofType, r.FullName)
		names = append(names, r.FullName)
		if !strings.Contains(ref.Name, "::") {
			names = append(names, r.Spec.Name)
		}
	}
	switch suggestions := Nearest(ref.Name, names, 3); {
	case len(ofType) == 0:
		e.msg += fmt.Sprintf("; the project declares no %s", what)
	case len(suggestions) > 0:
		e.msg += DidYouMean(suggestions)
	case len(ofType) <= 5:
		e.msg += fmt.Sprintf("; the project declares %s %s", plural(what, len(ofType)), strings.Join(ofType, ", "))
	default:
		e.msg += fmt.Sprintf("; the project declares %d %s", len(ofType), plural(what, len(ofType)))
	}
	return e
}

// plural is a type's name with "s" when there are several.
func plural(what string, n int) string {
	if n == 1 {
		return what
	}
	return what + "s"
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

// link resolves every dependency. A bad reference is reported once, where it is written,
// and not again as the parent the resource then lacks; a reference that fails only because
// the resource it names has a bad parent of its own (its full name is wrong) is not
// reported, as fixing that parent fixes it.
func (b *builder) link() {
	type failure struct {
		r   *Resource
		key string
		err error
	}
	var failures []failure
	// failedParent are the resources with a parent reference that failed; misspelt the parent
	// keys reported as misspelt.
	failedParent := map[*Resource]bool{}
	misspelt := map[*Resource]map[string]bool{}
	for _, r := range b.t.Resources {
		known := b.resourceKind[r].depByKey
		var unknown []string
		for _, deps := range r.Spec.Dependencies { // sorted by key
			key := deps.Key
			d, isKnown := known[key]
			if !isKnown && key != GetIDDependency {
				unknown = append(unknown, key)
			}
			for _, ref := range deps.Refs {
				dep, err := b.resolve(ref, d.ARMType)
				switch {
				case err == nil && dep == r:
					err = &refError{msg: "the resource depends on itself"}
				case err == nil && d.ARMType != "" && !strings.EqualFold(dep.Type.ARMType, d.ARMType):
					want := d.ARMType
					if ti, ok := b.cat.Find(d.ARMType); ok {
						want = ti.ShortName
					}
					err = &refError{msg: fmt.Sprintf("%s names %s, not a %s", key, dep.Key, want)}
				}
				if err != nil {
					failures = append(failures, failure{r, key, err})
					if d.Parent {
						failedParent[r] = true
					}
					continue
				}
				r.Deps.Add(key, dep)
			}
		}
		b.inferAncestors(r)
		for _, key := range unknown {
			if parent := b.unknownKey(r, key, known); parent != "" {
				if misspelt[r] == nil {
					misspelt[r] = map[string]bool{}
				}
				misspelt[r][parent] = true
			}
		}
	}
	// broken are the resources whose full name may be wrong: a parent reference failed, or
	// they lack a parent. A failure is a consequence when the resource meant is broken.
	broken := map[*Resource]bool{}
	for _, r := range b.t.Resources {
		broken[r] = failedParent[r] || slices.ContainsFunc(b.parentDeps(r), func(d catalog.Dependency) bool { return b.lacks(r, d) })
	}
	consequence := func(f failure) bool {
		var re *refError
		if !errors.As(f.err, &re) {
			return false
		}
		for _, n := range re.near {
			if broken[n] {
				return true
			}
		}
		return false
	}
	reported := map[string]bool{}
	for _, f := range failures {
		if consequence(f) {
			continue
		}
		p := problemOf(CodeBadDependency, f.r.Spec, f.r, "dependencies."+f.key)
		p.Message = f.err.Error()
		if id := p.Resource + "\x00" + p.Path + "\x00" + p.Message; !reported[id] {
			reported[id] = true
			b.problems = append(b.problems, p)
		}
	}
	for _, r := range b.t.Resources {
		if failedParent[r] {
			continue // what it lacks is the parent whose reference failed
		}
		for _, d := range b.parentDeps(r) {
			if b.lacks(r, d) && !misspelt[r][d.Key] {
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
