package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/gru-iac/gru/internal/catalog"
)

// Services compute some of a resource's properties: an etag, creation and change times, the
// state a resource is in once provisioned, identifiers. computeProperties fills those the
// schema marks read-only where the schema (or the property's name) says what they are, so
// that clients reading them find them; what only the type's behaviour can know is in
// behaviour.go.

// successStates are the enum values that say a resource is provisioned and usable, in the
// order they are preferred.
func successStates() []string {
	return []string{"Succeeded", "Enabled", "Ready", "Running", "Active", "Available", "Online", "Healthy", "Normal", "Completed", "Approved", "Created", "Provisioned", "Connected", "Deployed", "Success"}
}

// computeProperties fills the read-only properties a service computes, at the top level (an
// etag) and in properties, keeping those already there (a creation time stays what it was).
// seed makes identifiers stable: the same resource gets the same GUIDs.
func computeProperties(schema *catalog.Resource, out map[string]any, previous map[string]any, seed string, now time.Time) {
	if schema == nil || schema.Body == nil {
		return
	}
	bodyType := variantOf(schema.Body, out)
	if p := bodyType.Property("etag"); p != nil && p.Flags.Has(catalog.FlagReadOnly) {
		out["etag"] = etag(seed, now)
	}
	props := bodyType.Property("properties")
	if props == nil || props.Type == nil || props.Flags.Has(catalog.FlagReadOnly) {
		return
	}
	body, _ := out["properties"].(map[string]any)
	if body == nil {
		body = map[string]any{}
	}
	before, _ := previous["properties"].(map[string]any)
	for _, p := range objectProperties(variantOf(props.Type, body)) {
		if !p.Flags.Has(catalog.FlagReadOnly) || p.Type == nil {
			continue
		}
		if _, has := body[p.Name]; has {
			continue
		}
		if v, ok := before[p.Name]; ok && !strings.EqualFold(p.Name, "provisioningState") {
			body[p.Name] = v
			continue
		}
		if v, ok := computedValue(p, seed, now); ok {
			body[p.Name] = v
		}
	}
	if len(body) > 0 {
		out["properties"] = body
	}
}

// variantOf is the type a value has: for a discriminated object, the variant its
// discriminator names (with the common properties), else the type itself.
func variantOf(t *catalog.Type, v map[string]any) *catalog.Type {
	if t.Kind != catalog.KindDiscriminatedObject {
		return t
	}
	value, _ := v[t.Discriminator].(string)
	for _, variant := range t.Variants {
		if strings.EqualFold(variant.Value, value) && variant.Type != nil {
			merged := &catalog.Type{Kind: catalog.KindObject, Name: variant.Type.Name}
			merged.Properties = append(append(merged.Properties, t.BaseProperties...), objectProperties(variant.Type)...)
			return merged
		}
	}
	return &catalog.Type{Kind: catalog.KindObject, Properties: t.BaseProperties}
}

// objectProperties lists an object's properties, a discriminated object's common ones.
func objectProperties(t *catalog.Type) []catalog.Property {
	switch t.Kind {
	case catalog.KindObject:
		return t.Properties
	case catalog.KindDiscriminatedObject:
		return t.BaseProperties
	}
	return nil
}

// computedValue is the value a service would give a read-only property, when its type or name
// says what it is: a state from its enum, a time, an identifier, an empty list.
func computedValue(p catalog.Property, seed string, now time.Time) (any, bool) {
	name := strings.ToLower(p.Name)
	if values, _ := p.Type.Literals(); len(values) > 0 {
		for _, want := range successStates() {
			for _, v := range values {
				if strings.EqualFold(v, want) {
					return v, true
				}
			}
		}
		return values[0], true
	}
	switch p.Type.Kind {
	case catalog.KindString:
		switch {
		case strings.HasSuffix(name, "time") || strings.HasSuffix(name, "date") || strings.HasSuffix(name, "timestamp") ||
			strings.HasSuffix(name, "utc") || name == "createdon" || name == "changedon" || name == "createdat" || name == "updatedat" || strings.HasSuffix(name, "modifiedon") ||
			name == "timecreated" || name == "timemodified" || name == "timeupdated":
			return now.UTC().Format(time.RFC3339Nano), true
		case name == "uniqueid" || name == "vmid" || strings.HasSuffix(name, "guid") || name == "tenantid" || name == "principalid" || name == "clientid" || name == "objectid" || name == "customerid":
			return guid(seed + "|" + name), true
		case strings.HasSuffix(p.Name, "Id") && !strings.HasSuffix(name, "resourceid") && !strings.HasSuffix(name, "subnetid"):
			// A read-only identifier the service assigns (a correlation, policy, host or
			// reservation ID); references to other resources end in ResourceId.
			return guid(seed + "|" + name), true
		}
	case catalog.KindArray:
		return []any{}, true
	}
	return nil, false
}

// guid is a GUID derived from a seed: stable for one resource and property.
func guid(seed string) string {
	h := sha256.Sum256([]byte("gru-emulator|" + seed))
	x := hex.EncodeToString(h[:16])
	return fmt.Sprintf("%s-%s-4%s-a%s-%s", x[:8], x[8:12], x[13:16], x[17:20], x[20:32])
}

// etag is a new entity tag for a write: a resource's changes until now.
func etag(seed string, now time.Time) string {
	return `W/"` + guid(seed+"|"+now.Format(time.RFC3339Nano)) + `"`
}
