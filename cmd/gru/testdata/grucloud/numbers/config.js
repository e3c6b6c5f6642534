module.exports = { projectName: "gc-numbers", location: "westeurope" };
