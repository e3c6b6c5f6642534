// GruCloud's documentation page generator, as issue 13 describes its rules, written in
// JavaScript with the tools it used: json-schema-ref-parser 9 to dereference each swagger file,
// prettier 2 to format the examples, util.inspect(schema, { depth: 10 }) for the schema. The
// golden pages of gru doc are compared with what this writes.
//
// stdin: { table: "azure-types.json path", jobs: [{ name: "Group::Type", file, path, apiVersion,
// specFile, deps }] }: file is the swagger file, path the path template gru chose (used for
// types the table lacks; for the others the path of the table's putPath), specFile the file
// relative to the specification root, deps the dependencies gru lists for a type the table
// lacks. stdout: a JSON array of pages ("ERROR: ..." where one fails).
const prettier = require("prettier");
const util = require("util");
const fs = require("fs");
const { dereference } = require("./deref");

const samePath = (a, b) => {
  const as = a.replace(/^\/|\/$/g, "").split("/");
  const bs = b.replace(/^\/|\/$/g, "").split("/");
  return (
    as.length === bs.length &&
    as.every((s, i) => {
      const ap = s.startsWith("{");
      const bp = bs[i].startsWith("{");
      return ap === bp && (ap || s.toLowerCase() === bs[i].toLowerCase());
    })
  );
};

// rubico's isEmpty
const isEmpty = (v) =>
  v === undefined ||
  v === null ||
  v === "" ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0);

const fenceFor = (code) => {
  let fence = "```";
  while (code.includes(fence)) fence += "`";
  return fence;
};

const page = async (job, table) => {
  const [group, type] = job.name.split("::");
  // A name the table has twice: the entry of the page's version, else the last.
  const entries = table.filter((t) => `${t.group}::${t.type}`.toLowerCase() === job.name.toLowerCase());
  const entry = entries.find((t) => t.apiVersion === job.apiVersion) || entries[entries.length - 1];
  const deps = entry
    ? Object.entries(entry.dependencies || {}).map(([key, d]) => ({ key, ...d }))
    : job.deps;
  const doc = await dereference(job.file);
  const pathKey = entry
    ? Object.keys(doc.paths).find((p) => samePath(p, entry.putPath)) || job.path
    : job.path;
  const put = (doc.paths[pathKey] || {}).put;
  let schema = "";
  let examples = [];
  if (put) {
    const bodyParam = (put.parameters || []).find((p) => p.in === "body");
    if (bodyParam && bodyParam.schema !== undefined) schema = bodyParam.schema;
    examples = Object.entries(put["x-ms-examples"] || {}).map(([name, example]) => ({
      name,
      // the first object-valued parameter, in the example's order
      body: Object.values((example || {}).parameters || {}).find((v) => typeof v === "object" && v !== null),
    }));
  }
  const dependencies = deps
    .map((d) => {
      const ref = `resources.${d.group}.${d.type}[${JSON.stringify("my" + d.type)}]`;
      return `${d.key}: ${d.list ? `[${ref}]` : ref},\n`;
    })
    .join("");
  const code = (body) =>
    prettier.format(
      `provider.${group}.make${type}({\n` +
        `name: ${JSON.stringify("my" + type)},\n` +
        (isEmpty(body) ? "" : `properties: () => (${JSON.stringify(body)}),\n`) +
        (deps.length ? `dependencies: ({ resources }) => ({\n${dependencies}}),\n` : "") +
        `});`,
      { parser: "babel" }
    );
  const links = deps.map((d) => `- [${d.type}](../${d.group}/${d.type}.md)\n`).join("");
  const inspected = util.inspect(schema, { depth: 10 });
  return (
    `---\nid: ${type}\ntitle: ${type}\n---\n` +
    `Provides a **${type}** from the **${group}** group\n` +
    `## Examples\n` +
    examples
      .map((e) => {
        const c = code(e.body);
        const fence = fenceFor(c);
        return `### ${e.name}\n${fence}js\n${c}\n${fence}\n`;
      })
      .join("\n") +
    `## Dependencies\n${links}` +
    `## Swagger Schema\n${fenceFor(inspected)}js\n${inspected}\n${fenceFor(inspected)}\n` +
    `## Misc\nThe resource version is \`${job.apiVersion}\`.\n\n` +
    `The Swagger schema used to generate this documentation can be found [here](https://github.com/Azure/azure-rest-api-specs/tree/main/specification/${job.specFile}).\n`
  );
};

let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", async () => {
  const { table, jobs } = JSON.parse(input);
  const types = table ? JSON.parse(fs.readFileSync(table, "utf8")) : [];
  const out = [];
  for (const job of jobs) {
    try {
      out.push(await page(job, types));
    } catch (e) {
      out.push("ERROR: " + e.stack);
    }
  }
  process.stdout.write(JSON.stringify(out));
});
