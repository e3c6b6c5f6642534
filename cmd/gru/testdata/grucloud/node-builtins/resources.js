// fs reads a file of the project folder; console.log writes on stderr.
const fs = require("fs");

exports.createResources = ({ config }) => {
  console.log("subnets", config.prefixes);
  return [
    {
      type: "ResourceGroup",
      group: "Resources",
      name: "rg-node-builtins",
      properties: () => ({ tags: { init: fs.readFileSync(config.initFile, "utf8").split("\n")[0] } }),
    },
    {
      type: "VirtualNetwork",
      group: "Network",
      name: "vnet",
      properties: () => ({ properties: { addressSpace: { addressPrefixes: ["10.3.0.0/16"] } } }),
      dependencies: () => ({ resourceGroup: "rg-node-builtins" }),
    },
    ...config.prefixes.map((prefix, i) => ({
      type: "Subnet",
      group: "Network",
      name: `subnet${i}`,
      properties: () => ({ properties: { addressPrefix: prefix } }),
      dependencies: () => ({ resourceGroup: "rg-node-builtins", virtualNetwork: "rg-node-builtins::vnet" }),
    })),
  ];
};
