package emulator

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/validate"
)

// render builds the stored form of a resource from a request body, as a resource provider
// would: read-only input dropped, write-only and secure input kept out (ARM never returns it,
// and the emulator keeps no secret), id, name
// and type from the URL (the casing of the first write kept), location normalised,
// provisioningState and systemData filled in.
// The record's Body is left for setBody, once behaviour.go had its say.
func (e *Emulator) render(r *request, id *armid.ID, rt *resourceType, body map[string]any, existing *record) (*record, map[string]any) {
	if rt.schema != nil {
		if stripped, ok := validate.StripReadOnly(rt.schema, body).(map[string]any); ok {
			body = stripped
		}
	}
	if schema := rt.schemaOrFallback(); schema != nil {
		if stripped, ok := validate.StripUnreturned(schema, body).(map[string]any); ok {
			body = stripped
		}
		unreturned(rt.info.ARMType, body)
	}
	out := make(map[string]any, len(body)+4)
	for k, v := range body {
		switch strings.ToLower(k) {
		case "id", "name", "type", "systemdata":
		default:
			out[k] = v
		}
	}
	stored := id
	if existing != nil {
		if prev, err := armid.Parse(existing.ID); err == nil {
			stored = prev
		}
	}
	out["id"], out["name"], out["type"] = stored.String(), stored.Name, rt.info.ARMType
	for k, v := range out {
		if strings.EqualFold(k, "location") {
			if s, ok := v.(string); ok {
				out[k] = NormalizeLocation(s)
			}
		}
	}
	if rt.hasProperty(out, "properties", "provisioningState") {
		props, _ := out["properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
		}
		props["provisioningState"] = "Succeeded"
		out["properties"] = props
	}
	var previous map[string]any
	if existing != nil {
		json.Unmarshal([]byte(existing.Body), &previous)
	}
	computeProperties(rt.schemaOrFallback(), out, previous, stored.Key(), r.now)
	e.computeForType(r, rt.info.ARMType, stored, out)
	now := r.now.UTC().Format(time.RFC3339Nano)
	if rt.hasProperty(out, "systemData") {
		created := now
		if sd, ok := previous["systemData"].(map[string]any); ok {
			if at, ok := sd["createdAt"].(string); ok && at != "" {
				created = at
			}
		}
		out["systemData"] = map[string]any{
			"createdBy": "gru-emulator", "createdByType": "Application", "createdAt": created,
			"lastModifiedBy": "gru-emulator", "lastModifiedByType": "Application", "lastModifiedAt": now,
		}
	}
	return newRecord(stored, r.apiVersion), out
}

// schemaOrFallback is the request's schema, else the default version's.
func (rt *resourceType) schemaOrFallback() *catalog.Resource {
	if rt.schema != nil {
		return rt.schema
	}
	return rt.fallback
}

// newRecord is the stored form of a resource ID, without a body.
func newRecord(id *armid.ID, apiVersion string) *record {
	parentKey := ""
	if id.Parent != nil {
		parentKey = id.Parent.Key()
	}
	return &record{
		Key: id.Key(), ID: id.String(), ParentKey: parentKey, Type: strings.ToLower(id.ResourceType()),
		Sub: strings.ToLower(id.SubscriptionID()), Group: strings.ToLower(id.ResourceGroupName()),
		TopLevel: id.TopLevel(), APIVersion: apiVersion,
	}
}

// decoded is the stored body as a map (empty when it is none).
func (rec *record) decoded() map[string]any {
	var body map[string]any
	json.Unmarshal([]byte(rec.Body), &body)
	if body == nil {
		body = map[string]any{}
	}
	return body
}

// setBody stores a resource body.
func (rec *record) setBody(body map[string]any) {
	data, _ := json.Marshal(body)
	rec.Body, rec.env = string(data), nil
}

// hasProperty reports whether the schema has a property path in a body (for discriminated
// objects, in the variant the body names); without a schema (an API version gru does not
// hold), the usual ARM envelope is assumed.
func (rt *resourceType) hasProperty(body map[string]any, path ...string) bool {
	if rt.schema == nil || rt.schema.Body == nil {
		return true
	}
	t := rt.schema.Body
	for _, name := range path {
		if t == nil {
			return false
		}
		p := variantOf(t, body).Property(name)
		if p == nil {
			return false
		}
		t = p.Type
		body, _ = body[name].(map[string]any)
	}
	return true
}

// view is a stored resource as a GET at now shows it: while provisioning or deleting, with
// that provisioning state.
func view(rec *record, now time.Time) map[string]any {
	body := rec.decoded()
	state := ""
	switch {
	case !rec.GoneAt.IsZero() && now.Before(rec.GoneAt):
		state = rec.Pending
	case now.Before(rec.ReadyAt):
		state = rec.Pending
	}
	if props, ok := body["properties"].(map[string]any); ok && state != "" {
		if _, has := props["provisioningState"]; has {
			props["provisioningState"] = state
		}
	}
	return body
}

// viewString is view as JSON: the stored body itself when no provisioning state must show.
func viewString(rec *record, now time.Time) string {
	if (rec.GoneAt.IsZero() || !now.Before(rec.GoneAt)) && !now.Before(rec.ReadyAt) {
		return rec.Body
	}
	data, _ := json.Marshal(view(rec, now))
	return string(data)
}

// show is view, with the storage accounts' blob endpoint at the emulator's blob service when
// it has one.
func (e *Emulator) show(rec *record, now time.Time) map[string]any {
	body := view(rec, now)
	if e.opts.BlobEndpoint != "" && rec.Type == typeStorageAccount {
		props, _ := body["properties"].(map[string]any)
		if endpoints, ok := props["primaryEndpoints"].(map[string]any); ok && endpoints["blob"] == azureBlobEndpoint(lastName(rec.Key)) {
			endpoints["blob"] = e.opts.BlobEndpoint + "/" + lastName(rec.Key) + "/"
		}
	}
	return body
}

// showString is show as JSON. The blob endpoint is rewritten in the JSON text, where Azure's
// address stands quoted: the body is not decoded for it.
func (e *Emulator) showString(rec *record, now time.Time) string {
	body := viewString(rec, now)
	if e.opts.BlobEndpoint != "" && rec.Type == typeStorageAccount {
		name := lastName(rec.Key)
		local, _ := json.Marshal(e.opts.BlobEndpoint + "/" + name + "/")
		body = strings.Replace(body, `"blob":"`+azureBlobEndpoint(name)+`"`, `"blob":`+string(local), 1)
	}
	return body
}

// azureBlobEndpoint is the blob endpoint of an account in Azure, as the emulator stores it.
func azureBlobEndpoint(account string) string {
	return "https://" + account + ".blob.core.windows.net/"
}

// NormalizeLocation writes a location as ARM stores it: "West Europe" becomes "westeurope".
func NormalizeLocation(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), ""))
}
