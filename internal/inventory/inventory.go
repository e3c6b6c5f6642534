// Package inventory lists what is live, with as few ARM requests as it can: for a target, one
// list request per collection its resources live in; for a subscription, its resource groups,
// its top-level resources and, below them, the child resources of the types GruCloud's table
// describes. Plan, list, gencode and graph all read live resources through it. It reads and
// never writes.
package inventory

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/ownership"
	"github.com/gru-iac/gru/internal/target"
	"github.com/gru-iac/gru/internal/validate"
	"github.com/tidwall/gjson"
)

// Cloud is what the inventory needs of ARM.
type Cloud interface {
	Get(ctx context.Context, id, version string) (map[string]any, error)
	List(ctx context.Context, collection, version string, query url.Values) ([]map[string]any, error)
	// ListEach lists as List does, giving each item to each as it is read.
	ListEach(ctx context.Context, collection, version string, query url.Values, each func(map[string]any)) error
	// ListEachDecoded lists as ListEach does, making each item from its JSON text with decode;
	// the text is valid JSON.
	ListEachDecoded(ctx context.Context, collection, version string, query url.Values, decode func(text string) (map[string]any, error), each func(map[string]any)) error
	ListResourceGroups(ctx context.Context) ([]map[string]any, error)
	ListResources(ctx context.Context, resourceGroup, filter string) ([]map[string]any, error)
	// ListResourcesEach lists as ListResources does, giving each item's header to each as it
	// is read.
	ListResourcesEach(ctx context.Context, resourceGroup, filter string, each func(armclient.Header)) error
}

// listParallelism bounds the list requests in flight.
const listParallelism = 10

// Live is what exists of a target: the live resources the target declares by ID, the others
// by lower-cased ID, and the items of each collection listed.
type Live struct {
	target   *target.Target
	declared map[*target.Resource]map[string]any
	others   map[string]map[string]any
	// collections are by lower-cased collection path.
	collections map[string][]map[string]any
	// Requests is how many requests the inventory made.
	Requests int
}

// OfTarget lists what exists of a target: one list request per collection, in parallel. With
// trim, what a plan never reads of a live body (its read-only values, but for readKept's and
// the values other resources take from it) is never decoded: a network security group's six
// default rules and the like weigh, by the thousand. settle, when set, is given each live
// resource the target declares by ID as it is read, from the listing's goroutines (several
// at once); what it takes (returning true) Live does not keep. A body settle keeps whole it
// gives to share, which lets it share what it has alike with the others (sharedValues).
func OfTarget(ctx context.Context, c Cloud, t *target.Target, trim bool, settle func(r *target.Resource, item map[string]any, share func(map[string]any)) bool) (*Live, error) {
	live := &Live{target: t, declared: map[*target.Resource]map[string]any{}, others: map[string]map[string]any{}, collections: map[string][]map[string]any{}}
	type collection struct {
		path, version string
		schema        *catalog.Resource
	}
	wanted := map[string]collection{}
	// Whether any live body has values other resources take (getId with a path): most
	// projects have none, and their items are not looked up twice.
	valuesTaken := slices.ContainsFunc(t.Resources, func(r *target.Resource) bool { return len(r.ValuePaths) > 0 })
	for _, r := range t.Resources {
		if p := target.CollectionOf(r); p != "" {
			wanted[strings.ToLower(p)] = collection{p, r.APIVersion(), r.Schema}
		}
	}
	keys := make([]string, 0, len(wanted))
	for k := range wanted {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var mu sync.Mutex
	var firstErr error
	shared := sharedValues{}
	share := func(body map[string]any) {
		if trim {
			mu.Lock()
			defer mu.Unlock()
			shared.share(body)
		}
	}
	unread := validate.NewWritableDecoder(readKept()...)
	forEach(keys, func(key string) {
		col := wanted[key]
		var items []map[string]any
		add := func(it map[string]any) {
			if settle != nil {
				if r := t.ByID(armclient.Field(it, "id")); r != nil && settle(r, it, share) {
					return
				}
			}
			items = append(items, it)
		}
		var err error
		if trim {
			// Read without what a plan does not read, which is never decoded.
			decode := func(text string) (map[string]any, error) {
				if valuesTaken {
					if r := t.ByID(gjson.Get(text, "id").Str); r != nil && len(r.ValuePaths) > 0 {
						// and the values other resources take from it (getId with a path)
						return validate.NewWritableDecoder(append(readKept(), r.ValuePaths...)...).DecodeValid(col.schema, text)
					}
				}
				return unread.DecodeValid(col.schema, text)
			}
			err = c.ListEachDecoded(ctx, col.path, col.version, nil, decode, add)
		} else {
			err = c.ListEach(ctx, col.path, col.version, nil, add)
		}
		mu.Lock()
		defer mu.Unlock()
		live.Requests++
		if err != nil && !armclient.IsNotFound(err) {
			if firstErr == nil {
				firstErr = fmt.Errorf("listing %s: %w", col.path, err)
			}
			return
		}
		live.collections[key] = items
		for _, it := range items {
			if trim {
				shared.share(it)
			}
			live.Add(it)
		}
	})
	return live, firstErr
}

// sharedValues lets the trimmed bodies of a listing share the small objects they have alike
// (the ownership tags, {"provisioningState": "Succeeded"}) and their short strings (types,
// locations): ten thousand bodies hold a few hundred of each rather than ten thousand. Live
// bodies are read, never changed, once listed.
type sharedValues map[string]any

// share replaces, in a body and the objects in it, the objects of plain values (strings,
// numbers, booleans) of at most 8 keys, and the short strings but IDs and names, by those seen
// first alike.
func (sv sharedValues) share(body map[string]any) {
	for k, v := range body {
		switch v := v.(type) {
		case map[string]any:
			if shared, ok := sv.plainObject(v); ok {
				body[k] = shared
			} else {
				sv.share(v)
			}
		case string:
			if k != "id" && k != "name" && len(v) <= 64 {
				body[k] = sv.text(v)
			}
		}
	}
}

// text is the first string equal to s.
func (sv sharedValues) text(s string) any {
	key := "s\x00" + s
	if v, ok := sv[key]; ok {
		return v
	}
	sv[key] = s
	return sv[key]
}

// plainObject is the first object equal to o, when o holds plain values alone.
func (sv sharedValues) plainObject(o map[string]any) (map[string]any, bool) {
	if len(o) > 8 {
		return nil, false
	}
	keys := make([]string, 0, len(o))
	for k, v := range o {
		switch v.(type) {
		case string, bool, float64, json.Number, nil:
		default:
			return nil, false
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString("o")
	for _, k := range keys {
		fmt.Fprintf(&b, " %q:%T:%#v", k, o[k], o[k]) // quoted: no two objects write the same
	}
	key := b.String()
	if v, ok := sv[key]; ok {
		return v.(map[string]any), true
	}
	sv[key] = o
	return o, true
}

// readKept are the values of a live body a plan reads although they are read-only: its ID,
// name, type and ETag, its provisioning state, and the endpoint a connection belongs to.
func readKept() []string {
	return []string{"id", "name", "type", "etag", "properties.provisioningState", "properties.privateEndpoint"}
}

// forEach runs fn on each item, listParallelism at a time.
func forEach(items []string, fn func(string)) {
	sem := make(chan struct{}, listParallelism)
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func(it string) {
			defer wg.Done()
			defer func() { <-sem }()
			fn(it)
		}(it)
	}
	wg.Wait()
}

// Add records a live resource (as read again after a wait).
func (l *Live) Add(item map[string]any) {
	id, _ := item["id"].(string)
	switch r := l.target.ByID(id); {
	case id == "":
	case r != nil:
		l.declared[r] = item
	default:
		l.others[strings.ToLower(id)] = item
	}
}

// Remove forgets a live resource (gone while it was waited for).
func (l *Live) Remove(id string) {
	if r := l.target.ByID(id); r != nil {
		delete(l.declared, r)
	}
	delete(l.others, strings.ToLower(id))
}

// Match finds the live resource of a target resource, nil when there is none. A resource that
// Azure names is found through its dependency, whose ID known gives ("" when not known).
func (l *Live) Match(r *target.Resource, known func(key string) string) map[string]any {
	if r.IdentityFrom != "" {
		depID := known(r.Deps.Of(r.IdentityFrom)[0].Key)
		if depID == "" {
			return nil
		}
		for _, it := range l.collections[strings.ToLower(target.CollectionOf(r))] {
			if strings.EqualFold(target.EndpointOf(it), depID) {
				return it
			}
		}
		return nil
	}
	if r.ID == nil {
		return nil
	}
	if item, ok := l.declared[r]; ok {
		return item
	}
	return l.others[r.ID.Key()]
}

// Query says what of a subscription to list.
type Query struct {
	// ResourceGroups keeps these resource groups and what is in them (all when empty).
	ResourceGroups []string
	// Types keeps these types (Group::Type or ARM types; all when empty).
	Types []string
	// Owner, when set, keeps what it manages (by its tags) and their children.
	Owner *ownership.Owner
	// Children also lists, below each resource, the child resources of the types GruCloud's
	// table describes (one request per child collection).
	Children bool
}

// Subscription lists the live resources of the client's subscription that the query keeps,
// sorted by ID, and how many requests it made.
func Subscription(ctx context.Context, c Cloud, cat *catalog.Catalog, q Query) ([]map[string]any, int, error) {
	inGroups := func(rg string) bool {
		if len(q.ResourceGroups) == 0 {
			return true
		}
		for _, g := range q.ResourceGroups {
			if strings.EqualFold(g, rg) {
				return true
			}
		}
		return false
	}
	owned := func(r map[string]any) bool { return q.Owner == nil || q.Owner.Tagged(r) }
	requests := 0
	var out []map[string]any
	rgs, err := c.ListResourceGroups(ctx)
	requests++
	if err != nil {
		return nil, requests, err
	}
	for _, rg := range rgs {
		if inGroups(armclient.Field(rg, "name")) && owned(rg) {
			out = append(out, rg)
		}
	}
	all, err := c.ListResources(ctx, "", "")
	requests++
	if err != nil {
		return nil, requests, err
	}
	var tops []map[string]any
	for _, r := range all {
		id, err := armid.Parse(armclient.Field(r, "id"))
		if err != nil || !inGroups(id.ResourceGroupName()) || !owned(r) {
			continue
		}
		tops = append(tops, r)
	}
	tops, n, err := hydrate(ctx, c, cat, tops)
	requests += n
	if err != nil {
		return nil, requests, err
	}
	out = append(out, tops...)
	if q.Children {
		below, n, err := Below(ctx, c, cat, tops)
		requests += n
		if err != nil {
			return nil, requests, err
		}
		out = append(out, below...)
	}
	if len(q.Types) > 0 {
		var kept []map[string]any
		for _, r := range out {
			t, ok := cat.Find(armclient.Field(r, "type"))
			for _, want := range q.Types {
				if ok && (strings.EqualFold(want, t.ShortName) || strings.EqualFold(want, t.ARMType)) {
					kept = append(kept, r)
					break
				}
			}
		}
		out = kept
	}
	SortByID(out)
	return out, requests, nil
}

// SortByID sorts live resources by ID, case-insensitively.
func SortByID(rs []map[string]any) {
	sort.SliceStable(rs, func(i, j int) bool {
		return strings.ToLower(armclient.Field(rs[i], "id")) < strings.ToLower(armclient.Field(rs[j], "id"))
	})
}

// childTypes maps a lower-cased parent ARM type to the child types GruCloud's table describes.
func childTypes(cat *catalog.Catalog) map[string][]*catalog.TypeInfo {
	out := map[string][]*catalog.TypeInfo{}
	for _, t := range cat.Types() {
		if p := t.ParentType(); p != "" {
			if deps, _ := cat.Dependencies(t.ARMType); len(deps) > 0 {
				out[strings.ToLower(p)] = append(out[strings.ToLower(p)], t)
			}
		}
	}
	return out
}

// hydrate replaces the short bodies /resources returns (id, name, type, location, tags, sku,
// kind, identity) with the resources' full bodies: one list request per collection they are
// in (the resources of a type in a group), and a GET for those no list serves.
func hydrate(ctx context.Context, c Cloud, cat *catalog.Catalog, short []map[string]any) ([]map[string]any, int, error) {
	type collection struct{ path, version string }
	byPath := map[string]collection{}
	want := map[string]bool{}
	for _, r := range short {
		id, err := armid.Parse(armclient.Field(r, "id"))
		if err != nil || id.Parent == nil {
			continue
		}
		ti, ok := cat.Find(id.ResourceType())
		if !ok {
			continue
		}
		path := id.Parent.String() + "/providers/" + ti.ARMType
		byPath[strings.ToLower(path)] = collection{path, ti.DefaultVersion}
		want[id.Key()] = true
	}
	full := map[string]map[string]any{}
	var mu sync.Mutex
	requests := 0
	var firstErr error
	forEach(slices.Sorted(maps.Keys(byPath)), func(key string) {
		col := byPath[key]
		items, err := c.List(ctx, col.path, col.version, nil)
		mu.Lock()
		defer mu.Unlock()
		requests++
		if err != nil {
			if !armclient.IsNotFound(err) && firstErr == nil {
				firstErr = fmt.Errorf("listing %s: %w", col.path, err)
			}
			return
		}
		for _, it := range items {
			if k := strings.ToLower(armclient.Field(it, "id")); want[k] {
				full[k] = it
			}
		}
	})
	if firstErr != nil {
		return nil, requests, firstErr
	}
	out := make([]map[string]any, 0, len(short))
	for _, r := range short {
		k := strings.ToLower(armclient.Field(r, "id"))
		if f, ok := full[k]; ok {
			out = append(out, f)
			continue
		}
		// Not in any list (a type gru does not know, one listed nowhere): as /resources has it,
		// or by its own GET when gru knows the type.
		if ti, ok := cat.Find(armclient.Field(r, "type")); ok && want[k] {
			body, err := c.Get(ctx, armclient.Field(r, "id"), ti.DefaultVersion)
			requests++
			if err == nil && body != nil {
				out = append(out, body)
				continue
			}
			if err != nil && !armclient.IsNotFound(err) {
				return nil, requests, fmt.Errorf("reading %s: %w", armclient.Field(r, "id"), err)
			}
			continue // gone since it was listed
		}
		out = append(out, r)
	}
	return out, requests, nil
}

// Below lists, under each of the given live resources and recursively, the child resources of
// the types GruCloud's table describes, in parallel, and returns them with the request count.
func Below(ctx context.Context, c Cloud, cat *catalog.Catalog, parents []map[string]any) ([]map[string]any, int, error) {
	children := childTypes(cat)
	var mu sync.Mutex
	var out []map[string]any
	requests := 0
	var firstErr error
	level := parents
	for len(level) > 0 {
		var jobs []string
		versions := map[string]string{}
		for _, p := range level {
			for _, ct := range children[strings.ToLower(armclient.Field(p, "type"))] {
				segs := strings.Split(ct.ARMType, "/")
				path := armclient.Field(p, "id") + "/" + segs[len(segs)-1]
				jobs = append(jobs, path)
				versions[path] = ct.DefaultVersion
			}
		}
		var next []map[string]any
		forEach(jobs, func(path string) {
			items, err := c.List(ctx, path, versions[path], nil)
			mu.Lock()
			defer mu.Unlock()
			requests++
			if err != nil {
				if armclient.IsNotFound(err) || armclient.IsCode(err, "UnsupportedAction", "InvalidResourceType", "NoRegisteredProviderFound") {
					return
				}
				if firstErr == nil {
					firstErr = fmt.Errorf("listing %s: %w", path, err)
				}
				return
			}
			next = append(next, items...)
		})
		if firstErr != nil {
			return nil, requests, firstErr
		}
		SortByID(next)
		out = append(out, next...)
		level = next
	}
	return out, requests, nil
}

// Tagged lists the live resource groups and top-level resources that carry the owner's tags,
// with the request count. It streams the lists and keeps of each item its ID and type alone
// (what deciding and naming a stray needs): a project's tags may mark thousands.
func Tagged(ctx context.Context, c Cloud, owner ownership.Owner) ([]armclient.Header, int, error) {
	var out []armclient.Header
	n, err := tagged(ctx, c, owner, func(h armclient.Header) { out = append(out, h) })
	if err != nil {
		return nil, n, err
	}
	sortHeaders(out)
	return out, n, nil
}

// tagged gives each resource group and top-level resource that carries the owner's tags to
// add, as it is read, and returns the request count.
func tagged(ctx context.Context, c Cloud, owner ownership.Owner, add func(armclient.Header)) (int, error) {
	groups, err := c.ListResourceGroups(ctx)
	if err != nil {
		return 1, err
	}
	for _, g := range groups {
		if owner.Tagged(g) {
			add(armclient.Header{ID: armclient.Field(g, "id"), Type: armclient.Field(g, "type")})
		}
	}
	filter := fmt.Sprintf("tagName eq '%s' and tagValue eq '%s'", ownership.TagProject, strings.ReplaceAll(owner.Project, "'", "''"))
	err = c.ListResourcesEach(ctx, "", filter, func(h armclient.Header) {
		if owner.TaggedWith(h.Tags) {
			add(armclient.Header{ID: h.ID, Type: h.Type})
		}
	})
	return 2, err
}

func sortHeaders(hs []armclient.Header) {
	sort.SliceStable(hs, func(i, j int) bool { return strings.ToLower(hs[i].ID) < strings.ToLower(hs[j].ID) })
}

// TaggedListing is a Tagged listing running in the background, so that its requests overlap
// other work.
type TaggedListing struct {
	cancel context.CancelFunc
	done   chan struct{}

	mu       sync.Mutex
	items    []armclient.Header
	declared func(id string) bool // see Declared
	requests int
	err      error
}

// StartTagged starts listing what the owner's tags mark; Wait gives the result. Stop ends it
// when the result is not needed.
func StartTagged(ctx context.Context, c Cloud, owner ownership.Owner) *TaggedListing {
	ctx, cancel := context.WithCancel(ctx)
	l := &TaggedListing{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		n, err := tagged(ctx, c, owner, func(h armclient.Header) {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.declared == nil || !l.declared(h.ID) {
				l.items = append(l.items, h)
			}
		})
		l.mu.Lock()
		defer l.mu.Unlock()
		l.requests, l.err = n, err
		sortHeaders(l.items)
	}()
	return l
}

// Declared has the listing leave out, of what it read and reads from now on, the resources
// that declared says the project declares (by ID): those are no strays, and a project's tags
// may mark thousands. declared is called while the listing runs.
func (l *TaggedListing) Declared(declared func(id string) bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.declared = declared
	l.items = slices.DeleteFunc(l.items, func(h armclient.Header) bool { return declared(h.ID) })
}

// Wait waits for the listing to end and returns what Tagged returns, less what Declared left
// out.
func (l *TaggedListing) Wait() ([]armclient.Header, int, error) {
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.items, l.requests, l.err
}

// Stop cancels the listing, if it still runs, and waits for it: no request outlives it.
func (l *TaggedListing) Stop() {
	l.cancel()
	<-l.done
}

// Strays keeps of Tagged's items those that are not declared (by ID).
func Strays(tagged []armclient.Header, declared func(id string) bool) []armclient.Header {
	var out []armclient.Header
	for _, r := range tagged {
		if !declared(r.ID) {
			out = append(out, r)
		}
	}
	return out
}

// Contents lists the top-level resources inside a resource group (what deleting it deletes).
func Contents(ctx context.Context, c Cloud, group *armid.ID) ([]map[string]any, error) {
	items, err := c.ListResources(ctx, group.Name, "")
	if armclient.IsNotFound(err) {
		return nil, nil
	}
	SortByID(items)
	return items, err
}
