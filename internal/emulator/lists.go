package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/armops"
	"github.com/tidwall/gjson"
)

// filterClause is one "field eq 'value'" of a $filter, or a function: atScope() (value
// empty) or assignedTo('principal').
type filterClause struct{ field, value string }

// parseFilter reads the $filter forms ARM's resource lists take: clauses
// "resourceType eq '...'", "name eq '...'", "location eq '...'", "tagName eq '...'" and
// "tagValue eq '...'", joined with "and".
func parseFilter(s string) ([]filterClause, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []filterClause
	for _, part := range splitAnd(s) {
		part = strings.TrimSpace(part)
		if strings.EqualFold(part, "atScope()") {
			out = append(out, filterClause{field: "atscope()"})
			continue
		}
		if lower := strings.ToLower(part); strings.HasPrefix(lower, "assignedto('") && strings.HasSuffix(lower, "')") {
			out = append(out, filterClause{field: "principalid", value: part[len("assignedTo('") : len(part)-2]})
			continue
		}
		f := strings.SplitN(part, " ", 3)
		if len(f) != 3 || !strings.EqualFold(f[1], "eq") || len(f[2]) < 2 || f[2][0] != '\'' || f[2][len(f[2])-1] != '\'' {
			return nil, newError(http.StatusBadRequest, "InvalidFilterInQueryString", "The $filter '%s' is not supported: write field eq 'value' clauses joined by and.", s)
		}
		field := strings.ToLower(f[0])
		switch field {
		case "resourcetype", "name", "location", "tagname", "tagvalue", "principalid", "rolename":
		default:
			return nil, newError(http.StatusBadRequest, "InvalidFilterInQueryString", "The $filter field '%s' is not supported; use resourceType, name, location, tagName, tagValue, principalId or roleName, or atScope() or assignedTo('...').", f[0])
		}
		out = append(out, filterClause{field: field, value: strings.ReplaceAll(f[2][1:len(f[2])-1], "''", "'")})
	}
	return out, nil
}

func splitAnd(s string) []string {
	var parts []string
	lower := strings.ToLower(s)
	for {
		i := strings.Index(lower, " and ")
		if i < 0 {
			return append(parts, s)
		}
		parts = append(parts, s[:i])
		s, lower = s[i+5:], lower[i+5:]
	}
}

// matches applies filter clauses to a resource body. A tagValue clause goes with the
// tagName clause before it.
func matches(clauses []filterClause, rec *record) bool {
	if len(clauses) == 0 {
		return true
	}
	env := rec.envelope()
	tags := gjson.Parse(env.Tags)
	props := gjson.Parse(env.Properties)
	tagName := ""
	for _, c := range clauses {
		switch c.field {
		case "resourcetype":
			if !strings.EqualFold(env.text(env.Type), c.value) {
				return false
			}
		case "name":
			if !strings.EqualFold(env.text(env.Name), c.value) {
				return false
			}
		case "principalid":
			if !strings.EqualFold(member(props, "principalId").Str, c.value) {
				return false
			}
		case "rolename":
			if !strings.EqualFold(member(props, "roleName").Str, c.value) {
				return false
			}
		case "atscope()":
			// What applies at the scope listed: what is defined there (a subscription), not below it.
			if rec.ParentKey != "/subscriptions/"+rec.Sub {
				return false
			}
		case "location":
			if NormalizeLocation(c.value) != env.text(env.Location) {
				return false
			}
		case "tagname":
			tagName = c.value
			found := false
			tags.ForEach(func(k, _ gjson.Result) bool {
				found = strings.EqualFold(k.Str, c.value)
				return !found
			})
			if !found {
				return false
			}
		case "tagvalue":
			found := false
			tags.ForEach(func(k, v gjson.Result) bool {
				found = (tagName == "" || strings.EqualFold(k.Str, tagName)) && v.Type == gjson.String && v.Str == c.value
				return !found
			})
			if !found {
				return false
			}
		}
	}
	return true
}

// member is an object's member by name, matched without case as ARM matches property names.
func member(obj gjson.Result, name string) gjson.Result {
	var found gjson.Result
	obj.ForEach(func(k, v gjson.Result) bool {
		if strings.EqualFold(k.Str, name) {
			found = v
			return false
		}
		return true
	})
	return found
}

// listResources answers /subscriptions/{s}/resources and .../resourceGroups/{rg}/resources:
// the top-level resources of the scope, filtered.
func (e *Emulator) listResources(r *request, sub, group string) error {
	if r.Method != http.MethodGet {
		return methodNotAllowed(r)
	}
	if _, err := e.subscription(sub); err != nil {
		return err
	}
	if group != "" {
		found, _, err := e.store.exists(r.Context(), armid.ResourceGroup(sub, group).Key(), r.now)
		if err != nil {
			return err
		}
		if !found {
			return newError(http.StatusNotFound, "ResourceGroupNotFound", "Resource group '%s' could not be found.", group)
		}
	}
	clauses, err := parseFilter(r.URL.Query().Get("$filter"))
	if err != nil {
		return err
	}
	expand := strings.Split(strings.ToLower(r.URL.Query().Get("$expand")), ",")
	// The envelopes alone serve, unless $expand or a filter reads more of the bodies.
	short := !slices.ContainsFunc(expand, func(x string) bool { return strings.TrimSpace(x) != "" }) &&
		!slices.ContainsFunc(clauses, func(c filterClause) bool { return c.field == "principalid" || c.field == "rolename" })
	return e.writeFiltered(r, clauses, shortView(expand), e.opts.ResourcesPageSize, func(after string, limit int) ([]*record, error) {
		return e.store.topLevel(r.Context(), strings.ToLower(sub), strings.ToLower(group), after, limit, r.now, short)
	})
}

// shortView shows a resource as /resources lists it: its envelope without its properties,
// and what $expand asks for of createdTime, changedTime and provisioningState.
func shortView(expand []string) func(*record, time.Time) string {
	plain := !slices.ContainsFunc(expand, func(x string) bool { return strings.TrimSpace(x) != "" })
	return func(rec *record, now time.Time) string {
		if plain {
			if short := rec.shortBody(); short != "" {
				return short
			}
		}
		full := view(rec, now)
		short := map[string]any{}
		for _, k := range []string{"id", "name", "type", "location", "tags", "kind", "sku", "identity", "managedBy", "plan", "zones", "extendedLocation"} {
			if v, ok := full[k]; ok {
				short[k] = v
			}
		}
		system, _ := full["systemData"].(map[string]any)
		props, _ := full["properties"].(map[string]any)
		for _, x := range expand {
			switch strings.TrimSpace(x) {
			case "createdtime":
				short["createdTime"] = system["createdAt"]
			case "changedtime":
				short["changedTime"] = system["lastModifiedAt"]
			case "provisioningstate":
				if state, ok := props["provisioningState"]; ok {
					short["provisioningState"] = state
				}
			}
		}
		data, _ := json.Marshal(short)
		return string(data)
	}
}

// storedEnvelope is a stored body's top-level values, undecoded (raw JSON text, "" when
// absent), read in one pass without decoding the rest: what filters and /resources read of a
// body, for thousands of bodies a list.
type storedEnvelope struct {
	ExtendedLocation, ID, Identity, Kind, Location, ManagedBy, Name, Plan, Sku, Tags, Type, Zones, Properties string
	// ok is false for a body that is not a JSON object.
	ok bool
}

// envelope reads the record's body's envelope, once. Stored bodies are json.Marshal's: valid
// JSON, their keys spelled as ARM does.
func (rec *record) envelope() *storedEnvelope {
	if rec.env != nil {
		return rec.env
	}
	env := &storedEnvelope{}
	rec.env = env
	body := gjson.Parse(rec.Body)
	if !body.IsObject() {
		return env
	}
	env.ok = true
	body.ForEach(func(key, value gjson.Result) bool {
		if f := env.field(key.Str); f != nil {
			*f = value.Raw
		}
		return true
	})
	return env
}

// field is where the envelope keeps a top-level key's value, nil for a key it does not keep.
func (env *storedEnvelope) field(key string) *string {
	switch key {
	case "extendedLocation":
		return &env.ExtendedLocation
	case "id":
		return &env.ID
	case "identity":
		return &env.Identity
	case "kind":
		return &env.Kind
	case "location":
		return &env.Location
	case "managedBy":
		return &env.ManagedBy
	case "name":
		return &env.Name
	case "plan":
		return &env.Plan
	case "sku":
		return &env.Sku
	case "tags":
		return &env.Tags
	case "type":
		return &env.Type
	case "zones":
		return &env.Zones
	case "properties":
		return &env.Properties
	}
	return nil
}

// shortBody is the record as /resources lists it without $expand: its envelope (its body's
// top-level values but properties and systemData), "" when its body is not an object.
func (rec *record) shortBody() string {
	if rec.short {
		return rec.Body // read so
	}
	short, _ := rec.envelope().short()
	return short
}

// text is a string value of the envelope, "" when it is not a string.
func (env *storedEnvelope) text(raw string) string {
	return gjson.Parse(raw).Str
}

// short is the envelope as /resources lists it, without $expand: its top-level keys but
// properties and systemData, in the order json.Marshal writes a map's keys.
func (env *storedEnvelope) short() (string, bool) {
	if !env.ok {
		return "", false
	}
	var b strings.Builder
	b.WriteByte('{')
	for _, f := range []struct {
		key, value string
	}{{"extendedLocation", env.ExtendedLocation}, {"id", env.ID}, {"identity", env.Identity}, {"kind", env.Kind}, {"location", env.Location},
		{"managedBy", env.ManagedBy}, {"name", env.Name}, {"plan", env.Plan}, {"sku", env.Sku}, {"tags", env.Tags}, {"type", env.Type}, {"zones", env.Zones}} {
		if f.value == "" {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + f.key + `":`)
		b.WriteString(f.value)
	}
	b.WriteByte('}')
	return b.String(), true
}

// writeFiltered writes a page of at most size records that match a filter, reading them in
// batches by key from the request's $skiptoken on.
func (e *Emulator) writeFiltered(r *request, clauses []filterClause, show func(*record, time.Time) string, size int, batchAfter func(after string, limit int) ([]*record, error)) error {
	after := r.URL.Query().Get("$skiptoken")
	var page []*record
	// A batch is a page and one more (which says there is a next page): what is read beyond
	// the page is read again for the next one, and a smaller batch would read sparse matches
	// a few rows a query.
	limit := size + 1
	for len(page) <= size {
		batch, err := batchAfter(after, limit)
		if err != nil {
			return err
		}
		for _, rec := range batch {
			if matches(clauses, rec) {
				page = append(page, rec)
			}
		}
		if len(batch) < limit {
			break
		}
		after = batch[len(batch)-1].Key
	}
	e.writePage(r, page, show, size)
	return nil
}

// listOfType answers GET /subscriptions/{s}/providers/{namespace}/{type}: every resource of
// the type in the subscription, in any resource group or below any resource, filtered and
// paged, where the specs serve that list (storageAccounts.list, virtualNetworks.listAll,
// roleAssignments with $filter).
func (e *Emulator) listOfType(r *request, sub, armType string) error {
	probe, err := armid.Parse("/subscriptions/" + sub + "/providers/" + armType + "/_")
	if err != nil {
		return newError(http.StatusBadRequest, "InvalidResourceId", "%v", err)
	}
	rt, err := e.typeOf(r, probe)
	if err != nil {
		return err
	}
	if _, ok := e.ops.Collection(rt.info.ARMType, r.apiVersion, armops.Subscription); !ok {
		if _, known := e.ops.Name(rt.info.ARMType); known {
			return newError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The resource type '%s' has no list at subscription scope: list it in a resource group or below its parent.", rt.info.ARMType)
		}
	}
	clauses, err := parseFilter(r.URL.Query().Get("$filter"))
	if err != nil {
		return err
	}
	return e.writeFiltered(r, clauses, e.showString, e.opts.PageSize, func(after string, limit int) ([]*record, error) {
		return e.store.ofType(r.Context(), strings.ToLower(sub), strings.ToLower(rt.info.ARMType), after, limit, r.now)
	})
}

// regionDisplayNames are the regions the emulator offers for every type, as the providers'
// metadata writes them.
func regionDisplayNames() []string {
	var out []string
	for _, r := range regions() {
		out = append(out, r[1])
	}
	return out
}

// provider answers GET /subscriptions/{s}/providers/{namespace} (and /providers/{namespace}),
// and POST .../{namespace}/register: every provider is registered in the local cloud.
func (e *Emulator) provider(r *request, sub, rest string) error {
	ns, action, _ := strings.Cut(rest, "/")
	if sub != "" {
		if _, err := e.subscription(sub); err != nil {
			return err
		}
	}
	switch {
	case action == "" && r.Method == http.MethodGet:
	case action != "" && !strings.Contains(action, "/") && r.Method == http.MethodGet && sub != "":
		return e.listOfType(r, sub, ns+"/"+action)
	case strings.EqualFold(action, "register") && r.Method == http.MethodPost:
	case action != "" && r.Method == http.MethodPost && sub != "":
		return e.providerAction(r, ns, action)
	default:
		return methodNotAllowed(r)
	}
	prefix := strings.ToLower(ns) + "/"
	var types []map[string]any
	canonical := ""
	for _, t := range e.catalog.Types() {
		if !strings.HasPrefix(strings.ToLower(t.ARMType), prefix) {
			continue
		}
		canonical = t.Namespace()
		versions, err := e.catalog.KnownVersions(t.ARMType)
		if err != nil {
			return err
		}
		newest := append([]string{}, versions...)
		sort.Sort(sort.Reverse(sort.StringSlice(newest)))
		types = append(types, map[string]any{
			"resourceType": t.ARMType[len(prefix):], "locations": regionDisplayNames(), "apiVersions": newest, "capabilities": "None",
		})
	}
	if canonical == "" {
		return newError(http.StatusNotFound, "InvalidResourceNamespace", "The resource namespace '%s' is invalid.", ns)
	}
	id := "/providers/" + canonical
	if sub != "" {
		id = "/subscriptions/" + sub + id
	}
	writeJSON(r.w, http.StatusOK, map[string]any{"id": id, "namespace": canonical, "registrationState": "Registered", "registrationPolicy": "RegistrationRequired", "resourceTypes": types})
	return nil
}
