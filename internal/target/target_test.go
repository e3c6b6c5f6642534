package target

import (
	"context"
	"encoding/json"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

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
		{Type: "StorageAccount", Group: "Storage", Name: "acct", Properties: map[string]any{"kind": "StorageV2", "sku": map[string]any{"name": "Standard_LRS"}},
			Dependencies: project.Dependencies{{Key: "resourceGroup", Refs: []project.Ref{{Name: "rg"}}}}},
		// No name: its ID fixes it (default), in the target, not in the project.
		{Type: "BlobService", Group: "Storage", Properties: map[string]any{},
			Dependencies: project.Dependencies{{Key: "resourceGroup", Refs: []project.Ref{{Name: "rg"}}}, {Key: "account", Refs: []project.Ref{{Name: "rg::acct"}}}}},
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
	for _, want := range []string{"rg", "vnet", "acct", "the blob service"} {
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
	if blobs := tg.Resource("Storage::BlobService rg::acct::default"); blobs == nil || blobs.Spec.Name != "default" {
		t.Errorf("the blob service is not named default in the target: %v", blobs)
	}
	if vnet.Spec.Name != "vnet" || vnet.Deps.Of("resourceGroup")[0] != tg.Resource("Resources::ResourceGroup rg") || tg.Project.Name != "p" || tg.Project.Dir != "somewhere" {
		t.Errorf("the target lost what it uses of the project: %+v %+v", vnet.Spec, tg.Project)
	}
}

// TestAlikeBodiesAreShared: resources whose bodies are alike, of scalars and objects of
// scalars, share one body (bodies are not changed once built); bodies that differ in any
// value, or in its type, do not; nested ones are never shared.
func TestAlikeBodiesAreShared(t *testing.T) {
	cat := openCatalog(t)
	tg, problems := buildJS(t, cat, `exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg" },
  { type: "NetworkSecurityGroup", group: "Network", name: "nsg1", dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "NetworkSecurityGroup", group: "Network", name: "nsg2", dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "NetworkSecurityGroup", group: "Network", name: "nsg3", properties: () => ({ location: "northeurope" }), dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "StorageAccount", group: "Storage", name: "sa1", properties: () => ({ kind: "StorageV2", sku: { name: "Standard_LRS" } }), dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "StorageAccount", group: "Storage", name: "sa2", properties: () => ({ sku: { name: "Standard_LRS" }, kind: "StorageV2" }), dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "StorageAccount", group: "Storage", name: "sa3", properties: () => ({ kind: "StorageV2", sku: { name: "Standard_GRS" } }), dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "StorageAccount", group: "Storage", name: "sa4", properties: () => ({ kind: "StorageV2", sku: { name: "Standard_LRS" }, tags: { team: "a" } }), dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "StorageAccount", group: "Storage", name: "sa5", properties: () => ({ kind: "StorageV2", sku: { name: "Standard_LRS" }, tags: { team: "a" } }), dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "VirtualNetwork", group: "Network", name: "vnet1", properties: () => ({ properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } } }), dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "VirtualNetwork", group: "Network", name: "vnet2", properties: () => ({ properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } } }), dependencies: () => ({ resourceGroup: "rg" }) },
];`, Options{})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	body := func(key string) unsafe.Pointer {
		r := tg.Resource(key)
		if r == nil {
			t.Fatalf("no %s", key)
		}
		return reflect.ValueOf(r.Body).UnsafePointer()
	}
	for _, same := range [][2]string{
		{"Network::NetworkSecurityGroup rg::nsg1", "Network::NetworkSecurityGroup rg::nsg2"},
		{"Network::NetworkSecurityGroup rg::nsg1", "Resources::ResourceGroup rg"}, // a location and the ownership tags
		{"Storage::StorageAccount rg::sa1", "Storage::StorageAccount rg::sa2"},
		{"Storage::StorageAccount rg::sa4", "Storage::StorageAccount rg::sa5"},
	} {
		if body(same[0]) != body(same[1]) {
			t.Errorf("%s and %s have bodies alike, not shared", same[0], same[1])
		}
	}
	for _, apart := range [][2]string{
		{"Network::NetworkSecurityGroup rg::nsg1", "Network::NetworkSecurityGroup rg::nsg3"},
		{"Storage::StorageAccount rg::sa1", "Storage::StorageAccount rg::sa3"},
		{"Storage::StorageAccount rg::sa1", "Storage::StorageAccount rg::sa4"},
		{"Network::VirtualNetwork rg::vnet1", "Network::VirtualNetwork rg::vnet2"},
	} {
		if body(apart[0]) == body(apart[1]) {
			t.Errorf("%s and %s share a body", apart[0], apart[1])
		}
	}
	got, _ := json.Marshal(tg.Resource("Storage::StorageAccount rg::sa3").Body)
	if want := `{"kind":"StorageV2","location":"westeurope","sku":{"name":"Standard_GRS"},"tags":{"gc-created-by-provider":"azure","gc-managed-by":"grucloud","gc-project-name":"p","gc-stage":"dev"}}`; string(got) != want {
		t.Errorf("sa3: %s\nwant %s", got, want)
	}
}

// TestFlatKeysTellValuesApart: what sharedBody compares bodies by differs for every two
// bodies that differ, in a value or in its type.
func TestFlatKeysTellValuesApart(t *testing.T) {
	b := &builder{ownerTags: map[string]any{"gc-managed-by": "grucloud"}}
	bodies := []map[string]any{
		{},
		{"a": "1"},
		{"a": json.Number("1")},
		{"a": true},
		{"a": nil},
		{"a": "b:1:c"},
		{"a": "b", "1:c": "d"},
		{"a": map[string]any{}},
		{"a": map[string]any{"b": "c"}},
		{"a": map[string]any{"b": json.Number("1")}},
		{"a": b.ownerTags},
		{"a": map[string]any{"gc-managed-by": "grucloud"}},
		{"ab": "c"},
		{"a": "bc"},
	}
	seen := map[string]int{}
	for i, body := range bodies {
		var w strings.Builder
		if !b.writeFlat(&w, body, true) {
			t.Errorf("%v is flat", body)
			continue
		}
		if j, dup := seen[w.String()]; dup {
			t.Errorf("%v and %v are told apart by the same %q", bodies[j], body, w.String())
		}
		seen[w.String()] = i
	}
	for _, nested := range []map[string]any{
		{"a": []any{}},
		{"a": map[string]any{"b": map[string]any{}}},
		{"a": float64(1)},
	} {
		var w strings.Builder
		if b.writeFlat(&w, nested, true) {
			t.Errorf("%v is taken as flat", nested)
		}
	}
}
