// A storage account reached through a private endpoint, and the connection the endpoint asks
// for, approved as on GruCloud's Storage PrivateEndpointConnection page.
const {} = require("rubico");
const {} = require("rubico/x");

exports.createResources = () => [
  {
    type: "ResourceGroup",
    group: "Resources",
    name: "myResourceGroup",
  },
  {
    type: "VirtualNetwork",
    group: "Network",
    properties: () => ({
      name: "myVnet",
      properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } },
    }),
    dependencies: () => ({
      resourceGroup: "myResourceGroup",
    }),
  },
  {
    type: "Subnet",
    group: "Network",
    properties: () => ({
      name: "mySubnet",
      properties: { addressPrefix: "10.0.0.0/24" },
    }),
    dependencies: () => ({
      resourceGroup: "myResourceGroup",
      virtualNetwork: "myResourceGroup::myVnet",
    }),
  },
  {
    type: "StorageAccount",
    group: "Storage",
    properties: () => ({
      name: "mystorageaccount",
      kind: "StorageV2",
      sku: { name: "Standard_LRS" },
    }),
    dependencies: () => ({
      resourceGroup: "myResourceGroup",
    }),
  },
  {
    type: "PrivateEndpoint",
    group: "Network",
    properties: ({ getId }) => ({
      name: "myPrivateEndpoint",
      properties: {
        manualPrivateLinkServiceConnections: [
          {
            name: "myConnection",
            properties: {
              privateLinkServiceId: getId({
                type: "StorageAccount",
                group: "Storage",
                name: "myResourceGroup::mystorageaccount",
              }),
              groupIds: ["blob"],
              requestMessage: "Please approve the connection to the blob service",
            },
          },
        ],
      },
    }),
    dependencies: () => ({
      resourceGroup: "myResourceGroup",
      subnet: "myResourceGroup::myVnet::mySubnet",
    }),
  },
  {
    type: "PrivateEndpointConnection",
    group: "Storage",
    name: "myPrivateEndpointConnection",
    properties: () => ({
      properties: {
        privateLinkServiceConnectionState: {
          status: "Approved",
          description: "Auto-Approved",
        },
      },
    }),
    dependencies: () => ({
      resourceGroup: "myResourceGroup",
      privateEndpoint: "myResourceGroup::myPrivateEndpoint",
      account: "myResourceGroup::mystorageaccount",
    }),
  },
];
