package plan

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/dag"
	"github.com/gru-iac/gru/internal/inventory"
	"github.com/gru-iac/gru/internal/secret"
	"github.com/gru-iac/gru/internal/target"
)

// cascade extends replacements and deletions to what they take with them: a declared resource
// inside a replaced one, or depending on it, is replaced too; what lives inside a deleted or
// replaced resource group (or inside a replaced resource) and is not declared is deleted with
// it. Each deletion that another one takes with it is marked DeletedWith.
func (p *Plan) cascade(ctx context.Context, c Cloud, m *matched) error {
	for changed := true; changed; {
		changed = false
		for _, x := range p.Changes {
			if x.Action != Replace || x.Resource == nil {
				continue
			}
			for _, r := range p.Target.Resources {
				rc := p.Of(r)
				if rc == x || !rc.isLive() || rc.Action == Replace || r.ReadOnly() {
					continue
				}
				switch {
				case within(rc.ID, x.ID):
					rc.Reasons = append(rc.Reasons, Reason{Kind: ReasonInside, Of: x.Key, Detail: "replaced"})
				case dependsOn(r, x.Resource):
					rc.Reasons = append(rc.Reasons, Reason{Kind: ReasonDependsOn, Of: x.Key})
				default:
					continue
				}
				p.written(rc)
				rc.Action = Replace
				changed = true
			}
		}
	}
	p.markDeletedWith()
	if err := p.addContents(ctx, c, m); err != nil {
		return err
	}
	p.markDeletedWith()
	p.sortChanges()
	return nil
}

// dependsOn reports whether r depends on x, directly or through other resources.
func dependsOn(r, x *target.Resource) bool {
	seen := map[*target.Resource]bool{}
	var visit func(*target.Resource) bool
	visit = func(cur *target.Resource) bool {
		for _, deps := range cur.Deps {
			for _, d := range deps.On {
				if d == x {
					return true
				}
				if !seen[d] {
					seen[d] = true
					if visit(d) {
						return true
					}
				}
			}
		}
		return false
	}
	return visit(r)
}

// addContents adds, for each resource that is deleted or replaced, the deletion of what lives
// inside it and the plan does not have yet: declared live resources (destroy with a filter),
// and what the project does not declare (a resource group's resources; another resource's
// child resources of the types GruCloud's table describes).
func (p *Plan) addContents(ctx context.Context, c Cloud, m *matched) error {
	var roots []*Change
	for _, x := range p.Changes {
		if x.Action == Replace || x.Action == Delete {
			roots = append(roots, x)
		}
	}
	byID := map[string]bool{}
	for _, x := range p.Changes {
		if x.ID != "" {
			byID[strings.ToLower(x.ID)] = true
		}
	}
	for _, x := range roots {
		if x.ID == "" || x.DeletedWith != "" {
			continue
		}
		why := Reason{Kind: ReasonInside, Of: x.Key, Detail: "deleted"}
		if x.Action == Replace {
			why.Detail = "replaced"
		}
		// Declared resources that the plan does not touch yet.
		for _, r := range p.Target.Resources {
			rc := p.Of(r)
			if l := m.body[r]; l != nil && rc == nil && within(armclient.Field(l, "id"), x.ID) {
				id := armclient.Field(l, "id")
				p.add(&Change{Key: r.Key, Type: r.Type.ARMType, ID: id, APIVersion: r.APIVersion(), Action: Delete, Reasons: []Reason{why}, live: l, State: provisioningState(l), Resource: r})
				byID[strings.ToLower(id)] = true
			}
		}
		parsed, err := armid.Parse(x.ID)
		if err != nil {
			continue
		}
		var items []map[string]any
		switch {
		case parsed.IsResourceGroup():
			items, err = inventory.Contents(ctx, c, parsed)
			p.Requests++
		case x.isLive():
			// A replaced or deleted resource takes its children with it: list them.
			var n int
			items, n, err = inventory.Below(ctx, c, p.Target.Catalog, []map[string]any{x.liveHeader()})
			p.Requests += n
		}
		if err != nil {
			return fmt.Errorf("listing what is inside %s: %w", x.Key, err)
		}
		for _, it := range items {
			id := armclient.Field(it, "id")
			if byID[strings.ToLower(id)] {
				continue
			}
			byID[strings.ToLower(id)] = true
			p.add(&Change{Key: p.undeclaredKey(armclient.Field(it, "type"), id), Type: armclient.Field(it, "type"), ID: id, Action: Delete, Reasons: []Reason{why}, live: it, State: provisioningState(it)})
		}
	}
	return nil
}

// markDeletedWith marks each deletion that the deletion of a resource around it (its group,
// its parent) takes with it: the outermost one deleting.
func (p *Plan) markDeletedWith() {
	for _, c := range p.Changes {
		c.DeletedWith = ""
	}
	for _, c := range p.Changes {
		if c.Action != Replace && c.Action != Delete {
			continue
		}
		var outer *Change
		for _, a := range p.Changes {
			if a != c && (a.Action == Replace || a.Action == Delete) && within(c.ID, a.ID) && (outer == nil || len(a.ID) < len(outer.ID)) {
				outer = a
			}
		}
		if outer != nil {
			c.DeletedWith = outer.Key
		}
	}
}

// deleteStep is the step that deletes a change's resource: its own, or the one that takes it.
func (p *Plan) deleteStep(c *Change) string {
	if c.DeletedWith != "" {
		return Step(StepDelete, c.DeletedWith)
	}
	return Step(StepDelete, c.Key)
}

// order sets each change's PutAfter and DeleteAfter: a write after the writes of its
// dependencies and after its own deletion (replace); a deletion after the deletions of what
// uses it (dependents first, found in declared dependencies and in the writable references of
// live bodies) and after the updates of what uses it (an update that drops the reference must
// come first). Orderings that close a cycle are dropped, weakest first; a cycle left is a
// refusal.
func (p *Plan) order() {
	for _, c := range p.Changes {
		c.PutAfter, c.DeleteAfter = nil, nil
	}
	addTo := func(list *[]string, step string) {
		if !slices.Contains(*list, step) {
			*list = append(*list, step)
		}
	}
	for _, c := range p.Changes {
		if !c.Puts() {
			continue
		}
		if c.Resource != nil {
			for _, dep := range c.Resource.Deps { // sorted by key
				for _, d := range dep.On {
					if dc := p.Of(d); dc != nil && dc.Puts() {
						addTo(&c.PutAfter, Step(StepPut, d.Key))
					}
				}
			}
		}
		if c.Action == Replace {
			addTo(&c.PutAfter, p.deleteStep(c))
		}
	}
	var deleting []*Change
	for _, c := range p.Changes {
		if c.Deletes() {
			deleting = append(deleting, c)
		}
	}
	if len(deleting) == 0 {
		return
	}
	// weak holds the orderings found in live bodies only: dropped before declared ones.
	weak := map[[2]string]bool{}
	users := p.users()
	for _, x := range deleting {
		from := Step(StepDelete, x.Key)
		for _, u := range users(x) {
			var step string
			switch {
			case u.use.Action == Replace || u.use.Action == Delete:
				if step = p.deleteStep(u.use); step == from {
					continue
				}
			case u.use.Action == Update:
				step = Step(StepPut, u.use.Key)
			default:
				continue
			}
			if !slices.Contains(x.DeleteAfter, step) {
				x.DeleteAfter = append(x.DeleteAfter, step)
				weak[[2]string{from, step}] = !u.declared
			} else if u.declared {
				weak[[2]string{from, step}] = false
			}
		}
	}
	p.breakCycles(weak)
}

// use is a change whose resource uses another: declared says by a declared dependency (else
// by a reference in its live body).
type use struct {
	use      *Change
	declared bool
}

// users returns a function listing the changes whose resources use x or what is inside it:
// they declare a dependency on it, or their live bodies hold its ID (or an ID inside it) in a
// property they could write (read-only back-references, such as the subnets an NSG lists,
// say nothing of what must go first).
func (p *Plan) users() func(x *Change) []use {
	refs := map[*Change][]string{}
	for _, c := range p.Changes {
		held := c.liveRefs
		if c.droppedETag == "" {
			if c.live == nil {
				continue
			}
			held = writableRefs(p.schemaOf(c), c.live, true)
		}
		for _, id := range held {
			if !strings.EqualFold(id, c.ID) && !within(id, c.ID) {
				refs[c] = append(refs[c], id)
			}
		}
	}
	return func(x *Change) []use {
		var out []use
		for _, c := range p.Changes {
			if c == x || within(c.ID, x.ID) {
				continue
			}
			declared := false
			if c.Resource != nil && x.Resource != nil {
				for _, deps := range c.Resource.Deps {
					for _, d := range deps.On {
						declared = declared || d == x.Resource
					}
				}
			}
			referenced := false
			for _, id := range refs[c] {
				if strings.EqualFold(id, x.ID) || within(id, x.ID) {
					referenced = true
					break
				}
			}
			if declared || referenced {
				out = append(out, use{c, declared})
			}
		}
		return out
	}
}

// schemaOf is the body schema of a change's resource: its target's, else the catalogue's at
// the type's default version (nil when unknown).
func (p *Plan) schemaOf(c *Change) *catalog.Type {
	if c.Resource != nil {
		return c.Resource.Schema.Body
	}
	if p.Target == nil || p.Target.Catalog == nil {
		return nil
	}
	if p.schemas == nil {
		p.schemas = map[string]*catalog.Type{}
	}
	key := strings.ToLower(c.Type)
	if t, ok := p.schemas[key]; ok {
		return t
	}
	var t *catalog.Type
	if ti, ok := p.Target.Catalog.Find(c.Type); ok {
		if r, err := p.Target.Catalog.Schema(context.Background(), ti, ""); err == nil {
			t = r.Body
		}
	}
	p.schemas[key] = t
	return t
}

// writableRefs lists the IDs a body holds outside read-only properties (nil schema: all).
func writableRefs(t *catalog.Type, v any, root bool) []string {
	if t == nil {
		return armid.FindIn(v)
	}
	var out []string
	t = secret.Resolve(t, v)
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if root && strings.EqualFold(k, "id") {
				continue
			}
			if p := t.Property(k); p != nil && p.Flags.Has(catalog.FlagReadOnly) {
				continue
			}
			out = append(out, writableRefs(secret.Child(t, k), e, false)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, writableRefs(secret.Items(t), e, false)...)
		}
	case string:
		out = append(out, armid.FindIn(x)...)
	}
	return out
}

// Graph is the plan's steps and their order, as the executor runs them.
func (p *Plan) Graph() *dag.Graph {
	g := dag.New()
	for _, c := range p.Changes {
		if c.Puts() {
			g.Add(Step(StepPut, c.Key))
			for _, s := range c.PutAfter {
				g.Connect(Step(StepPut, c.Key), s)
			}
		}
		if c.Deletes() {
			g.Add(Step(StepDelete, c.Key))
			for _, s := range c.DeleteAfter {
				g.Connect(Step(StepDelete, c.Key), s)
			}
		}
	}
	return g
}

// breakCycles drops the orderings that close a cycle: first an update before a deletion,
// then a deletion after another found only in a live body (ARM's in-use refusal, retried,
// covers what was dropped). A cycle of declared dependencies left is a refusal.
func (p *Plan) breakCycles(weak map[[2]string]bool) {
	for {
		cycle := p.Graph().Cycle()
		if cycle == nil {
			return
		}
		if !p.dropEdge(cycle, func(from, to string) bool { return strings.HasPrefix(to, StepPut+" ") }) &&
			!p.dropEdge(cycle, func(from, to string) bool { return weak[[2]string{from, to}] }) {
			p.Refusals = append(p.Refusals, "the deletions depend on each other in a cycle: "+strings.Join(cycle, " -> "))
			return
		}
	}
}

// dropEdge removes the first deletion ordering of a cycle that drop accepts.
func (p *Plan) dropEdge(cycle []string, drop func(from, to string) bool) bool {
	for i := 0; i+1 < len(cycle); i++ {
		from, to := cycle[i], cycle[i+1]
		if !strings.HasPrefix(from, StepDelete+" ") || !drop(from, to) {
			continue
		}
		c := p.Change(strings.TrimPrefix(from, StepDelete+" "))
		if j := slices.Index(c.DeleteAfter, to); j >= 0 {
			c.DeleteAfter = slices.Delete(c.DeleteAfter, j, j+1)
			return true
		}
	}
	return false
}
