package target

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/project"
)

// buildJS loads a resources.js (with a location in config.js) and builds its target.
func buildJS(t *testing.T, cat *catalog.Catalog, src string, opts Options) (*Target, Problems) {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.js"), []byte(`module.exports = { projectName: "p", location: "westeurope" };`), 0o644)
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(src), 0o644)
	proj, err := project.Load(context.Background(), dir, project.Hooks{GetID: func(ref project.Ref, path string) (string, error) {
		return IDOf(cat, "s", ref)
	}})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := Build(context.Background(), cat, proj, "s", opts)
	var problems Problems
	if err != nil && !errors.As(err, &problems) {
		t.Fatalf("%v (%T)", err, err)
	}
	return tg, problems
}

func openCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// network is a resource group, a network, its subnet and a private endpoint in it; vnetDeps
// are the network's dependencies, subnetDeps the subnet's.
func network(vnetDeps, subnetDeps string) string {
	return `exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg" },
  {
    type: "VirtualNetwork", group: "Network", name: "vnet",
    properties: () => ({ properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } } }),
    dependencies: () => (` + vnetDeps + `),
  },
    { type: "Subnet", group: "Network", name: "sn", properties: () => ({ properties: { addressPrefix: "10.0.0.0/24" } }),
      dependencies: () => (` + subnetDeps + `) },
  { type: "NetworkSecurityGroup", group: "Network", name: "nsg", dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "PrivateEndpoint", group: "Network", name: "pe", properties: () => ({ properties: {} }),
    dependencies: () => ({ resourceGroup: "rg", subnet: "rg::vnet::sn" }) },
];
`
}

// TestOneProblemPerBadDependency: a wrong name is one problem, where it is written (line
// and column of the resource's declaration, 1-based), with the nearest names: not again as
// the parent the resource then lacks, nor at the resources that name the resource by its
// right name, which its wrong parent changes.
func TestOneProblemPerBadDependency(t *testing.T) {
	cat := openCatalog(t)
	_, problems := buildJS(t, cat, network(`{ resourceGroup: "rgX" }`, `{ resourceGroup: "rg", virtualNetwork: "rg::vnet" }`), Options{})
	if len(problems) != 1 {
		t.Fatalf("%d problems: %v", len(problems), problems)
	}
	p := problems[0]
	if p.Code != CodeBadDependency || p.File != "resources.js" || p.Line != 3 || p.Column != 3 || p.Path != "dependencies.resourceGroup" ||
		p.Resource != "Network::VirtualNetwork rgX::vnet" || !strings.Contains(p.Message, `no Resources::ResourceGroup named "rgX" in the project (did you mean rg?)`) {
		t.Errorf("problem: %#v", p)
	}
	want := `resources.js:3:3: Network::VirtualNetwork rgX::vnet: dependencies.resourceGroup: no Resources::ResourceGroup named "rgX" in the project (did you mean rg?)`
	if p.String() != want {
		t.Errorf("%s\nwant %s", p, want)
	}
	// The subnet's own mistake is its own problem, with the nearest name.
	_, problems = buildJS(t, cat, network(`{ resourceGroup: "rg" }`, `{ resourceGroup: "rg", virtualNetwork: "rg::vnett" }`), Options{})
	if len(problems) != 1 || problems[0].Line != 8 || problems[0].Column != 5 || problems[0].Path != "dependencies.virtualNetwork" ||
		!strings.HasSuffix(problems[0].Message, `no Network::VirtualNetwork named "rg::vnett" in the project (did you mean rg::vnet?)`) {
		t.Errorf("problems: %v", problems)
	}
	// Both wrong: two problems, in the order of the file.
	_, problems = buildJS(t, cat, network(`{ resourceGroup: "rgX" }`, `{ resourceGroup: "rg", virtualNetwork: "rg::vnett" }`), Options{})
	if len(problems) != 2 || problems[0].Line != 3 || problems[1].Line != 8 {
		t.Errorf("problems: %v", problems)
	}
}

// TestDidYouMean: references to a resource of another type, of an unknown type, of a type the
// project does not declare, and misspelt dependency keys.
func TestDidYouMean(t *testing.T) {
	cat := openCatalog(t)
	for name, tc := range map[string]struct {
		subnetDeps, path, want string
		code                   string
	}{
		"another type": {`{ resourceGroup: "rg", virtualNetwork: "nsg" }`, "dependencies.virtualNetwork",
			`"nsg" is Network::NetworkSecurityGroup rg::nsg, not a Network::VirtualNetwork; the project declares Network::VirtualNetwork rg::vnet`, CodeBadDependency},
		"explicit other type": {`{ resourceGroup: "rg", virtualNetwork: { type: "NetworkSecurityGroup", group: "Network", name: "rg::nsg" } }`, "dependencies.virtualNetwork",
			`virtualNetwork names Network::NetworkSecurityGroup rg::nsg, not a Network::VirtualNetwork`, CodeBadDependency},
		"unknown type": {`{ resourceGroup: "rg", virtualNetwork: { type: "VirtualNetwrk", group: "Network", name: "rg::vnet" } }`, "dependencies.virtualNetwork",
			`unknown resource type "Network::VirtualNetwrk"; did you mean Network::VirtualNetwork`, CodeBadDependency},
		"no such type declared": {`{ resourceGroup: "rg", virtualNetwork: "rg::vnet", natGateway: "rg::nat" }`, "dependencies.natGateway",
			`no Network::NatGateway named "rg::nat" in the project; the project declares no Network::NatGateway`, CodeBadDependency},
		"case and typo": {`{ resourceGroup: "RG", virtualNetwork: "rg::VNet", networkSecurityGroup: "rg::nsh" }`, "dependencies.networkSecurityGroup",
			`no Network::NetworkSecurityGroup named "rg::nsh" in the project (did you mean rg::nsg?)`, CodeBadDependency},
		"misspelt parent key": {`{ resourceGroup: "rg", virtualNetwrk: "rg::vnet" }`, "dependencies.virtualNetwrk",
			`not a dependency key of Network::Subnet (did you mean virtualNetwork?): without it, the resource has no virtualNetwork`, CodeUnknownDependencyKey},
	} {
		_, problems := buildJS(t, cat, network(`{ resourceGroup: "rg" }`, tc.subnetDeps), Options{})
		if len(problems) != 1 || problems[0].Code != tc.code || problems[0].Path != tc.path || !strings.Contains(problems[0].Message, tc.want) ||
			problems[0].Line != 8 || problems[0].Column != 5 {
			t.Errorf("%s: %v", name, problems)
		}
	}
	// A misspelt key of a dependency for order alone is a warning with the nearest key.
	tg, problems := buildJS(t, cat, network(`{ resourceGroup: "rg" }`, `{ resourceGroup: "rg", virtualNetwork: "rg::vnet", networkSecurityGrup: "rg::nsg" }`), Options{})
	if len(problems) != 0 || len(tg.Warnings) != 1 || tg.Warnings[0].Code != CodeUnknownDependencyKey || tg.Warnings[0].Line != 8 ||
		!strings.Contains(tg.Warnings[0].Message, "did you mean networkSecurityGroup?") {
		t.Errorf("warnings %v, problems %v", tg.Warnings, problems)
	}
	// An unknown type is located too, with the nearest types.
	_, problems = buildJS(t, cat, "exports.createResources = () => [\n  { type: \"ResourceGroup\", group: \"Resources\", name: \"rg\" },\n  { type: \"StorageAcount\", group: \"Storage\", name: \"acct\" },\n];", Options{})
	if len(problems) != 1 || problems[0].Code != CodeUnknownType || problems[0].Line != 3 || problems[0].Column != 3 ||
		problems[0].Resource != "Storage::StorageAcount acct" || !strings.Contains(problems[0].Message, "did you mean Storage::StorageAccount") {
		t.Errorf("problems: %v", problems)
	}
}

// TestCycleNamesItsResources: a cycle is one problem that names each resource of the loop
// with where it is declared, and the keys that make it.
func TestCycleNamesItsResources(t *testing.T) {
	cat := openCatalog(t)
	_, problems := buildJS(t, cat, `exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg" },
  { type: "NetworkSecurityGroup", group: "Network", name: "a", dependencies: () => ({ resourceGroup: "rg", other: "rg::b" }) },
  { type: "RouteTable", group: "Network", name: "b",
    dependencies: () => ({ resourceGroup: "rg", other: "rg::c" }) },
      { type: "NatGateway", group: "Network", name: "c", dependencies: () => ({ resourceGroup: "rg", other: "rg::a" }) },
];`, Options{})
	if len(problems) != 1 || problems[0].Code != CodeCycle || problems[0].File != "resources.js" || problems[0].Line == 0 {
		t.Fatalf("problems: %v", problems)
	}
	for _, want := range []string{"Network::NetworkSecurityGroup rg::a (resources.js:3:3) -[other]-> ", "Network::RouteTable rg::b (resources.js:4:3) -[other]-> ", "Network::NatGateway rg::c (resources.js:6:7) -[other]-> "} {
		if !strings.Contains(problems[0].Message, want) {
			t.Errorf("%q not in %s", want, problems[0].Message)
		}
	}
}

// TestNoLocationIsOneProblem: without a location in config.js, the resources that need one
// are one problem, at the first.
func TestNoLocationIsOneProblem(t *testing.T) {
	cat := openCatalog(t)
	spec := func(typ, group, name string, line int, deps ...string) *project.Spec {
		s := &project.Spec{Type: typ, Group: group, Name: name, Properties: map[string]any{},
			Source: project.Location{File: "resources.js", Line: line, Column: 3}}
		for _, d := range deps {
			s.Dependencies = project.Dependencies{{Key: "resourceGroup", Refs: []project.Ref{{Name: d}}}}
		}
		return s
	}
	proj := &project.Project{Name: "p", Stage: "dev", Resources: []*project.Spec{
		spec("ResourceGroup", "Resources", "rg", 2),
		spec("NetworkSecurityGroup", "Network", "nsg", 3, "rg"),
		spec("RouteTable", "Network", "routes", 4, "rg"),
	}}
	_, err := Build(context.Background(), cat, proj, "s", Options{})
	var problems Problems
	if !errors.As(err, &problems) || len(problems) != 1 || problems[0].Code != CodeMissingLocation || problems[0].Line != 2 ||
		problems[0].String() != "resources.js:2:3: Resources::ResourceGroup rg: location: needs an Azure location, as 2 other resources do: set location in config.js, or in their properties" {
		t.Errorf("%v", err)
	}
}

// TestGetIDOfAnUndeclaredName: getId naming a resource the project does not declare is a
// warning (one, however often the body names it), located, with the nearest declared names
// (an error with Strict); a declared name is none.
func TestGetIDOfAnUndeclaredName(t *testing.T) {
	cat := openCatalog(t)
	src := func(name string) string {
		return `exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg" },
  { type: "NetworkSecurityGroup", group: "Network", name: "nsg", dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "NetworkInterface", group: "Network", name: "nic", dependencies: () => ({ resourceGroup: "rg" }),
    properties: ({ getId }) => ({ tags: { nsg: getId({ type: "NetworkSecurityGroup", group: "Network", name: "` + name + `" }) },
      properties: { ipConfigurations: [], networkSecurityGroup: { id: getId({ type: "NetworkSecurityGroup", group: "Network", name: "` + name + `" }) } } }) },
];
`
	}
	tg, problems := buildJS(t, cat, src("rg::nsgg"), Options{})
	if len(problems) != 0 || len(tg.Warnings) != 1 {
		t.Fatalf("problems %v, warnings %v", problems, tg.Warnings)
	}
	if w := tg.Warnings[0]; w.Line != 4 || w.Column != 3 || w.Code != CodeBadDependency || !strings.Contains(w.Message, "getId names Network::NetworkSecurityGroup rg::nsgg, which the project does not declare (did you mean rg::nsg?)") {
		t.Errorf("warning: %+v", w)
	}
	if _, problems := buildJS(t, cat, src("rg::nsgg"), Options{Strict: true}); len(problems) != 1 {
		t.Errorf("with Strict: %v", problems)
	}
	if tg, problems := buildJS(t, cat, src("rg::nsg"), Options{}); len(problems) != 0 || len(tg.Warnings) != 0 {
		t.Errorf("a declared name: %v %v", problems, tg.Warnings)
	}
}

// TestTheOnlyNameATypeAllows: a resource without a name whose type allows one name alone (a
// Blob service: default) takes it; a type that allows others still needs one.
func TestTheOnlyNameATypeAllows(t *testing.T) {
	cat := openCatalog(t)
	tg, problems := buildJS(t, cat, `exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg" },
  { type: "StorageAccount", group: "Storage", name: "acct", properties: () => ({ sku: { name: "Standard_LRS" }, kind: "StorageV2" }), dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "BlobService", group: "Storage", dependencies: () => ({ resourceGroup: "rg", account: "rg::acct" }) },
];
`, Options{})
	if len(problems) != 0 || tg.Resource("Storage::BlobService rg::acct::default") == nil {
		t.Errorf("problems %v", problems)
	}
	_, problems = buildJS(t, cat, `exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg" },
  { type: "NetworkSecurityGroup", group: "Network", dependencies: () => ({ resourceGroup: "rg" }) },
];
`, Options{})
	if len(problems) != 1 || problems[0].Code != CodeMissingName {
		t.Errorf("a type of free names: %v", problems)
	}
}

// TestProblemsInTheProjectsOrder: a resource's validation problems stand where its other
// problems do, in the order of the resources (bodies are validated in parallel).
func TestProblemsInTheProjectsOrder(t *testing.T) {
	cat := openCatalog(t)
	nsgID := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsgg"
	spec := func(typ, group, name string, props map[string]any, deps ...string) *project.Spec {
		s := &project.Spec{Type: typ, Group: group, Name: name, Properties: props, Source: project.Location{File: "resources.js", Line: 1, Column: 1}}
		for _, d := range deps {
			s.Dependencies.Add("resourceGroup", false, project.Ref{Name: d})
		}
		return s
	}
	var resources []*project.Spec
	resources = append(resources, spec("ResourceGroup", "Resources", "rg", map[string]any{}))
	var want []string
	for i := range 6 {
		// in turn: an unknown property, and a getId of an undeclared resource
		name := fmt.Sprintf("r%d", i)
		if i%2 == 0 {
			resources = append(resources, spec("NetworkSecurityGroup", "Network", name, map[string]any{"bogus": 1}, "rg"))
			want = append(want, "Network::NetworkSecurityGroup rg::"+name+" bogus")
		} else {
			resources = append(resources, spec("RouteTable", "Network", name, map[string]any{"properties": map[string]any{"routes": []any{
				map[string]any{"name": "x", "properties": map[string]any{"addressPrefix": "10.0.0.0/8", "nextHopType": "VirtualAppliance", "nextHopIpAddress": nsgID}}}}}, "rg"))
			want = append(want, "Network::RouteTable rg::"+name+" ")
		}
	}
	proj := &project.Project{Name: "p", Stage: "dev", Location: "westeurope", Resources: resources,
		GetIDs: map[string]project.Ref{strings.ToLower(nsgID): {Name: "rg::nsgg"}}}
	for _, strict := range []bool{false, true} {
		tg, err := Build(context.Background(), cat, proj, "s", Options{Strict: strict})
		var got []string
		var problems Problems
		switch {
		case !strict && err == nil:
			problems = tg.Warnings
		case strict && errors.As(err, &problems):
		default:
			t.Fatalf("strict %v: %v", strict, err)
		}
		for _, p := range problems {
			got = append(got, p.Resource+" "+p.Path)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("strict %v: the problems are in the order\n%s\nnot\n%s", strict, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
