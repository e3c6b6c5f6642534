package project

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes files into a new folder.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestResourcesAreLocated: each resource's Source is the line and column (1-based) of the
// object literal that made it: in the array, in a loop's body, in a helper (of another file
// too), the spreading literal of a copy; the literal passed to provider.<Group>.make<Type>,
// else the call; the file alone for an object no literal made.
func TestResourcesAreLocated(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"helpers.js": `exports.subnet = (name) => ({ type: "Subnet", group: "Network", name });
`,
		"resources.js": `const { subnet } = require("./helpers");
const base = { type: "RouteTable", group: "Network" };
exports.createResources = ({ provider }) => {
  provider.Network.makeNatGateway({ name: "nat" });
  const ip = JSON.parse('{"name": "ip2"}');
  provider.Network.makePublicIPAddress(ip);
  return [
    { type: "ResourceGroup", group: "Resources", name: "rg" },
    {
      type: "VirtualNetwork",
      group: "Network",
      name: "vnet",
    },
    ...["a", "b"].map((name) =>
      ({ type: "PublicIPAddress", group: "Network", name })),
    subnet("s1"),
    { ...base, name: "copy" },
    Object.assign(JSON.parse('{"type": "NetworkSecurityGroup", "group": "Network"}'), { name: "nsg" }),
    JSON.parse('{"type": "NetworkSecurityGroup", "group": "Network", "name": "json"}'),
  ];
};
`,
	})
	p := load(t, dir)
	want := map[string]string{
		"rg":   "resources.js:8:5",
		"vnet": "resources.js:9:5",
		"a":    "resources.js:15:8",
		"b":    "resources.js:15:8",
		"s1":   "helpers.js:1:29",
		"copy": "resources.js:17:5",
		// Object.assign copies the symbol of the literal it copies from.
		"nsg":  "resources.js:18:87",
		"json": "resources.js",
		"nat":  "resources.js:4:35",
		"ip2":  "resources.js:6:39",
	}
	if len(p.Resources) != len(want) {
		t.Fatalf("%d resources", len(p.Resources))
	}
	for _, r := range p.Resources {
		if got := r.Source.String(); got != want[r.Name] {
			t.Errorf("%s: at %s, want %s", r.Name, got, want[r.Name])
		}
	}
	// The mark is invisible to the project's code and to what gru reads of it.
	dir = writeFiles(t, map[string]string{"resources.js": `const o = { a: 1, b: { c: 2 } };
const copy = { ...o };
exports.createResources = () => [{ type: "ResourceGroup", group: "Resources", name: "rg",
  properties: () => ({ tags: { keys: Object.keys(copy).join(","), json: JSON.stringify(o), n: String(Object.entries(o).length) } }) }];
`})
	p = load(t, dir)
	tags := p.Resources[0].Properties["tags"].(map[string]any)
	if tags["keys"] != "a,b" || tags["json"] != `{"a":1,"b":{"c":2}}` || tags["n"] != "2" || len(p.Resources[0].Properties) != 1 {
		t.Errorf("the project sees the marks: %v", p.Resources[0].Properties)
	}
}

// TestErrorLocations: syntax errors, exceptions and rejected promises are located by line
// and column (1-based) in the file, the first line too (which the module wrapper shares),
// with codes.
func TestErrorLocations(t *testing.T) {
	for name, tc := range map[string]struct {
		files      map[string]string
		code, want string
		line, col  int
	}{
		"syntax on line 1": {map[string]string{"resources.js": "exports.createResources = () => [ { type: 'A' group: 'B' } ];"},
			CodeSyntax, "resources.js:1:47: syntax error: Unexpected identifier", 1, 47},
		"syntax at the end": {map[string]string{"resources.js": "exports.createResources = () => [\n  { type: 'A',"},
			CodeSyntax, "resources.js:2:15: syntax error: unexpected end of the file", 2, 15},
		"redeclared": {map[string]string{"resources.js": "let a = 1;\n  let a = 2;\nexports.createResources = () => [];"},
			CodeSyntax, "resources.js:2:7: syntax error: Identifier 'a' has already been declared", 2, 7},
		// A call is located at its parenthesis, as goja records it.
		"thrown in a helper": {map[string]string{
			"lib.js":       "exports.check = (x) => {\n  if (!x) throw new Error('no x');\n};",
			"resources.js": "const { check } = require('./lib');\nexports.createResources = () => {\n  check(0);\n};"},
			CodeException, "lib.js:2:17: Error: no x", 2, 17},
		"type error": {map[string]string{"resources.js": "exports.createResources = () => {\n  const o = undefined;\n  return o.x;\n};"},
			CodeException, "resources.js:3:12: TypeError: Cannot read property 'x' of undefined", 3, 12},
		"rejected": {map[string]string{"resources.js": "exports.createResources = async () => {\n  await 1;\n  throw new Error('late');\n};"},
			CodeException, "resources.js:3:9: the promise was rejected: Error: late", 3, 9},
		"config": {map[string]string{"config.js": "module.exports = () => {\n  throw new Error('no config');\n};", "resources.js": "exports.createResources = () => [];"},
			CodeException, "config.js:2:9: Error: no config", 2, 9},
		"package.json": {map[string]string{"package.json": "{\n  \"name\": \"x\",\n}", "resources.js": "exports.createResources = () => [];"},
			CodeSyntax, "package.json:3:1: not valid JSON", 3, 1},
		"no type": {map[string]string{"resources.js": "exports.createResources = () => [\n  { group: 'Network', name: 'x' },\n];"},
			CodeFormat, "resources.js:2:3: a resource needs a type and a group", 2, 3},
		"not an object": {map[string]string{"resources.js": "exports.createResources = () => [\n  { type: 'ResourceGroup', group: 'Resources', name: 'rg' },\n  'rg2',\n];"},
			CodeFormat, "resources.js: the resource #2 that createResources returns is rg2, not an object", 0, 0},
		"properties": {map[string]string{"resources.js": "exports.createResources = () => [\n  { type: 'ResourceGroup', group: 'Resources', name: 'rg', properties: () => 3 },\n];"},
			CodeFormat, "resources.js:2:3: Resources::ResourceGroup rg: properties: must be an object", 2, 3},
		"getId": {map[string]string{"resources.js": "exports.createResources = () => [\n  { type: 'ResourceGroup', group: 'Resources', name: 'rg',\n    properties: ({ getId }) => ({ tags: { x: getId({ type: 'Nope', group: 'X', name: 'n' }) } }) },\n];"},
			CodeException, "resources.js:3:51: Resources::ResourceGroup rg: properties: no such type", 3, 51},
		"no project": {map[string]string{"readme.md": "x"}, CodeNoProject, "no resources.js", 0, 0},
	} {
		dir := writeFiles(t, tc.files)
		_, err := Load(context.Background(), dir, Hooks{GetID: func(ref Ref, _ string) (string, error) {
			if ref.Type == "Nope" {
				return "", errors.New("no such type")
			}
			return "id", nil
		}})
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: %v (%T), want an *Error", name, err, err)
			continue
		}
		if e.Code != tc.code || e.Line != tc.line || e.Column != tc.col || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %s (code %s, %d:%d), want %q (code %s, %d:%d)", name, err, e.Code, e.Line, e.Column, tc.want, tc.code, tc.line, tc.col)
		}
	}
}
