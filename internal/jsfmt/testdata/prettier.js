// Formats each source of a JSON array read from stdin with prettier's default options (the
// babel parser), writing a JSON array of the results ("ERROR: ..." for a source prettier
// refuses). The reference jsfmt's printer is compared with.
const prettier = require("prettier");
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const out = JSON.parse(input).map((source) => {
    try {
      return prettier.format(source, { parser: "babel" });
    } catch (e) {
      return "ERROR: " + e.message;
    }
  });
  process.stdout.write(JSON.stringify(out));
});
