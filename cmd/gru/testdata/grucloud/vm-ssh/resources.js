// A virtual machine as GruCloud's older examples declare it: the network interface names its
// subnet, public IP and security group with singular keys; the machine names its SSH key
// (whose public key gru writes into its Linux configuration) and its user-assigned identity.
const fs = require("fs");
exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg-vm-ssh" },
  {
    type: "VirtualNetwork",
    group: "Network",
    name: "vnet",
    properties: () => ({ properties: { addressSpace: { addressPrefixes: ["10.4.0.0/16"] } } }),
    dependencies: () => ({ resourceGroup: "rg-vm-ssh" }),
  },
  {
    type: "Subnet",
    group: "Network",
    name: "default",
    properties: () => ({ properties: { addressPrefix: "10.4.0.0/24" } }),
    dependencies: () => ({ resourceGroup: "rg-vm-ssh", virtualNetwork: "rg-vm-ssh::vnet" }),
  },
  {
    type: "PublicIPAddress",
    group: "Network",
    name: "vm-ip",
    properties: () => ({ sku: { name: "Standard" }, properties: { publicIPAllocationMethod: "Static" } }),
    dependencies: () => ({ resourceGroup: "rg-vm-ssh" }),
  },
  {
    type: "NetworkSecurityGroup",
    group: "Network",
    name: "vm-nsg",
    dependencies: () => ({ resourceGroup: "rg-vm-ssh" }),
  },
  {
    type: "NetworkInterface",
    group: "Network",
    name: "vm-nic",
    properties: () => ({
      properties: { ipConfigurations: [{ name: "ipconfig1", properties: { privateIPAllocationMethod: "Dynamic" } }] },
    }),
    dependencies: () => ({
      resourceGroup: "rg-vm-ssh",
      subnet: "rg-vm-ssh::vnet::default",
      publicIpAddress: "rg-vm-ssh::vm-ip",
      securityGroup: "rg-vm-ssh::vm-nsg",
    }),
  },
  {
    type: "SshPublicKey",
    group: "Compute",
    name: "vm-key",
    properties: () => ({ properties: { publicKey: fs.readFileSync("id_rsa.pub", "utf8").trim() } }),
    dependencies: () => ({ resourceGroup: "rg-vm-ssh" }),
  },
  {
    type: "UserAssignedIdentity",
    group: "ManagedIdentity",
    name: "vm-identity",
    dependencies: () => ({ resourceGroup: "rg-vm-ssh" }),
  },
  {
    type: "VirtualMachine",
    group: "Compute",
    name: "vm",
    properties: () => ({
      properties: {
        hardwareProfile: { vmSize: "Standard_B1s" },
        osProfile: {
          computerName: "vm",
          adminUsername: "ops",
          linuxConfiguration: { disablePasswordAuthentication: true },
        },
        storageProfile: {
          imageReference: { publisher: "Canonical", offer: "0001-com-ubuntu-server-jammy", sku: "22_04-lts-gen2", version: "latest" },
          osDisk: { createOption: "FromImage", managedDisk: { storageAccountType: "Standard_LRS" } },
        },
      },
    }),
    dependencies: () => ({
      resourceGroup: "rg-vm-ssh",
      networkInterfaces: ["rg-vm-ssh::vm-nic"],
      sshPublicKeys: ["rg-vm-ssh::vm-key"],
      managedIdentities: ["rg-vm-ssh::vm-identity"],
    }),
  },
];
