module.exports = ({ stage }) => ({
  projectName: "gc-type-table",
  location: "westeurope",
});
