module.exports = () => ({
  projectName: "gc-process-env",
  location: process.env.LOCATION || "westeurope",
  team: process.env.TEAM,
});
