// The seed page's example, verbatim, inside a createStack with the five resources it needs,
// declared in the same older style.
const { AzureProvider } = require("@grucloud/provider-azure");

exports.createStack = ({ createProvider }) => {
  const provider = createProvider(AzureProvider, {
    config: () => ({ projectName: "storage-private-endpoint", location: "westeurope" }),
  });
  provider.Resources.makeResourceGroup({ name: "myResourceGroup" });
  provider.Network.makeVirtualNetwork({
    name: "myVnet",
    properties: () => ({ properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } } }),
    dependencies: ({ resources }) => ({
      resourceGroup: resources.Resources.ResourceGroup["myResourceGroup"],
    }),
  });
  provider.Network.makeSubnet({
    name: "mySubnet",
    properties: () => ({ properties: { addressPrefix: "10.0.0.0/24" } }),
    dependencies: ({ resources }) => ({
      resourceGroup: resources.Resources.ResourceGroup["myResourceGroup"],
      virtualNetwork: resources.Network.VirtualNetwork["myVnet"],
    }),
  });
  provider.Storage.makeStorageAccount({
    name: "mystorageaccount",
    properties: () => ({ kind: "StorageV2", sku: { name: "Standard_LRS" } }),
    dependencies: ({ resources }) => ({
      resourceGroup: resources.Resources.ResourceGroup["myResourceGroup"],
    }),
  });
  provider.Network.makePrivateEndpoint({
    name: "myPrivateEndpoint",
    properties: ({ getId }) => ({
      properties: {
        manualPrivateLinkServiceConnections: [
          {
            name: "myConnection",
            properties: {
              privateLinkServiceId: getId({ type: "StorageAccount", group: "Storage", name: "myResourceGroup::mystorageaccount" }),
              groupIds: ["blob"],
              requestMessage: "Please approve the connection to the blob service",
            },
          },
        ],
      },
    }),
    dependencies: ({ resources }) => ({
      resourceGroup: resources.Resources.ResourceGroup["myResourceGroup"],
      subnet: resources.Network.Subnet["mySubnet"],
      storageAccount: resources.Storage.StorageAccount["mystorageaccount"],
    }),
  });
provider.Storage.makePrivateEndpointConnection({
  name: "myPrivateEndpointConnection",
  properties: () => ({
    properties: {
      privateLinkServiceConnectionState: {
        status: "Approved",
        description: "Auto-Approved",
      },
    },
  }),
  dependencies: ({ resources }) => ({
    resourceGroup: resources.Resources.ResourceGroup["myResourceGroup"],
    privateEndpoint: resources.Network.PrivateEndpoint["myPrivateEndpoint"],
    account: resources.Storage.StorageAccount["myStorageAccount"],
  }),
});

  return { provider };
};
