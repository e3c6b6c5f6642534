package plan

import (
	"context"
	"strings"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/inventory"
	"github.com/gru-iac/gru/internal/target"
)

// Managed tells, for each live resource of a target, whether the project manages it: it
// carries the project's ownership tags, or its type has no tags and the project manages its
// parent (package ownership's rule).
func Managed(t *target.Target, live map[*target.Resource]map[string]any) map[*target.Resource]bool {
	byID := map[string]*target.Resource{}
	for r, l := range live {
		byID[strings.ToLower(armclient.Field(l, "id"))] = r
	}
	managed := map[*target.Resource]bool{}
	for _, r := range Order(t) {
		l := live[r]
		if l == nil {
			continue
		}
		parentManaged := false
		if r.Parent != nil {
			if parent := byID[strings.ToLower(r.Parent.String())]; parent != nil {
				parentManaged = managed[parent]
			}
		}
		managed[r] = !r.ReadOnly() && t.Owner.Manages(l, r.Schema.Has("tags"), parentManaged)
	}
	return managed
}

// LiveOf reads what is live of a target and matches it to its resources, without waiting for
// resources still provisioning; it returns the request count too.
func LiveOf(ctx context.Context, c Cloud, t *target.Target) (map[*target.Resource]map[string]any, int, error) {
	live, err := inventory.OfTarget(ctx, c, t, false, nil)
	if err != nil {
		return nil, live.Requests, err
	}
	ids := map[string]string{}
	for _, r := range t.Resources {
		if r.ID != nil {
			ids[r.Key] = r.IDString()
		}
	}
	out := map[*target.Resource]map[string]any{}
	for _, r := range Order(t) {
		if l := live.Match(r, func(key string) string { return ids[key] }); l != nil {
			out[r] = l
			ids[r.Key] = armclient.Field(l, "id")
		}
	}
	return out, live.Requests, nil
}

// DestroyOptions choose what a destroy plan deletes.
type DestroyOptions struct {
	// Keep, when set, keeps only the declared resources it accepts, and leaves out what the
	// project no longer declares.
	Keep func(*target.Resource) bool
	// All deletes the project's live resources whether the project manages them or not.
	All bool
	// OnWait is told of each resource the plan waits for.
	OnWait func(key, state string)
}

// Destroy plans the deletion of what a project manages that is live: the declared resources
// carrying its ownership tags (or, for types without tags, whose parent it manages), and,
// without a filter, what it manages but no longer declares. What a deleted resource group
// holds goes with it, and is listed.
func Destroy(ctx context.Context, c Cloud, t *target.Target, opts DestroyOptions) (*Plan, error) {
	p := newPlan(t, Options{})
	m, err := match(ctx, c, t, Options{OnWait: opts.OnWait}, &p.Requests, false)
	if err != nil {
		return nil, err
	}
	managed := Managed(t, m.body)
	for _, r := range t.Resources {
		l := m.body[r]
		if l == nil || r.ReadOnly() || !(managed[r] || opts.All) || opts.Keep != nil && !opts.Keep(r) {
			continue
		}
		p.add(&Change{Key: r.Key, Type: r.Type.ARMType, ID: armclient.Field(l, "id"), APIVersion: r.APIVersion(), Action: Delete,
			Reasons: []Reason{{Kind: ReasonDestroy}}, live: l, State: provisioningState(l), Resource: r})
	}
	if opts.Keep == nil {
		if err := p.prune(ctx, c, m); err != nil {
			return nil, err
		}
	}
	p.markDeletedWith()
	if err := p.addContents(ctx, c, m); err != nil {
		return nil, err
	}
	p.markDeletedWith()
	p.sortChanges()
	p.refuseReadOnly()
	p.order()
	p.fingerprint()
	return p, nil
}
