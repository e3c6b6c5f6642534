// GruCloud's type table: children whose PUT path fixes a name (blobServices/default, ...)
// are named and referred to without it; a connection joins its gateways by dependency
// (virtualNetworkGateway fills properties.virtualNetworkGateway1.id) and by an ID-only
// reference (properties.localNetworkGateway2: { id }).
exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg-type-table" },
  {
    type: "StorageAccount",
    group: "Storage",
    name: "gctypetable",
    properties: () => ({ sku: { name: "Standard_LRS" }, kind: "StorageV2" }),
    dependencies: () => ({ resourceGroup: "rg-type-table" }),
  },
  {
    type: "BlobContainer",
    group: "Storage",
    name: "images",
    properties: () => ({ properties: { publicAccess: "None" } }),
    dependencies: () => ({ resourceGroup: "rg-type-table", account: "rg-type-table::gctypetable" }),
  },
  {
    type: "FileShare",
    group: "Storage",
    name: "share",
    properties: () => ({ properties: { shareQuota: 10 } }),
    dependencies: () => ({ resourceGroup: "rg-type-table", account: "rg-type-table::gctypetable" }),
  },
  {
    type: "Queue",
    group: "Storage",
    name: "jobs",
    dependencies: () => ({ resourceGroup: "rg-type-table", account: "rg-type-table::gctypetable" }),
  },
  {
    type: "Table",
    group: "Storage",
    name: "events",
    dependencies: () => ({ resourceGroup: "rg-type-table", account: "rg-type-table::gctypetable" }),
  },
  {
    type: "VirtualNetwork",
    group: "Network",
    name: "vnet",
    properties: () => ({ properties: { addressSpace: { addressPrefixes: ["10.1.0.0/16"] } } }),
    dependencies: () => ({ resourceGroup: "rg-type-table" }),
  },
  {
    type: "Subnet",
    group: "Network",
    name: "GatewaySubnet",
    properties: () => ({ properties: { addressPrefix: "10.1.255.0/27" } }),
    dependencies: () => ({ resourceGroup: "rg-type-table", virtualNetwork: "rg-type-table::vnet" }),
  },
  {
    type: "PublicIPAddress",
    group: "Network",
    name: "gateway-ip",
    properties: () => ({ sku: { name: "Standard" }, properties: { publicIPAllocationMethod: "Static" } }),
    dependencies: () => ({ resourceGroup: "rg-type-table" }),
  },
  {
    type: "VirtualNetworkGateway",
    group: "Network",
    name: "gateway",
    properties: ({ getId }) => ({
      properties: {
        gatewayType: "Vpn",
        vpnType: "RouteBased",
        sku: { name: "VpnGw1", tier: "VpnGw1" },
        ipConfigurations: [
          {
            name: "default",
            properties: {
              privateIPAllocationMethod: "Dynamic",
              subnet: { id: getId({ type: "Subnet", group: "Network", name: "rg-type-table::vnet::GatewaySubnet" }) },
              publicIPAddress: { id: getId({ type: "PublicIPAddress", group: "Network", name: "rg-type-table::gateway-ip" }) },
            },
          },
        ],
      },
    }),
    dependencies: () => ({
      resourceGroup: "rg-type-table",
      subnet: "rg-type-table::vnet::GatewaySubnet",
      publicIpAddress: "rg-type-table::gateway-ip",
    }),
  },
  {
    type: "LocalNetworkGateway",
    group: "Network",
    name: "on-premises",
    properties: () => ({
      properties: { gatewayIpAddress: "203.0.113.10", localNetworkAddressSpace: { addressPrefixes: ["192.168.0.0/16"] } },
    }),
    dependencies: () => ({ resourceGroup: "rg-type-table" }),
  },
  {
    type: "VirtualNetworkGatewayConnection",
    group: "Network",
    name: "to-on-premises",
    properties: ({ getId }) => ({
      properties: {
        connectionType: "IPsec",
        sharedKey: "not-a-real-key",
        localNetworkGateway2: {
          id: getId({ type: "LocalNetworkGateway", group: "Network", name: "rg-type-table::on-premises" }),
        },
      },
    }),
    dependencies: () => ({
      resourceGroup: "rg-type-table",
      virtualNetworkGateway: "rg-type-table::gateway",
      localNetworkGateway: "rg-type-table::on-premises",
    }),
  },
  {
    // A singleton without a name of its own in ARM: connections/{name}/sharedkey.
    type: "VirtualNetworkGatewayConnectionSharedKey",
    group: "Network",
    name: "shared-key",
    properties: () => ({ value: "not-a-real-key-either" }),
    dependencies: () => ({
      resourceGroup: "rg-type-table",
      virtualNetworkGatewayConnection: "rg-type-table::to-on-premises",
    }),
  },
];
