package gru_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gru-iac/gru"
)

// A project declared in Go, planned and applied on gru's local cloud.
func Example() {
	dir, _ := os.MkdirTemp("", "gru-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := gru.Open(ctx, gru.Options{Local: true, LocalDB: filepath.Join(dir, "local.db")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	p := &gru.Project{Name: "demo", Location: "westeurope", Resources: []gru.Resource{
		{Type: "ResourceGroup", Group: "Resources", Name: "rg-demo"},
		{Type: "NetworkSecurityGroup", Group: "Network", Name: "nsg",
			Dependencies: map[string][]gru.Ref{"resourceGroup": {gru.Named("rg-demo")}}},
	}}
	plan, err := s.Plan(ctx, p, gru.PlanOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range plan.Changes {
		fmt.Println(c.Action, c.Resource)
	}
	outcomes, _ := s.Apply(ctx, plan)
	for _, o := range outcomes {
		fmt.Println(o.Resource, o.State)
	}
	// Output:
	// create Resources::ResourceGroup rg-demo
	// create Network::NetworkSecurityGroup rg-demo::nsg
	// Resources::ResourceGroup rg-demo done
	// Network::NetworkSecurityGroup rg-demo::nsg done
}

// A plan says why and what: here a tag edited only in case, which gru does not miss.
func ExampleSession_Plan() {
	dir, _ := os.MkdirTemp("", "gru-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := gru.Open(ctx, gru.Options{Local: true, LocalDB: filepath.Join(dir, "local.db")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	group := func(env string) *gru.Project {
		return &gru.Project{Name: "demo", Location: "westeurope", Resources: []gru.Resource{
			{Type: "ResourceGroup", Group: "Resources", Name: "rg-demo", Properties: map[string]any{"tags": map[string]any{"env": env}}},
		}}
	}
	plan, _ := s.Plan(ctx, group("Prod"), gru.PlanOptions{})
	s.Apply(ctx, plan)
	plan, _ = s.Plan(ctx, group("prod"), gru.PlanOptions{})
	for _, c := range plan.Changes {
		fmt.Println(c.Action, c.Resource)
		for _, d := range c.Diffs {
			fmt.Printf("  %s: %v -> %v\n", d.Path, d.Before, d.After)
		}
	}
	// Output:
	// update Resources::ResourceGroup rg-demo
	//   tags.env: Prod -> prod
}

// Secrets never show: a write-only password is masked, and not compared with live.
func ExampleSession_Plan_secrets() {
	dir, _ := os.MkdirTemp("", "gru-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := gru.Open(ctx, gru.Options{Local: true, LocalDB: filepath.Join(dir, "local.db")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	p := &gru.Project{Name: "demo", Location: "westeurope", Resources: []gru.Resource{
		{Type: "ResourceGroup", Group: "Resources", Name: "rg-demo"},
		{Type: "Server", Group: "Sql", Name: "sql-demo", Properties: map[string]any{"properties": map[string]any{
			"administratorLogin": "sqladmin", "administratorLoginPassword": "Not-Shown-1"}},
			Dependencies: map[string][]gru.Ref{"resourceGroup": {gru.Named("rg-demo")}}},
	}}
	plan, _ := s.Plan(ctx, p, gru.PlanOptions{})
	s.Apply(ctx, plan)
	plan, _ = s.Plan(ctx, p, gru.PlanOptions{ReplaceSecrets: []string{"sql-demo"}})
	for _, c := range plan.Changes {
		fmt.Println(c.Action, c.Resource, c.Reasons)
		for _, d := range c.Diffs {
			fmt.Printf("  %s: %v -> %v\n", d.Path, d.Before, d.After)
		}
	}
	// Output:
	// no change Resources::ResourceGroup rg-demo []
	// update Sql::Server rg-demo::sql-demo [secrets sent again (--replace-secrets)]
	//   properties.administratorLoginPassword: (sensitive) -> (sensitive)
}
