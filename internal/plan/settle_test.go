package plan_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/engine"
	"github.com/gru-iac/gru/internal/fakecloud"
	"github.com/gru-iac/gru/internal/plan"
	"github.com/gru-iac/gru/internal/project"
	"github.com/gru-iac/gru/internal/project/projecttest"
	"github.com/gru-iac/gru/internal/target"
)

const sub = fakecloud.Subscription

var spec = projecttest.Spec

// TestChangesMadeAsLiveIsReadAreTheSame: a plan that compares resources as the listing reads
// them, and lets go of the live bodies of those it leaves alone, says exactly what a plan that
// compares them once the listing has ended says: changes, reasons, diffs, bodies, versions and
// order, for changes left alone, updates, repairs, a cascade of replacements that keeps inline
// children made in the portal, and deletions that drop references.
func TestChangesMadeAsLiveIsReadAreTheSame(t *testing.T) {
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cloud := fakecloud.New(cat, sub)
	eng := &engine.Engine{Cloud: cloud, Parallelism: 4, InUseRetries: 2, InUseDelay: time.Millisecond}
	build := func(specs ...*project.Spec) *target.Target {
		proj := &project.Project{Name: "same", Stage: "dev", Location: "westeurope", Config: map[string]any{}, Resources: specs}
		tg, err := target.Build(ctx, cat, proj, sub, target.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}
	group := func(location string) *project.Spec {
		return spec("Resources::ResourceGroup", "rg", `{"location":"`+location+`"}`)
	}
	vnet := spec("Network::VirtualNetwork", "vnet", `{"properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]}}}`, "resourceGroup=rg")
	nsg := spec("Network::NetworkSecurityGroup", "nsg", "", "resourceGroup=rg")
	rt := spec("Network::RouteTable", "rt", `{"tags":{"team":"a"}}`, "resourceGroup=rg")
	asg := spec("Network::ApplicationSecurityGroup", "asg", "", "resourceGroup=rg")
	subnet := spec("Network::Subnet", "sn", `{"properties":{"addressPrefix":"10.0.0.0/24"}}`, "resourceGroup=rg", "virtualNetwork=rg::vnet", "networkSecurityGroup=rg::nsg", "routeTable=rg::rt")
	all := build(group("westeurope"), vnet, nsg, rt, asg, subnet)
	p, err := eng.Plan(ctx, all, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Apply(ctx, p); err != nil {
		t.Fatal(err)
	}
	// Made in the portal: a rule of the NSG's own, a tag on the ASG.
	nsgID := "/subscriptions/" + sub + "/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg"
	live := cloud.Resource(nsgID)
	live["properties"] = map[string]any{"securityRules": []any{map[string]any{"name": "ssh", "id": nsgID + "/securityRules/ssh", "properties": map[string]any{
		"protocol": "Tcp", "access": "Allow", "direction": "Inbound", "priority": json.Number("100"),
		"sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"}}}}
	cloud.Set(live)
	asgLive := cloud.Resource("/subscriptions/" + sub + "/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/asg")
	asgLive["tags"].(map[string]any)["owner"] = "portal"
	cloud.Set(asgLive)

	createdAt := regexp.MustCompile(`"createdAt": "[^"]*"`)
	saved := func(tg *target.Target, opts plan.Options) string {
		p, err := eng.Plan(ctx, tg, opts)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := p.Save(&b); err != nil {
			t.Fatal(err)
		}
		return createdAt.ReplaceAllString(b.String(), "")
	}
	bare := spec("Network::Subnet", "sn", `{"properties":{"addressPrefix":"10.0.0.0/24"}}`, "resourceGroup=rg", "virtualNetwork=rg::vnet")
	retagged := spec("Network::RouteTable", "rt", `{"tags":{"team":"b"}}`, "resourceGroup=rg")
	for _, c := range []struct {
		name   string
		target *target.Target
		opts   plan.Options
		want   []string // in the plan
	}{
		{"left alone and updated", all, plan.Options{}, []string{`"action": "no change"`, `"action": "update"`, `"path": "tags.owner"`}},
		{"a tag changed", build(group("westeurope"), vnet, nsg, retagged, asg, subnet), plan.Options{}, []string{`"path": "tags.team"`}},
		{"replaced with their group", build(group("northeurope"), vnet, nsg, rt, asg, subnet), plan.Options{AllowReplace: true}, []string{`"action": "replace"`, `"securityRules"`, `"name": "ssh"`}},
		{"a reference dropped, then deleted", build(group("westeurope"), vnet, rt, asg, bare), plan.Options{Prune: true}, []string{`"kind": "drops-reference"`, `"action": "delete"`}},
		{"secrets sent again", all, plan.Options{ReplaceSecrets: []string{"*"}}, nil},
	} {
		early, after := saved(c.target, c.opts), saved(c.target, plan.AfterListing(c.opts))
		if early != after {
			t.Errorf("%s: the plans differ:\nas read:\n%s\nafter the listing:\n%s", c.name, early, after)
		}
		for _, w := range c.want {
			if !strings.Contains(early, w) {
				t.Errorf("%s: the plan lacks %s:\n%s", c.name, w, early)
			}
		}
	}
}
