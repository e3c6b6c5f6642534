// Node's assert and path, and rubico, at load time, as GruCloud projects' config.js use them.
const assert = require("assert");
const path = require("path");
const { pipe, tap, map, eq, switchCase } = require("rubico");
const { first } = require("rubico/x");

module.exports = ({ stage }) => {
  assert(stage, "the stage is set");
  const prefixes = pipe([
    tap((xs) => assert.ok(Array.isArray(xs))),
    map((n) => `10.3.${n}.0/24`),
  ])([0, 1]);
  return {
    projectName: "gc-node-builtins",
    location: switchCase([eq(stage, "prod"), () => "northeurope", () => "westeurope"])(),
    prefixes,
    firstPrefix: first(prefixes),
    initFile: path.join(".", path.basename("/anywhere/cloud-init.yaml")),
  };
};
