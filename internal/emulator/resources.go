package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/validate"
)

// resourceType is what the emulator knows of the type of a request: its catalogue entry and,
// when the catalogue holds the requested API version, its schema (nil otherwise: bodies are
// then stored without validation, as for a version newer than gru).
type resourceType struct {
	info   *catalog.TypeInfo
	schema *catalog.Resource
	// fallback is the schema at the type's default version, when the request's is not held:
	// it still says which properties ARM never returns.
	fallback *catalog.Resource
}

// typeOf resolves the type of an ID and checks the request's API version against the
// versions Azure publishes for it.
func (e *Emulator) typeOf(r *request, id *armid.ID) (*resourceType, error) {
	armType := id.ResourceType()
	ti, ok := e.catalog.Find(armType)
	if !ok {
		ns, _, _ := strings.Cut(armType, "/")
		if !e.knownNamespace(ns) {
			return nil, newError(http.StatusBadRequest, "InvalidResourceNamespace", "The resource namespace '%s' is invalid.", ns)
		}
		return nil, newError(http.StatusBadRequest, "InvalidResourceType", "The resource type '%s' could not be found in the namespace '%s' for api version '%s'.", strings.TrimPrefix(armType, ns+"/"), ns, r.apiVersion)
	}
	known, err := e.catalog.KnownVersions(ti.ARMType)
	if err != nil {
		return nil, err
	}
	ok = false
	for _, v := range known {
		ok = ok || strings.EqualFold(v, r.apiVersion)
	}
	if !ok && r.apiVersion != "" {
		// A version newer than the embedded type data, which a types folder (--types-dir) holds.
		_, err := e.catalog.Schema(r.Context(), ti, r.apiVersion)
		ok = err == nil
	}
	if !ok {
		newestFirst := append([]string{}, known...)
		sort.Sort(sort.Reverse(sort.StringSlice(newestFirst)))
		return nil, newError(http.StatusBadRequest, "NoRegisteredProviderFound",
			"No registered resource provider found for location 'global' and API version '%s' for type '%s'. The supported api-versions are '%s'.",
			r.apiVersion, strings.TrimPrefix(ti.ARMType, ti.Namespace()+"/"), strings.Join(newestFirst, ", "))
	}
	rt := &resourceType{info: ti}
	schema, err := e.catalog.Schema(r.Context(), ti, r.apiVersion)
	var notHeld *catalog.VersionNotHeldError
	switch {
	case errors.As(err, &notHeld):
		if def, err := e.catalog.Schema(r.Context(), ti, ""); err == nil {
			rt.fallback = def
		}
	case err != nil:
		return nil, err
	default:
		rt.schema = schema
	}
	return rt, nil
}

func (e *Emulator) knownNamespace(ns string) bool {
	prefix := strings.ToLower(ns) + "/"
	for _, t := range e.catalog.Types() {
		if strings.HasPrefix(strings.ToLower(t.ARMType), prefix) {
			return true
		}
	}
	return false
}

// checkScope refuses an ID whose subscription, resource group or parent does not exist.
func (e *Emulator) checkScope(r *request, id *armid.ID) error {
	if sub := id.SubscriptionID(); sub != "" || id.IsSubscription() {
		if _, err := e.subscription(sub); err != nil {
			return err
		}
	}
	if rg := id.ResourceGroupName(); rg != "" && !id.IsResourceGroup() {
		found, goneAt, err := e.store.exists(r.Context(), armid.ResourceGroup(id.SubscriptionID(), rg).Key(), r.now)
		if err != nil {
			return err
		}
		if !found {
			return newError(http.StatusNotFound, "ResourceGroupNotFound", "Resource group '%s' could not be found.", rg)
		}
		if !goneAt.IsZero() && r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodDelete {
			return newError(http.StatusConflict, "ResourceGroupBeingDeleted", "The resource group '%s' is in deprovisioning state and cannot perform this operation.", rg)
		}
	}
	p := id.Parent
	if p == nil || p.IsSubscription() || p.IsResourceGroup() {
		return nil
	}
	found, _, err := e.store.exists(r.Context(), p.Key(), r.now)
	if err != nil {
		return err
	}
	if !found {
		if id.TopLevel() {
			return newError(http.StatusNotFound, "ResourceNotFound", "The resource '%s' that '%s' extends was not found.", p, id.Name)
		}
		return newError(http.StatusNotFound, "ParentResourceNotFound", "Can not perform requested operation on nested resource. Parent resource '%s' not found.", p.Name)
	}
	return nil
}

func (e *Emulator) resource(r *request, id *armid.ID) error {
	if id.IsSubscription() {
		return e.getSubscription(r, id.Name)
	}
	rt, err := e.typeOf(r, id)
	if err != nil {
		return err
	}
	if err := e.checkScope(r, id); err != nil {
		return err
	}
	switch r.Method {
	case http.MethodGet:
		return e.getResource(r, id)
	case http.MethodHead:
		rec, err := e.store.get(r.Context(), id.Key(), r.now)
		if err != nil {
			return err
		}
		status := http.StatusNoContent
		if rec == nil {
			status = http.StatusNotFound
		}
		r.w.WriteHeader(status)
		return nil
	case http.MethodPut:
		return e.putResource(r, id, rt)
	case http.MethodPatch:
		return e.patchResource(r, id, rt)
	case http.MethodDelete:
		return e.deleteResource(r, id, rt)
	}
	return methodNotAllowed(r)
}

func notFound(id *armid.ID) error {
	if id.IsResourceGroup() {
		return newError(http.StatusNotFound, "ResourceGroupNotFound", "Resource group '%s' could not be found.", id.Name)
	}
	return newError(http.StatusNotFound, "ResourceNotFound", "The Resource '%s/%s' under resource group '%s' was not found.", id.ResourceType(), id.Name, id.ResourceGroupName())
}

func (e *Emulator) getResource(r *request, id *armid.ID) error {
	rec, err := e.store.get(r.Context(), id.Key(), r.now)
	if err != nil {
		return err
	}
	if rec == nil {
		return notFound(id)
	}
	writeJSON(r.w, http.StatusOK, e.show(rec, r.now))
	return nil
}

// readBody decodes a request body, reporting malformed JSON as ARM does.
func readBody(r *request) (map[string]any, error) {
	data, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, newError(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request content size exceeds the maximum size of %d bytes.", MaxBodyBytes)
	}
	if err != nil {
		return nil, newError(http.StatusBadRequest, "InvalidRequestContent", "The request content could not be read: %v", err)
	}
	if depth := nesting(data); depth > MaxBodyDepth {
		return nil, newError(http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: it nests %d levels deep; the reader's MaxDepth of %d has been exceeded.", depth, MaxBodyDepth)
	}
	v, err := validate.Decode("request", data)
	if err != nil {
		return nil, newError(http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: %v", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, newError(http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: expected a JSON object.")
	}
	return envelope(obj)
}

// MaxBodyDepth is how deeply a request body may nest objects and arrays, as ARM's reader.
const MaxBodyDepth = 64

// nesting is the deepest nesting of objects and arrays in JSON text (strings skipped).
func nesting(data []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// envelope spells the envelope's property names as ARM does (ARM matches them without
// regard to case): "Location" is the location. A name given twice in two spellings is refused.
func envelope(body map[string]any) (map[string]any, error) {
	// The top-level properties ARM itself reads.
	envelopeNames := []string{"id", "name", "type", "location", "tags", "properties", "sku", "kind", "identity", "plan", "zones", "extendedLocation", "managedBy", "etag"}
	for k, v := range body {
		for _, name := range envelopeNames {
			if k == name || !strings.EqualFold(k, name) {
				continue
			}
			if _, both := body[name]; both {
				return nil, newError(http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: the property '%s' is given twice, as '%s' and '%s'.", name, name, k)
			}
			delete(body, k)
			body[name] = v
		}
	}
	return body, nil
}

// envelopeProblems keeps the problems of the name and of the envelope's location and tags.
func envelopeProblems(problems []validate.Problem) []validate.Problem {
	var out []validate.Problem
	for _, p := range problems {
		if p.Path == "name" || p.Path == "location" || p.Path == "tags" || strings.HasPrefix(p.Path, "tags.") || strings.HasPrefix(p.Path, "tags[") {
			out = append(out, p)
		}
	}
	return out
}

// validationError turns the validator's errors into one ARM error with a detail for each.
func validationError(problems []validate.Problem) error {
	if !validate.HasErrors(problems) {
		return nil
	}
	var details []armError
	for _, p := range problems {
		if p.Severity == validate.Error {
			details = append(details, armError{Code: "InvalidRequestContent", Message: p.String(), Target: p.Path})
		}
	}
	e := newError(http.StatusBadRequest, "InvalidRequestContent", "The request content is not valid for the resource type: %s", details[0].Message)
	e.Target, e.Details = details[0].Target, details
	return e
}

func (e *Emulator) putResource(r *request, id *armid.ID, rt *resourceType) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if err := malformedReference(body); err != nil {
		return err
	}
	existing, err := e.store.get(r.Context(), id.Key(), r.now)
	if err != nil {
		return err
	}
	if err := e.admit(r, id, rt, body, existing); err != nil {
		return err
	}
	if rt.schema != nil {
		if rt.schema.ReadOnly() {
			return newError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The resource type '%s' is read-only: it cannot be created or updated.", rt.info.ARMType)
		}
		if err := validationError(validate.Body(rt.schema, body, validate.Options{Name: id.Name})); err != nil {
			return err
		}
	} else if rt.fallback != nil {
		// At a version gru does not hold, another version's schema still says which names
		// and envelope (location, tags) ARM accepts: those rules do not change with versions.
		if err := validationError(envelopeProblems(validate.Body(rt.fallback, body, validate.Options{Name: id.Name}))); err != nil {
			return err
		}
	}
	if existing != nil && !existing.GoneAt.IsZero() {
		if id.IsResourceGroup() {
			return newError(http.StatusConflict, "ResourceGroupBeingDeleted", "The resource group '%s' is in deprovisioning state and cannot perform this operation.", id.Name)
		}
		return newError(http.StatusConflict, "Conflict", "The resource '%s' is being deleted; try again when the deletion is over.", id)
	}
	rec, out := e.render(r, id, rt, body, existing)
	ans := e.putAnswer(r, id, rt.info.ARMType, existing == nil, e.latency(rt.info.ARMType))
	var op *operation
	if ans.async {
		rec.ReadyAt = r.now.Add(e.latency(rt.info.ARMType))
		state := "Creating"
		if existing != nil {
			state = "Updating"
		}
		rec.Pending = rt.transientState(state)
		op = &operation{ID: newID(), Kind: "put", ResourceKey: rec.Key, ResourceID: rec.ID, StartedAt: r.now, DoneAt: rec.ReadyAt, Status: "Succeeded"}
		if r.failOperation {
			failOperation(op)
		}
	}
	if err := e.write(r, id, rt, rec, out, existing, op); err != nil {
		return err
	}
	if ans.async {
		e.asyncHeaders(r, op, rec, ans)
	}
	if !ans.body() {
		r.w.WriteHeader(ans.status)
		return nil
	}
	writeJSON(r.w, ans.status, e.show(rec, r.now))
	return nil
}

// write stores a rendered resource after the checks ARM makes of what a body refers to: the
// IDs it holds name resources that exist, the rules of its type hold; with it go the changes
// it makes to other resources (inline children, a parent's list, private endpoint
// connections), and the operation that provisions it.
func (e *Emulator) write(r *request, id *armid.ID, rt *resourceType, rec *record, out map[string]any, existing *record, op *operation) error {
	ctx := r.Context()
	if rewritesOthers(id, rt.info.ARMType) {
		e.inline.Lock()
		defer e.inline.Unlock()
	}
	if err := malformedReference(out); err != nil {
		return err
	}
	if err := e.checkNetworkRules(r, id, rt, out); err != nil {
		return err
	}
	inline, own, err := e.inlineChildren(ctx, id, rt.info.ARMType, out, r.apiVersion, r.now)
	if err != nil {
		return err
	}
	refs := referencesIn(rec.Key, own)
	if err := e.checkReferences(ctx, id, refs, r.now); err != nil {
		return err
	}
	rec.Refs = referenceKeys(refs)
	follow, err := e.shape(r, id, rt, out, existing)
	if err != nil {
		return err
	}
	rec.Refs = append(rec.Refs, heldByService(rt.info.ARMType, out)...)
	if op != nil && op.Status == "Failed" {
		if props, ok := out["properties"].(map[string]any); ok {
			props["provisioningState"] = "Failed"
		}
	}
	rec.setBody(out)
	recs := []*record{rec}
	if inline != nil {
		recs = append(recs, inline.children...)
	}
	parent, err := e.parentWithChild(ctx, id, out, r.now)
	if err != nil {
		return err
	}
	if parent != nil {
		recs = append(recs, parent)
	}
	if err := e.store.put(ctx, op, recs...); err != nil {
		return err
	}
	if inline != nil {
		for _, stale := range inline.stale {
			if _, err := e.store.remove(ctx, stale.Key(), time.Time{}, r.now, nil, ""); err != nil {
				return err
			}
		}
	}
	if follow != nil {
		return follow()
	}
	return nil
}

func (e *Emulator) patchResource(r *request, id *armid.ID, rt *resourceType) error {
	patch, err := readBody(r)
	if err != nil {
		return err
	}
	existing, err := e.store.get(r.Context(), id.Key(), r.now)
	if err != nil {
		return err
	}
	if existing == nil {
		return notFound(id)
	}
	if rt.schema != nil {
		if err := validationError(validate.Body(rt.schema, patch, validate.Options{Patch: true, Name: id.Name})); err != nil {
			return err
		}
	}
	var current map[string]any
	if err := json.Unmarshal([]byte(existing.Body), &current); err != nil {
		return err
	}
	merged := mergePatch(current, patch)
	rec, out := e.render(r, id, rt, merged, existing)
	if err := e.write(r, id, rt, rec, out, existing, nil); err != nil {
		return err
	}
	writeJSON(r.w, http.StatusOK, e.show(rec, r.now))
	return nil
}

// mergePatch applies a PATCH body as ARM's resource providers do: objects merge key by key,
// null removes a key, anything else (arrays included) replaces; tags are replaced as a whole.
func mergePatch(current, patch map[string]any) map[string]any {
	out := make(map[string]any, len(current))
	for k, v := range current {
		out[k] = v
	}
	for k, v := range patch {
		key := k
		for ck := range out {
			if strings.EqualFold(ck, k) {
				key = ck
			}
		}
		switch pv := v.(type) {
		case nil:
			delete(out, key)
		case map[string]any:
			cv, ok := out[key].(map[string]any)
			if ok && !strings.EqualFold(k, "tags") {
				out[key] = mergePatch(cv, pv)
			} else {
				out[key] = pv
			}
		default:
			out[key] = v
		}
	}
	return out
}

func (e *Emulator) deleteResource(r *request, id *armid.ID, rt *resourceType) error {
	rec, err := e.store.get(r.Context(), id.Key(), r.now)
	if err != nil {
		return err
	}
	if rec == nil {
		r.w.WriteHeader(e.goneAnswer(r, id, rt.info.ARMType))
		return nil
	}
	latency := e.latency(rt.info.ARMType)
	ans := e.deleteAnswer(r, id, rt.info.ARMType, latency)
	if !rec.GoneAt.IsZero() {
		// A deletion is in progress: the answer is a new operation that ends with it.
		op := &operation{ID: newID(), Kind: "delete", ResourceKey: rec.Key, ResourceID: rec.ID, StartedAt: r.now, DoneAt: rec.GoneAt, Status: "Succeeded"}
		if err := e.store.put(r.Context(), op); err != nil {
			return err
		}
		if !ans.async {
			ans = answer{async: true, status: http.StatusAccepted, location: true, asyncOperation: true}
		}
		e.asyncHeaders(r, op, rec, ans)
		r.w.WriteHeader(ans.status)
		return nil
	}
	if err := e.checkNotInUse(r.Context(), id, r.now); err != nil {
		return err
	}
	var op *operation
	goneAt := time.Time{}
	if ans.async {
		op = &operation{ID: newID(), Kind: "delete", ResourceKey: rec.Key, ResourceID: rec.ID, StartedAt: r.now, DoneAt: r.now.Add(latency), Status: "Succeeded"}
		if latency > 0 {
			goneAt = op.DoneAt
		}
	}
	if ans.async && r.failOperation {
		// A failed deletion leaves the resource in place.
		failOperation(op)
		if err := e.store.put(r.Context(), op, rec); err != nil {
			return err
		}
		e.asyncHeaders(r, op, rec, ans)
		r.w.WriteHeader(ans.status)
		return nil
	}
	if rewritesOthers(id, rt.info.ARMType) {
		e.inline.Lock()
		defer e.inline.Unlock()
	}
	if err := e.release(r, id, rt, rec); err != nil {
		return err
	}
	if parent, err := e.parentWithChild(r.Context(), id, nil, r.now); err != nil {
		return err
	} else if parent != nil {
		if err := e.store.put(r.Context(), nil, parent); err != nil {
			return err
		}
	}
	if _, err := e.store.remove(r.Context(), rec.Key, goneAt, r.now, op, rt.transientState("Deleting")); err != nil {
		return err
	}
	if ans.async {
		e.asyncHeaders(r, op, rec, ans)
	}
	r.w.WriteHeader(ans.status)
	return nil
}

// asyncHeaders writes the headers of ARM's asynchronous operation protocol: where to poll the
// operation's status (Azure-AsyncOperation), where its result will be (Location), and when to ask.
func (e *Emulator) asyncHeaders(r *request, op *operation, rec *record, ans answer) {
	id, _ := armid.Parse(rec.ID)
	sub := id.SubscriptionID()
	if sub == "" {
		sub = e.opts.Subscriptions[0]
	}
	ns := id.BlockStart().Namespace
	base := fmt.Sprintf("%s/subscriptions/%s/providers/%s/locations/global/", baseURL(r), sub, ns)
	q := "?api-version=" + url.QueryEscape(r.apiVersion)
	if ans.asyncOperation {
		r.w.Header().Set("Azure-AsyncOperation", base+"operationStatuses/"+op.ID+q)
	}
	if ans.location {
		r.w.Header().Set("Location", base+"operationResults/"+op.ID+q)
	}
	retryAfter(r.w, op.DoneAt.Sub(r.now))
}

// failOperation makes an operation end in failure, with an ARM error.
func failOperation(op *operation) {
	op.Status = "Failed"
	data, _ := json.Marshal(armError{Code: "InternalOperationError", Message: "An injected fault (--fault-rate): the operation failed; retry it."})
	op.Error = string(data)
}

func retryAfter(w http.ResponseWriter, d time.Duration) {
	if d < 0 {
		d = 0
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
	w.Header().Set("retry-after-ms", strconv.FormatInt(int64(math.Ceil(float64(d)/float64(time.Millisecond))), 10))
}

func baseURL(r *request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (e *Emulator) getOperation(r *request, sub, opID string, result bool) error {
	if r.Method != http.MethodGet {
		return methodNotAllowed(r)
	}
	if _, err := e.subscription(sub); err != nil {
		return err
	}
	op, err := e.store.operation(r.Context(), opID)
	if err != nil {
		return err
	}
	if op == nil {
		return newError(http.StatusNotFound, "OperationNotFound", "The operation '%s' could not be found.", opID)
	}
	running := r.now.Before(op.DoneAt)
	if !result {
		status := op.Status
		if running {
			status = "InProgress"
			retryAfter(r.w, op.DoneAt.Sub(r.now))
		}
		body := map[string]any{"id": r.URL.Path, "name": op.ID, "status": status, "startTime": op.StartedAt.UTC().Format(time.RFC3339Nano)}
		if !running {
			body["endTime"] = op.DoneAt.UTC().Format(time.RFC3339Nano)
		}
		if op.Error != "" && !running {
			var ae armError
			json.Unmarshal([]byte(op.Error), &ae)
			body["error"] = ae
		}
		writeJSON(r.w, http.StatusOK, body)
		return nil
	}
	if running {
		r.w.Header().Set("Location", baseURL(r)+r.URL.RequestURI())
		retryAfter(r.w, op.DoneAt.Sub(r.now))
		r.w.WriteHeader(http.StatusAccepted)
		return nil
	}
	if op.Error != "" {
		var ae armError
		json.Unmarshal([]byte(op.Error), &ae)
		ae.status = http.StatusBadRequest
		return &ae
	}
	if op.Kind == "delete" {
		r.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	rec, err := e.store.get(r.Context(), op.ResourceKey, r.now)
	if err != nil {
		return err
	}
	if rec == nil {
		r.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	writeJSON(r.w, http.StatusOK, e.show(rec, r.now))
	return nil
}

// collection answers a GET of a collection (the resources of a type below a parent) and a
// POST of an action on a resource.
func (e *Emulator) collection(r *request, parent, probe *armid.ID) error {
	if r.Method == http.MethodPost {
		return e.action(r, parent, probe.Type)
	}
	if r.Method != http.MethodGet {
		return methodNotAllowed(r)
	}
	if _, err := e.typeOf(r, probe); err != nil {
		return err
	}
	if err := e.checkScope(r, probe); err != nil {
		return err
	}
	if parent != nil && parent.IsResourceGroup() { // checkScope checked other parents
		rec, err := e.store.get(r.Context(), parent.Key(), r.now)
		if err != nil {
			return err
		}
		if rec == nil {
			return notFound(parent)
		}
	}
	parentKey := ""
	if parent != nil {
		parentKey = parent.Key()
	}
	after := r.URL.Query().Get("$skiptoken")
	recs, err := e.store.children(r.Context(), parentKey, strings.ToLower(probe.ResourceType()), after, e.opts.PageSize+1, r.now)
	if err != nil {
		return err
	}
	e.writePage(r, recs, e.showString, e.opts.PageSize)
	return nil
}

// writePage writes a list page of records, with a nextLink when there are more than a page
// (of size).
// Stored bodies go out as they are, unless a provisioning state must show: the page is
// written around them, never decoded nor re-encoded (they are compact JSON, as setBody wrote
// them), and its length is known before it is sent. show gives each record's JSON.
func (e *Emulator) writePage(r *request, recs []*record, show func(*record, time.Time) string, pageSize int) {
	next := ""
	if len(recs) > pageSize {
		recs = recs[:pageSize]
		q := r.URL.Query()
		q.Set("$skiptoken", recs[len(recs)-1].Key)
		u := *r.URL
		u.RawQuery = q.Encode()
		next = baseURL(r) + u.RequestURI()
	}
	// The page is written piece by piece, not copied into one buffer first: a page of network
	// security groups is half a megabyte.
	pieces := make([]string, 0, 2*len(recs)+4)
	pieces = append(pieces, "{")
	if next != "" { // keys in the order json.Marshal of a map writes them
		nextJSON, _ := json.Marshal(next)
		pieces = append(pieces, `"nextLink":`, string(nextJSON), ",")
	}
	pieces = append(pieces, `"value":[`)
	for i, rec := range recs {
		if i > 0 {
			pieces = append(pieces, ",")
		}
		pieces = append(pieces, show(rec, r.now))
	}
	pieces = append(pieces, "]}")
	size := 0
	for _, p := range pieces {
		size += len(p)
	}
	h := r.w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(size))
	r.w.WriteHeader(http.StatusOK)
	for _, p := range pieces {
		io.WriteString(r.w, p)
	}
}

func (e *Emulator) action(r *request, parent *armid.ID, name string) error {
	if parent == nil {
		return newError(http.StatusBadRequest, "InvalidResourceId", "action %q has no resource", name)
	}
	rt, err := e.typeOf(r, parent)
	if err != nil {
		return err
	}
	if err := e.checkScope(r, parent); err != nil {
		return err
	}
	rec, err := e.store.get(r.Context(), parent.Key(), r.now)
	if err != nil {
		return err
	}
	if rec == nil {
		return notFound(parent)
	}
	if e.resourceAction(r, rt, rec, name) {
		return nil
	}
	return newError(http.StatusBadRequest, "UnsupportedAction", "The emulator does not implement the action '%s' of %s.", name, rt.info.ARMType)
}
