package gru_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gru-iac/gru"
)

func openLocal(t *testing.T) *gru.Session {
	t.Helper()
	s, err := gru.Open(context.Background(), gru.Options{Local: true, LocalDB: filepath.Join(t.TempDir(), "local.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func writeProject(t *testing.T, resources string) string {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.js"), []byte(`module.exports = { projectName: "errs", location: "westeurope" };`), 0o644)
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(resources), 0o644)
	return dir
}

// TestProjectErrors: a project at fault is a *gru.ProjectError whose problems say what (Code)
// and where (File, Line, Column, 1-based), whether loading fails (a syntax error, an
// exception) or planning does (a bad dependency).
func TestProjectErrors(t *testing.T) {
	ctx := context.Background()
	s := openLocal(t)
	for name, tc := range map[string]struct {
		src            string
		code, path     string
		line, column   int
		resource, want string
	}{
		"syntax": {"exports.createResources = () => [\n  { type: 'ResourceGroup' group: 'Resources' },\n];",
			gru.CodeSyntax, "", 2, 27, "", "resources.js:2:27: syntax error: Unexpected identifier"},
		"exception": {"exports.createResources = () => [{ type: 'ResourceGroup', group: 'Resources',\n  properties: () => { throw new Error('not today'); } }];",
			gru.CodeException, "properties", 2, 29, "Resources::ResourceGroup", "resources.js:2:29: Resources::ResourceGroup: properties: Error: not today"},
		"bad dependency": {`exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg" },
  { type: "NetworkSecurityGroup", group: "Network", name: "nsg",
    dependencies: () => ({ resourceGroup: "rg-x" }) },
];`, gru.CodeBadDependency, "dependencies.resourceGroup", 3, 3, "Network::NetworkSecurityGroup rg-x::nsg",
			`resources.js:3:3: Network::NetworkSecurityGroup rg-x::nsg: dependencies.resourceGroup: no Resources::ResourceGroup named "rg-x" in the project (did you mean rg?)`},
	} {
		p, err := s.LoadProject(ctx, writeProject(t, tc.src))
		if err == nil {
			_, err = s.Plan(ctx, p, gru.PlanOptions{})
		}
		var pe *gru.ProjectError
		if !errors.As(err, &pe) || len(pe.Problems) != 1 {
			t.Errorf("%s: %v (%T), want one problem", name, err, err)
			continue
		}
		pr := pe.Problems[0]
		if pr.Code != tc.code || pr.File != "resources.js" || pr.Line != tc.line || pr.Column != tc.column || pr.Path != tc.path || pr.Resource != tc.resource ||
			err.Error() != tc.want || pr.String() != tc.want || pr.Source != strings.SplitN(tc.want, ": ", 2)[0] {
			t.Errorf("%s: %#v\n%s\nwant %s", name, pr, err, tc.want)
		}
	}
	// A resource declared in Go is located by its Source.
	p := &gru.Project{Name: "go", Location: "westeurope", Resources: []gru.Resource{
		{Type: "ResourceGroup", Group: "Resources", Name: "rg"},
		{Type: "NetworkSecurityGroup", Group: "Network", Name: "nsg", Source: "main.go:12:3", Dependencies: map[string][]gru.Ref{"resourceGroup": {gru.Named("rgg")}}},
	}}
	_, err := s.Plan(ctx, p, gru.PlanOptions{})
	var pe *gru.ProjectError
	if !errors.As(err, &pe) || len(pe.Problems) != 1 || pe.Problems[0].File != "main.go" || pe.Problems[0].Line != 12 || pe.Problems[0].Column != 3 {
		t.Errorf("Go project: %v", err)
	}
}

// TestFilterErrors: destroy's filters that keep no declared resource, and list's that name no
// known type or group, are a *gru.FilterError with the nearest values; valid filters whose
// resources are not live plan nothing.
func TestFilterErrors(t *testing.T) {
	ctx := context.Background()
	s := openLocal(t)
	p, err := s.LoadProject(ctx, writeProject(t, `exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg" },
  { type: "NetworkSecurityGroup", group: "Network", name: "nsg-web", dependencies: () => ({ resourceGroup: "rg" }) },
  { type: "RouteTable", group: "Network", name: "routes", dependencies: () => ({ resourceGroup: "rg" }) },
];`))
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		o                  gru.DestroyOptions
		code, filter, want string
		suggestion         string
	}{
		"unknown type":      {gru.DestroyOptions{Types: []string{"Network::RouteTabel"}}, "unknown-type", "types", `unknown resource type "Network::RouteTabel"`, "Network::RouteTable"},
		"undeclared type":   {gru.DestroyOptions{Types: []string{"Network::VirtualNetwork"}}, "no-match", "types", "the project declares no Network::VirtualNetwork", ""},
		"near type":         {gru.DestroyOptions{Types: []string{"Network::RouteFilter"}}, "no-match", "types", "the project declares no Network::RouteFilter", "Network::RouteTable"},
		"unknown group":     {gru.DestroyOptions{Group: "Netwrk"}, "unknown-group", "group", `no type is of group "Netwrk"`, "Network"},
		"undeclared group":  {gru.DestroyOptions{Group: "storage"}, "no-match", "group", "the project declares no resource of group Storage", ""},
		"types and group":   {gru.DestroyOptions{Types: []string{"Network::RouteTable"}, Group: "Resources"}, "no-match", "group", "group: Network::RouteTable is of group Network, not Resources", "Network"},
		"undeclared name":   {gru.DestroyOptions{Name: "nsg-wbe"}, "no-match", "name", `the project declares no resource named "nsg-wbe"`, "nsg-web"},
		"name of the types": {gru.DestroyOptions{Types: []string{"Network::RouteTable"}, Name: "nsg-web"}, "no-match", "name", `the project declares no Network::RouteTable named "nsg-web"`, ""},
	} {
		_, err := s.PlanDestroy(ctx, p, tc.o)
		var fe *gru.FilterError
		if !errors.As(err, &fe) || fe.Code != tc.code || fe.Filter != tc.filter || !strings.Contains(err.Error(), tc.want) ||
			tc.suggestion != "" && !slices.Contains(fe.Suggestions, tc.suggestion) {
			t.Errorf("%s: %v %+v", name, err, fe)
		}
	}
	// Valid filters, nothing live: an empty plan ("Nothing to delete.").
	for _, o := range []gru.DestroyOptions{{Types: []string{"Microsoft.Network/routeTables"}}, {Group: "network", Name: "ROUTES"}, {Name: "rg::nsg-web"}} {
		if pl, err := s.PlanDestroy(ctx, p, o); err != nil || pl.Pending() {
			t.Errorf("%+v: %v", o, err)
		}
	}
	var fe *gru.FilterError
	if _, err := s.List(ctx, nil, gru.ListOptions{Types: []string{"Storage::StorageAcount"}}); !errors.As(err, &fe) || !slices.Contains(fe.Suggestions, "Storage::StorageAccount") {
		t.Errorf("list of an unknown type: %v", err)
	}
	if _, err := s.List(ctx, nil, gru.ListOptions{Group: "Storag"}); !errors.As(err, &fe) || !slices.Contains(fe.Suggestions, "Storage") {
		t.Errorf("list of an unknown group: %v", err)
	}
	if rows, err := s.List(ctx, nil, gru.ListOptions{Types: []string{"storage::storageaccount"}, Group: "storage"}); err != nil || len(rows) != 0 {
		t.Errorf("list of a known type: %v %v", rows, err)
	}
}

// TestEditedLoadedProject: a loaded project's resources changed in Go (a name, a dependency,
// a property map in place, the place named in messages) are planned as changed, not as
// LoadProject read them.
func TestEditedLoadedProject(t *testing.T) {
	ctx := context.Background()
	s := openLocal(t)
	dir := writeProject(t, `exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg" },
  { type: "ResourceGroup", group: "Resources", name: "rg2" },
  { type: "RouteTable", group: "Network", name: "routes", dependencies: () => ({ resourceGroup: "rg" }) },
];`)
	keys := func(p *gru.Project) []string {
		t.Helper()
		pl, err := s.Plan(ctx, p, gru.PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range pl.Changes {
			out = append(out, c.Resource)
		}
		return out
	}
	for name, tc := range map[string]struct {
		edit func(r *gru.Resource)
		want string
	}{
		"as loaded":       {func(r *gru.Resource) {}, "Network::RouteTable rg::routes"},
		"name":            {func(r *gru.Resource) { r.Name = "routes2" }, "Network::RouteTable rg::routes2"},
		"dependency":      {func(r *gru.Resource) { r.Dependencies["resourceGroup"][0] = gru.Named("rg2") }, "Network::RouteTable rg2::routes"},
		"dependency list": {func(r *gru.Resource) { r.Dependencies["resourceGroup"] = []gru.Ref{gru.Named("rg2")} }, "Network::RouteTable rg2::routes"},
		"properties":      {func(r *gru.Resource) { r.Properties = map[string]any{"name": "routes3"} }, "Network::RouteTable rg::routes3"},
	} {
		p, err := s.LoadProject(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		tc.edit(&p.Resources[2])
		if got := keys(p); !slices.Contains(got, tc.want) {
			t.Errorf("%s: the plan has %v, not %s", name, got, tc.want)
		}
	}
	// The place a problem names is the one the resource says.
	p, err := s.LoadProject(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	p.Resources[2].Dependencies["resourceGroup"][0] = gru.Named("nowhere")
	p.Resources[2].Source = "elsewhere.js:7:3"
	_, err = s.Plan(ctx, p, gru.PlanOptions{})
	if err == nil || !strings.Contains(err.Error(), "elsewhere.js:7:3") {
		t.Errorf("a bad dependency of a resource moved elsewhere: %v", err)
	}
}
