// For each {file, path, options} of a JSON array read from stdin: dereferences the swagger file
// with json-schema-ref-parser (as GruCloud's generator did, one dereferencing per file) and
// writes the PUT body schema of the path with util.inspect and the options ("" where the path
// has no PUT or no body). Writes a JSON array of the results. A file that cannot be read (the
// test data holds only the examples of PUT operations) reads as {}, as gru reads it.
const util = require("util");
const { dereference } = require("./deref");

let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", async () => {
  const out = [];
  for (const job of JSON.parse(input)) {
    try {
      const doc = await dereference(job.file);
      const put = (doc.paths[job.path] || {}).put;
      const body = put && (put.parameters || []).find((p) => p.in === "body");
      const schema = body && body.schema !== undefined ? body.schema : "";
      out.push(util.inspect(schema, job.options));
    } catch (e) {
      out.push("ERROR: " + e.message);
    }
  }
  process.stdout.write(JSON.stringify(out));
});
