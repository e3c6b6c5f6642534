// Fractional numbers where Microsoft's type data says integer (its data has no floating-point
// type): half a CPU for a container app.
exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg-numbers" },
  {
    type: "ManagedEnvironment",
    group: "App",
    name: "environment",
    properties: () => ({ properties: { zoneRedundant: false } }),
    dependencies: () => ({ resourceGroup: "rg-numbers" }),
  },
  {
    type: "ContainerApp",
    group: "App",
    name: "hello",
    properties: () => ({
      properties: {
        configuration: { ingress: { external: true, targetPort: 80 } },
        template: {
          containers: [
            {
              name: "hello",
              image: "mcr.microsoft.com/azuredocs/containerapps-helloworld:latest",
              resources: { cpu: 0.5, memory: "1Gi" },
            },
          ],
          scale: { minReplicas: 0, maxReplicas: 2 },
        },
      },
    }),
    dependencies: () => ({ resourceGroup: "rg-numbers", managedEnvironment: "rg-numbers::environment" }),
  },
];
