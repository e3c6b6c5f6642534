package target

import (
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/project"
	"github.com/gru-iac/gru/internal/validate"
)

// bodies builds what each PUT sends and validates it: errors stop the build, warnings (unknown
// and read-only properties, which ARM ignores) are kept on the target, or are errors when strict.
func (b *builder) bodies() {
	proj := b.t.Project
	// noLocation are the resources that need an Azure location and have none: one mistake
	// (config.js has none), one problem.
	var noLocation []*Resource
	// checks are the bodies to validate, each with its resource, the name it is validated with,
	// and how many problems and warnings were found before it (its problems go there).
	type check struct {
		r                  *Resource
		body               any
		name               string
		problems, warnings int
	}
	var checks []check
	// Validated in parallel (bodies by the thousand) while the next are built, their problems
	// kept in the project's order: a body is not changed once given to validation.
	type job struct {
		i int
		c check
	}
	found := make([][]validate.Problem, len(b.t.Resources))
	work := make(chan job, 64)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for j := range work {
				found[j.i] = validate.Body(j.c.r.Schema, j.c.body, validate.Options{Name: j.c.name})
			}
		})
	}
	validated := false
	awaitChecks := func() {
		if !validated {
			validated = true
			close(work)
			wg.Wait()
		}
	}
	defer awaitChecks() // the workers end however the loop ends
	defer func() {
		if len(noLocation) == 0 {
			return
		}
		msg := "needs an Azure location: set location in config.js or in its properties"
		if n := len(noLocation); n > 1 {
			msg = fmt.Sprintf("needs an Azure location, as %d other resources do: set location in config.js, or in their properties", n-1)
		}
		b.problem(CodeMissingLocation, noLocation[0].Spec, noLocation[0], "location", "%s", msg)
	}()
	for _, r := range b.t.Resources {
		if r.Spec.ReadOnly {
			r.Body = map[string]any{} // an existing resource the project refers to: never written
			continue
		}
		body := deepCopy(r.Spec.Properties)
		delete(body, "name")
		for _, d := range b.depsOf(r) {
			deps := r.Deps.Of(d.Key)
			if d.PathID != "" && len(deps) > 0 && takesLiveValue(d.PathID) {
				// GruCloud puts a value of the dependency's live body there (a workspace's
				// customerId GUID), known once it exists.
				for _, dep := range deps[:1] {
					if !slices.Contains(dep.ValuePaths, "properties.customerId") {
						dep.ValuePaths = append(dep.ValuePaths, "properties.customerId")
					}
					setPath(body, d.PathID, []any{Unknown{IDOf: dep.Key, Path: "properties.customerId"}})
				}
				continue
			}
			if d.PathID == "" || len(deps) == 0 || !r.Schema.Body.HoldsID(d.PathID) {
				continue // a dependency for order alone
			}
			ids := make([]any, 0, len(deps))
			for _, dep := range deps {
				ids = append(ids, idValue(dep))
			}
			setPath(body, d.PathID, ids)
		}
		if r.Schema.Has("location") {
			if _, ok := body["location"]; !ok {
				if proj.Location == "" {
					noLocation = append(noLocation, r)
					continue
				}
				body["location"] = proj.Location
			}
		}
		if r.Schema.Has("tags") {
			tags, _ := body["tags"].(map[string]any)
			if tags == nil {
				// Bodies are not changed once built: resources without tags of their own
				// share one map of the ownership tags.
				if b.ownerTags == nil {
					b.ownerTags = map[string]any{}
					for k, v := range b.t.Owner.Tags() {
						b.ownerTags[k] = v
					}
				}
				tags = b.ownerTags
			} else {
				for k, v := range b.t.Owner.Tags() {
					tags[k] = v
				}
			}
			body["tags"] = tags
		}
		b.userAssignedIdentities(r, body)
		b.sshPublicKeys(r, body)
		if !b.blobSource(r, body) {
			continue
		}
		body = b.typeUnknowns(r, body).(map[string]any)
		b.referencesByID(r, body)
		checked := any(body)
		if HasUnknown(body) {
			checked = ForValidation(body)
		}
		// What a PUT sends: read-only values are not (ARM ignores them).
		validate.DropReadOnly(r.Schema, body)
		r.Body = b.sharedBody(body)
		name := r.Spec.Name
		if r.ID != nil {
			name = r.ID.Name // a name GruCloud's PUT path fixes (default) rather than the project's
		}
		if r.apiVersion != "" {
			continue // a version gru has no type data for: not validated (a warning says so)
		}
		c := check{r, checked, name, len(b.problems), len(b.t.Warnings)}
		work <- job{len(checks), c}
		checks = append(checks, c)
	}
	awaitChecks()
	// Each resource's problems in its place among the others found.
	problems, warnings := b.problems, b.t.Warnings
	b.problems, b.t.Warnings = nil, nil
	for i, c := range checks {
		from := 0
		if i > 0 {
			from = checks[i-1].problems
		}
		b.problems = append(b.problems, problems[from:c.problems]...)
		if i > 0 {
			from = checks[i-1].warnings
		}
		b.t.Warnings = append(b.t.Warnings, warnings[from:c.warnings]...)
		r := c.r
		for _, p := range found[i] {
			problem := problemOf(CodeInvalidProperty, r.Spec, r, p.Path)
			problem.Message = validationMessage(p)
			if p.Severity == validate.Warning {
				problem.Code = CodeUnknownProperty
			}
			switch {
			case p.Severity == validate.Warning && p.Suggestion == "" && !strings.HasPrefix(p.Message, "unknown property"):
				// Read-only values are dropped before sending (and gru writes some itself at
				// GruCloud's paths): not worth a warning.
			case p.Severity == validate.Error:
				b.problems = append(b.problems, problem)
			case b.opts.Strict:
				problem.Message += " (an error with --strict)"
				b.problems = append(b.problems, problem)
			default:
				problem.Warning = true
				b.t.Warnings = append(b.t.Warnings, problem)
			}
		}
	}
	last := check{}
	if len(checks) > 0 {
		last = checks[len(checks)-1]
	}
	b.problems = append(b.problems, problems[last.problems:]...)
	b.t.Warnings = append(b.t.Warnings, warnings[last.warnings:]...)
}

// sharedBody gives, for a body of scalars and objects of scalars (a location and tags, a
// SKU), the first alike: bodies are not changed once built, and resources without properties
// of their own (network security groups, identities, resource groups, by the thousand) have
// the same. Others it gives as they are.
func (b *builder) sharedBody(body map[string]any) map[string]any {
	var key strings.Builder
	if !b.writeFlat(&key, body, true) {
		return body
	}
	if same, ok := b.sameBodies[key.String()]; ok {
		return same
	}
	if b.sameBodies == nil {
		b.sameBodies = map[string]map[string]any{}
	}
	b.sameBodies[key.String()] = body
	return body
}

// writeFlat writes what tells a map of scalars (and, at the top, of objects of scalars) apart
// from any other, and reports whether it is one.
func (b *builder) writeFlat(w *strings.Builder, m map[string]any, top bool) bool {
	if top && len(m) > 8 || len(m) > 16 {
		return false // not worth sorting
	}
	var keys [16]string
	sorted := keys[:0]
	for k := range m {
		sorted = append(sorted, k)
	}
	slices.Sort(sorted)
	w.WriteByte('{')
	for _, k := range sorted {
		writeSized(w, k)
		switch v := m[k].(type) {
		case string:
			w.WriteByte('s')
			writeSized(w, v)
		case json.Number:
			w.WriteByte('n')
			writeSized(w, string(v))
		case bool:
			w.WriteByte('b')
			w.WriteString(strconv.FormatBool(v))
		case nil:
			w.WriteByte('z')
		case map[string]any:
			if !top {
				return false
			}
			if reflect.ValueOf(v).UnsafePointer() == reflect.ValueOf(b.ownerTags).UnsafePointer() {
				w.WriteByte('o') // the ownership tags' map, which bodies share
			} else if !b.writeFlat(w, v, false) {
				return false
			}
		default:
			return false
		}
	}
	w.WriteByte('}')
	return true
}

// writeSized writes a string after its length: no string can pass for another.
func writeSized(w *strings.Builder, s string) {
	w.WriteString(strconv.Itoa(len(s)))
	w.WriteByte(':')
	w.WriteString(s)
}

// validationMessage is a validation problem's text without its path (a Problem has it apart).
func validationMessage(p validate.Problem) string {
	prefix := p.Path + ": "
	if p.Path == "" {
		prefix = "(body): "
	}
	return strings.TrimPrefix(p.String(), prefix)
}

// idValue is a dependency's ID, or an Unknown while Azure has yet to name it.
func idValue(r *Resource) any {
	if r.ID != nil {
		return r.IDString()
	}
	return Unknown{IDOf: r.Key}
}

// GetIDDependency is the dependency key under which a resource lists the declared resources its
// body names by ID (with getId, or written out): ARM refuses a reference to a resource that
// does not exist yet, so they come first.
const GetIDDependency = "getId"

// referTo records that r's body names dep.
func referTo(r, dep *Resource) {
	if dep == r || slices.Contains(r.Deps.Of(GetIDDependency), dep) {
		return
	}
	if r.ID != nil && dep.ID != nil && inside(dep.IDString(), r.IDString()) {
		return // a child named in its parent's body (a network's subnet) comes after it
	}
	r.Deps.Add(GetIDDependency, dep)
}

// inside reports whether id names a resource below parent (case-insensitively).
func inside(id, parent string) bool {
	return len(id) > len(parent) && id[len(parent)] == '/' && sameFolded(id[:len(parent)], parent)
}

// resourcesByID indexes the resources by lower-cased ID, once IDs are known (made once).
func (b *builder) resourcesByID() *foldIndex {
	if b.byID == nil {
		b.byID = newFoldIndex(len(b.t.Resources), (*Resource).IDString)
		for _, r := range b.t.Resources {
			if r.ID != nil {
				b.byID.put(r)
			}
		}
	}
	return b.byID
}

// referencesByID records the declared resources a body names by their ID (getId's, or an ID
// the project writes itself).
func (b *builder) referencesByID(r *Resource, body any) {
	byID := b.resourcesByID()
	for _, ref := range armid.MayBeIDsIn(body) {
		if dep := byID.get(ref); dep != nil {
			referTo(r, dep) // an ID as gru writes it (most: those the builder set)
			continue
		}
		id, err := armid.Parse(ref)
		if err != nil {
			continue
		}
		if dep := byID.get(id.String()); dep != nil {
			referTo(r, dep)
			continue
		}
		// getId names what the project declares: a name it does not is most likely a slip,
		// which ARM refuses (InvalidResourceReference) unless the resource exists elsewhere.
		if named, ok := b.t.Project.GetIDs[strings.ToLower(ref)]; ok {
			b.undeclaredGetID(r, id, named)
		}
	}
}

// undeclaredGetID warns of a getId naming a resource the project does not declare, with the
// nearest declared names of its type (an error with Strict).
func (b *builder) undeclaredGetID(r *Resource, id *armid.ID, named project.Ref) {
	if b.namesOf == nil {
		b.namesOf = map[string][]string{}
		for _, other := range b.t.Resources {
			t := strings.ToLower(other.Type.ARMType)
			b.namesOf[t] = append(b.namesOf[t], other.FullName)
		}
	}
	names := b.namesOf[strings.ToLower(id.ResourceType())]
	what := id.ResourceType() + " " + named.Name
	if ti, ok := b.cat.Find(id.ResourceType()); ok {
		what = ti.ShortName + " " + named.Name
	}
	p := problemOf(CodeBadDependency, r.Spec, r, "")
	p.Message = fmt.Sprintf("getId names %s, which the project does not declare%s: ARM refuses a reference to a resource that does not exist", what, DidYouMean(Nearest(named.Name, names, 3)))
	if b.opts.Strict {
		p.Message += " (an error with --strict)"
	}
	said := func(q Problem) bool { return q.Resource == p.Resource && q.Message == p.Message }
	switch {
	case slices.ContainsFunc(b.t.Warnings, said) || slices.ContainsFunc(b.problems, said):
		// the same getId twice in one body
	case b.opts.Strict:
		b.problems = append(b.problems, p)
	default:
		p.Warning = true
		b.t.Warnings = append(b.t.Warnings, p)
	}
}

// typeUnknowns turns the text of an unknown ID that getId gave project code into an Unknown
// naming the resource by its key.
func (b *builder) typeUnknowns(r *Resource, v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok { // objects and lists change in place
				if typed := b.typeUnknowns(r, s); typed != any(s) {
					x[k] = typed // written only when it changes: bodies share maps (their ownership tags)
				}
				continue
			}
			b.typeUnknowns(r, e)
		}
	case []any:
		for i, e := range x {
			if s, ok := e.(string); ok {
				if typed := b.typeUnknowns(r, s); typed != any(s) {
					x[i] = typed
				}
				continue
			}
			b.typeUnknowns(r, e)
		}
	case string:
		u, ok := parseUnknown(x)
		if !ok {
			return x
		}
		dep := b.t.Resource(u.IDOf)
		if dep == nil {
			// getId names a resource by rg::name: find it by type and name.
			typ, name, _ := strings.Cut(u.IDOf, " ")
			for _, other := range b.t.Resources {
				if strings.EqualFold(other.Type.ShortName, typ) && strings.EqualFold(other.FullName, name) {
					dep = other
				}
			}
		}
		if dep == nil {
			typ, name, _ := strings.Cut(u.IDOf, " ")
			var names []string
			for _, other := range b.t.Resources {
				if strings.EqualFold(other.Type.ShortName, typ) {
					names = append(names, other.FullName)
				}
			}
			msg := fmt.Sprintf("getId names %s, which the project does not declare%s", u.IDOf, DidYouMean(Nearest(name, names, 3)))
			if !slices.ContainsFunc(b.problems, func(p Problem) bool { return p.Resource == r.Key && p.Message == msg }) {
				b.problem(CodeBadDependency, r.Spec, r, "", "%s", msg)
			}
			return v
		}
		referTo(r, dep)
		if u.Path != "" {
			if !slices.Contains(dep.ValuePaths, u.Path) {
				dep.ValuePaths = append(dep.ValuePaths, u.Path)
			}
			return Unknown{IDOf: dep.Key, Path: u.Path} // a value of its live body
		}
		return idValue(dep)
	}
	return v
}

// ForValidation is a body with every Unknown written as its text, for the validator.
func ForValidation(v any) any {
	return replaceUnknowns(v, func(u Unknown) any { return u.String() })
}

// Desired is the body a PUT of r sends (read-only properties dropped), each Unknown whose
// resource has an ID now (known returns it, "" when not yet) replaced by that ID; Unknowns
// still unresolved stay in place. Without Unknowns it is r.Body itself: callers must not
// change it.
func (r *Resource) Desired(known Lookup) map[string]any {
	if r.Body == nil {
		return map[string]any{}
	}
	if !HasUnknown(r.Body) {
		return r.Body
	}
	return Resolve(r.Body, known).(map[string]any)
}

// Resolve returns a copy of v with each Unknown that known can answer replaced by the ID or
// the value it stands for.
func Resolve(v any, known Lookup) any {
	return replaceUnknowns(v, func(u Unknown) any {
		if u.Path != "" {
			if val, ok := known.Value(u.IDOf, u.Path); ok {
				return val
			}
			return u
		}
		if id := known.ID(u.IDOf); id != "" {
			return id
		}
		return u
	})
}

// replaceUnknowns returns a copy of a JSON value with each Unknown replaced by what with says.
func replaceUnknowns(v any, with func(Unknown) any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = replaceUnknowns(e, with)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = replaceUnknowns(e, with)
		}
		return out
	case Unknown:
		return with(x)
	}
	return v
}

// Unknowns lists the Unknowns a value holds.
func Unknowns(v any) []Unknown {
	var out []Unknown
	eachUnknown(v, func(u Unknown) bool { out = append(out, u); return true })
	return out
}

// HasUnknown reports whether a value still holds an Unknown (it reads, copies nothing: every
// plan asks it of every body).
func HasUnknown(v any) bool {
	return !eachUnknown(v, func(Unknown) bool { return false })
}

// eachUnknown calls f on the Unknowns of a value until f returns false; it reports whether
// it went through them all.
func eachUnknown(v any, f func(Unknown) bool) bool {
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			if !eachUnknown(e, f) {
				return false
			}
		}
	case []any:
		for _, e := range x {
			if !eachUnknown(e, f) {
				return false
			}
		}
	case Unknown:
		return f(x)
	}
	return true
}

// setPath writes dependency IDs at a pathId such as properties.subnet.id or
// properties.publicIpAddresses[].id, where the user did not write them.
func setPath(body map[string]any, path string, ids []any) {
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
					setPath(entry, rest, []any{id})
					list = append(list, entry)
				}
				cur[k] = list
				return
			}
			for i, item := range list {
				if entry, ok := item.(map[string]any); ok && i < len(ids) {
					setPath(entry, rest, []any{ids[i]})
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
