module.exports = { projectName: "gc-storage-blob", location: "westeurope" };
