package engine

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/dag"
	"github.com/gru-iac/gru/internal/project"
	"github.com/gru-iac/gru/internal/validate"
)

// Cloud is what the engine needs of ARM: get, put, delete and list resources.
type Cloud interface {
	Get(ctx context.Context, id, version string) (map[string]any, error)
	Put(ctx context.Context, id, version string, body any) (map[string]any, error)
	Delete(ctx context.Context, id, version string) error
	List(ctx context.Context, collection, version string, query url.Values) ([]map[string]any, error)
	ListResourceGroups(ctx context.Context) ([]map[string]any, error)
	ListResources(ctx context.Context, resourceGroup, filter string) ([]map[string]any, error)
}

// Engine plans and applies targets against a cloud.
type Engine struct {
	Cloud Cloud
	// Parallelism bounds the operations in flight (default 20).
	Parallelism int
	// Progress, when set, receives a line as each resource starts and ends.
	Progress io.Writer

	progressMu sync.Mutex // serialises the lines written to Progress
}

// Live is what exists of a target: live resources by lower-cased ID.
type Live struct {
	byID map[string]map[string]any
	// collections lists the live items of each collection listed, by lower-cased collection path.
	collections map[string][]map[string]any
	// Requests is how many list requests the inventory made.
	Requests int
}

// collectionOf is the path that lists a resource's siblings, or "" when its parent is not known yet.
func collectionOf(r *Resource) string {
	if r.Parent == nil {
		return ""
	}
	segs := strings.Split(r.Type.ARMType, "/")
	last := segs[len(segs)-1]
	if isResourceGroup(r.Type) {
		return r.Parent.String() + "/resourcegroups"
	}
	if len(segs) == 2 { // a top-level type: its block starts under the parent
		return r.Parent.String() + "/providers/" + r.Type.Namespace() + "/" + last
	}
	return r.Parent.String() + "/" + last
}

// Inventory lists what exists of the target, one list request a collection, in parallel.
func (e *Engine) Inventory(ctx context.Context, t *Target) (*Live, error) {
	live := &Live{byID: map[string]map[string]any{}, collections: map[string][]map[string]any{}}
	versions := map[string]string{}
	for _, r := range t.Resources {
		if c := collectionOf(r); c != "" {
			versions[strings.ToLower(c)] = r.Type.DefaultVersion
			if _, ok := live.collections[strings.ToLower(c)]; !ok {
				live.collections[strings.ToLower(c)] = nil
			}
		}
	}
	paths := map[string]string{}
	for _, r := range t.Resources {
		if c := collectionOf(r); c != "" {
			paths[strings.ToLower(c)] = c
		}
	}
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, 10)
	var wg sync.WaitGroup
	for key, path := range paths {
		wg.Add(1)
		go func(key, path string) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			items, err := e.Cloud.List(ctx, path, versions[key], nil)
			mu.Lock()
			defer mu.Unlock()
			live.Requests++
			if err != nil && !armclient.IsNotFound(err) {
				if firstErr == nil {
					firstErr = fmt.Errorf("listing %s: %w", path, err)
				}
				return
			}
			live.collections[key] = items
			for _, it := range items {
				if id, _ := it["id"].(string); id != "" {
					live.byID[strings.ToLower(id)] = it
				}
			}
		}(key, path)
	}
	wg.Wait()
	return live, firstErr
}

// match finds the live resource of a target resource, nil when there is none.
func (l *Live) match(r *Resource, ids map[*Resource]string) map[string]any {
	if r.IdentityFrom != "" {
		depID := ids[r.Deps[r.IdentityFrom][0]]
		if depID == "" {
			return nil
		}
		for _, it := range l.collections[strings.ToLower(collectionOf(r))] {
			if strings.EqualFold(endpointOf(it), depID) {
				return it
			}
		}
		return nil
	}
	if r.ID == nil {
		return nil
	}
	return l.byID[r.ID.Key()]
}

// Action is what a plan does to a resource.
type Action string

// The actions of a plan.
const (
	Create  Action = "create"
	Update  Action = "update"
	Replace Action = "replace" // a property that cannot change in place changed: delete, then create
	Delete  Action = "delete"  // managed, no longer in the code (apply --prune)
	Keep    Action = "no change"
)

// Diff is one property that differs between the code and live.
type Diff struct {
	Path string `json:"path"`
	Want any    `json:"want"`
	Have any    `json:"have"`
}

// Change is the plan for one resource.
type Change struct {
	Resource *Resource `json:"-"`
	Key      string    `json:"resource"`
	ID       string    `json:"id"`
	Action   Action    `json:"action"`
	Diffs    []Diff    `json:"diffs,omitempty"`
	live     map[string]any
}

// Plan is the changes that would make live match a target.
type Plan struct {
	Target  *Target   `json:"-"`
	Changes []*Change `json:"changes"`
	// Requests is how many ARM requests planning made.
	Requests int `json:"requests"`
	ids      map[*Resource]string
	// changes holds the change of each target resource (Changes in a map, for lookups).
	changes map[*Resource]*Change
}

// Pending reports whether the plan changes anything.
func (p *Plan) Pending() bool {
	for _, c := range p.Changes {
		if c.Action != Keep {
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

// Plan compares a target with what is live.
func (e *Engine) Plan(ctx context.Context, t *Target) (*Plan, error) {
	live, err := e.Inventory(ctx, t)
	if err != nil {
		return nil, err
	}
	p := &Plan{Target: t, Requests: live.Requests, ids: map[*Resource]string{}, changes: map[*Resource]*Change{}}
	for _, r := range t.Resources {
		if r.ID != nil {
			p.ids[r] = r.ID.String()
		}
	}
	// Resources named by Azure are matched through their dependency, in declaration order
	// (a dependency's ID is known before its dependents are matched).
	for _, r := range order(t) {
		c := &Change{Resource: r, Key: r.Key}
		c.live = live.match(r, p.ids)
		if c.live != nil {
			id, _ := c.live["id"].(string)
			p.ids[r] = id
		}
		c.ID = p.ids[r]
		switch {
		case c.live == nil:
			c.Action = Create
		default:
			c.Diffs = diff(desired(r, p.ids), c.live, "")
			c.Action = Keep
			if len(c.Diffs) > 0 {
				c.Action = Update
			}
			for _, d := range c.Diffs {
				if immutable(r, d.Path) {
					c.Action = Replace
				}
			}
		}
		p.Changes = append(p.Changes, c)
		p.changes[r] = c
	}
	// Report in declaration order.
	p.Changes = p.Changes[:0]
	for _, r := range t.Resources {
		p.Changes = append(p.Changes, p.changes[r])
	}
	return p, nil
}

// immutable reports a property that ARM cannot change in place: one the type data marks
// deploy-time constant, and a resource's location, which ARM never moves.
func immutable(r *Resource, path string) bool {
	if path == "location" {
		return true
	}
	t := r.Schema.Body
	for _, k := range strings.Split(path, ".") {
		if i := strings.IndexByte(k, '['); i >= 0 {
			k = k[:i]
		}
		if t == nil {
			return false
		}
		p := t.Property(k)
		if p == nil {
			return false
		}
		if p.Flags.Has(catalog.FlagDeployTimeConstant) {
			return true
		}
		t = p.Type
		for t.Kind == catalog.KindArray && t.Items != nil {
			t = t.Items
		}
	}
	return false
}

// Prune adds to a plan the deletion of what the project manages but no longer declares: its
// tagged resource groups and top-level resources. Members of a group that goes are not listed.
func (e *Engine) Prune(ctx context.Context, p *Plan) error {
	wanted := map[string]bool{}
	for _, id := range p.ids {
		wanted[strings.ToLower(id)] = true
	}
	doomed, err := e.strays(ctx, p.Target.Project, wanted)
	if err != nil {
		return err
	}
	p.Requests += 2
	for _, r := range doomed {
		id, _ := r["id"].(string)
		typ, _ := r["type"].(string)
		p.Changes = append(p.Changes, &Change{Key: "pruned " + typ + " " + id, ID: id, Action: Delete, live: r})
	}
	return nil
}

// strays lists the live resource groups and top-level resources that carry the project's
// ownership tags but whose IDs are not wanted; members of a stray group are left out, as they
// go with it.
func (e *Engine) strays(ctx context.Context, proj *project.Project, wanted map[string]bool) ([]map[string]any, error) {
	groups, err := e.Cloud.ListResourceGroups(ctx)
	if err != nil {
		return nil, err
	}
	resources, err := e.Cloud.ListResources(ctx, "", fmt.Sprintf("tagName eq '%s' and tagValue eq '%s'", TagProject, strings.ReplaceAll(proj.Name, "'", "''")))
	if err != nil {
		return nil, err
	}
	goingGroups := map[string]bool{}
	var out []map[string]any
	for _, rg := range groups {
		id, _ := rg["id"].(string)
		if Managed(rg, proj.Name, proj.Stage) && !wanted[strings.ToLower(id)] {
			goingGroups[strings.ToLower(id)] = true
			out = append(out, rg)
		}
	}
	for _, r := range resources {
		id, _ := r["id"].(string)
		parsed, err := armid.Parse(id)
		if err != nil || !Managed(r, proj.Name, proj.Stage) || wanted[strings.ToLower(id)] {
			continue
		}
		if goingGroups[strings.ToLower(armid.ResourceGroup(parsed.SubscriptionID(), parsed.ResourceGroupName()).String())] {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// order lists resources so that each comes after its dependencies.
func order(t *Target) []*Resource {
	var out []*Resource
	seen := map[*Resource]bool{}
	var visit func(r *Resource)
	visit = func(r *Resource) {
		if seen[r] {
			return
		}
		seen[r] = true
		for _, key := range sortedKeys(r.Deps) {
			for _, d := range r.Deps[key] {
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

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// desired is the body to send, read-only properties removed and placeholders replaced by the
// IDs now known.
func desired(r *Resource, ids map[*Resource]string) map[string]any {
	body, _ := validate.StripReadOnly(r.Schema, r.Body).(map[string]any)
	if body == nil {
		body = map[string]any{}
	}
	byKey := map[string]string{}
	for _, deps := range r.Deps {
		for _, d := range deps {
			if id := ids[d]; id != "" {
				byKey["(ID of "+d.Key+", known after apply)"] = id
			}
		}
	}
	return replacePlaceholders(body, byKey).(map[string]any)
}

func replacePlaceholders(v any, ids map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = replacePlaceholders(e, ids)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = replacePlaceholders(e, ids)
		}
		return out
	case string:
		if id, ok := ids[x]; ok {
			return id
		}
	}
	return v
}

// diff compares what the code says with live, only where the code says something, as ARM
// normalises: strings compare case-insensitively (enum values, IDs), locations without spaces.
func diff(want any, have any, path string) []Diff {
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return []Diff{{Path: path, Want: want, Have: have}}
		}
		var out []Diff
		for _, k := range sortedKeys(w) {
			hv, found := lookupFold(h, k)
			child := k
			if path != "" {
				child = path + "." + k
			}
			if !found {
				if w[k] != nil {
					out = append(out, Diff{Path: child, Want: w[k]})
				}
				continue
			}
			out = append(out, diff(w[k], hv, child)...)
		}
		return out
	case []any:
		h, ok := have.([]any)
		if !ok || len(h) != len(w) {
			return []Diff{{Path: path, Want: want, Have: have}}
		}
		var out []Diff
		for i := range w {
			out = append(out, diff(w[i], h[i], fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	case string:
		hs, ok := have.(string)
		if ok && (strings.EqualFold(w, hs) || strings.HasSuffix(path, "location") && normLocation(w) == normLocation(hs)) {
			return nil
		}
		return []Diff{{Path: path, Want: want, Have: have}}
	}
	if fmt.Sprint(want) == fmt.Sprint(have) {
		return nil
	}
	return []Diff{{Path: path, Want: want, Have: have}}
}

func normLocation(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "")) }

func lookupFold(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// Outcome is how one resource fared in an apply or destroy.
type Outcome struct {
	Key    string        `json:"resource"`
	Action Action        `json:"action"`
	State  string        `json:"state"` // done, failed, skipped, canceled
	Error  string        `json:"error,omitempty"`
	Took   time.Duration `json:"tookNanoseconds"`
}

func (e *Engine) progress(format string, args ...any) {
	if e.Progress != nil {
		e.progressMu.Lock()
		defer e.progressMu.Unlock()
		fmt.Fprintf(e.Progress, format+"\n", args...)
	}
}

// tally counts the resources of a run as they end, for progress lines:
// "[elapsed] done/total state resource".
type tally struct {
	mu             sync.Mutex
	start          time.Time
	total, settled int
}

func newTally(total int) *tally { return &tally{start: time.Now(), total: total} }

// line prefixes a progress message with the elapsed time and the count of settled resources;
// end says the message settles one.
func (t *tally) line(end bool, msg string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if end {
		t.settled++
	}
	return fmt.Sprintf("[%6.1fs %d/%d] %s", time.Since(t.start).Seconds(), t.settled, t.total, msg)
}

func (e *Engine) parallelism() int {
	if e.Parallelism > 0 {
		return e.Parallelism
	}
	return 20
}

// Apply carries a plan out: each resource starts as soon as its dependencies are done, at most
// Parallelism at a time; a failure skips its dependents while independent work goes on.
// When ctx ends (Ctrl-C), nothing new starts, and the operations in flight are let finish,
// so that none is left half-done; a later run carries on.
func (e *Engine) Apply(ctx context.Context, p *Plan) ([]Outcome, error) {
	g := dag.New()
	changes := map[string]*Change{}
	for _, c := range p.Changes {
		g.Add(c.Key)
		changes[c.Key] = c
		if c.Resource == nil {
			continue
		}
		for _, deps := range c.Resource.Deps {
			for _, d := range deps {
				g.Connect(c.Key, d.Key)
			}
		}
	}
	var mu sync.Mutex
	ids := map[*Resource]string{}
	for r, id := range p.ids {
		ids[r] = id
	}
	took := map[string]time.Duration{}
	pending := 0
	for _, c := range p.Changes {
		if c.Action != Keep {
			pending++
		}
	}
	tl := newTally(pending)
	inFlight := context.WithoutCancel(ctx)
	results, err := g.Walk(ctx, e.parallelism(), func(_ context.Context, key string) error {
		ctx := inFlight
		c := changes[key]
		if c.Action == Keep {
			return nil
		}
		start := time.Now()
		e.progress("%s", tl.line(false, verb(c.Action)+" "+key+" ..."))
		var err error
		switch c.Action {
		case Delete:
			err = e.Cloud.Delete(ctx, c.ID, "") // the type's default API version
		case Replace:
			if err = e.Cloud.Delete(ctx, c.ID, c.Resource.Type.DefaultVersion); err == nil {
				err = e.applyOne(ctx, c, &mu, ids)
			}
		default:
			err = e.applyOne(ctx, c, &mu, ids)
		}
		elapsed := time.Since(start)
		mu.Lock()
		took[key] = elapsed
		mu.Unlock()
		if err != nil {
			e.progress("%s", tl.line(true, fmt.Sprintf("%s %s failed after %v: %v", verb(c.Action), key, elapsed.Round(time.Millisecond), err)))
			return err
		}
		e.progress("%s", tl.line(true, fmt.Sprintf("%s %s done in %v", verb(c.Action), key, elapsed.Round(time.Millisecond))))
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []Outcome
	for _, c := range p.Changes {
		out = append(out, outcome(c.Key, c.Action, results[c.Key], took[c.Key]))
	}
	return out, nil
}

func verb(a Action) string {
	switch a {
	case Create:
		return "creating"
	case Update:
		return "updating"
	case Replace:
		return "replacing"
	}
	return "deleting"
}

func outcome(key string, action Action, r dag.Result, took time.Duration) Outcome {
	o := Outcome{Key: key, Action: action, Took: took}
	switch r.State {
	case dag.Succeeded:
		o.State = "done"
	case dag.Failed:
		o.State, o.Error = "failed", r.Err.Error()
	case dag.Skipped:
		o.State, o.Error = "skipped", "its dependency "+r.Cause+" failed"
	case dag.Canceled:
		o.State, o.Error = "canceled", "interrupted before it started"
	}
	return o
}

// applyOne creates or updates one resource. A resource Azure names is found first, through
// its dependency, now that the dependency is done.
func (e *Engine) applyOne(ctx context.Context, c *Change, mu *sync.Mutex, ids map[*Resource]string) error {
	r := c.Resource
	mu.Lock()
	id := ids[r]
	body := desired(r, ids)
	depID := ""
	if r.IdentityFrom != "" {
		depID = ids[r.Deps[r.IdentityFrom][0]]
	}
	parentID := ""
	if r.Parent != nil {
		parentID = r.Parent.String()
	}
	mu.Unlock()
	if r.IdentityFrom != "" && id == "" {
		items, err := e.Cloud.List(ctx, collectionOf(r), r.Type.DefaultVersion, nil)
		if err != nil {
			return err
		}
		for _, it := range items {
			if strings.EqualFold(endpointOf(it), depID) {
				id, _ = it["id"].(string)
			}
		}
		if id == "" {
			return fmt.Errorf("%s: %s made no connection on %s: Azure makes it when the endpoint links to the resource (check the endpoint's privateLinkServiceId)", r.Key, depID, parentID)
		}
	}
	if id == "" {
		return fmt.Errorf("%s: its ID is not known: a parent is named by Azure", r.Key)
	}
	res, err := e.Cloud.Put(ctx, id, r.Type.DefaultVersion, body)
	if err != nil {
		return err
	}
	if got, _ := res["id"].(string); got != "" {
		id = got
	}
	mu.Lock()
	ids[r] = id
	mu.Unlock()
	return nil
}

// Managed reports whether a live resource carries this project's ownership tags.
func Managed(live map[string]any, project, stage string) bool {
	tags, _ := live["tags"].(map[string]any)
	return tags[TagManagedBy] == "grucloud" && tags[TagProject] == project && (stage == "" || tags[TagStage] == stage)
}

// Destroy deletes what the target manages that is live, in reverse dependency order. A
// resource group that gru manages is deleted whole, and what it holds is not deleted one by one.
// Untaggable children count as managed when their parent is. With all, the project's live
// resources go whether gru manages them or not.
func (e *Engine) Destroy(ctx context.Context, t *Target, keep func(*Resource) bool, all bool) ([]Outcome, error) {
	p, err := e.Plan(ctx, t)
	if err != nil {
		return nil, err
	}
	proj := t.Project
	doomed := map[*Resource]string{}
	managed := map[*Resource]bool{}
	for _, r := range order(t) {
		c := p.changes[r]
		if c.live == nil {
			continue
		}
		if r.Schema.Has("tags") {
			managed[r] = Managed(c.live, proj.Name, proj.Stage)
		} else {
			for _, d := range r.Deps {
				for _, dep := range d {
					managed[r] = managed[r] || managed[dep]
				}
			}
		}
		if (managed[r] || all) && (keep == nil || keep(r)) {
			doomed[r] = c.ID
		}
	}
	// Without a filter, what the project manages but no longer declares goes too.
	var strays []map[string]any
	if keep == nil {
		wanted := map[string]bool{}
		for _, c := range p.Changes {
			if c.ID != "" {
				wanted[strings.ToLower(c.ID)] = true
			}
		}
		if strays, err = e.strays(ctx, proj, wanted); err != nil {
			return nil, err
		}
	}
	// What a doomed resource group holds goes with it.
	groups := map[string]bool{}
	for r, id := range doomed {
		if isResourceGroup(r.Type) {
			groups[strings.ToLower(id)] = true
		}
	}
	for r, id := range doomed {
		if parsed, err := armid.Parse(id); err == nil && !isResourceGroup(r.Type) && groups[strings.ToLower(armid.ResourceGroup(parsed.SubscriptionID(), parsed.ResourceGroupName()).String())] {
			delete(doomed, r)
		}
	}
	g := dag.New()
	byKey := map[string]*Resource{}
	strayIDs := map[string]string{}
	for _, r := range strays {
		id, _ := r["id"].(string)
		typ, _ := r["type"].(string)
		parsed, err := armid.Parse(id)
		if err != nil || groups[strings.ToLower(armid.ResourceGroup(parsed.SubscriptionID(), parsed.ResourceGroupName()).String())] && !parsed.IsResourceGroup() {
			continue
		}
		key := "undeclared " + typ + " " + id
		strayIDs[key] = id
		g.Add(key)
	}
	for r := range doomed {
		g.Add(r.Key)
		byKey[r.Key] = r
		for _, deps := range r.Deps {
			for _, d := range deps {
				if _, ok := doomed[d]; ok {
					g.Connect(d.Key, r.Key) // d is deleted after r
				}
			}
		}
	}
	var mu sync.Mutex
	took := map[string]time.Duration{}
	tl := newTally(len(doomed))
	inFlight := context.WithoutCancel(ctx)
	tl.total += len(strayIDs)
	results, err := g.Walk(ctx, e.parallelism(), func(_ context.Context, key string) error {
		start := time.Now()
		e.progress("%s", tl.line(false, "deleting "+key+" ..."))
		var err error
		if id, stray := strayIDs[key]; stray {
			err = e.Cloud.Delete(inFlight, id, "")
		} else {
			r := byKey[key]
			err = e.Cloud.Delete(inFlight, doomed[r], r.Type.DefaultVersion)
		}
		elapsed := time.Since(start)
		mu.Lock()
		took[key] = elapsed
		mu.Unlock()
		if err != nil {
			e.progress("%s", tl.line(true, fmt.Sprintf("deleting %s failed: %v", key, err)))
			return err
		}
		e.progress("%s", tl.line(true, fmt.Sprintf("deleting %s done in %v", key, elapsed.Round(time.Millisecond))))
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []Outcome
	for _, key := range g.Vertices() {
		out = append(out, outcome(key, "delete", results[key], took[key]))
	}
	return out, nil
}

// LiveOf returns the live body of a planned resource, nil when it does not exist.
func (p *Plan) LiveOf(r *Resource) map[string]any {
	if c := p.changes[r]; c != nil {
		return c.live
	}
	return nil
}
