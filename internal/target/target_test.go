package target

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/project"
)

func TestIDOf(t *testing.T) {
	c, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ref  project.Ref
		want string
	}{
		{project.Ref{Type: "ResourceGroup", Group: "Resources", Name: "rg"}, "/subscriptions/s/resourceGroups/rg"},
		{project.Ref{Type: "StorageAccount", Group: "Storage", Name: "rg::acct"}, "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct"},
		{project.Ref{Type: "Subnet", Group: "Network", Name: "rg::vnet::sn"}, "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sn"},
		{project.Ref{Type: "PrivateEndpointConnection", Group: "Storage", Name: "rg::acct::c"}, Unknown{IDOf: "Storage::PrivateEndpointConnection rg::acct::c"}.String()},
	} {
		got, err := IDOf(c, "s", tc.ref)
		if err != nil || got != tc.want {
			t.Errorf("%+v: %s %v, want %s", tc.ref, got, err, tc.want)
		}
	}
	if _, err := IDOf(c, "s", project.Ref{Type: "Subnet", Group: "Network", Name: "sn"}); err == nil {
		t.Error("a subnet named without its group and network was accepted")
	}
}

func TestSetPathWritesWhatTheUserDidNot(t *testing.T) {
	body := map[string]any{"properties": map[string]any{"subnet": map[string]any{"id": "mine"}}}
	setPath(body, "properties.subnet.id", []any{"dep"})
	setPath(body, "properties.publicIpAddresses[].id", []any{"ip1", "ip2"})
	setPath(body, "properties.natGateway.id", []any{"nat"})
	got, _ := json.Marshal(body)
	want := `{"properties":{"natGateway":{"id":"nat"},"publicIpAddresses":[{"id":"ip1"},{"id":"ip2"}],"subnet":{"id":"mine"}}}`
	if string(got) != want {
		t.Errorf("%s\nwant %s", got, want)
	}
}

// TestUnknownDependencyKeysWarn: a dependency key neither GruCloud's table nor gru knows for a
// type only orders: a warning says so and names the nearest key; --strict makes it an error.
func TestUnknownDependencyKeysWarn(t *testing.T) {
	c, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	proj := &project.Project{Name: "p", Stage: "dev", Location: "westeurope", Resources: []*project.Spec{
		{Type: "ResourceGroup", Group: "Resources", Name: "rg", Properties: map[string]any{}},
		{Type: "UserAssignedIdentity", Group: "ManagedIdentity", Name: "id1", Properties: map[string]any{},
			Dependencies: project.Dependencies{{Key: "resourceGroup", Refs: []project.Ref{{Name: "rg"}}}}},
		{Type: "StorageAccount", Group: "Storage", Name: "acct", Properties: map[string]any{"kind": "StorageV2", "sku": map[string]any{"name": "Standard_LRS"}},
			Dependencies: project.Dependencies{{Key: "managedIdentitys", Refs: []project.Ref{{Name: "rg::id1"}}}, {Key: "resourceGroup", Refs: []project.Ref{{Name: "rg"}}}}},
	}}
	tg, err := Build(context.Background(), c, proj, "s", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tg.Warnings) != 1 || !strings.Contains(tg.Warnings[0].Message, "did you mean managedIdentities?") {
		t.Errorf("warnings: %v", tg.Warnings)
	}
	if _, err := Build(context.Background(), c, proj, "s", Options{Strict: true}); err == nil || !strings.Contains(err.Error(), "managedIdentitys") {
		t.Errorf("--strict: %v", err)
	}
}

func TestByIDFindsWhatTheProjectNames(t *testing.T) {
	cat := openCatalog(t)
	tg, problems := buildJS(t, cat, `exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg" },
  { type: "NetworkSecurityGroup", group: "Network", name: "nsg", dependencies: () => ({ resourceGroup: "rg" }) },
];`, Options{})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	nsg := tg.Resource("Network::NetworkSecurityGroup rg::nsg")
	if nsg == nil {
		t.Fatal("no network security group")
	}
	for _, id := range []string{nsg.ID.String(), strings.ToUpper(nsg.ID.String())} {
		if got := tg.ByID(id); got != nsg {
			t.Errorf("ByID(%s) = %v, want the network security group", id, got)
		}
	}
	if got := tg.ByID(nsg.ID.String() + "x"); got != nil {
		t.Errorf("ByID of another ID = %v", got.Key)
	}
}

// TestTargetLetsGoOfTheProject: a built target keeps its own bodies and none of the caller's
// project: the project is as it was, and once the caller lets go of it, its resources' specs
// and properties go too (a plan of 10,000 resources would hold them twice).
func TestTargetLetsGoOfTheProject(t *testing.T) {
	c, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	proj := &project.Project{Name: "p", Stage: "dev", Location: "westeurope", Dir: "somewhere", Resources: []*project.Spec{
		{Type: "ResourceGroup", Group: "Resources", Name: "rg", Properties: map[string]any{"tags": map[string]any{"team": "blue"}}},
		{Type: "VirtualNetwork", Group: "Network", Name: "vnet", Properties: map[string]any{"properties": map[string]any{"addressSpace": map[string]any{"addressPrefixes": []any{"10.0.0.0/16"}}}},
			Dependencies: project.Dependencies{{Key: "resourceGroup", Refs: []project.Ref{{Name: "rg"}}}}},
	}}
	before, _ := json.Marshal(proj)
	tg, err := Build(context.Background(), c, proj, "s", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := json.Marshal(proj); string(after) != string(before) {
		t.Errorf("Build changed the project:\n%s\nwas\n%s", after, before)
	}
	gone := make(chan string, len(proj.Resources))
	for _, s := range proj.Resources {
		runtime.AddCleanup(s, func(name string) { gone <- name }, s.Name)
	}
	proj = nil
	for range 3 {
		runtime.GC()
	}
	for _, want := range []string{"rg", "vnet"} {
		select {
		case <-gone:
		case <-time.After(5 * time.Second):
			t.Fatalf("the target still holds the project's %s (or another) once the project is let go of", want)
		}
	}
	vnet := tg.Resource("Network::VirtualNetwork rg::vnet")
	body, _ := json.Marshal(vnet.Body)
	if want := `{"location":"westeurope","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]}},"tags":{"gc-created-by-provider":"azure","gc-managed-by":"grucloud","gc-project-name":"p","gc-stage":"dev"}}`; string(body) != want {
		t.Errorf("body %s\nwant %s", body, want)
	}
	if vnet.Spec.Name != "vnet" || vnet.Deps.Of("resourceGroup")[0] != tg.Resource("Resources::ResourceGroup rg") || tg.Project.Name != "p" || tg.Project.Dir != "somewhere" {
		t.Errorf("the target lost what it uses of the project: %+v %+v", vnet.Spec, tg.Project)
	}
}
