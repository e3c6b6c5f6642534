// getId with a path: a value of another resource's live body, known once it exists (here the
// address Azure gives a public IP, which a security rule lets in, and the principal Azure
// gives an identity, read-only values both).
exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg-getid-path" },
  {
    type: "PublicIPAddress",
    group: "Network",
    name: "office-ip",
    properties: () => ({ sku: { name: "Standard" }, properties: { publicIPAllocationMethod: "Static" } }),
    dependencies: () => ({ resourceGroup: "rg-getid-path" }),
  },
  {
    type: "UserAssignedIdentity",
    group: "ManagedIdentity",
    name: "app",
    dependencies: () => ({ resourceGroup: "rg-getid-path" }),
  },
  {
    type: "NetworkSecurityGroup",
    group: "Network",
    name: "nsg",
    properties: ({ getId }) => ({
      tags: {
        principal: getId({
          type: "UserAssignedIdentity",
          group: "ManagedIdentity",
          name: "rg-getid-path::app",
          path: "live.properties.principalId",
        }),
      },
      properties: {
        securityRules: [
          {
            name: "ssh-from-office",
            properties: {
              priority: 100,
              direction: "Inbound",
              access: "Allow",
              protocol: "Tcp",
              sourcePortRange: "*",
              destinationPortRange: "22",
              destinationAddressPrefix: "*",
              sourceAddressPrefix: getId({
                type: "PublicIPAddress",
                group: "Network",
                name: "rg-getid-path::office-ip",
                path: "live.properties.ipAddress",
              }),
            },
          },
        ],
      },
    }),
    dependencies: () => ({ resourceGroup: "rg-getid-path" }),
  },
];
