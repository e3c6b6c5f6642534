package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v6"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/catalog"
)

// serve starts an emulator behind a real TLS listener and returns Azure SDK client options
// that point at it.
func serve(t *testing.T, opts Options) (*Emulator, *httptest.Server, *arm.ClientOptions) {
	t.Helper()
	e, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(e)
	t.Cleanup(func() { srv.Close(); e.Close() })
	co := &arm.ClientOptions{ClientOptions: policy.ClientOptions{
		Cloud: cloud.Configuration{
			ActiveDirectoryAuthorityHost: srv.URL,
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				cloud.ResourceManager: {Endpoint: srv.URL, Audience: "https://management.core.windows.net/"},
			},
		},
		Transport: srv.Client(),
		Retry:     policy.RetryOptions{MaxRetries: -1},
	}}
	return e, srv, co
}

var fastPoll = &runtime.PollUntilDoneOptions{Frequency: 10 * time.Millisecond}

func armCode(err error) string {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}

func TestResourceGroupsWithTheSDK(t *testing.T) {
	_, _, co := serve(t, Options{})
	ctx := context.Background()
	rgs, err := armresources.NewResourceGroupsClient(LocalSubscriptionID, armclient.StaticToken("t"), co)
	if err != nil {
		t.Fatal(err)
	}
	created, err := rgs.CreateOrUpdate(ctx, "MyResourceGroup", armresources.ResourceGroup{Location: to.Ptr("West Europe"), Tags: map[string]*string{"env": to.Ptr("dev")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *created.ID != "/subscriptions/"+LocalSubscriptionID+"/resourceGroups/MyResourceGroup" || *created.Location != "westeurope" || *created.Properties.ProvisioningState != "Succeeded" {
		t.Errorf("created %s %s %s", *created.ID, *created.Location, *created.Properties.ProvisioningState)
	}
	got, err := rgs.Get(ctx, "myresourcegroup", nil)
	if err != nil || *got.Name != "MyResourceGroup" || *got.Tags["env"] != "dev" {
		t.Fatalf("get: %v %+v", err, got)
	}
	exists, err := rgs.CheckExistence(ctx, "MYRESOURCEGROUP", nil)
	if err != nil || !exists.Success {
		t.Errorf("check existence: %v %v", err, exists.Success)
	}
	for i := 0; i < 3; i++ {
		if _, err := rgs.CreateOrUpdate(ctx, "rg-"+string(rune('a'+i)), armresources.ResourceGroup{Location: to.Ptr("eastus")}, nil); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for pager := rgs.NewListPager(nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Value)
	}
	if n != 4 {
		t.Errorf("listed %d resource groups, want 4", n)
	}
	poller, err := rgs.BeginDelete(ctx, "MyResourceGroup", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := poller.PollUntilDone(ctx, fastPoll); err != nil {
		t.Fatal(err)
	}
	if _, err := rgs.Get(ctx, "MyResourceGroup", nil); armCode(err) != "ResourceGroupNotFound" {
		t.Errorf("after delete: %v", err)
	}
}

func TestStorageAccountsWithTheSDKPoller(t *testing.T) {
	_, _, co := serve(t, Options{TypeLatency: map[string]time.Duration{"Microsoft.Storage/storageAccounts": 150 * time.Millisecond, "Microsoft.Resources/resourceGroups": 100 * time.Millisecond}})
	ctx := context.Background()
	rgs, _ := armresources.NewResourceGroupsClient(LocalSubscriptionID, armclient.StaticToken("t"), co)
	accounts, err := armstorage.NewAccountsClient(LocalSubscriptionID, armclient.StaticToken("t"), co)
	if err != nil {
		t.Fatal(err)
	}
	params := armstorage.AccountCreateParameters{
		Kind: to.Ptr(armstorage.KindStorageV2), Location: to.Ptr("westeurope"),
		SKU: &armstorage.SKU{Name: to.Ptr(armstorage.SKUNameStandardLRS)},
	}
	if _, err := accounts.BeginCreate(ctx, "rg", "acct1", params, nil); armCode(err) != "ResourceGroupNotFound" {
		t.Fatalf("create in a missing group: %v", err)
	}
	if _, err := rgs.CreateOrUpdate(ctx, "rg", armresources.ResourceGroup{Location: to.Ptr("westeurope")}, nil); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	poller, err := accounts.BeginCreate(ctx, "rg", "acct1", params, nil)
	if err != nil {
		t.Fatal(err)
	}
	if poller.Done() {
		t.Error("a storage account with latency finished at once")
	}
	acct, err := poller.PollUntilDone(ctx, fastPoll)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Errorf("the poller finished after %v, before the operation's latency", took)
	}
	if *acct.Name != "acct1" || *acct.Properties.ProvisioningState != armstorage.ProvisioningStateSucceeded || *acct.SKU.Name != armstorage.SKUNameStandardLRS {
		t.Errorf("created %+v", acct)
	}
	list := 0
	for pager := accounts.NewListByResourceGroupPager("rg", nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		list += len(page.Value)
	}
	if list != 1 {
		t.Errorf("listed %d accounts", list)
	}
	upd, err := accounts.Update(ctx, "rg", "acct1", armstorage.AccountUpdateParameters{Tags: map[string]*string{"a": to.Ptr("b")}}, nil)
	if err != nil || *upd.Tags["a"] != "b" || *upd.Kind != armstorage.KindStorageV2 {
		t.Errorf("update: %v %+v", err, upd)
	}
	// Deleting the group is long-running and removes what it holds.
	dp, err := rgs.BeginDelete(ctx, "rg", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.GetProperties(ctx, "rg", "acct1", nil); err != nil {
		t.Errorf("during the group's deletion the account is still there: %v", err)
	}
	if _, err := dp.PollUntilDone(ctx, fastPoll); err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.GetProperties(ctx, "rg", "acct1", nil); armCode(err) != "ResourceGroupNotFound" {
		t.Errorf("after the group's deletion: %v", err)
	}
}

func TestGenericResourcesWithTheSDK(t *testing.T) {
	_, _, co := serve(t, Options{})
	ctx := context.Background()
	rgs, _ := armresources.NewResourceGroupsClient(LocalSubscriptionID, armclient.StaticToken("t"), co)
	if _, err := rgs.CreateOrUpdate(ctx, "rg", armresources.ResourceGroup{Location: to.Ptr("westeurope")}, nil); err != nil {
		t.Fatal(err)
	}
	client, err := armresources.NewClient(LocalSubscriptionID, armclient.StaticToken("t"), co)
	if err != nil {
		t.Fatal(err)
	}
	vnetID := "/subscriptions/" + LocalSubscriptionID + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet"
	vnet := armresources.GenericResource{Location: to.Ptr("westeurope"), Properties: map[string]any{"addressSpace": map[string]any{"addressPrefixes": []string{"10.0.0.0/16"}}}}
	c, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	vnetType, _ := c.Lookup("Network::VirtualNetwork")
	version := vnetType.DefaultVersion // held by the catalogue: bodies are validated
	p, err := client.BeginCreateOrUpdateByID(ctx, vnetID, version, vnet, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.PollUntilDone(ctx, fastPoll)
	if err != nil {
		t.Fatal(err)
	}
	if *res.Type != "Microsoft.Network/virtualNetworks" || *res.ID != vnetID {
		t.Errorf("%s %s", *res.Type, *res.ID)
	}
	// A child whose parent is missing.
	_, err = client.BeginCreateOrUpdateByID(ctx, vnetID+"x/subnets/s", version, armresources.GenericResource{Properties: map[string]any{"addressPrefix": "10.0.0.0/24"}}, nil)
	if armCode(err) != "ParentResourceNotFound" {
		t.Errorf("child of a missing parent: %v", err)
	}
	// A body the schema refuses: ARM's error, with the property's path as target.
	_, err = client.BeginCreateOrUpdateByID(ctx, vnetID+"/subnets/s", version, armresources.GenericResource{Properties: map[string]any{"addressPrefix": 42}}, nil)
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusBadRequest || re.ErrorCode != "InvalidRequestContent" {
		t.Fatalf("invalid body: %v", err)
	}
	// An API version Azure does not have for the type.
	if _, err := client.GetByID(ctx, vnetID, "2099-01-01", nil); armCode(err) != "NoRegisteredProviderFound" {
		t.Errorf("unknown api version: %v", err)
	}
	n := 0
	for pager := client.NewListByResourceGroupPager("rg", &armresources.ClientListByResourceGroupOptions{Filter: to.Ptr("resourceType eq 'Microsoft.Network/virtualNetworks'")}); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Value)
	}
	if n != 1 {
		t.Errorf("filtered list: %d", n)
	}
	dp, err := client.BeginDeleteByID(ctx, vnetID, version, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dp.PollUntilDone(ctx, fastPoll); err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetByID(ctx, vnetID, version, nil); armCode(err) != "ResourceNotFound" {
		t.Errorf("after delete: %v", err)
	}
}

// TestSpecDeclaredAnswersWithTheSDK drives Microsoft's SDK clients through what the specs
// declare, with the latencies of gru's local cloud: subscription-wide lists, a synchronous
// resource group create, a synchronous storage account delete, listKeys as the spec spells
// it, and a private endpoint's network interface.
func TestSpecDeclaredAnswersWithTheSDK(t *testing.T) {
	_, _, co := serve(t, Options{TypeLatency: RealisticLatencies()})
	ctx := context.Background()
	cred := armclient.StaticToken("t")
	rgs, _ := armresources.NewResourceGroupsClient(LocalSubscriptionID, cred, co)
	accounts, _ := armstorage.NewAccountsClient(LocalSubscriptionID, cred, co)
	vnets, _ := armnetwork.NewVirtualNetworksClient(LocalSubscriptionID, cred, co)
	endpoints, _ := armnetwork.NewPrivateEndpointsClient(LocalSubscriptionID, cred, co)
	nics, _ := armnetwork.NewInterfacesClient(LocalSubscriptionID, cred, co)

	// A resource group is created synchronously, whatever its latency.
	var raw *http.Response
	rctx := runtime.WithCaptureResponse(ctx, &raw)
	if _, err := rgs.CreateOrUpdate(rctx, "sdk", armresources.ResourceGroup{Location: to.Ptr("westeurope")}, nil); err != nil {
		t.Fatal(err)
	}
	if raw.StatusCode != http.StatusCreated || raw.Header.Get("Azure-AsyncOperation") != "" {
		t.Errorf("resource group create: %d, Azure-AsyncOperation %q", raw.StatusCode, raw.Header.Get("Azure-AsyncOperation"))
	}
	for _, name := range []string{"sdkacct1", "sdkacct2"} {
		p, err := accounts.BeginCreate(ctx, "sdk", name, armstorage.AccountCreateParameters{
			Kind: to.Ptr(armstorage.KindStorageV2), Location: to.Ptr("westeurope"), SKU: &armstorage.SKU{Name: to.Ptr(armstorage.SKUNameStandardLRS)},
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.PollUntilDone(ctx, fastPoll); err != nil {
			t.Fatal(err)
		}
	}
	var listed []string
	for pager := accounts.NewListPager(nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("storage accounts of the subscription: %v", err)
		}
		for _, a := range page.Value {
			listed = append(listed, *a.Name)
		}
	}
	if strings.Join(listed, ",") != "sdkacct1,sdkacct2" {
		t.Errorf("storage accounts of the subscription: %v", listed)
	}
	keys, err := accounts.ListKeys(ctx, "sdk", "sdkacct1", nil)
	if err != nil || len(keys.Keys) != 2 || *keys.Keys[0].Permissions != armstorage.KeyPermissionFull {
		t.Errorf("listKeys: %v %+v", err, keys)
	}

	vp, err := vnets.BeginCreateOrUpdate(ctx, "sdk", "net", armnetwork.VirtualNetwork{
		Location: to.Ptr("westeurope"),
		Properties: &armnetwork.VirtualNetworkPropertiesFormat{
			AddressSpace: &armnetwork.AddressSpace{AddressPrefixes: []*string{to.Ptr("10.1.0.0/16")}},
			Subnets:      []*armnetwork.Subnet{{Name: to.Ptr("endpoints"), Properties: &armnetwork.SubnetPropertiesFormat{AddressPrefix: to.Ptr("10.1.2.0/24")}}},
		},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	vnet, err := vp.PollUntilDone(ctx, fastPoll)
	if err != nil {
		t.Fatal(err)
	}
	all := 0
	for pager := vnets.NewListAllPager(nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("virtual networks of the subscription: %v", err)
		}
		all += len(page.Value)
	}
	if all != 1 {
		t.Errorf("virtual networks of the subscription: %d", all)
	}

	ep, err := endpoints.BeginCreateOrUpdate(ctx, "sdk", "pe", armnetwork.PrivateEndpoint{
		Location: to.Ptr("westeurope"),
		Properties: &armnetwork.PrivateEndpointProperties{
			Subnet: &armnetwork.Subnet{ID: vnet.Properties.Subnets[0].ID},
			PrivateLinkServiceConnections: []*armnetwork.PrivateLinkServiceConnection{{
				Name: to.Ptr("blob"),
				Properties: &armnetwork.PrivateLinkServiceConnectionProperties{
					PrivateLinkServiceID: to.Ptr("/subscriptions/" + LocalSubscriptionID + "/resourceGroups/sdk/providers/Microsoft.Storage/storageAccounts/sdkacct1"),
					GroupIDs:             []*string{to.Ptr("blob")},
				},
			}},
		},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pe, err := ep.PollUntilDone(ctx, fastPoll)
	if err != nil {
		t.Fatal(err)
	}
	if len(pe.Properties.NetworkInterfaces) != 1 || len(pe.Properties.CustomDNSConfigs) != 1 {
		t.Fatalf("the endpoint's interfaces and DNS: %+v", pe.Properties)
	}
	nicID, err := arm.ParseResourceID(*pe.Properties.NetworkInterfaces[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	nic, err := nics.Get(ctx, nicID.ResourceGroupName, nicID.Name, nil)
	if err != nil {
		t.Fatalf("the endpoint's interface: %v", err)
	}
	ip := nic.Properties.IPConfigurations[0].Properties
	if *ip.PrivateIPAddress != "10.1.2.4" || *pe.Properties.CustomDNSConfigs[0].IPAddresses[0] != "10.1.2.4" || !strings.EqualFold(*ip.Subnet.ID, *vnet.Properties.Subnets[0].ID) {
		t.Errorf("the interface's address %s in %s", *ip.PrivateIPAddress, *ip.Subnet.ID)
	}

	// A storage account's DELETE is synchronous (200 or 204), whatever its latency.
	dp, err := endpoints.BeginDelete(ctx, "sdk", "pe", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dp.PollUntilDone(ctx, fastPoll); err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.Delete(rctx, "sdk", "sdkacct2", nil); err != nil || raw.StatusCode != http.StatusOK {
		t.Errorf("storage account delete: %v %d", err, raw.StatusCode)
	}
	if _, err := accounts.Delete(rctx, "sdk", "sdkacct2", nil); err != nil || raw.StatusCode != http.StatusNoContent {
		t.Errorf("storage account delete of nothing: %v %d", err, raw.StatusCode)
	}
}

// TestConnectionSharedKeyWithTheSDK: a connection's shared key lives at ARM's path without a
// name of its own (.../connections/{name}/sharedkey), as the SDK reads and sets it; gru's ID
// for it names it default.
func TestConnectionSharedKeyWithTheSDK(t *testing.T) {
	_, srv, co := serve(t, Options{})
	ctx := context.Background()
	c, err := armclient.New(armclient.Options{Endpoint: srv.URL, Transport: srv.Client(), Credential: armclient.StaticToken("t"), Subscription: LocalSubscriptionID, PollFrequency: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rg := "/subscriptions/" + LocalSubscriptionID + "/resourceGroups/keys"
	net := rg + "/providers/Microsoft.Network"
	for _, step := range []struct {
		id   string
		body string
	}{
		{rg, `{"location":"westeurope"}`},
		{net + "/virtualNetworks/vnet", `{"location":"westeurope","properties":{"addressSpace":{"addressPrefixes":["10.9.0.0/16"]},"subnets":[{"name":"GatewaySubnet","properties":{"addressPrefix":"10.9.255.0/27"}}]}}`},
		{net + "/publicIPAddresses/ip", `{"location":"westeurope","sku":{"name":"Standard"},"properties":{"publicIPAllocationMethod":"Static"}}`},
		{net + "/virtualNetworkGateways/gw", `{"location":"westeurope","properties":{"gatewayType":"Vpn","vpnType":"RouteBased","sku":{"name":"VpnGw1","tier":"VpnGw1"},"ipConfigurations":[{"name":"c","properties":{"subnet":{"id":"` + net + `/virtualNetworks/vnet/subnets/GatewaySubnet"},"publicIPAddress":{"id":"` + net + `/publicIPAddresses/ip"}}}]}}`},
		{net + "/localNetworkGateways/onprem", `{"location":"westeurope","properties":{"gatewayIpAddress":"203.0.113.1","localNetworkAddressSpace":{"addressPrefixes":["192.168.0.0/16"]}}}`},
		{net + "/connections/conn", `{"location":"westeurope","properties":{"connectionType":"IPsec","virtualNetworkGateway1":{"id":"` + net + `/virtualNetworkGateways/gw"},"localNetworkGateway2":{"id":"` + net + `/localNetworkGateways/onprem"}}}`},
	} {
		var body map[string]any
		json.Unmarshal([]byte(step.body), &body)
		if _, err := c.Put(ctx, step.id, "2024-01-01", body); err != nil && !strings.HasSuffix(step.id, "/keys") {
			t.Fatalf("PUT %s: %v", step.id, err)
		} else if err != nil {
			if _, err := c.Put(ctx, step.id, "2021-04-01", body); err != nil {
				t.Fatal(err)
			}
		}
	}
	conns, _ := armnetwork.NewVirtualNetworkGatewayConnectionsClient(LocalSubscriptionID, armclient.StaticToken("t"), co)
	p, err := conns.BeginSetSharedKey(ctx, "keys", "conn", armnetwork.ConnectionSharedKey{Value: to.Ptr("s3cret-key")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.PollUntilDone(ctx, fastPoll); err != nil {
		t.Fatal(err)
	}
	got, err := conns.GetSharedKey(ctx, "keys", "conn", nil)
	if err != nil || got.Value == nil || *got.Value != "s3cret-key" {
		t.Fatalf("the SDK reads the key: %v %v", got, err)
	}
	// gru's client reads it by gru's ID, and a project's ID of it is default's.
	res, err := c.Get(ctx, net+"/connections/conn/sharedkey/default", "")
	if err != nil || res["value"] != "s3cret-key" || res["id"] != net+"/connections/conn/sharedkey/default" {
		t.Errorf("gru reads the key: %v %v", res, err)
	}
	// It goes with its connection.
	if err := c.Delete(ctx, net+"/connections/conn", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := conns.GetSharedKey(ctx, "keys", "conn", nil); armCode(err) == "" {
		t.Errorf("the key outlived its connection: %v", err)
	}
}
