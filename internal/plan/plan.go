// Package plan compares a target with what is live and says exactly what apply will do: a
// typed action for each resource with the reasons for it and the values it changes (secrets
// masked, unknown IDs typed), what a replacement takes with it, the order in which deletions
// and writes must run, and why a plan is refused. A plan can be saved and checked against live
// before it is applied. It reads live resources through the inventory and writes nothing.
package plan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/inventory"
	"github.com/gru-iac/gru/internal/secret"
	"github.com/gru-iac/gru/internal/target"
	"github.com/gru-iac/gru/internal/validate"
)

// Action is what a plan does to a resource.
type Action string

// The actions of a plan.
const (
	Create  Action = "create"
	Update  Action = "update"
	Replace Action = "replace" // deleted, then created
	Delete  Action = "delete"
	NoOp    Action = "no change"
)

// ReasonKind says why a resource has its action.
type ReasonKind string

// The reasons for actions.
const (
	ReasonMissing     ReasonKind = "missing"         // not live
	ReasonDiffers     ReasonKind = "differs"         // properties differ
	ReasonFailed      ReasonKind = "failed"          // live provisioning failed or was canceled: a PUT repairs it
	ReasonImmutable   ReasonKind = "immutable"       // a property that cannot change in place changed
	ReasonInside      ReasonKind = "inside"          // inside a resource that is deleted or replaced
	ReasonDependsOn   ReasonKind = "depends-on"      // depends on a resource that is replaced
	ReasonUndeclared  ReasonKind = "undeclared"      // managed by the project, no longer declared
	ReasonDestroy     ReasonKind = "destroy"         // destroy asked for it
	ReasonSecretsRoll ReasonKind = "replace-secrets" // its secrets are sent again on request
	ReasonDropsRef    ReasonKind = "drops-reference" // live refers to a resource the plan deletes: the PUT drops it
)

// Reason is why a resource has its action: Path names a property, Of another resource.
type Reason struct {
	Kind   ReasonKind `json:"kind"`
	Path   string     `json:"path,omitempty"`
	Of     string     `json:"of,omitempty"`
	Detail string     `json:"detail,omitempty"`
}

func (r Reason) String() string {
	switch r.Kind {
	case ReasonMissing:
		return "does not exist"
	case ReasonDiffers:
		return "properties differ"
	case ReasonFailed:
		return "live provisioning state is " + r.Detail + ": a PUT repairs it"
	case ReasonImmutable:
		return r.Path + " cannot change in place"
	case ReasonInside:
		return "inside " + r.Of + ", which is " + r.Detail
	case ReasonDependsOn:
		return "depends on " + r.Of + ", which is replaced"
	case ReasonUndeclared:
		return "managed by the project but no longer declared"
	case ReasonDestroy:
		return "destroy"
	case ReasonSecretsRoll:
		return "secrets sent again (--replace-secrets)"
	case ReasonDropsRef:
		return r.Path + " refers to " + r.Of + ", which the project does not declare there: the PUT drops the reference"
	}
	return string(r.Kind)
}

// Change is the plan for one resource.
type Change struct {
	Key        string   `json:"resource"`
	Type       string   `json:"type"`
	ID         string   `json:"id"`
	APIVersion string   `json:"apiVersion,omitempty"`
	Action     Action   `json:"action"`
	Reasons    []Reason `json:"reasons,omitempty"`
	Diffs      []Diff   `json:"diffs,omitempty"`
	// Drift lists writable properties live has and the code does not (with Options.Drift).
	Drift []Diff `json:"drift,omitempty"`
	// State is the live provisioning state, "" when none or not live.
	State string `json:"state,omitempty"`
	// DeletedWith names the resource whose deletion deletes this one (its resource group or
	// parent): no request of its own.
	DeletedWith string `json:"deletedWith,omitempty"`
	// PutAfter and DeleteAfter are the steps (see Step) that must end before this change's
	// write and its deletion start.
	PutAfter    []string `json:"putAfter,omitempty"`
	DeleteAfter []string `json:"deleteAfter,omitempty"`
	// Identity says how to find a resource that Azure names, once its dependency exists.
	Identity *Identity `json:"identity,omitempty"`
	// Body is the body the write sends, secrets masked (the executor sends the real one).
	Body map[string]any `json:"body,omitempty"`
	// BodyHash fingerprints the body sent (its secrets masked), LiveVersion the live resource
	// (its ETag, else a hash of its body), for checking a saved plan against a new one.
	BodyHash    string `json:"bodyHash,omitempty"`
	LiveVersion string `json:"liveVersion,omitempty"`

	// Resource is the target resource (nil for what the project does not declare).
	Resource *target.Resource `json:"-"`
	live     map[string]any
	body     map[string]any // the body to send, secrets in clear
	// inlineLater marks a change left alone whose body lacks the inline child lists a PUT
	// would take from live (keepInlineChildren): made only if it is written after all.
	inlineLater bool
	// droppedETag is the ETag of a live resource whose body dropLive let go of, liveRefs the
	// IDs the body held, keptInline its inline child lists (if any) as JSON text: a network's
	// subnets weigh a third as much so.
	droppedETag string
	liveRefs    []string
	keptInline  string
}

// dropLive lets go of the live body of a change that leaves its resource alone (of schema t)
// when what the plan does later needs no more of it than the change keeps: the IDs it holds in
// properties a PUT could write (what must be deleted after it: liveRefs), none of them in a
// property that the body a write would send (with the inline child lists it takes from live,
// of the children declares accepts) leaves out: no reference a PUT would drop; and the inline
// child lists themselves (inlineLater). Its ETag stands for its version. The change is still
// of a live resource (isLive).
func (c *Change) dropLive(t *catalog.Type, declares func(id string) bool) {
	if c.Action != NoOp || c.live == nil {
		return
	}
	etag := armclient.Field(c.live, "etag")
	if etag == "" {
		return
	}
	if holdsIDs(c.live, true) { // most hold none: no need to look closer
		sent := c.body
		if c.inlineLater {
			sent, _ = keepInlineChildren(c.Resource, c.body, c.live, declares, true)
		}
		every := func(id string) (string, bool) { return id, true }
		if eachLiveOnlyRef(t, sent, c.live, "", every, func(*catalog.Type, string, any, string, string) bool { return false }) {
			return // a reference a PUT would drop
		}
		c.liveRefs = writableRefs(t, c.live, true)
	}
	if c.inlineLater {
		_, p, _ := lookupKey(c.live, "properties")
		liveProps, _ := p.(map[string]any)
		props := map[string]any{}
		for _, name := range catalog.InlineChildren(c.Type) {
			if key, v, ok := lookupKey(liveProps, name); ok {
				props[key] = v
			}
		}
		text, err := inlineText(props)
		if err != nil {
			return // values decoded from JSON are JSON: kept whole if not
		}
		c.keptInline = text
	}
	c.live, c.droppedETag = nil, etag
}

// inlineText writes inline child lists, by name, as the JSON of a body's properties; lists
// that are all empty (a network security group without rules of its own, by the thousand)
// without encoding/json's reflection.
func inlineText(lists map[string]any) (string, error) {
	empty := true
	for _, v := range lists {
		if l, ok := v.([]any); !ok || l == nil || len(l) > 0 {
			empty = false // null, as encoding/json writes a nil list, or items
		}
	}
	if !empty {
		text, err := json.Marshal(map[string]any{"properties": lists})
		return string(text), err
	}
	var w strings.Builder
	w.WriteString(`{"properties":{`)
	for i, name := range slices.Sorted(maps.Keys(lists)) {
		quoted, err := json.Marshal(name)
		if err != nil {
			return "", err
		}
		if i > 0 {
			w.WriteByte(',')
		}
		w.Write(quoted)
		w.WriteString(":[]")
	}
	w.WriteString("}}")
	return w.String(), nil
}

// liveBody is the live body of the change: what dropLive kept of it (its inline child lists)
// once it let go of it.
func (c *Change) liveBody() map[string]any {
	if c.live != nil || c.keptInline == "" {
		return c.live
	}
	var kept map[string]any
	if err := json.Unmarshal([]byte(c.keptInline), &kept); err != nil {
		panic(fmt.Sprintf("plan: the inline child lists kept of %s: %v", c.Key, err)) // written by dropLive
	}
	return kept
}

// holdsIDs reports whether a body holds a string that may be an ARM ID (armid.MayBeID), but
// for its own ID at its root.
func holdsIDs(v any, root bool) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if root && strings.EqualFold(k, "id") {
				continue
			}
			if holdsIDs(e, false) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if holdsIDs(e, false) {
				return true
			}
		}
	case string:
		return armid.MayBeID(x)
	}
	return false
}

// isLive reports whether the change's resource is live.
func (c *Change) isLive() bool { return c.live != nil || c.droppedETag != "" }

// liveHeader is the live body of the change, or, once dropped, its ID and type.
func (c *Change) liveHeader() map[string]any {
	if c.droppedETag == "" {
		return c.live
	}
	return map[string]any{"id": c.ID, "type": c.Type}
}

// Identity is how a resource that Azure names is found: the item of Collection whose
// properties.privateEndpoint.id is the ID of the resource Dependency.
type Identity struct {
	Dependency string `json:"dependency"`
	Collection string `json:"collection"`
}

// SendBody is the body to send, secrets in clear; nil for deletions.
func (c *Change) SendBody() map[string]any { return c.body }

// Puts reports whether the change writes the resource (create, update, replace).
func (c *Change) Puts() bool {
	return c.Action == Create || c.Action == Update || c.Action == Replace
}

// Deletes reports whether the change deletes the resource with a request of its own.
func (c *Change) Deletes() bool {
	return (c.Action == Delete || c.Action == Replace) && c.DeletedWith == ""
}

// The steps of a change, as PutAfter and DeleteAfter name them.
const (
	StepPut    = "put"
	StepDelete = "delete"
)

// Step names a step of a change.
func Step(kind, key string) string { return kind + " " + key }

// Options adjust a plan.
type Options struct {
	// Prune also deletes what the project manages (by its tags) but no longer declares.
	Prune bool `json:"prune,omitempty"`
	// AllowReplace lets the plan replace a resource group, or a resource with something inside.
	AllowReplace bool `json:"allowReplace,omitempty"`
	// ReplaceSecrets names the resources whose secrets are sent again ("*": all of them), by
	// key, full name or name.
	ReplaceSecrets []string `json:"replaceSecrets,omitempty"`
	// Drift lists writable properties that live has and the code does not.
	Drift bool `json:"drift,omitempty"`
	// WaitTimeout bounds the wait for resources still provisioning (default 20 minutes).
	WaitTimeout time.Duration `json:"-"`
	// OnWait is told of each resource the plan waits for, as it starts waiting.
	OnWait func(key, state string) `json:"-"`
	// afterListing compares every resource once the listing has ended, none as it is read
	// (see settle): the tests plan both ways.
	afterListing bool
}

// Format is the format of saved plans.
const Format = "gru-plan/1"

// Plan is the changes that would make live match a target.
type Plan struct {
	Format       string           `json:"format"`
	Project      string           `json:"project"`
	Stage        string           `json:"stage"`
	Dir          string           `json:"dir,omitempty"`
	Subscription string           `json:"subscription"`
	CreatedAt    time.Time        `json:"createdAt"`
	Options      Options          `json:"options"`
	Changes      []*Change        `json:"changes"`
	Warnings     []target.Problem `json:"warnings,omitempty"`
	// Refusals say why apply must not carry the plan out as it is.
	Refusals []string `json:"refusals,omitempty"`
	// Undeclared names the live resources the project manages but no longer declares, when
	// the plan does not prune them (Options.Prune deletes them).
	Undeclared []string `json:"undeclared,omitempty"`
	// Requests is how many ARM requests planning made.
	Requests int `json:"requests"`

	Target *target.Target `json:"-"`
	byKey  map[string]*Change
	// declares says whether the project declares a resource of an ID (while it is made).
	declares func(id string) bool
	// schemas caches the schemas of undeclared resources' types, by lower-cased type.
	schemas map[string]*catalog.Type
}

// Pending reports whether the plan changes anything.
func (p *Plan) Pending() bool {
	for _, c := range p.Changes {
		if c.Action != NoOp {
			return true
		}
	}
	return false
}

// Counts tallies the plan's actions.
func (p *Plan) Counts() map[Action]int {
	out := map[Action]int{}
	for _, c := range p.Changes {
		out[c.Action]++
	}
	return out
}

// Change returns the change of a resource by key, nil when the plan has none.
func (p *Plan) Change(key string) *Change { return p.byKey[strings.ToLower(key)] }

// Of returns the change of a target resource.
func (p *Plan) Of(r *target.Resource) *Change { return p.byKey[strings.ToLower(r.Key)] }

func (p *Plan) add(c *Change) {
	if p.byKey == nil {
		p.byKey = map[string]*Change{}
	}
	p.Changes = append(p.Changes, c)
	p.byKey[strings.ToLower(c.Key)] = c
}

// Cloud is what planning needs of ARM.
type Cloud = inventory.Cloud

// newPlan starts a plan of a target.
func newPlan(t *target.Target, opts Options) *Plan {
	return &Plan{Format: Format, Project: t.Project.Name, Stage: t.Project.Stage, Dir: t.Project.Dir,
		Subscription: t.Subscription, CreatedAt: time.Now().UTC(), Options: opts, Target: t, Warnings: t.Warnings}
}

// matched is a target's resources with their live bodies, IDs resolved.
type matched struct {
	live *inventory.Live
	ids  []string // by resource (Index): as live has it, else as the target does
	body map[*target.Resource]map[string]any
	// roll is the resources whose secrets are sent again (Options.ReplaceSecrets).
	roll map[*target.Resource]bool
	// settling says which resources settle (see settle), early the changes it made, by
	// resource (Index).
	settling []bool
	mu       sync.Mutex
	early    []*Change
	// changes holds the changes of declared resources (changeOf).
	changes changeSlab
	// inlineTexts are the inline child lists dropped changes keep (sharedInline).
	inlineTexts map[string]string
	// target is what was matched.
	target *target.Target
	// named holds the lower-cased IDs, found live, of the resources Azure names.
	named map[string]bool
}

func (m *matched) known(key string) string { return m.ID(key) }

// ID is the ID of the resource of a key (target.Lookup).
func (m *matched) ID(key string) string {
	if r := m.target.Resource(key); r != nil {
		return m.ids[r.Index()]
	}
	return ""
}

// Value is a value of the live body of the resource of a key (target.Lookup): what getId
// with a path stands for, when that resource is live.
func (m *matched) Value(key, path string) (any, bool) {
	if m.target == nil {
		return nil, false
	}
	r := m.target.Resource(key)
	if r == nil || m.body[r] == nil {
		return nil, false
	}
	return target.PathValue(m.body[r], path)
}

// declares says whether the project declares a resource of this ID.
func (m *matched) declares(id string) bool {
	return m.target.ByID(id) != nil || m.named[strings.ToLower(id)]
}

// match reads what is live of a target and matches each resource with its live body, waiting
// for those still provisioning. With early, the resources whose changes can be made as they
// are read are (see settle).
func match(ctx context.Context, c Cloud, t *target.Target, opts Options, requests *int, early bool) (*matched, error) {
	m := &matched{ids: make([]string, len(t.Resources)), body: map[*target.Resource]map[string]any{}, target: t, named: map[string]bool{},
		roll: rollSet(t, opts.ReplaceSecrets), early: make([]*Change, len(t.Resources))}
	for i, r := range t.Resources {
		m.ids[i] = r.IDString()
	}
	var settle func(*target.Resource, map[string]any, func(map[string]any)) bool
	if early && !opts.Drift && !opts.afterListing {
		// Inline child lists keep the children the project declares (declares): all known
		// by ID before the listing, unless Azure names some.
		named := slices.ContainsFunc(t.Resources, func(r *target.Resource) bool { return r.ID == nil })
		m.settling = make([]bool, len(t.Resources))
		for i, r := range t.Resources {
			m.settling[i] = settlesEarly(r) && (!named || len(catalog.InlineChildren(r.Type.ARMType)) == 0)
		}
		settle = m.settle
	}
	live, err := inventory.OfTarget(ctx, c, t, true, settle)
	*requests += live.Requests
	if err != nil {
		return nil, err
	}
	m.live = live
	// Resources named by Azure are matched through their dependency: dependencies first.
	for _, r := range Order(t) {
		if c := m.early[r.Index()]; c != nil {
			m.ids[r.Index()] = c.ID
			continue
		}
		l := live.Match(r, m.known)
		if l != nil && transitional(provisioningState(l)) {
			if opts.OnWait != nil {
				opts.OnWait(r.Key, provisioningState(l))
			}
			settled, n, err := waitSettled(ctx, c, armclient.Field(l, "id"), r.APIVersion(), opts.WaitTimeout)
			*requests += n
			if err != nil {
				return nil, fmt.Errorf("%s: %w", r.Key, err)
			}
			if settled == nil {
				live.Remove(armclient.Field(l, "id"))
			} else {
				live.Add(settled)
			}
			l = settled
		}
		if l != nil {
			delete(l, "systemData") // who changed it when: nothing a plan compares (and 10,000 of them weigh)
			m.body[r] = l
			m.ids[r.Index()] = armclient.Field(l, "id")
			if r.ID == nil {
				m.named[strings.ToLower(m.ids[r.Index()])] = true
			}
		}
	}
	return m, nil
}

// settlesEarly reports whether a resource's change can be made as soon as its live body is
// read, before the rest of live is: its body refers to no resource whose ID is known only once
// live (it has no unknown value), it takes no value from a live body and none is taken from
// its own, and it is written.
func settlesEarly(r *target.Resource) bool {
	return r.ID != nil && r.IdentityFrom == "" && !r.ReadOnly() && len(r.ValuePaths) == 0 && !target.HasUnknown(r.Body)
}

// settle makes the change of a resource settlesEarly accepts as the listing reads its live
// body, unless it is still provisioning (waited for later), and lets go of the body when the
// change leaves it alone (Change.dropLive): the live bodies of a large plan do not pile up.
// Listings call it several at a time.
func (m *matched) settle(r *target.Resource, l map[string]any, share func(map[string]any)) bool {
	if m.settling == nil || !m.settling[r.Index()] || transitional(provisioningState(l)) {
		return false
	}
	delete(l, "systemData")
	c := m.changeOf(r, l, false)
	c.dropLive(r.Schema.Body, m.declares)
	if c.live != nil && c.droppedETag == "" {
		share(c.live) // kept whole
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if c.keptInline != "" {
		c.keptInline = m.sharedInline(c.keptInline)
	}
	m.early[r.Index()] = c
	return true
}

// changeSlab makes changes a thousand at a time (they live as long as their plan): one
// allocation for each thousand, not one each. Safe for concurrent use.
type changeSlab struct {
	mu   sync.Mutex
	free []Change
}

// make returns a zero change.
func (s *changeSlab) make() *Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.free) == 0 {
		s.free = make([]Change, 1024)
	}
	c := &s.free[0]
	s.free = s.free[1:]
	return c
}

// sharedInline gives, for the inline child lists a dropped change keeps (dropLive), the first
// text alike: thousands of network security groups without rules of their own keep one.
// Called with mu held.
func (m *matched) sharedInline(text string) string {
	if shared, ok := m.inlineTexts[text]; ok {
		return shared
	}
	if m.inlineTexts == nil {
		m.inlineTexts = map[string]string{}
	}
	m.inlineTexts[text] = text
	return text
}

// Make plans a target against what is live.
func Make(ctx context.Context, c Cloud, t *target.Target, opts Options) (*Plan, error) {
	p := newPlan(t, opts)
	// What the project's tags mark is listed while the declared resources are matched: its
	// strays are pruned, or named.
	listing := inventory.StartTagged(ctx, c, t.Owner)
	defer listing.Stop() // no request outlives the plan
	listing.Declared(func(id string) bool { return t.ByID(id) != nil })
	m, err := match(ctx, c, t, opts, &p.Requests, true)
	if err != nil {
		return nil, err
	}
	tagged, taggedRequests, err := listing.Wait()
	if err != nil {
		return nil, err
	}
	p.Requests += taggedRequests
	strays := inventory.Strays(tagged, m.declares)
	for _, r := range t.Resources {
		c := m.early[r.Index()]
		if c == nil {
			c = m.changeOf(r, m.body[r], opts.Drift)
		}
		p.add(c)
	}
	if opts.Prune {
		if err := p.addDeletions(ctx, c, strays, Reason{Kind: ReasonUndeclared}); err != nil {
			return nil, err
		}
	} else {
		for _, it := range strays {
			p.Undeclared = append(p.Undeclared, p.undeclaredKey(it.Type, it.ID))
		}
	}
	p.declares = m.declares
	if err := p.cascade(ctx, c, m); err != nil {
		return nil, err
	}
	p.dropReferences()
	p.declares = nil // m, and every live body, go with the plan's making
	p.refuse()
	p.refuseReadOnly()
	p.order()
	p.fingerprint()
	p.release()
	return p, nil
}

// release lets go of what the plan no longer needs once made: the live bodies of the
// resources it leaves alone (their versions are kept), which are most of a large plan.
func (p *Plan) release() {
	for _, c := range p.Changes {
		if c.Action == NoOp {
			c.live, c.body, c.keptInline = nil, nil, ""
		}
	}
}

// changeOf decides the action of one declared resource, of live body l (nil: not live).
func (m *matched) changeOf(r *target.Resource, l map[string]any, withDrift bool) *Change {
	id := m.ids[r.Index()]
	if live := armclient.Field(l, "id"); l != nil && live != id {
		id = live // as live writes it (the target's string serves when it is the same)
	}
	c := m.changes.make()
	*c = Change{Key: r.Key, Type: r.Type.ARMType, APIVersion: r.APIVersion(), ID: id, Resource: r}
	if r.IdentityFrom != "" {
		dep := r.Deps.Of(r.IdentityFrom)[0]
		c.Identity = &Identity{Dependency: dep.Key, Collection: target.CollectionOf(r)}
	}
	c.body = r.Desired(m)
	roll := m.roll[r]
	if r.ReadOnly() {
		// Referred to, never written: it must exist.
		c.Action, c.body, c.live = NoOp, nil, l
		if l != nil {
			c.State = provisioningState(l)
		}
		return c
	}
	if l == nil {
		c.Action = Create
		c.Reasons = []Reason{{Kind: ReasonMissing}}
		return c
	}
	c.live = l
	c.State = provisioningState(l)
	// The lists taken whole from live are compared with nothing, and copied only for a write
	// (and --drift, which must not take them for live's alone).
	var fromLive []string
	c.body, fromLive = keepInlineChildren(r, c.body, l, m.declares, withDrift)
	c.Diffs = compare(r.Schema.Body, c.body, l, fromLive...)
	if withDrift {
		c.Drift = drift(r.Schema.Body, c.body, l, "")
	}
	c.Action = NoOp
	if failed(c.State) {
		c.Action = Update
		c.Reasons = append(c.Reasons, Reason{Kind: ReasonFailed, Detail: c.State})
	}
	if len(c.Diffs) > 0 {
		c.Action = Update
		c.Reasons = append(c.Reasons, Reason{Kind: ReasonDiffers})
	}
	for _, d := range c.Diffs {
		if immutable(r.Schema.Body, d.Path) {
			c.Action = Replace
			c.Reasons = append(c.Reasons, Reason{Kind: ReasonImmutable, Path: d.Path})
		}
	}
	if c.Action == Replace {
		c.body = r.Desired(m) // made anew: what was inside goes with the old one
	}
	if roll {
		paths := secretPaths(r.Schema.Body, c.body, "")
		if len(paths) > 0 && c.Action == NoOp {
			c.Action = Update
		}
		if len(paths) > 0 {
			c.Reasons = append(c.Reasons, Reason{Kind: ReasonSecretsRoll})
		}
		for _, path := range paths {
			if !hasDiff(c.Diffs, path) {
				c.Diffs = append(c.Diffs, Diff{Path: path, Before: secret.Mask, After: secret.Mask, Sensitive: true})
			}
		}
	}
	switch {
	case len(fromLive) == 0 || withDrift || c.Action == Replace:
	case c.Action == NoOp:
		// A network left alone need not hold copies of its subnets, by the thousand.
		c.inlineLater = true
	default:
		c.body, _ = keepInlineChildren(r, c.body, l, m.declares, true)
	}
	return c
}

// written makes the body of a change left alone that is written after all (replaced with
// what it is inside of, say): with the inline child lists it left out (see inlineLater).
func (p *Plan) written(c *Change) {
	if c.inlineLater {
		c.body, _ = keepInlineChildren(c.Resource, c.body, c.liveBody(), p.declares, true)
		c.inlineLater = false
	}
}

// keepInlineChildren copies into a body the child resources live lists inline (a network's
// subnets) that a PUT without them would delete: the whole live list where the project says
// nothing of it, and, where the project lists some children inline, the live ones it declares
// as resources of their own (a network with one subnet inline and another declared apart).
// It returns the body, and the paths of the lists it took whole from live (which live has as
// they are: nothing to compare); without whole, those lists are named, not copied.
func keepInlineChildren(r *target.Resource, body, live map[string]any, declares func(id string) bool, whole bool) (map[string]any, []string) {
	names := catalog.InlineChildren(r.Type.ARMType)
	if len(names) == 0 {
		return body, nil
	}
	_, lp, _ := lookupKey(live, "properties")
	liveProps, _ := lp.(map[string]any)
	_, bp, _ := lookupKey(body, "properties")
	bodyProps, _ := bp.(map[string]any)
	var propsType *catalog.Type
	if r.Schema.Body != nil {
		propsType = secret.Child(r.Schema.Body, "properties")
	}
	var out map[string]any
	var fromLive []string
	set := func(name string, v any) {
		if out == nil { // the body is shared: copy what changes
			out = maps.Clone(body)
			props := maps.Clone(bodyProps)
			if props == nil {
				props = map[string]any{}
			}
			out["properties"] = props
		}
		out["properties"].(map[string]any)[name] = v
	}
	for _, name := range names {
		_, v, isLive := lookupKey(liveProps, name)
		if !isLive || v == nil {
			continue
		}
		itemType := secret.Child(propsType, name)
		key, declaredList, declared := lookupKey(bodyProps, name)
		if !declared {
			if whole {
				set(name, validate.StripReadOnlyOf(itemType, v))
			}
			fromLive = append(fromLive, "properties."+name)
			continue
		}
		list, _ := declaredList.([]any)
		inline := map[string]bool{}
		for _, e := range list {
			if entry, ok := e.(map[string]any); ok {
				inline[strings.ToLower(fmt.Sprint(entry["name"]))] = true
			}
		}
		merged := list
		liveList, _ := v.([]any)
		for _, e := range liveList {
			entry, _ := e.(map[string]any)
			id, _ := entry["id"].(string)
			if entry == nil || inline[strings.ToLower(fmt.Sprint(entry["name"]))] || !declares(id) {
				continue
			}
			if len(merged) == len(list) {
				merged = slices.Clone(list)
			}
			merged = append(merged, validate.StripReadOnlyOf(itemType, []any{entry}).([]any)[0])
		}
		if len(merged) != len(list) {
			set(key, merged)
		}
	}
	if out == nil {
		return body, fromLive
	}
	return out, fromLive
}

func hasDiff(ds []Diff, path string) bool {
	for _, d := range ds {
		if d.Path == path {
			return true
		}
	}
	return false
}

// rollSet is the resources whose secrets are to be sent again.
func rollSet(t *target.Target, names []string) map[*target.Resource]bool {
	out := map[*target.Resource]bool{}
	for _, r := range t.Resources {
		for _, n := range names {
			if n == "*" || strings.EqualFold(n, r.Key) || strings.EqualFold(n, r.FullName) || strings.EqualFold(n, r.Spec.Name) {
				out[r] = true
			}
		}
	}
	return out
}

// prune adds the deletion of what the project manages but no longer declares.
func (p *Plan) prune(ctx context.Context, c Cloud, m *matched) error {
	tagged, n, err := inventory.Tagged(ctx, c, p.Target.Owner)
	p.Requests += n
	if err != nil {
		return err
	}
	return p.addDeletions(ctx, c, inventory.Strays(tagged, m.declares), Reason{Kind: ReasonUndeclared})
}

// addDeletions adds the deletion of live resources the project does not declare. Lists give
// short bodies; each is read whole, for the IDs it holds (what it uses must go after it).
func (p *Plan) addDeletions(ctx context.Context, c Cloud, items []armclient.Header, why Reason) error {
	for _, it := range items {
		id := it.ID
		if p.Change(p.undeclaredKey(it.Type, id)) != nil {
			continue
		}
		full, err := c.Get(ctx, id, "")
		p.Requests++
		switch {
		case armclient.IsNotFound(err):
			continue
		case err != nil:
			return fmt.Errorf("reading %s: %w", id, err)
		}
		p.add(&Change{Key: p.undeclaredKey(it.Type, id), Type: it.Type, ID: id, Action: Delete, Reasons: []Reason{why}, live: full, State: provisioningState(full)})
	}
	return nil
}

// undeclaredKey names a live resource the project does not declare, of an ARM type and ID, as
// declared ones are named: Group::Type rg::name (its ARM type and ID when the catalogue does
// not know it).
func (p *Plan) undeclaredKey(typ, id string) string {
	parsed, err := armid.Parse(id)
	if p.Target == nil || p.Target.Catalog == nil || err != nil {
		return typ + " " + id
	}
	ti, ok := p.Target.Catalog.Find(typ)
	if !ok {
		return typ + " " + id
	}
	return ti.ShortName + " " + target.FullName(parsed)
}

// dropReferences shows the live values a PUT drops that refer to other resources (a
// subnet's network security group), which the code does not declare: on every resource
// written, as its PUT sends the whole resource; and on every other declared resource that
// refers to a resource the plan deletes, which must drop the reference before it can go.
// (Other values only live has, such as Azure's defaults, stay out: --drift lists them.)
func (p *Plan) dropReferences() {
	doomed := map[string]string{} // lower-cased ID -> key
	for _, c := range p.Changes {
		if c.Action == Delete && c.ID != "" {
			doomed[strings.ToLower(c.ID)] = c.Key
		}
	}
	for _, c := range p.Changes {
		if c.Resource == nil || c.live == nil && c.keptInline == "" || c.Action != NoOp && c.Action != Update || c.Resource.ReadOnly() {
			continue
		}
		refers := func(id string) (string, bool) {
			if key, ok := doomed[strings.ToLower(id)]; ok {
				return key, true
			}
			// Written anyway: any other resource it refers to.
			return id, c.Action == Update && !strings.EqualFold(id, c.ID) && !within(id, c.ID)
		}
		if c.Action == NoOp && len(doomed) == 0 {
			continue
		}
		p.written(c) // what it would send, if it is written after all
		for _, ref := range liveOnlyRefs(c.Resource.Schema.Body, c.body, c.liveBody(), "", refers) {
			c.Diffs = append(c.Diffs, ref.diff)
			c.Reasons = append(c.Reasons, Reason{Kind: ReasonDropsRef, Path: ref.diff.Path, Of: ref.of})
			c.Action = Update
		}
	}
}

type droppedRef struct {
	diff Diff
	of   string
}

// liveOnlyRefs finds the writable live values the code does not declare that hold an ID that
// refers accepts (it names what the ID refers to).
func liveOnlyRefs(t *catalog.Type, want, have map[string]any, path string, refers func(id string) (string, bool)) []droppedRef {
	var out []droppedRef
	eachLiveOnlyRef(t, want, have, path, refers, func(parent *catalog.Type, key string, v any, at, of string) bool {
		before := secret.Redact(v, secret.Child(parent, key))
		if secret.Property(parent, key, false) != secret.None {
			before = secret.Mask
		}
		out = append(out, droppedRef{Diff{Path: at, Before: before}, of})
		return true
	})
	return out
}

// eachLiveOnlyRef gives found, in key order, each writable live value the code does not declare
// that holds an ID that refers accepts: the object's schema and key, the value, its path and
// what refers names. found returns false to stop; eachLiveOnlyRef reports whether it stopped.
func eachLiveOnlyRef(t *catalog.Type, want, have map[string]any, path string, refers func(id string) (string, bool), found func(parent *catalog.Type, key string, v any, at, of string) bool) bool {
	t = secret.Resolve(t, have)
	for _, k := range slices.Sorted(maps.Keys(have)) {
		if path == "" && (strings.EqualFold(k, "id") || strings.EqualFold(k, "tags")) {
			continue
		}
		if t != nil {
			if p := t.Property(k); p != nil && p.Flags.Has(catalog.FlagReadOnly) {
				continue // what Azure writes back: no PUT sends it
			}
		}
		_, w, declared := lookupKey(want, k)
		wm, wok := w.(map[string]any)
		hm, hok := have[k].(map[string]any)
		if declared && wok && hok {
			if eachLiveOnlyRef(secret.Child(t, k), wm, hm, join(path, k), refers, found) {
				return true
			}
			continue
		}
		if declared && w != nil {
			continue
		}
		for _, id := range writableRefs(secret.Child(t, k), have[k], false) {
			if of, ok := refers(id); ok {
				if !found(t, k, have[k], join(path, k), of) {
					return true
				}
				break
			}
		}
	}
	return false
}

// refuseReadOnly refuses a plan that needs a read-only resource (readOnly: true: referred to,
// never written) that does not exist, or that would delete one with what holds it.
func (p *Plan) refuseReadOnly() {
	for _, r := range p.Target.Resources {
		c := p.Of(r)
		if c == nil || !r.ReadOnly() {
			continue
		}
		if c.live == nil && c.Action == NoOp {
			p.Refusals = append(p.Refusals, fmt.Sprintf("%s is read-only (readOnly: true: the project refers to it and does not make it) and does not exist", r.Key))
		}
		for _, x := range p.Changes {
			if x.Deletes() && within(c.ID, x.ID) {
				p.Refusals = append(p.Refusals, fmt.Sprintf("deleting %s would delete %s, which is read-only (readOnly: true): the project must not delete it", x.Key, r.Key))
			}
		}
	}
}

// refuse records why apply must not carry the plan out: a replacement that deletes a resource
// group, or a resource with something inside, needs AllowReplace.
func (p *Plan) refuse() {
	if p.Options.AllowReplace {
		return
	}
	for _, c := range p.Changes {
		if c.Action != Replace || c.DeletedWith != "" {
			continue
		}
		var inside []string
		for _, o := range p.Changes {
			if o.DeletedWith == c.Key {
				inside = append(inside, o.Key)
			}
		}
		isGroup := c.Resource != nil && target.IsResourceGroup(c.Resource.Type)
		if !isGroup && len(inside) == 0 {
			continue
		}
		what := "a resource with resources inside"
		if isGroup {
			what = "a resource group"
		}
		msg := fmt.Sprintf("%s is %s: replacing it (%s) deletes it", c.Key, what, reasonList(c.Reasons))
		if len(inside) > 0 {
			msg += fmt.Sprintf(" and %s inside it (%s)", count(len(inside), "resource"), strings.Join(inside, ", "))
		}
		p.Refusals = append(p.Refusals, msg+"; pass --allow-replace to go ahead")
	}
}

func count(n int, noun string) string {
	if n == 1 {
		return "the resource"
	}
	return fmt.Sprintf("the %d %ss", n, noun)
}

func reasonList(rs []Reason) string {
	var out []string
	for _, r := range rs {
		if r.Kind != ReasonDiffers {
			out = append(out, r.String())
		}
	}
	return strings.Join(out, ", ")
}

// fingerprint records the hash of each body to send (secrets masked) and the version of each
// live resource, and the masked bodies for readers of the plan.
func (p *Plan) fingerprint() {
	for _, c := range p.Changes {
		switch {
		case c.Action == NoOp: // saved plans compare the versions of what they change
		case c.droppedETag != "":
			c.LiveVersion = "etag:" + c.droppedETag
		case c.live != nil:
			c.LiveVersion = LiveVersion(c.live, p.schemaOf(c))
		}
		if !c.Puts() || c.body == nil {
			continue
		}
		var schema *catalog.Type
		if c.Resource != nil {
			schema = c.Resource.Schema.Body
		}
		c.Body = secret.Redact(c.body, schema).(map[string]any)
		c.BodyHash = hash(secret.RedactSensitive(c.body, schema))
	}
}

// LiveVersion is a live resource's ETag, else a hash of its body with its secrets masked
// (of schema t; nil: by name): saved plans hold no secret, not even hashed.
func LiveVersion(live map[string]any, t *catalog.Type) string {
	if etag := armclient.Field(live, "etag"); etag != "" {
		return "etag:" + etag
	}
	return hash(secret.Redact(live, t))
}

func hash(v any) string {
	data, _ := json.Marshal(v) // maps marshal with sorted keys: canonical
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:16])
}

// Order lists a target's resources so that each comes after its dependencies.
func Order(t *target.Target) []*target.Resource {
	var out []*target.Resource
	seen := map[*target.Resource]bool{}
	var visit func(r *target.Resource)
	visit = func(r *target.Resource) {
		if seen[r] {
			return
		}
		seen[r] = true
		for _, deps := range r.Deps { // sorted by key
			for _, d := range deps.On {
				visit(d)
			}
		}
		out = append(out, r)
	}
	for _, r := range t.Resources {
		visit(r)
	}
	return out
}

// groupOf is the ID of the resource group an ID is in, "" for none.
func groupOf(id string) string {
	parsed, err := armid.Parse(id)
	if err != nil || parsed.ResourceGroupName() == "" {
		return ""
	}
	return armid.ResourceGroup(parsed.SubscriptionID(), parsed.ResourceGroupName()).String()
}

// within reports whether id is inside the resource container (a descendant of it).
func within(id, container string) bool {
	if id == "" || container == "" {
		return false
	}
	return len(id) > len(container) && strings.EqualFold(id[:len(container)], container) && id[len(container)] == '/'
}

// sortChanges keeps declared resources in declaration order, then the others by key.
func (p *Plan) sortChanges() {
	pos := map[*Change]int{}
	for i, c := range p.Changes {
		pos[c] = i
	}
	sort.SliceStable(p.Changes, func(i, j int) bool {
		a, b := p.Changes[i], p.Changes[j]
		if (a.Resource != nil) != (b.Resource != nil) {
			return a.Resource != nil
		}
		if a.Resource != nil {
			return pos[a] < pos[b]
		}
		return a.Key < b.Key
	})
}
