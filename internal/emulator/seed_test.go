package emulator

import (
	"context"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v6"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage"

	"github.com/gru-iac/gru/internal/armclient"
)

// TestSeedScenarioWithTheSDK runs the seed page's scenario with Microsoft's own clients: a
// private endpoint asks for a manual connection to a storage account; the connection appears
// Pending; the seed's body approves it; deleting the endpoint removes it; deleting the group
// removes everything.
func TestSeedScenarioWithTheSDK(t *testing.T) {
	_, _, co := serve(t, Options{TypeLatency: map[string]time.Duration{
		"Microsoft.Storage/storageAccounts": 50 * time.Millisecond, "Microsoft.Network/privateEndpoints": 50 * time.Millisecond,
	}})
	ctx := context.Background()
	cred := armclient.StaticToken("t")
	rgs, _ := armresources.NewResourceGroupsClient(LocalSubscriptionID, cred, co)
	accounts, _ := armstorage.NewAccountsClient(LocalSubscriptionID, cred, co)
	connections, _ := armstorage.NewPrivateEndpointConnectionsClient(LocalSubscriptionID, cred, co)
	vnets, _ := armnetwork.NewVirtualNetworksClient(LocalSubscriptionID, cred, co)
	subnets, _ := armnetwork.NewSubnetsClient(LocalSubscriptionID, cred, co)
	endpoints, _ := armnetwork.NewPrivateEndpointsClient(LocalSubscriptionID, cred, co)

	if _, err := rgs.CreateOrUpdate(ctx, "myResourceGroup", armresources.ResourceGroup{Location: to.Ptr("westeurope")}, nil); err != nil {
		t.Fatal(err)
	}
	ap, err := accounts.BeginCreate(ctx, "myResourceGroup", "mystorageaccount", armstorage.AccountCreateParameters{
		Kind: to.Ptr(armstorage.KindStorageV2), Location: to.Ptr("westeurope"), SKU: &armstorage.SKU{Name: to.Ptr(armstorage.SKUNameStandardLRS)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	acct, err := ap.PollUntilDone(ctx, fastPoll)
	if err != nil {
		t.Fatal(err)
	}
	// Storage account names are global.
	if _, err := rgs.CreateOrUpdate(ctx, "otherGroup", armresources.ResourceGroup{Location: to.Ptr("westeurope")}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.BeginCreate(ctx, "otherGroup", "mystorageaccount", armstorage.AccountCreateParameters{
		Kind: to.Ptr(armstorage.KindStorageV2), Location: to.Ptr("westeurope"), SKU: &armstorage.SKU{Name: to.Ptr(armstorage.SKUNameStandardLRS)}}, nil); armCode(err) != "StorageAccountAlreadyTaken" {
		t.Errorf("a second account of the same name: %v", err)
	}
	if _, err := accounts.BeginCreate(ctx, "otherGroup", "Not_Valid", armstorage.AccountCreateParameters{}, nil); armCode(err) != "AccountNameInvalid" {
		t.Errorf("an invalid account name: %v", err)
	}
	avail, err := accounts.CheckNameAvailability(ctx, armstorage.AccountCheckNameAvailabilityParameters{Name: to.Ptr("mystorageaccount"), Type: to.Ptr("Microsoft.Storage/storageAccounts")}, nil)
	if err != nil || *avail.NameAvailable || *avail.Reason != armstorage.ReasonAlreadyExists {
		t.Errorf("check name availability: %v %+v", err, avail)
	}
	keys, err := accounts.ListKeys(ctx, "myResourceGroup", "mystorageaccount", nil)
	if err != nil || len(keys.Keys) != 2 || len(*keys.Keys[0].Value) != 88 {
		t.Fatalf("list keys: %v", err)
	}
	again, _ := accounts.ListKeys(ctx, "myResourceGroup", "mystorageaccount", nil)
	if *again.Keys[0].Value != *keys.Keys[0].Value || *keys.Keys[0].Value == *keys.Keys[1].Value {
		t.Error("keys are not stable, or both the same")
	}

	vp, err := vnets.BeginCreateOrUpdate(ctx, "myResourceGroup", "myVnet", armnetwork.VirtualNetwork{Location: to.Ptr("westeurope"),
		Properties: &armnetwork.VirtualNetworkPropertiesFormat{AddressSpace: &armnetwork.AddressSpace{AddressPrefixes: []*string{to.Ptr("10.0.0.0/16")}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vp.PollUntilDone(ctx, fastPoll); err != nil {
		t.Fatal(err)
	}
	sp, err := subnets.BeginCreateOrUpdate(ctx, "myResourceGroup", "myVnet", "mySubnet", armnetwork.Subnet{Properties: &armnetwork.SubnetPropertiesFormat{AddressPrefix: to.Ptr("10.0.0.0/24")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	subnet, err := sp.PollUntilDone(ctx, fastPoll)
	if err != nil {
		t.Fatal(err)
	}
	pp, err := endpoints.BeginCreateOrUpdate(ctx, "myResourceGroup", "myPrivateEndpoint", armnetwork.PrivateEndpoint{
		Location: to.Ptr("westeurope"),
		Properties: &armnetwork.PrivateEndpointProperties{
			Subnet: &armnetwork.Subnet{ID: subnet.ID},
			ManualPrivateLinkServiceConnections: []*armnetwork.PrivateLinkServiceConnection{{
				Name: to.Ptr("toBlob"),
				Properties: &armnetwork.PrivateLinkServiceConnectionProperties{
					PrivateLinkServiceID: acct.ID, GroupIDs: []*string{to.Ptr("blob")}, RequestMessage: to.Ptr("please approve"),
				},
			}},
		},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pe, err := pp.PollUntilDone(ctx, fastPoll)
	if err != nil {
		t.Fatal(err)
	}
	if s := *pe.Properties.ManualPrivateLinkServiceConnections[0].Properties.PrivateLinkServiceConnectionState.Status; s != "Pending" {
		t.Errorf("the endpoint shows its connection %s", s)
	}

	listConnections := func() []*armstorage.PrivateEndpointConnection {
		t.Helper()
		var out []*armstorage.PrivateEndpointConnection
		for pager := connections.NewListPager("myResourceGroup", "mystorageaccount", nil); pager.More(); {
			page, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, page.Value...)
		}
		return out
	}
	list := listConnections()
	if len(list) != 1 {
		t.Fatalf("%d connections on the account", len(list))
	}
	conn := list[0]
	if *conn.Properties.PrivateLinkServiceConnectionState.Status != armstorage.PrivateEndpointServiceConnectionStatusPending ||
		*conn.Properties.PrivateEndpoint.ID != *pe.ID || *conn.Properties.PrivateLinkServiceConnectionState.Description != "please approve" {
		t.Errorf("connection %+v", conn.Properties)
	}

	// The seed page's body approves it.
	approved, err := connections.Put(ctx, "myResourceGroup", "mystorageaccount", *conn.Name, armstorage.PrivateEndpointConnection{
		Properties: &armstorage.PrivateEndpointConnectionProperties{PrivateLinkServiceConnectionState: &armstorage.PrivateLinkServiceConnectionState{
			Status: to.Ptr(armstorage.PrivateEndpointServiceConnectionStatusApproved), Description: to.Ptr("Auto-Approved"),
		}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *approved.Properties.PrivateLinkServiceConnectionState.Status != armstorage.PrivateEndpointServiceConnectionStatusApproved || *approved.Properties.PrivateEndpoint.ID != *pe.ID {
		t.Errorf("approved %+v", approved.Properties)
	}
	got, err := connections.Get(ctx, "myResourceGroup", "mystorageaccount", *conn.Name, nil)
	if err != nil || *got.Properties.PrivateLinkServiceConnectionState.Description != "Auto-Approved" {
		t.Errorf("get: %v", err)
	}
	peAfter, err := endpoints.Get(ctx, "myResourceGroup", "myPrivateEndpoint", nil)
	if err != nil || *peAfter.Properties.ManualPrivateLinkServiceConnections[0].Properties.PrivateLinkServiceConnectionState.Status != "Approved" {
		t.Errorf("the endpoint does not show the approval: %v", err)
	}
	// A connection that no endpoint asked for cannot be made by a PUT.
	if _, err := connections.Put(ctx, "myResourceGroup", "mystorageaccount", "invented", armstorage.PrivateEndpointConnection{
		Properties: &armstorage.PrivateEndpointConnectionProperties{PrivateLinkServiceConnectionState: &armstorage.PrivateLinkServiceConnectionState{Status: to.Ptr(armstorage.PrivateEndpointServiceConnectionStatusApproved)}},
	}, nil); armCode(err) != "PrivateEndpointConnectionNotFound" {
		t.Errorf("an invented connection: %v", err)
	}

	dp, err := endpoints.BeginDelete(ctx, "myResourceGroup", "myPrivateEndpoint", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dp.PollUntilDone(ctx, fastPoll); err != nil {
		t.Fatal(err)
	}
	if n := len(listConnections()); n != 0 {
		t.Errorf("%d connections left after the endpoint's deletion", n)
	}
	gp, err := rgs.BeginDelete(ctx, "myResourceGroup", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gp.PollUntilDone(ctx, fastPoll); err != nil {
		t.Fatal(err)
	}
	res, _ := armresources.NewClient(LocalSubscriptionID, cred, co)
	for pager := res.NewListPager(nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Value) != 0 {
			t.Errorf("%d resources left in the subscription after the group's deletion", len(page.Value))
		}
	}
	if _, err := vnets.Get(ctx, "myResourceGroup", "myVnet", nil); armCode(err) != "ResourceGroupNotFound" {
		t.Errorf("vnet after the group's deletion: %v", err)
	}
	// The name is free again once its account is gone.
	avail, err = accounts.CheckNameAvailability(ctx, armstorage.AccountCheckNameAvailabilityParameters{Name: to.Ptr("mystorageaccount"), Type: to.Ptr("Microsoft.Storage/storageAccounts")}, nil)
	if err != nil || !*avail.NameAvailable {
		t.Errorf("after deletion the name is still taken: %v", err)
	}
}
