// GruCloud's managedIdentities dependency: the user-assigned identities a resource runs as,
// which gru writes into identity.userAssignedIdentities (keyed by their IDs).
exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg-managed-identities" },
  {
    type: "UserAssignedIdentity",
    group: "ManagedIdentity",
    name: "app-identity",
    dependencies: () => ({ resourceGroup: "rg-managed-identities" }),
  },
  {
    type: "StorageAccount",
    group: "Storage",
    name: "gcmanagedids",
    properties: () => ({ sku: { name: "Standard_LRS" }, kind: "StorageV2", identity: { type: "SystemAssigned" } }),
    dependencies: () => ({
      resourceGroup: "rg-managed-identities",
      managedIdentities: ["rg-managed-identities::app-identity"],
    }),
  },
];
