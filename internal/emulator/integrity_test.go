package emulator

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	netV     = "?api-version=2025-09-01"
	rgV      = "?api-version=2025-04-01"
	stV      = "?api-version=2026-04-01"
	group    = sub + "/resourceGroups/net"
	vnet     = group + "/providers/Microsoft.Network/virtualNetworks/vnet"
	subnetA  = vnet + "/subnets/a"
	endpoint = group + "/providers/Microsoft.Network/privateEndpoints/pe"
	account  = group + "/providers/Microsoft.Storage/storageAccounts/netacct"
)

// must sends a request that has to succeed.
func must(t *testing.T, srv *httptest.Server, method, path, body string) map[string]any {
	t.Helper()
	status, code, v := call(t, srv, method, path, "t", body)
	if status >= 300 {
		t.Fatalf("%s %s: %d %s %v", method, path, status, code, v)
	}
	return v
}

// refused sends a request that has to fail with a status and an ARM error code.
func refused(t *testing.T, srv *httptest.Server, method, path, body string, wantStatus int, wantCode string) string {
	t.Helper()
	status, code, v := call(t, srv, method, path, "t", body)
	if status != wantStatus || code != wantCode {
		t.Fatalf("%s %s: got %d %s %v, want %d %s", method, path, status, code, v, wantStatus, wantCode)
	}
	msg, _ := v["error"].(map[string]any)["message"].(string)
	return msg
}

// network makes a group, a 10.0.0.0/16 network with subnet a (10.0.0.0/24) and a storage account.
func network(t *testing.T, srv *httptest.Server) {
	t.Helper()
	must(t, srv, "PUT", group+rgV, `{"location":"westeurope"}`)
	must(t, srv, "PUT", vnet+netV, `{"location":"westeurope","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]},
		"subnets":[{"name":"a","properties":{"addressPrefix":"10.0.0.0/24"}}]}}`)
	must(t, srv, "PUT", account+stV, acctBody)
}

func endpointBody(target, subnet, group string) string {
	return fmt.Sprintf(`{"location":"westeurope","properties":{"subnet":{"id":%q},
		"privateLinkServiceConnections":[{"name":"c","properties":{"privateLinkServiceId":%q,"groupIds":[%q]}}]}}`, subnet, target, group)
}

func TestReferencesMustExist(t *testing.T) {
	srv := newServer(t, Options{})
	network(t, srv)
	refused(t, srv, "PUT", endpoint+netV, endpointBody("not-an-id", subnetA, "blob"), 400, "LinkedInvalidPropertyId")
	refused(t, srv, "PUT", endpoint+netV, endpointBody(account, strings.Replace(subnetA, LocalSubscriptionID, "undefined", 1), "blob"), 400, "LinkedInvalidPropertyId")
	refused(t, srv, "PUT", endpoint+netV, endpointBody(account, vnet+"/subnets/nope", "blob"), 400, "InvalidResourceReference")
	refused(t, srv, "PUT", endpoint+netV, endpointBody(group+"/providers/Microsoft.Storage/storageAccounts/gone", subnetA, "blob"), 400, "InvalidResourceReference")
	refused(t, srv, "PUT", endpoint+netV, endpointBody(account, subnetA, "nope"), 400, "InvalidValuesForRequestParameters")
	refused(t, srv, "PUT", endpoint+netV, endpointBody(account, subnetA, "BLOB"), 400, "InvalidValuesForRequestParameters")
	must(t, srv, "PUT", endpoint+netV, endpointBody(account, subnetA, "blob"))
	// IDs outside the emulator's subscriptions are not checked; a connection to a resource
	// there waits for its owner's approval.
	elsewhere := "/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/x/providers/Microsoft.Storage/storageAccounts/theirs"
	pe := must(t, srv, "PUT", group+"/providers/Microsoft.Network/privateEndpoints/pe2"+netV, endpointBody(elsewhere, subnetA, "blob"))
	if !strings.Contains(fmt.Sprint(pe), "status:Pending") {
		t.Errorf("a connection to another subscription: %v", pe)
	}
	other := "/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/x/providers/Microsoft.Network/networkSecurityGroups/n"
	must(t, srv, "PUT", vnet+"/subnets/b"+netV, fmt.Sprintf(`{"properties":{"addressPrefix":"10.0.1.0/24","networkSecurityGroup":{"id":%q}}}`, other))
}

func TestBuiltInRolesExist(t *testing.T) {
	srv := newServer(t, Options{})
	network(t, srv)
	reader := sub + "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
	got := must(t, srv, "GET", reader+"?api-version=2022-04-01", "")
	if name := got["properties"].(map[string]any)["roleName"]; name != "Reader" {
		t.Errorf("role name %v", name)
	}
	assignment := account + "/providers/Microsoft.Authorization/roleAssignments/6f3c1a52-8f0e-4a8e-9a11-6d9b1f3f0c01?api-version=2022-04-01"
	body := `{"properties":{"roleDefinitionId":%q,"principalId":"1c2f7e1a-0d8e-4b6f-9d7e-3a1b2c3d4e5f"}}`
	must(t, srv, "PUT", assignment, fmt.Sprintf(body, reader))
	unknown := sub + "/providers/Microsoft.Authorization/roleDefinitions/11111111-1111-1111-1111-111111111111"
	refused(t, srv, "PUT", strings.Replace(assignment, "6f3c", "7f3c", 1), fmt.Sprintf(body, unknown), 400, "RoleDefinitionDoesNotExist")
	// The rules of role assignments: one per role, principal and scope; nothing changes in
	// place; a GUID for a name.
	refused(t, srv, "PUT", strings.Replace(assignment, "6f3c", "8f3c", 1), fmt.Sprintf(body, reader), 409, "RoleAssignmentExists")
	contributor := sub + "/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"
	refused(t, srv, "PUT", assignment, fmt.Sprintf(body, contributor), 400, "RoleAssignmentUpdateNotPermitted")
	refused(t, srv, "PUT", strings.Replace(assignment, "6f3c1a52-8f0e-4a8e-9a11-6d9b1f3f0c01", "reader-for-me", 1), fmt.Sprintf(body, reader), 400, "InvalidRoleAssignmentId")
	status, _, list := call(t, srv, "GET", "/subscriptions/"+LocalSubscriptionID+"/resources?api-version=2021-04-01", "t", "")
	if status != 200 {
		t.Fatalf("/resources: %d", status)
	}
	for _, item := range list["value"].([]any) {
		if id := item.(map[string]any)["id"].(string); strings.Contains(id, "/roleDefinitions/") {
			t.Errorf("/resources lists a built-in role: %s", id)
		}
	}
}

func TestResourcesInUseCannotBeDeleted(t *testing.T) {
	srv := newServer(t, Options{})
	network(t, srv)
	must(t, srv, "PUT", endpoint+netV, endpointBody(account, subnetA, "blob"))
	msg := refused(t, srv, "DELETE", subnetA+netV, "", 400, "InUseSubnetCannotBeDeleted")
	// The endpoint's network interface holds the subnet, as in Azure.
	if !strings.Contains(msg, "networkInterfaces/pe.nic.") {
		t.Errorf("the message does not name the user: %s", msg)
	}
	refused(t, srv, "DELETE", vnet+netV, "", 400, "InUseSubnetCannotBeDeleted")
	refused(t, srv, "PUT", subnetA+netV, `{"properties":{"addressPrefix":"10.0.9.0/24"}}`, 400, "InUseSubnetCannotBeUpdated")
	// Leaving the subnet out of the network's list would delete it: refused too.
	refused(t, srv, "PUT", vnet+netV, `{"location":"westeurope","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]}}}`, 400, "InUseSubnetCannotBeDeleted")
	// A private endpoint's link does not hold the linked resource: Azure deletes the account
	// and leaves the endpoint disconnected.
	must(t, srv, "DELETE", account+stV, "")
	must(t, srv, "DELETE", endpoint+netV, "")
	must(t, srv, "DELETE", vnet+netV, "")
	if status, _, _ := call(t, srv, "GET", subnetA+netV, "t", ""); status != 404 {
		t.Errorf("the subnet outlived its network: %d", status)
	}
}

func TestPrivateEndpointsComputedProperties(t *testing.T) {
	srv := newServer(t, Options{})
	network(t, srv)
	pe := must(t, srv, "PUT", endpoint+netV, endpointBody(account, subnetA, "blob"))
	props := pe["properties"].(map[string]any)
	nics, _ := props["networkInterfaces"].([]any)
	if len(nics) != 1 {
		t.Fatalf("networkInterfaces: %v", props["networkInterfaces"])
	}
	nicID := nics[0].(map[string]any)["id"].(string)
	nic := must(t, srv, "GET", nicID+netV, "")
	config := nic["properties"].(map[string]any)["ipConfigurations"].([]any)[0].(map[string]any)["properties"].(map[string]any)
	if config["privateIPAddress"] != "10.0.0.4" || config["subnet"].(map[string]any)["id"] != subnetA {
		t.Errorf("the interface's address: %v", config)
	}
	dns := fmt.Sprint(props["customDnsConfigs"])
	if !strings.Contains(dns, "netacct.blob.core.windows.net") || !strings.Contains(dns, "10.0.0.4") {
		t.Errorf("customDnsConfigs: %s", dns)
	}
	refused(t, srv, "DELETE", nicID+netV, "", 400, "InUseNetworkInterfaceCannotBeDeleted")
	acct := must(t, srv, "GET", account+stV, "")
	ap := acct["properties"].(map[string]any)
	if conns, _ := ap["privateEndpointConnections"].([]any); len(conns) != 1 {
		t.Errorf("the account lists %v", ap["privateEndpointConnections"])
	}
	if fmt.Sprint(ap["primaryEndpoints"].(map[string]any)["blob"]) != "https://netacct.blob.core.windows.net/" || ap["creationTime"] == nil {
		t.Errorf("the account's computed properties: %v", ap)
	}
	must(t, srv, "DELETE", endpoint+netV, "")
	if status, _, _ := call(t, srv, "GET", nicID+netV, "t", ""); status != 404 {
		t.Errorf("the interface outlived its endpoint: %d", status)
	}
	acct = must(t, srv, "GET", account+stV, "")
	if conns, _ := acct["properties"].(map[string]any)["privateEndpointConnections"].([]any); len(conns) != 0 {
		t.Errorf("after the endpoint's deletion the account lists %v", conns)
	}
}

func TestResourceGroupBeingDeleted(t *testing.T) {
	srv := newServer(t, Options{Latency: time.Hour})
	must(t, srv, "PUT", group+rgV, `{"location":"westeurope"}`)
	if status, _, _ := call(t, srv, "DELETE", group+rgV, "t", ""); status != 202 {
		t.Fatalf("delete: %d", status)
	}
	refused(t, srv, "PUT", account+stV, acctBody, 409, "ResourceGroupBeingDeleted")
}

func TestNetworkRules(t *testing.T) {
	srv := newServer(t, Options{})
	network(t, srv)
	refused(t, srv, "PUT", vnet+"/subnets/out"+netV, `{"properties":{"addressPrefix":"192.168.0.0/24"}}`, 400, "NetcfgSubnetRangeOutsideVnet")
	refused(t, srv, "PUT", vnet+"/subnets/over"+netV, `{"properties":{"addressPrefix":"10.0.0.128/25"}}`, 400, "NetcfgSubnetRangesOverlap")
	refused(t, srv, "PUT", vnet+"/subnets/bad"+netV, `{"properties":{"addressPrefix":"10.0.1.1/24"}}`, 400, "InvalidCIDRNotation")
	refused(t, srv, "PUT", vnet+netV, `{"location":"westeurope","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]},
		"subnets":[{"name":"a","properties":{"addressPrefix":"10.0.0.0/24"}},{"name":"b","properties":{"addressPrefix":"10.0.0.0/25"}}]}}`, 400, "NetcfgSubnetRangesOverlap")
	refused(t, srv, "PUT", vnet+netV, `{"location":"westeurope","properties":{"addressSpace":{"addressPrefixes":["10.1.0.0/16"]},
		"subnets":[{"name":"a","properties":{"addressPrefix":"10.0.0.0/24"}}]}}`, 400, "NetcfgSubnetRangeOutsideVnet")
	must(t, srv, "PUT", vnet+"/subnets/b"+netV, `{"properties":{"addressPrefix":"10.0.1.0/24"}}`)
	refused(t, srv, "PUT", vnet+netV, `{"location":"westeurope","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16","10.0.128.0/17"]}}}`, 400, "VnetAddressSpacesOverlap")
}

func TestInlineChildrenAreResources(t *testing.T) {
	srv := newServer(t, Options{})
	network(t, srv)
	got := must(t, srv, "GET", subnetA+netV, "")
	if got["id"] != subnetA || got["properties"].(map[string]any)["addressPrefix"] != "10.0.0.0/24" {
		t.Fatalf("the network's inline subnet is no resource: %v", got)
	}
	must(t, srv, "PUT", vnet+"/subnets/b"+netV, `{"properties":{"addressPrefix":"10.0.1.0/24"}}`)
	names := func() string {
		v := must(t, srv, "GET", vnet+netV, "")
		var out []string
		for _, s := range v["properties"].(map[string]any)["subnets"].([]any) {
			out = append(out, s.(map[string]any)["name"].(string))
		}
		return strings.Join(out, ",")
	}
	if n := names(); n != "a,b" {
		t.Errorf("after a subnet's own PUT the network lists %s", n)
	}
	must(t, srv, "DELETE", subnetA+netV, "")
	if n := names(); n != "b" {
		t.Errorf("after a subnet's DELETE the network lists %s", n)
	}
	// A network PUT without b deletes it.
	must(t, srv, "PUT", vnet+netV, `{"location":"westeurope","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]},"subnets":[]}}`)
	if status, _, _ := call(t, srv, "GET", vnet+"/subnets/b"+netV, "t", ""); status != 404 {
		t.Errorf("subnet b outlived the PUT that left it out: %d", status)
	}
}

func TestLocationsAndGlobalNames(t *testing.T) {
	srv := newServer(t, Options{})
	refused(t, srv, "PUT", sub+"/resourceGroups/mars"+rgV, `{"location":"marsnorth"}`, 400, "LocationNotAvailableForResourceGroup")
	network(t, srv)
	refused(t, srv, "PUT", group+"/providers/Microsoft.Network/networkSecurityGroups/n"+netV, `{"location":"mars north"}`, 400, "LocationNotAvailableForResourceType")
	refused(t, srv, "PUT", group+rgV, `{"location":"northeurope"}`, 409, "InvalidResourceGroupLocation")
	refused(t, srv, "PUT", account+stV, `{"location":"northeurope","kind":"StorageV2","sku":{"name":"Standard_LRS"}}`, 409, "InvalidResourceLocation")
	must(t, srv, "PUT", sub+"/resourceGroups/other"+rgV, `{"location":"westeurope"}`)
	vault := `{"location":"westeurope","properties":{"tenantId":"` + LocalTenantID + `","sku":{"family":"A","name":"standard"},"accessPolicies":[]}}`
	must(t, srv, "PUT", group+"/providers/Microsoft.KeyVault/vaults/sharedname?api-version=2023-07-01", vault)
	refused(t, srv, "PUT", sub+"/resourceGroups/other/providers/Microsoft.KeyVault/vaults/sharedname?api-version=2023-07-01", vault, 409, "VaultAlreadyExists")
	refused(t, srv, "PUT", sub+"/resourceGroups/other/providers/Microsoft.Storage/storageAccounts/netacct"+stV, acctBody, 409, "StorageAccountAlreadyTaken")
}

func TestBodyLimitsAndEnvelope(t *testing.T) {
	srv := newServer(t, Options{})
	deep := `{"location":"westeurope","tags":{},"properties":` + strings.Repeat(`{"a":`, 70) + `1` + strings.Repeat(`}`, 70) + `}`
	refused(t, srv, "PUT", sub+"/resourceGroups/deep?api-version=2021-04-01", deep, 400, "InvalidRequestContent")
	v := must(t, srv, "PUT", sub+"/resourceGroups/Cased"+rgV, `{"Location":"West Europe","TAGS":{"a":"b"}}`)
	if v["location"] != "westeurope" || v["Location"] != nil || v["tags"] == nil {
		t.Errorf("the envelope's names were not matched without case: %v", v)
	}
	refused(t, srv, "PUT", sub+"/resourceGroups/twice"+rgV, `{"Location":"westeurope","location":"westeurope"}`, 400, "InvalidRequestContent")
	// Names are validated at any API version, not only the one gru holds.
	for _, name := range []string{"a%20b", "a$(id)", strings.Repeat("n", 1000), "x%E2%80%AEy"} {
		if status, _, _ := call(t, srv, "PUT", sub+"/resourceGroups/"+name+"?api-version=2021-04-01", "t", `{"location":"westeurope"}`); status != 400 {
			t.Errorf("resource group %.30q at 2021-04-01: %d, want 400", name, status)
		}
	}
}

func TestDeletedRowsArePurged(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	e, err := New(context.Background(), Options{Latency: time.Second, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	srv := httptest.NewServer(e)
	defer srv.Close()
	must(t, srv, "PUT", group+rgV, `{"location":"westeurope"}`)
	now = now.Add(2 * time.Second)
	must(t, srv, "PUT", account+stV, acctBody)
	now = now.Add(2 * time.Second)
	must(t, srv, "DELETE", group+rgV, "")
	// While the group goes, what is inside it goes with it: never listed without its group.
	for _, step := range []time.Duration{500 * time.Millisecond, time.Second} {
		now = now.Add(step)
		groupThere := call200(t, srv, group+rgV)
		listed := must(t, srv, "GET", sub+"/resources?api-version=2021-04-01", "")["value"].([]any)
		if !groupThere && len(listed) > 0 {
			t.Errorf("%v into the deletion, /resources lists %v without its group", step, listed)
		}
	}
	now = now.Add(2 * time.Hour)
	must(t, srv, "PUT", sub+"/resourceGroups/other"+rgV, `{"location":"westeurope"}`)
	var rows, ops int
	e.store.db.QueryRow("SELECT count(*) FROM resources WHERE key LIKE '%/resourcegroups/net'").Scan(&rows)
	e.store.db.QueryRow("SELECT count(*) FROM operations").Scan(&ops)
	// The new group's PUT is synchronous, as ARM's: no operation.
	if rows != 0 || ops != 0 {
		t.Errorf("after the deletion ended: %d rows of the deleted group, %d operations (want none)", rows, ops)
	}
}

func call200(t *testing.T, srv *httptest.Server, path string) bool {
	t.Helper()
	status, _, _ := call(t, srv, "GET", path, "t", "")
	return status == 200
}

// TestConcurrentSubnetsAreAllListed: subnets PUT at once all show in their network's list (a
// lost update left most of them out, and the network's next PUT deleted them).
func TestConcurrentSubnetsAreAllListed(t *testing.T) {
	srv := newServer(t, Options{DBPath: filepath.Join(t.TempDir(), "arm.db")})
	network(t, srv)
	var wg sync.WaitGroup
	for i := 1; i <= 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if status, code, _ := call(t, srv, "PUT", fmt.Sprintf("%s/subnets/s%d%s", vnet, i, netV), "t", fmt.Sprintf(`{"properties":{"addressPrefix":"10.0.%d.0/24"}}`, i)); status >= 300 {
				t.Errorf("subnet %d: %d %s", i, status, code)
			}
		}(i)
	}
	wg.Wait()
	got := must(t, srv, "GET", vnet+netV, "")
	if n := len(got["properties"].(map[string]any)["subnets"].([]any)); n != 21 {
		t.Errorf("the network lists %d subnets, want 21", n)
	}
}

// TestEndpointInterfacesGetFreeAddresses: each endpoint's interface takes the lowest free
// address of its subnet (one freed is taken again, never one in use), and a new endpoint never
// takes over a network interface that exists.
func TestEndpointInterfacesGetFreeAddresses(t *testing.T) {
	srv := newServer(t, Options{})
	network(t, srv)
	address := func(name string) string {
		pe := must(t, srv, "GET", group+"/providers/Microsoft.Network/privateEndpoints/"+name+netV, "")
		dns := pe["properties"].(map[string]any)["customDnsConfigs"].([]any)
		return dns[0].(map[string]any)["ipAddresses"].([]any)[0].(string)
	}
	put := func(name, g string) {
		must(t, srv, "PUT", group+"/providers/Microsoft.Network/privateEndpoints/"+name+netV, endpointBody(account, subnetA, g))
	}
	put("pa", "blob")
	put("pb", "file")
	if a, b := address("pa"), address("pb"); a != "10.0.0.4" || b != "10.0.0.5" {
		t.Errorf("addresses %s and %s, want 10.0.0.4 and 10.0.0.5", a, b)
	}
	must(t, srv, "DELETE", group+"/providers/Microsoft.Network/privateEndpoints/pa"+netV, "")
	put("pc", "queue")
	if c := address("pc"); c != "10.0.0.4" {
		t.Errorf("after pa's deletion pc got %s, want the freed 10.0.0.4", c)
	}
	put("pb", "file") // an update keeps its address
	if b := address("pb"); b != "10.0.0.5" {
		t.Errorf("pb moved to %s", b)
	}
	// A network interface of the name a new endpoint's would have is left alone.
	pe := must(t, srv, "GET", group+"/providers/Microsoft.Network/privateEndpoints/pc"+netV, "")
	nicID := pe["properties"].(map[string]any)["networkInterfaces"].([]any)[0].(map[string]any)["id"].(string)
	must(t, srv, "DELETE", group+"/providers/Microsoft.Network/privateEndpoints/pc"+netV, "")
	must(t, srv, "PUT", nicID+netV, fmt.Sprintf(`{"location":"westeurope","tags":{"owner":"me"},"properties":{"ipConfigurations":[{"name":"mine","properties":{"subnet":{"id":%q}}}]}}`, subnetA))
	put("pc", "queue")
	nic := must(t, srv, "GET", nicID+netV, "")
	if fmt.Sprint(nic["tags"]) != "map[owner:me]" {
		t.Errorf("the endpoint took over an existing interface: %v", nic)
	}
}
