// process.env, filled from default.env and <stage>.env, read in config.js and in properties.
exports.createResources = ({ config }) => [
  {
    type: "ResourceGroup",
    group: "Resources",
    name: "rg-process-env",
    properties: () => ({ tags: { team: config.team } }),
  },
  {
    type: "Vault",
    group: "KeyVault",
    name: "gc-process-env-kv",
    properties: ({ config }) => ({
      properties: {
        tenantId: `${config.tenantId}`,
        sku: { family: "A", name: "standard" },
        accessPolicies: [],
      },
    }),
    dependencies: () => ({ resourceGroup: "rg-process-env" }),
  },
  {
    type: "Secret",
    group: "KeyVault",
    name: "db-password",
    properties: () => ({ properties: { value: process.env.VAULT_SECRET } }),
    dependencies: () => ({ resourceGroup: "rg-process-env", vault: "rg-process-env::gc-process-env-kv" }),
  },
];
