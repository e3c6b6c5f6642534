module.exports = { projectName: "gc-shapes", location: "westeurope" };
