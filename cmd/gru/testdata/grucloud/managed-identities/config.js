module.exports = { projectName: "gc-managed-identities", location: "westeurope" };
