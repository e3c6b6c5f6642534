package gru_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/gru-iac/gru"
)

// TestGoAPI declares a resource group, a network and a subnet in Go, applies them to a local
// cloud, plans again (no change) and destroys them.
func TestGoAPI(t *testing.T) {
	ctx := context.Background()
	s, err := gru.Open(ctx, gru.Options{Local: true, LocalDB: filepath.Join(t.TempDir(), "local.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := gru.Project{Name: "go-api", Location: "westeurope", Resources: []gru.Resource{
		{Type: "ResourceGroup", Group: "Resources", Name: "rg-go"},
		{Type: "VirtualNetwork", Group: "Network", Name: "vnet",
			Properties:   map[string]any{"properties": map[string]any{"addressSpace": map[string]any{"addressPrefixes": []string{"10.1.0.0/16"}}}},
			Dependencies: map[string][]gru.Ref{"resourceGroup": {gru.Named("rg-go")}}},
		{Type: "Subnet", Group: "Network", Name: "sn",
			Properties:   map[string]any{"properties": map[string]any{"addressPrefix": "10.1.0.0/24"}},
			Dependencies: map[string][]gru.Ref{"resourceGroup": {gru.Named("rg-go")}, "virtualNetwork": {gru.Named("rg-go::vnet")}}},
	}}
	outcomes, err := s.Apply(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outcomes {
		if o.State != "done" {
			t.Errorf("%s: %s %s", o.Key, o.State, o.Error)
		}
	}
	plan, err := s.Plan(ctx, p)
	if err != nil || plan.Pending() {
		t.Fatalf("plan after apply: %v %+v", err, plan)
	}
	id, err := s.ID("Subnet", "Network", "rg-go::vnet::sn")
	if err != nil || id != "/subscriptions/"+s.Subscription()+"/resourceGroups/rg-go/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sn" {
		t.Errorf("ID: %s %v", id, err)
	}
	if _, err := s.Destroy(ctx, p); err != nil {
		t.Fatal(err)
	}
	if plan, _ := s.Plan(ctx, p); plan.Counts()["create"] != 3 {
		t.Errorf("after destroy: %+v", plan.Counts())
	}
	if _, err := s.Apply(ctx, gru.Project{Name: "bad", Resources: []gru.Resource{{Type: "Nope", Group: "Storage", Name: "x"}}}); err == nil {
		t.Error("an unknown type was accepted")
	}
}
