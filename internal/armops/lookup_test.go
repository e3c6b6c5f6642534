package armops

import (
	"net/url"
	"slices"
	"testing"
)

func TestLookup(t *testing.T) {
	tab := open(t)
	const sub = "/subscriptions/00000000-0000-0000-0000-000000000000"
	const rg = sub + "/resourceGroups/rg1"
	const sa = rg + "/providers/Microsoft.Storage/storageAccounts/acct1"
	for _, c := range []struct {
		method, url string
		kind        Kind
		typ, action string
		name        string
		scope       Scope
		version     string
		lro         bool
		codes       []int
	}{
		{"PUT", sa + "?api-version=2023-01-01", ResourceOp, "Microsoft.Storage/storageAccounts", "", "acct1", ResourceGroup, "2023-01-01", true, []int{200, 202}},
		{"DELETE", sa + "?api-version=2024-01-01", ResourceOp, "Microsoft.Storage/storageAccounts", "", "acct1", ResourceGroup, "2023-05-01", false, []int{200, 204}},
		{"GET", sub + "/providers/Microsoft.Storage/storageAccounts?api-version=2023-01-01", CollectionOp, "Microsoft.Storage/storageAccounts", "", "", Subscription, "2023-01-01", false, []int{200}},
		{"GET", rg + "/providers/microsoft.storage/storageaccounts?api-version=2023-01-01", CollectionOp, "Microsoft.Storage/storageAccounts", "", "", ResourceGroup, "2023-01-01", false, []int{200}},
		{"POST", sa + "/listKeys?api-version=2023-01-01", ActionOp, "Microsoft.Storage/storageAccounts", "listKeys", "acct1", ResourceGroup, "2023-01-01", false, []int{200}},
		{"POST", sub + "/providers/Microsoft.Storage/checkNameAvailability?api-version=2023-01-01", ActionOp, "Microsoft.Storage", "checkNameAvailability", "", Subscription, "2023-01-01", false, []int{200}},
		{"PUT", sa + "/blobServices/default?api-version=2023-01-01", ResourceOp, "Microsoft.Storage/storageAccounts/blobServices", "", "default", ResourceGroup, "2023-01-01", false, []int{200}},
		{"GET", sa + "/blobServices/default/containers?api-version=2023-01-01", CollectionOp, "Microsoft.Storage/storageAccounts/blobServices/containers", "", "default", ResourceGroup, "2023-01-01", false, []int{200}},
		{"GET", sa + "/privateLinkResources?api-version=2023-01-01", ActionOp, "Microsoft.Storage/storageAccounts", "privateLinkResources", "acct1", ResourceGroup, "2023-01-01", false, []int{200}},
		// Built-ins.
		{"PUT", rg + "?api-version=2021-04-01", ResourceOp, "Microsoft.Resources/resourceGroups", "", "rg1", Subscription, "2021-04-01", false, []int{200, 201}},
		{"DELETE", rg + "?api-version=2021-04-01", ResourceOp, "Microsoft.Resources/resourceGroups", "", "rg1", Subscription, "2021-04-01", true, []int{200, 202}},
		{"GET", sub + "/resourcegroups?api-version=2021-04-01", CollectionOp, "Microsoft.Resources/resourceGroups", "", "", Subscription, "2021-04-01", false, []int{200}},
		{"GET", rg + "/resources?api-version=2021-04-01", CollectionOp, "Microsoft.Resources/resources", "", "", ResourceGroup, "2021-04-01", false, []int{200}},
		{"POST", rg + "/exportTemplate?api-version=2021-04-01", ActionOp, "Microsoft.Resources/resourceGroups", "exportTemplate", "rg1", Subscription, "2021-04-01", true, []int{200, 202}},
		{"GET", sub + "?api-version=2022-12-01", ResourceOp, "Microsoft.Resources/subscriptions", "", "00000000-0000-0000-0000-000000000000", Tenant, "2022-12-01", false, []int{200}},
		{"GET", "/subscriptions?api-version=2022-12-01", CollectionOp, "Microsoft.Resources/subscriptions", "", "", Tenant, "2022-12-01", false, []int{200}},
		{"PUT", sub + "/tagNames/env/tagValues/prod?api-version=2021-04-01", ResourceOp, "Microsoft.Resources/tagNames/tagValues", "", "prod", Subscription, "2021-04-01", false, []int{200, 201}},
		{"GET", sub + "/providers?api-version=2021-04-01", CollectionOp, "Microsoft.Resources/providers", "", "", Subscription, "2021-04-01", false, []int{200}},
		{"GET", sub + "/providers/Microsoft.Storage?api-version=2021-04-01", ResourceOp, "Microsoft.Resources/providers", "", "Microsoft.Storage", Subscription, "2021-04-01", false, []int{200}},
		{"POST", sub + "/providers/Microsoft.Storage/register?api-version=2021-04-01", ActionOp, "Microsoft.Resources/providers", "register", "Microsoft.Storage", Subscription, "2021-04-01", false, []int{200}},
		// Deployments at every scope.
		{"PUT", "/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Resources/deployments/d1?api-version=2021-04-01", ResourceOp, "Microsoft.Resources/deployments", "", "d1", ManagementGroup, "2021-04-01", true, []int{200, 201}},
		{"PUT", "/providers/Microsoft.Resources/deployments/d1?api-version=2021-04-01", ResourceOp, "Microsoft.Resources/deployments", "", "d1", Tenant, "2021-04-01", true, []int{200, 201}},
		// Extension resources.
		{"PUT", sa + "/providers/Microsoft.Authorization/roleAssignments/ra1?api-version=2022-04-01", ResourceOp, "Microsoft.Authorization/roleAssignments", "", "ra1", Extension, "2022-04-01", false, []int{200, 201}},
		// Variants: by name and scope, by query.
		{"GET", sub + "/providers/Microsoft.MachineLearningServices/workspaces/skus?api-version=2019-11-01", ResourceOp, "Microsoft.MachineLearningServices/workspaces", "", "skus", Subscription, "2019-11-01", false, []int{200}},
		{"GET", sub + "/providers/Microsoft.Kusto/locations/westus/operationResults/op1?api-version=2023-08-15&operationResultResponseType=Location", ResourceOp, "Microsoft.Kusto/locations/operationResults", "", "op1", Subscription, "2023-08-15", false, []int{200, 202}},
		{"GET", sub + "/providers/Microsoft.Kusto/locations/westus/operationResults/op1?api-version=2023-08-15", ResourceOp, "Microsoft.Kusto/locations/operationResults", "", "op1", Subscription, "2023-08-15", false, []int{200}},
	} {
		u, err := url.Parse(c.url)
		if err != nil {
			t.Fatal(err)
		}
		m, ok := tab.Lookup(c.method, u)
		what := c.method + " " + c.url
		if !ok {
			t.Errorf("%s: not found", what)
			continue
		}
		if m.Kind != c.kind || m.Type != c.typ || m.Action != c.action || m.Name != c.name || m.Scope != c.scope || m.APIVersion != c.version ||
			m.LRO != c.lro || !slices.Equal(m.Codes, c.codes) || m.Method != c.method {
			t.Errorf("%s:\n got %v %q %q name %q %s %s lro %v %v %s\nwant %v %q %q name %q %s %s lro %v %v", what,
				m.Kind, m.Type, m.Action, m.Name, m.Scope, m.APIVersion, m.LRO, m.Codes, m.Method,
				c.kind, c.typ, c.action, c.name, c.scope, c.version, c.lro, c.codes)
		}
	}
	// The skus variant is pageable; the kusto one is not the main declaration.
	u, _ := url.Parse(sub + "/providers/Microsoft.MachineLearningServices/workspaces/skus?api-version=2019-11-01")
	if m, _ := tab.Lookup("GET", u); !m.Pageable {
		t.Error("workspaces/skus: the variant was not picked")
	}
	for _, bad := range []string{
		sa + "?api-version=2023-01-01", // POST on a storage account
		sub + "/providers/Microsoft.Storage/storageAccounts/acct1?api-version=2023-01-01", // a storage account at subscription scope
		rg + "/providers/Microsoft.Nothing/things/x?api-version=2023-01-01",
		sa + "/noSuchThing?api-version=2023-01-01",
		"/",
	} {
		u, _ := url.Parse(bad)
		method := "GET"
		if bad == sa+"?api-version=2023-01-01" {
			method = "POST"
		}
		if m, ok := tab.Lookup(method, u); ok {
			t.Errorf("%s %s: found %+v", method, bad, m)
		}
	}
}
