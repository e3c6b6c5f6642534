// Writes each value of a JSON array read from stdin with util.inspect(value, { depth: 10 }), as
// GruCloud's generator wrote schemas, and writes a JSON array of the results.
const util = require("util");
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const out = JSON.parse(input).map((v) => util.inspect(v, { depth: 10 }));
  process.stdout.write(JSON.stringify(out));
});
