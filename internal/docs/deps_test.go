package docs

import (
	"context"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/catalog"
)

// TestSpecDependenciesFollowGruCloudsTable: a page built from swagger lists the dependency keys
// of GruCloud's table for its own name, in the table's order (not the union of the names
// sharing its ARM type); a type the table lacks still names its resource group and parent.
func TestSpecDependenciesFollowGruCloudsTable(t *testing.T) {
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, armType string
		want          string
	}{
		{"Storage::PrivateEndpointConnection", "", "resourceGroup=Resources::ResourceGroup privateEndpoint=Network::PrivateEndpoint account=Storage::StorageAccount"},
		{"Web::WebAppConfiguration", "", "resourceGroup=Resources::ResourceGroup name=Web::WebApp"},
		{"Web::HostingEnvironment", "", "resourceGroup=Resources::ResourceGroup virtualNetwork=Network::VirtualNetwork"},
		{"Storage::StorageAccount", "", "resourceGroup=Resources::ResourceGroup managedIdentities=ManagedIdentity::UserAssignedIdentity[]"},
		{"", "Microsoft.Storage/storageAccounts/managementPolicies", "resourceGroup=Resources::ResourceGroup storageAccount=Storage::StorageAccount"},
		// Types outside a resource group (the subscription's, the tenant's) name none.
		{"", "Microsoft.Network/trafficmanagerusermetricskeys", ""},
		{"", "Microsoft.Web/publishingUsers", ""},
	} {
		lookup := c.name
		if lookup == "" {
			lookup = c.armType
		}
		ti, err := cat.Lookup(lookup)
		if err != nil {
			t.Fatal(err)
		}
		name := c.name
		if name == "" {
			name = ti.ShortName
		}
		deps, err := specDependencies(context.Background(), cat, ti, name, "")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range deps {
			s := d.Key + "=" + d.Group + "::" + d.Type
			if d.List {
				s += "[]"
			}
			got = append(got, s)
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("%s: %s\n want %s", lookup, g, c.want)
		}
	}
}
