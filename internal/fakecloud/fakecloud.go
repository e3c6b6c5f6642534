// Package fakecloud is an in-memory Azure Resource Manager for the engine's own tests: the
// get, put, delete and list operations the inventory, plan and executor use, with ARM's rules
// where they matter to them (a parent must exist; an ID in a body must name an existing
// resource; a resource in use cannot be deleted; deleting a resource group or a parent deletes
// what is inside; write-only properties are never returned; tags are replaced whole by a PUT),
// and hooks to make provisioning fail, resources linger in a transitional state, and the
// endpoint stop answering. It speaks no HTTP: the end-to-end tests use the emulator.
package fakecloud

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/validate"
)

// Cloud is an in-memory ARM of one subscription. It is safe for concurrent use.
type Cloud struct {
	cat *catalog.Catalog
	sub string

	mu        sync.Mutex
	resources map[string]map[string]any // by lower-cased ID
	// writeOnly keeps what was sent for write-only properties, by lower-cased ID.
	writeOnly map[string]map[string]any
	lingering map[string]lingering
	log       []string
	writes    int // ETags are numbered

	// FailPut, when set, makes the provisioning of a PUT fail: the resource is stored with
	// provisioningState Failed and the call fails, as a failed long-running operation does.
	FailPut func(id string) bool
	// AfterPut, when set, runs after each successful PUT (as Azure making resources of its own).
	AfterPut func(c *Cloud, id string, body map[string]any)
	// Down, when set, makes every call fail as an endpoint that does not answer.
	Down atomic.Bool
}

type lingering struct {
	state string
	gets  int
}

// Subscription is a subscription ID for the tests that need one.
const Subscription = "00000000-0000-4000-8000-000000000001"

// New returns an empty cloud of the subscription.
func New(cat *catalog.Catalog, subscription string) *Cloud {
	return &Cloud{cat: cat, sub: subscription, resources: map[string]map[string]any{}, writeOnly: map[string]map[string]any{}, lingering: map[string]lingering{}}
}

// Log lists the writes made, in order: "PUT id" and "DELETE id".
func (c *Cloud) Log() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string{}, c.log...)
}

// Linger makes the next gets of a resource show a transitional provisioning state.
func (c *Cloud) Linger(id, state string, gets int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lingering[strings.ToLower(id)] = lingering{state, gets}
}

// Resource returns a stored resource as GET shows it, nil when there is none.
func (c *Cloud) Resource(id string) map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r := c.resources[strings.ToLower(id)]; r != nil {
		return copyOf(r)
	}
	return nil
}

// Sent returns the write-only values last sent for a resource (never returned by GET).
func (c *Cloud) Sent(id string) map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return copyOf(c.writeOnly[strings.ToLower(id)])
}

// Set stores a resource as it is, as a change made outside gru (the portal), with a new ETag
// when it has one.
func (c *Cloud) Set(body map[string]any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id, _ := body["id"].(string)
	stored := copyOf(body)
	if _, ok := stored["etag"]; ok {
		c.writes++ // changed elsewhere: a new ETag, as ARM gives
		stored["etag"] = fmt.Sprintf("W/\"%d\"", c.writes)
	}
	c.resources[strings.ToLower(id)] = stored
}

// IDs lists the stored resources' IDs, sorted.
func (c *Cloud) IDs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, r := range c.resources {
		out = append(out, r["id"].(string))
	}
	sort.Strings(out)
	return out
}

func armError(method, path string, status int, code, format string, args ...any) error {
	return &armclient.Error{Method: method, Path: path, StatusCode: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// down fails a request as a client does: when its context has ended, or (Down) the endpoint
// does not answer.
func (c *Cloud) down(ctx context.Context, method, path string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if c.Down.Load() {
		return fmt.Errorf("%s %s: %w", method, path, &armclient.UnreachableError{Endpoint: "fakecloud", Failures: 3, Last: fmt.Errorf("connection refused")})
	}
	return nil
}

// Get reads a resource.
func (c *Cloud) Get(ctx context.Context, id, version string) (map[string]any, error) {
	if err := c.down(ctx, http.MethodGet, id); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	key := strings.ToLower(id)
	r := c.resources[key]
	if r == nil {
		return nil, armError(http.MethodGet, id, http.StatusNotFound, "ResourceNotFound", "The resource '%s' was not found.", id)
	}
	out := copyOf(r)
	if l, ok := c.lingering[key]; ok && l.gets > 0 {
		setState(out, l.state)
		l.gets--
		c.lingering[key] = l
	}
	return out, nil
}

// Put creates or replaces a resource.
func (c *Cloud) Put(ctx context.Context, id, version string, body any) (map[string]any, error) {
	if err := c.down(ctx, http.MethodPut, id); err != nil {
		return nil, err
	}
	parsed, err := armid.Parse(id)
	if err != nil {
		return nil, armError(http.MethodPut, id, http.StatusBadRequest, "InvalidResourceId", "%v", err)
	}
	data, _ := json.Marshal(body)
	in, err := validate.Decode("body", data)
	if err != nil {
		return nil, armError(http.MethodPut, id, http.StatusBadRequest, "InvalidRequestContent", "%v", err)
	}
	obj, _ := in.(map[string]any)
	ti, ok := c.cat.Find(parsed.ResourceType())
	if !ok {
		return nil, armError(http.MethodPut, id, http.StatusBadRequest, "InvalidResourceType", "no type %s", parsed.ResourceType())
	}
	schema, err := c.cat.Schema(ctx, ti, "")
	if err != nil {
		return nil, err
	}
	if problems := validate.Body(schema, obj, validate.Options{Name: parsed.Name}); validate.HasErrors(problems) {
		return nil, armError(http.MethodPut, id, http.StatusBadRequest, "InvalidRequestContent", "%v", problems)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.checkParent(parsed); err != nil {
		return nil, err
	}
	if strings.HasSuffix(strings.ToLower(ti.ARMType), "/privateendpointconnections") && c.resources[strings.ToLower(id)] == nil {
		// Azure makes connections when an endpoint links to a resource; a PUT only changes one.
		return nil, armError(http.MethodPut, id, http.StatusNotFound, "PrivateEndpointConnectionNotFound", "Private endpoint connection '%s' does not exist.", parsed.Name)
	}
	for _, ref := range armid.FindIn(obj) {
		if strings.EqualFold(ref, id) || strings.HasPrefix(strings.ToLower(ref), strings.ToLower(id)+"/") || !strings.HasPrefix(strings.ToLower(ref), "/subscriptions/"+strings.ToLower(c.sub)+"/") {
			continue // itself, or a child it lists inline (a rule of its own)
		}
		if c.resources[strings.ToLower(ref)] == nil {
			return nil, armError(http.MethodPut, id, http.StatusBadRequest, "InvalidResourceReference", "Resource %s referenced by resource %s was not found.", ref, id)
		}
	}
	stored, _ := validate.StripReadOnly(schema, obj).(map[string]any)
	wo := map[string]any{}
	stored = withoutWriteOnly(schema.Body, stored, "", wo)
	key := strings.ToLower(id)
	storedID := id
	if prev := c.resources[key]; prev != nil {
		storedID = prev["id"].(string)
	}
	stored["id"], stored["name"], stored["type"] = storedID, parsed.Name, ti.ARMType
	if loc, ok := stored["location"].(string); ok {
		stored["location"] = strings.ToLower(strings.ReplaceAll(loc, " ", ""))
	}
	if schema.Body != nil {
		if p := schema.Body.Property("properties"); p != nil && p.Type.Property("provisioningState") != nil {
			setState(stored, "Succeeded")
		}
		if p := schema.Body.Property("etag"); p != nil && p.Flags.Has(catalog.FlagReadOnly) {
			// A new ETag with each write, where ARM gives one.
			c.writes++
			stored["etag"] = fmt.Sprintf("W/\"%d\"", c.writes)
		}
	}
	c.writeOnly[key] = wo
	c.log = append(c.log, "PUT "+id)
	if c.FailPut != nil && c.FailPut(id) {
		setState(stored, "Failed")
		c.resources[key] = stored
		return nil, armError(http.MethodPut, id, http.StatusBadRequest, "InternalOperationError", "The operation failed: provisioning ended Failed.")
	}
	c.resources[key] = stored
	out := copyOf(stored)
	if c.AfterPut != nil {
		c.mu.Unlock()
		c.AfterPut(c, id, out)
		c.mu.Lock()
	}
	return out, nil
}

func (c *Cloud) checkParent(id *armid.ID) error {
	if rg := id.ResourceGroupName(); rg != "" && !id.IsResourceGroup() {
		if c.resources[strings.ToLower(armid.ResourceGroup(id.SubscriptionID(), rg).String())] == nil {
			return armError(http.MethodPut, id.String(), http.StatusNotFound, "ResourceGroupNotFound", "Resource group '%s' could not be found.", rg)
		}
	}
	if p := id.Parent; p != nil && !p.IsResourceGroup() && !p.IsSubscription() && c.resources[p.Key()] == nil {
		return armError(http.MethodPut, id.String(), http.StatusNotFound, "ParentResourceNotFound", "Parent resource '%s' not found.", p.Name)
	}
	return nil
}

// Delete deletes a resource and what is inside it. A resource that another one references
// cannot be deleted.
func (c *Cloud) Delete(ctx context.Context, id, version string) error {
	if err := c.down(ctx, http.MethodDelete, id); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	key := strings.ToLower(id)
	if c.resources[key] == nil {
		return nil
	}
	for otherKey, other := range c.resources {
		if otherKey == key || strings.HasPrefix(otherKey, key+"/") {
			continue
		}
		// What a resource uses is in what it can write: read-only back-references (the
		// subnets an NSG lists) do not hold anything in use.
		for _, ref := range armid.FindIn(c.writable(ctx, other)) {
			l := strings.ToLower(ref)
			if l == key || strings.HasPrefix(l, key+"/") {
				return armError(http.MethodDelete, id, http.StatusBadRequest, inUseCode(id),
					"%s is in use by %s and cannot be deleted.", id, other["id"])
			}
		}
	}
	for k := range c.resources {
		if k == key || strings.HasPrefix(k, key+"/") {
			delete(c.resources, k)
			delete(c.writeOnly, k)
		}
	}
	c.log = append(c.log, "DELETE "+id)
	return nil
}

// List lists a collection: the resources of a type below a parent.
func (c *Cloud) List(ctx context.Context, collection, version string, query url.Values) ([]map[string]any, error) {
	if err := c.down(ctx, http.MethodGet, collection); err != nil {
		return nil, err
	}
	probe, err := armid.Parse(strings.TrimSuffix(collection, "/") + "/_")
	if err != nil {
		return nil, armError(http.MethodGet, collection, http.StatusBadRequest, "InvalidResourceId", "%v", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := probe.Parent; p != nil && !p.IsSubscription() && c.resources[p.Key()] == nil {
		return nil, armError(http.MethodGet, collection, http.StatusNotFound, "ResourceNotFound", "%s was not found", p)
	}
	var out []map[string]any
	for _, r := range c.resources {
		id, err := armid.Parse(r["id"].(string))
		if err != nil {
			continue
		}
		sameParent := id.Parent == nil && probe.Parent == nil || id.Parent != nil && probe.Parent != nil && id.Parent.Equal(probe.Parent)
		if sameParent && strings.EqualFold(id.ResourceType(), probe.ResourceType()) {
			item := copyOf(r)
			if l, ok := c.lingering[id.Key()]; ok && l.gets > 0 {
				setState(item, l.state)
			}
			out = append(out, item)
		}
	}
	sortByID(out)
	return out, nil
}

// ListEach lists as List does, giving each item to each.
func (c *Cloud) ListEach(ctx context.Context, collection, version string, query url.Values, each func(map[string]any)) error {
	items, err := c.List(ctx, collection, version, query)
	for _, it := range items {
		each(it)
	}
	return err
}

// ListEachDecoded is ListEach, each item written as JSON and made again with decode.
func (c *Cloud) ListEachDecoded(ctx context.Context, collection, version string, query url.Values, decode func(text string) (map[string]any, error), each func(map[string]any)) error {
	items, err := c.List(ctx, collection, version, query)
	for _, it := range items {
		text, merr := json.Marshal(it)
		if merr != nil {
			return merr
		}
		made, derr := decode(string(text))
		if derr != nil {
			return derr
		}
		each(made)
	}
	return err
}

// ListResourceGroups lists the resource groups.
func (c *Cloud) ListResourceGroups(ctx context.Context) ([]map[string]any, error) {
	return c.List(ctx, "/subscriptions/"+c.sub+"/resourcegroups", "", nil)
}

// ListResourcesEach is ListResources giving each item's header to each.
func (c *Cloud) ListResourcesEach(ctx context.Context, resourceGroup, filter string, each func(armclient.Header)) error {
	items, err := c.ListResources(ctx, resourceGroup, filter)
	for _, it := range items {
		h := armclient.Header{ID: armclient.Field(it, "id"), Type: armclient.Field(it, "type")}
		if tags, ok := it["tags"].(map[string]any); ok {
			h.Tags = map[string]string{}
			for k, v := range tags {
				if s, ok := v.(string); ok {
					h.Tags[k] = s
				}
			}
		}
		each(h)
	}
	return err
}

// ListResources lists top-level resources (of a resource group, or all), as ARM's /resources
// does: short bodies (id, name, type, location, tags), filtered by a tag.
func (c *Cloud) ListResources(ctx context.Context, resourceGroup, filter string) ([]map[string]any, error) {
	if err := c.down(ctx, http.MethodGet, "/resources"); err != nil {
		return nil, err
	}
	var tagName, tagValue string
	fmt.Sscanf(strings.NewReplacer("'", " ").Replace(filter), "tagName eq %s and tagValue eq %s", &tagName, &tagValue)
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []map[string]any
	for _, r := range c.resources {
		id, err := armid.Parse(r["id"].(string))
		if err != nil || id.IsResourceGroup() || !id.TopLevel() {
			continue
		}
		if resourceGroup != "" && !strings.EqualFold(id.ResourceGroupName(), resourceGroup) {
			continue
		}
		tags, _ := r["tags"].(map[string]any)
		if tagName != "" && tags[tagName] != tagValue {
			continue
		}
		short := map[string]any{}
		for _, k := range []string{"id", "name", "type", "location", "tags", "kind", "sku"} {
			if v, ok := r[k]; ok {
				short[k] = v
			}
		}
		out = append(out, copyOf(short))
	}
	if resourceGroup != "" && c.resources[strings.ToLower(armid.ResourceGroup(c.sub, resourceGroup).String())] == nil {
		return nil, armError(http.MethodGet, resourceGroup, http.StatusNotFound, "ResourceGroupNotFound", "Resource group '%s' could not be found.", resourceGroup)
	}
	sortByID(out)
	return out, nil
}

// writable is a stored body without its read-only properties.
func (c *Cloud) writable(ctx context.Context, body map[string]any) any {
	typ, _ := body["type"].(string)
	if ti, ok := c.cat.Find(typ); ok {
		if schema, err := c.cat.Schema(ctx, ti, ""); err == nil {
			return validate.StripReadOnly(schema, body)
		}
	}
	return body
}

// inUseCode is ARM's error code for deleting a resource in use: InUseSubnetCannotBeDeleted, ...
func inUseCode(id string) string {
	parsed, err := armid.Parse(id)
	if err != nil {
		return "InUseResourceCannotBeDeleted"
	}
	t := parsed.ResourceType()
	t = t[strings.LastIndexByte(t, '/')+1:]
	return "InUse" + strings.ToUpper(t[:1]) + strings.TrimSuffix(t[1:], "s") + "CannotBeDeleted"
}

// withoutWriteOnly removes the write-only properties of a body, recording them in sent.
func withoutWriteOnly(t *catalog.Type, v map[string]any, path string, sent map[string]any) map[string]any {
	if t == nil {
		return v
	}
	out := make(map[string]any, len(v))
	for k, val := range v {
		p := t.Property(k)
		if p != nil && p.Flags.Has(catalog.FlagWriteOnly) {
			sent[path+k] = val
			continue
		}
		if m, ok := val.(map[string]any); ok && p != nil {
			out[k] = withoutWriteOnly(p.Type, m, path+k+".", sent)
			continue
		}
		out[k] = val
	}
	return out
}

func setState(r map[string]any, state string) {
	props, _ := r["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		r["properties"] = props
	}
	props["provisioningState"] = state
}

func copyOf(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	data, _ := json.Marshal(m)
	var out map[string]any
	json.Unmarshal(data, &out)
	return out
}

func sortByID(rs []map[string]any) {
	sort.Slice(rs, func(i, j int) bool {
		return strings.ToLower(rs[i]["id"].(string)) < strings.ToLower(rs[j]["id"].(string))
	})
}
