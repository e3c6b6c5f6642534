// Project shapes: createResources({ provider }) with a block body, resources declared through
// provider.<Group>.make<Type>, and entries left undefined or null by a condition.
const withNat = false;
exports.createResources = ({ provider }) => {
  provider.Resources.makeResourceGroup({ name: "rg-shapes" });
  provider.Network.makePublicIPAddress({
    name: "ip",
    properties: () => ({ sku: { name: "Standard" }, properties: { publicIPAllocationMethod: "Static" } }),
    dependencies: () => ({ resourceGroup: "rg-shapes" }),
  });
  return [
    {
      type: "RouteTable",
      group: "Network",
      name: "routes",
      dependencies: () => ({ resourceGroup: "rg-shapes" }),
    },
    withNat
      ? { type: "NatGateway", group: "Network", name: "nat", dependencies: () => ({ resourceGroup: "rg-shapes" }) }
      : undefined,
    null,
  ];
};
