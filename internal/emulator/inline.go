package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gru-iac/gru/internal/armid"
	"github.com/gru-iac/gru/internal/catalog"
)

// Some resources list child resources in their own body (a network's subnets): Azure keeps the
// list and the children as one (catalog.InlineChildren). A PUT of the parent creates,
// updates and deletes children; a child's own PUT or DELETE changes the parent's list.

// inlineChange is what a parent's PUT does to its inline children.
type inlineChange struct {
	children []*record   // to write with the parent
	stale    []*armid.ID // to delete after it: children the new list leaves out
}

// inlineChildren reads the inline lists of a parent's rendered body: each entry becomes a
// child record, and the entry shows the child as its GET does (id, name, type,
// provisioningState). The parent's own references leave out those of its children.
func (e *Emulator) inlineChildren(ctx context.Context, id *armid.ID, armType string, out map[string]any, apiVersion string, now time.Time) (*inlineChange, map[string]any, error) {
	lists := catalog.InlineChildren(armType)
	if len(lists) == 0 {
		return nil, out, nil
	}
	change := &inlineChange{}
	own := make(map[string]any, len(out))
	for k, v := range out {
		own[k] = v
	}
	props, _ := out["properties"].(map[string]any)
	ownProps := map[string]any{}
	for k, v := range props {
		ownProps[k] = v
	}
	own["properties"] = ownProps
	for _, list := range lists {
		delete(ownProps, list)
		childType := armType + "/" + list
		if ti, ok := e.catalog.Find(childType); ok {
			childType = ti.ARMType
		}
		keep := map[string]bool{}
		entries, _ := props[list].([]any)
		for i, raw := range entries {
			entry, ok := raw.(map[string]any)
			name, _ := entry["name"].(string)
			if !ok || name == "" {
				return nil, nil, newError(http.StatusBadRequest, "InvalidRequestFormat", "properties.%s[%d] of %s has no name: every entry is a child resource and needs one.", list, i, id)
			}
			if keep[strings.ToLower(name)] {
				return nil, nil, newError(http.StatusBadRequest, "InvalidRequestFormat", "properties.%s of %s names '%s' twice.", list, id, name)
			}
			keep[strings.ToLower(name)] = true
			childID := id.Child(list, name)
			child := inlineBody(childID, childType, entry)
			entries[i] = child
			rec := newRecord(childID, apiVersion)
			rec.setBody(child)
			rec.Refs = referenceKeys(referencesIn(rec.Key, child))
			change.children = append(change.children, rec)
		}
		live, err := e.store.children(ctx, id.Key(), strings.ToLower(childType), "", 100000, now)
		if err != nil {
			return nil, nil, err
		}
		for _, rec := range live {
			if !keep[lastName(rec.Key)] {
				childID, err := armid.Parse(rec.ID)
				if err != nil {
					return nil, nil, err
				}
				if err := e.checkNotInUse(ctx, childID, now); err != nil {
					return nil, nil, err
				}
				change.stale = append(change.stale, childID)
			}
		}
	}
	return change, own, nil
}

// inlineBody is an inline entry as the child's GET shows it.
func inlineBody(id *armid.ID, armType string, entry map[string]any) map[string]any {
	body := make(map[string]any, len(entry)+3)
	for k, v := range entry {
		body[k] = v
	}
	body["id"], body["name"], body["type"] = id.String(), id.Name, armType
	props, _ := body["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	props["provisioningState"] = "Succeeded"
	body["properties"] = props
	return body
}

// rewritesOthers: a write of this resource reads and rewrites lists kept in other resources'
// bodies: an inline list (its own, or its parent's), a target's private endpoint connections.
func rewritesOthers(id *armid.ID, armType string) bool {
	_, child := inlineList(id)
	return child || len(catalog.InlineChildren(armType)) > 0 || strings.EqualFold(armType, typePrivateEndpoint) || isConnection(armType)
}

// inlineList says whether a type is a child kept in its parent's list, and which list.
func inlineList(id *armid.ID) (string, bool) {
	if id.Parent == nil {
		return "", false
	}
	for _, list := range catalog.InlineChildren(id.Parent.ResourceType()) {
		if strings.EqualFold(list, id.Type) {
			return list, true
		}
	}
	return "", false
}

// parentWithChild returns the parent record of an inline child with the child's entry
// replaced by body, added, or removed (body nil); nil when the child is not inline.
func (e *Emulator) parentWithChild(ctx context.Context, id *armid.ID, body map[string]any, now time.Time) (*record, error) {
	list, ok := inlineList(id)
	if !ok {
		return nil, nil
	}
	parent, err := e.store.get(ctx, id.Parent.Key(), now)
	if err != nil || parent == nil {
		return nil, err
	}
	var pb map[string]any
	if err := json.Unmarshal([]byte(parent.Body), &pb); err != nil {
		return nil, err
	}
	props, _ := pb["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		pb["properties"] = props
	}
	entries, _ := props[list].([]any)
	kept := make([]any, 0, len(entries)+1)
	replaced := false
	for _, raw := range entries {
		entry, _ := raw.(map[string]any)
		if name, _ := entry["name"].(string); strings.EqualFold(name, id.Name) {
			if body != nil {
				kept = append(kept, body)
			}
			replaced = true
			continue
		}
		kept = append(kept, raw)
	}
	if !replaced && body != nil {
		kept = append(kept, body)
	}
	props[list] = kept
	parent.setBody(pb)
	return parent, nil
}

// siblings are the other entries of an inline child's list in its parent, nil when the child
// is not inline or the parent is gone.
func (e *Emulator) siblings(ctx context.Context, id *armid.ID, now time.Time) ([]map[string]any, map[string]any, error) {
	list, ok := inlineList(id)
	if !ok {
		return nil, nil, nil
	}
	parent, err := e.store.get(ctx, id.Parent.Key(), now)
	if err != nil || parent == nil {
		return nil, nil, err
	}
	var pb map[string]any
	if err := json.Unmarshal([]byte(parent.Body), &pb); err != nil {
		return nil, nil, err
	}
	props, _ := pb["properties"].(map[string]any)
	entries, _ := props[list].([]any)
	var out []map[string]any
	for _, raw := range entries {
		entry, _ := raw.(map[string]any)
		if name, _ := entry["name"].(string); entry != nil && !strings.EqualFold(name, id.Name) {
			out = append(out, entry)
		}
	}
	return out, pb, nil
}
