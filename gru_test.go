package gru_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gru-iac/gru"
)

func network(rgName, location string) *gru.Project {
	return &gru.Project{Name: "go-api", Location: location, Resources: []gru.Resource{
		{Type: "ResourceGroup", Group: "Resources", Name: rgName},
		{Type: "VirtualNetwork", Group: "Network", Name: "vnet",
			Properties:   map[string]any{"properties": map[string]any{"addressSpace": map[string]any{"addressPrefixes": []string{"10.1.0.0/16"}}}},
			Dependencies: map[string][]gru.Ref{"resourceGroup": {gru.Named(rgName)}}},
		{Type: "Subnet", Group: "Network", Name: "sn",
			Properties:   map[string]any{"properties": map[string]any{"addressPrefix": "10.1.0.0/24"}},
			Dependencies: map[string][]gru.Ref{"resourceGroup": {gru.Named(rgName)}, "virtualNetwork": {gru.Named(rgName + "::vnet")}}},
	}}
}

// TestGoAPI declares a resource group, a network and a subnet in Go, applies them to a local
// cloud, plans again (no change), saves a plan and applies it, replaces the group, and destroys.
func TestGoAPI(t *testing.T) {
	ctx := context.Background()
	var events []gru.Event
	s, err := gru.Open(ctx, gru.Options{Local: true, LocalDB: filepath.Join(t.TempDir(), "local.db"), Events: func(e gru.Event) { events = append(events, e) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := network("rg-go", "westeurope")
	plan, err := s.Plan(ctx, p, gru.PlanOptions{})
	if err != nil || plan.Counts()[gru.Create] != 3 {
		t.Fatalf("plan: %v %+v", err, plan)
	}
	outcomes, err := s.Apply(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outcomes {
		if o.State != gru.Done {
			t.Errorf("%s: %s %s", o.Resource, o.State, o.Error)
		}
	}
	if len(events) != 6 || events[5].Kind != gru.EventDone || events[5].Settled != 3 || events[5].Total != 3 {
		t.Errorf("events: %+v", events)
	}
	if plan, err := s.Plan(ctx, p, gru.PlanOptions{}); err != nil || plan.Pending() {
		t.Fatalf("plan after apply: %v %+v", err, plan)
	}
	id, err := s.ID("Subnet", "Network", "rg-go::vnet::sn")
	if err != nil || id != "/subscriptions/"+s.Subscription()+"/resourceGroups/rg-go/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sn" {
		t.Errorf("ID: %s %v", id, err)
	}
	// Moving the group is refused without AllowReplace; with it, a saved plan carries it out.
	moved := network("rg-go", "northeurope")
	plan, err = s.Plan(ctx, moved, gru.PlanOptions{})
	if err != nil || len(plan.Refusals) != 1 || plan.Counts()[gru.Replace] != 3 {
		t.Fatalf("replacement plan: %v %+v", err, plan)
	}
	if _, err := s.Apply(ctx, plan); !errors.Is(err, gru.ErrRefused) {
		t.Errorf("a refused plan: %v", err)
	}
	plan, _ = s.Plan(ctx, moved, gru.PlanOptions{AllowReplace: true})
	var saved bytes.Buffer
	plan.Save(&saved)
	if _, _, err := s.ApplySaved(ctx, bytes.NewReader(saved.Bytes()), network("rg-go", "westeurope")); !errors.Is(err, gru.ErrStale) {
		t.Errorf("a saved plan applied to another project: %v", err)
	}
	if _, out, err := s.ApplySaved(ctx, bytes.NewReader(saved.Bytes()), moved); err != nil || len(out) != 3 {
		t.Fatalf("saved plan: %v %+v", err, out)
	}
	if plan, _ := s.Plan(ctx, moved, gru.PlanOptions{}); plan.Pending() {
		t.Errorf("after the replacement: %+v", plan.Changes)
	}
	if _, err := s.Destroy(ctx, moved); err != nil {
		t.Fatal(err)
	}
	if plan, _ := s.Plan(ctx, moved, gru.PlanOptions{}); plan.Counts()[gru.Create] != 3 {
		t.Errorf("after destroy: %+v", plan.Counts())
	}
	_, err = s.Plan(ctx, &gru.Project{Name: "bad", Resources: []gru.Resource{{Type: "Nope", Group: "Storage", Name: "x"}}}, gru.PlanOptions{})
	if err == nil || !strings.Contains(err.Error(), "Nope") {
		t.Errorf("an unknown type: %v", err)
	}
}
