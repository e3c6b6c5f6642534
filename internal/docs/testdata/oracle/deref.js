// Dereferences a swagger file with json-schema-ref-parser 9, as GruCloud's generator did: once
// per file. A file that cannot be read (the test data holds the examples of PUT operations
// alone) reads as {}, as gru reads it.
const $RefParser = require("@apidevtools/json-schema-ref-parser");
const { toFileSystemPath } = require("@apidevtools/json-schema-ref-parser/lib/util/url");
const fs = require("fs");

const options = {
  resolve: {
    file: {
      read: (file) => {
        try {
          return fs.readFileSync(toFileSystemPath(file.url, true));
        } catch (e) {
          return "{}";
        }
      },
    },
  },
};
const documents = new Map();
exports.dereference = (file) => {
  if (!documents.has(file)) documents.set(file, $RefParser.dereference(file, options));
  return documents.get(file);
};
