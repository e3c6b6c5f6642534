module.exports = { projectName: "gc-vm-ssh", location: "westeurope" };
