module.exports = { projectName: "gc-getid-path", location: "westeurope" };
