module.exports = { projectName: "gc-provider-config", location: "westeurope" };
