// The provider's config: tenantId and subscriptionId, as GruCloud's Azure provider adds them.
exports.createResources = ({ config }) => [
  { type: "ResourceGroup", group: "Resources", name: "rg-provider-config" },
  {
    type: "Vault",
    group: "KeyVault",
    name: "gc-provider-config-kv",
    properties: ({ config }) => ({
      properties: { tenantId: `${config.tenantId}`, sku: { family: "A", name: "standard" }, accessPolicies: [] },
    }),
    dependencies: () => ({ resourceGroup: "rg-provider-config" }),
  },
  {
    type: "NetworkSecurityGroup",
    group: "Network",
    name: "nsg",
    properties: () => ({
      tags: { scope: `/subscriptions/${config.subscriptionId}/resourceGroups/rg-provider-config` },
    }),
    dependencies: () => ({ resourceGroup: "rg-provider-config" }),
  },
  {
    type: "PrivateEndpoint",
    group: "Network",
    name: "vault-endpoint",
    properties: () => ({
      properties: {
        privateLinkServiceConnections: [
          {
            name: "vault",
            properties: {
              privateLinkServiceId: `/subscriptions/${config.subscriptionId}/resourceGroups/rg-provider-config/providers/Microsoft.KeyVault/vaults/gc-provider-config-kv`,
              groupIds: ["vault"],
            },
          },
        ],
      },
    }),
    dependencies: () => ({ resourceGroup: "rg-provider-config", subnet: "rg-provider-config::vnet::endpoints" }),
  },
  {
    type: "VirtualNetwork",
    group: "Network",
    name: "vnet",
    properties: () => ({ properties: { addressSpace: { addressPrefixes: ["10.2.0.0/16"] } } }),
    dependencies: () => ({ resourceGroup: "rg-provider-config" }),
  },
  {
    type: "Subnet",
    group: "Network",
    name: "endpoints",
    properties: () => ({ properties: { addressPrefix: "10.2.0.0/24" } }),
    dependencies: () => ({ resourceGroup: "rg-provider-config", virtualNetwork: "rg-provider-config::vnet" }),
  },
];
