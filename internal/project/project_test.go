package project

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func fakeID(ref Ref, _ string) (string, error) {
	return "id(" + ref.Group + "::" + ref.Type + " " + ref.Name + ")", nil
}

func load(t *testing.T, dir string) *Project {
	t.Helper()
	p, err := Load(context.Background(), dir, Hooks{GetID: fakeID})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBothStylesDescribeTheSameThing loads GruCloud's two format samples (a resource group, a
// public IP and a NAT gateway) and finds the same resources.
func TestBothStylesDescribeTheSameThing(t *testing.T) {
	modern := load(t, "testdata/modern")
	seed := load(t, "testdata/seed-style")
	if modern.Name != "nat-sample" || seed.Name != "nat-sample" || modern.Location != "westeurope" || modern.Stage != "dev" {
		t.Errorf("config: %+v / %+v", modern, seed)
	}
	if len(modern.Resources) != 3 || len(seed.Resources) != 3 {
		t.Fatalf("%d and %d resources", len(modern.Resources), len(seed.Resources))
	}
	for i := range modern.Resources {
		m, s := modern.Resources[i], seed.Resources[i]
		if m.Type != s.Type || m.Group != s.Group || m.Name != s.Name {
			t.Errorf("resource %d: %s::%s %s / %s::%s %s", i, m.Group, m.Type, m.Name, s.Group, s.Type, s.Name)
		}
		if len(m.Dependencies) != len(s.Dependencies) {
			t.Errorf("%s: dependencies %+v / %+v", m.Name, m.Dependencies, s.Dependencies)
		}
		for j, d := range m.Dependencies {
			if j < len(s.Dependencies) && (s.Dependencies[j].Key != d.Key || len(s.Dependencies[j].Refs) != len(d.Refs) || s.Dependencies[j].List != d.List) {
				t.Errorf("%s: dependency %s: %+v / %+v", m.Name, d.Key, d, s.Dependencies[j])
			}
		}
	}
	nat := modern.Resources[2]
	if got := nat.Dependencies.Of("publicIpAddresses"); len(got) != 1 || got[0].Name != "rg-nat-sample::nat-ip" || !nat.Dependencies[slices.IndexFunc(nat.Dependencies, func(d Dependency) bool { return d.Key == "publicIpAddresses" })].List {
		t.Errorf("NAT gateway's public IPs: %+v", got)
	}
	ips := nat.Properties["properties"].(map[string]any)["publicIpAddresses"].([]any)
	if ips[0].(map[string]any)["id"] != "id(Network::PublicIPAddress rg-nat-sample::nat-ip)" {
		t.Errorf("getId: %v", ips)
	}
	if s := seed.Resources[2].Dependencies.Of("resourceGroup")[0]; s.Type != "ResourceGroup" || s.Group != "Resources" || s.Name != "rg-nat-sample" {
		t.Errorf("seed-style reference: %+v", s)
	}
	for i, want := range []string{"iac.js:7:40", "iac.js:8:40", "iac.js:18:35"} {
		if got := seed.Resources[i].Source.String(); got != want {
			t.Errorf("source of seed-style resource %d: %s, want %s", i, got, want)
		}
	}
}

// TestNodeEvaluatesTheSame runs the example project in Node.js, the reference for what a
// GruCloud project evaluates to, and compares each resource's properties and dependencies.
func TestNodeEvaluatesTheSame(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the JavaScript reference check is skipped")
	}
	for _, dir := range []string{"../../examples/storage-private-endpoint", "testdata/modern"} {
		abs, _ := filepath.Abs(dir)
		script := `
const Module = require("module");
const orig = Module._load;
Module._load = function (req, parent, isMain) {
  if (req === "rubico" || req === "rubico/x") return {};
  if (req === "@grucloud/provider-azure") return { AzureProvider: {} };
  return orig.apply(this, arguments);
};
const dir = process.argv[1];
let config = require(dir + "/config.js");
if (typeof config === "function") config = config({ stage: "dev" });
const getId = (r) => "id(" + r.group + "::" + r.type + " " + r.name + ")";
const call = (v) => (typeof v === "function" ? v({ config, getId }) : v);
const out = require(dir + "/resources.js").createResources({ config }).map((r) => ({
  properties: call(r.properties) || {},
  dependencies: call(r.dependencies) || {},
}));
console.log(JSON.stringify(out));
`
		raw, err := exec.Command(node, "-e", script, abs).Output()
		if err != nil {
			t.Fatalf("node: %v", err)
		}
		var want []struct {
			Properties   map[string]any `json:"properties"`
			Dependencies map[string]any `json:"dependencies"`
		}
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		p := load(t, dir)
		if len(p.Resources) != len(want) {
			t.Fatalf("%s: %d resources, node sees %d", dir, len(p.Resources), len(want))
		}
		for i, r := range p.Resources {
			got, _ := json.Marshal(r.Properties)
			exp, _ := json.Marshal(want[i].Properties)
			var g, e any
			json.Unmarshal(got, &g)
			json.Unmarshal(exp, &e)
			if !reflect.DeepEqual(g, e) {
				t.Errorf("%s resource %d properties:\n gru  %s\n node %s", dir, i, got, exp)
			}
			for key, v := range want[i].Dependencies {
				var names []string
				switch x := v.(type) {
				case string:
					names = []string{x}
				case []any:
					for _, n := range x {
						names = append(names, n.(string))
					}
				}
				var have []string
				for _, ref := range r.Dependencies.Of(key) {
					have = append(have, ref.Name)
				}
				if strings.Join(names, ",") != strings.Join(have, ",") {
					t.Errorf("%s resource %d dependency %s: gru %v, node %v", dir, i, key, have, names)
				}
			}
		}
	}
}

func TestErrorsAreLocated(t *testing.T) {
	for name, tc := range map[string]struct{ src, want string }{
		"syntax":      {"exports.createResources = () => [\n  { type: 'A' group: 'B' },\n];", "resources.js:2:15: syntax error: Unexpected identifier"},
		"throw":       {"exports.createResources = () => [{ type: 'A', group: 'B', properties: () => {\n  throw new Error('bad');\n} }];", "resources.js:2:9: B::A: properties: Error: bad"},
		"not a func":  {"exports.createResources = 1;", "must export createResources"},
		"npm package": {"require('lodash');\nexports.createResources = () => [];", `resources.js:1:8: require("lodash"): gru cannot load npm packages`},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "resources.js"), []byte(tc.src), 0o644)
		_, err := Load(context.Background(), dir, Hooks{GetID: fakeID})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	if _, err := Load(context.Background(), t.TempDir(), Hooks{}); err == nil || !strings.Contains(err.Error(), "no resources.js") {
		t.Errorf("empty folder: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte("while (true) {}"), 0o644)
	if _, err := Load(ctx, dir, Hooks{}); err == nil || errors.Is(err, context.Canceled) == false && !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("a project that never ends is not interrupted: %v", err)
	}
}

// TestProjectShapes: the shapes of createResources GruCloud takes: a block body that returns
// nothing, arrays with undefined or null entries (resources left out by a condition), and
// resources declared with provider.<Group>.make<Type> inside resources.js.
func TestProjectShapes(t *testing.T) {
	for name, tc := range map[string]struct {
		src   string
		names []string
	}{
		"returns nothing":   {"exports.createResources = () => {\n  const unused = 1;\n};", nil},
		"undefined entries": {"const prod = false;\nexports.createResources = () => [\n  { type: 'ResourceGroup', group: 'Resources', name: 'rg' },\n  prod ? { type: 'ResourceGroup', group: 'Resources', name: 'prod' } : undefined,\n  null,\n];", []string{"rg"}},
		"provider style":    {"exports.createResources = ({ provider }) => {\n  provider.Resources.makeResourceGroup({ name: 'rg' });\n  provider.Network.makePublicIPAddress({ name: 'ip', properties: () => ({ sku: { name: 'Standard' } }), dependencies: () => ({ resourceGroup: 'rg' }) });\n};", []string{"rg", "ip"}},
		"both":              {"exports.createResources = ({ provider }) => {\n  provider.Resources.makeResourceGroup({ name: 'rg' });\n  return [{ type: 'ResourceGroup', group: 'Resources', name: 'other' }];\n};", []string{"other", "rg"}},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "resources.js"), []byte(tc.src), 0o644)
		p := load(t, dir)
		var got []string
		for _, r := range p.Resources {
			got = append(got, r.Name)
		}
		if strings.Join(got, ",") != strings.Join(tc.names, ",") {
			t.Errorf("%s: resources %v, want %v", name, got, tc.names)
		}
	}
}

// TestNodeBuiltInsAndRubico: configuration code as GruCloud projects write it: Node's assert,
// path and fs (a file of the project), rubico and rubico/x at load time, console.log.
func TestNodeBuiltInsAndRubico(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "cloud-init.yaml"), []byte("#cloud-config\npackages: [nginx]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "config.js"), []byte(`const assert = require("assert");
const path = require("path");
const { pipe, tap, map, get, eq, switchCase } = require("rubico");
const { pluck, first } = require("rubico/x");
module.exports = ({ stage }) => {
  assert(stage, "a stage");
  const zones = pipe([tap((x) => assert.ok(Array.isArray(x))), map((z) => z * 10)])([1, 2, 3]);
  return {
    location: switchCase([eq(stage, "prod"), () => "northeurope", () => "westeurope"])(),
    zones,
    names: pluck("name")([{ name: "a" }, { name: "b" }]),
    firstZone: first(zones),
    deep: get("a.b.c")({ a: { b: { c: 42 } } }),
    initFile: path.join("scripts", path.basename("/x/cloud-init.yaml")),
  };
};
`), 0o644)
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(`const fs = require("fs");
exports.createResources = ({ config }) => {
  console.log("zones", config.zones);
  return [{ type: "ResourceGroup", group: "Resources", name: "rg",
    properties: () => ({ location: config.location, tags: { init: fs.readFileSync("cloud-init.yaml", "utf8").split("\n")[0], deep: String(config.deep) } }) }];
};
`), 0o644)
	var console bytes.Buffer
	p, err := Load(context.Background(), dir, Hooks{GetID: fakeID, Console: &console})
	if err != nil {
		t.Fatal(err)
	}
	cfg := p.Config
	if cfg["location"] != "westeurope" || fmt.Sprint(cfg["zones"]) != "[10 20 30]" || fmt.Sprint(cfg["names"]) != "[a b]" ||
		fmt.Sprint(cfg["firstZone"]) != "10" || fmt.Sprint(cfg["deep"]) != "42" || cfg["initFile"] != "scripts/cloud-init.yaml" {
		t.Errorf("config: %v", cfg)
	}
	tags := p.Resources[0].Properties["tags"].(map[string]any)
	if tags["init"] != "#cloud-config" || tags["deep"] != "42" {
		t.Errorf("tags: %v", tags)
	}
	if strings.TrimSpace(console.String()) != "zones [10,20,30]" {
		t.Errorf("console.log wrote %q", console.String())
	}
	// The sandbox: no file outside the project, no process, no network.
	for name, src := range map[string]string{
		"outside":       `require("fs").readFileSync("../secret.txt", "utf8"); exports.createResources = () => [];`,
		"child_process": `require("child_process"); exports.createResources = () => [];`,
		"assert fails":  `require("assert").strictEqual(1, 2, "one is not two"); exports.createResources = () => [];`,
		"symlink out":   `require("fs").readFileSync("out.txt", "utf8"); exports.createResources = () => [];`,
	} {
		d := t.TempDir()
		outside := filepath.Join(t.TempDir(), "secret.txt")
		os.WriteFile(outside, []byte("not the project's"), 0o644)
		os.Symlink(outside, filepath.Join(d, "out.txt")) // a link inside that leads out
		os.WriteFile(filepath.Join(d, "resources.js"), []byte(src), 0o644)
		if _, err := Load(context.Background(), d, Hooks{GetID: fakeID}); err == nil {
			t.Errorf("%s: loaded", name)
		} else if name == "assert fails" && !strings.Contains(err.Error(), "one is not two") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestStageChoosesItsEnvFile: process.env takes the environment first, then default.env,
// auth.env and <stage>.env, the stage being $STAGE, else dev, as GruCloud has it.
func TestStageChoosesItsEnvFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "default.env"), []byte("WHO=default\nONLY_DEFAULT=yes\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "dev.env"), []byte("STAGE_FILE=dev\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "prod.env"), []byte("STAGE_FILE=prod\nWHO=prod\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "config.js"), []byte(`module.exports = ({ stage }) => ({ projectName: "s", file: process.env.STAGE_FILE, who: process.env.WHO, seen: stage });`), 0o644)
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(`exports.createResources = () => [];`), 0o644)
	for stage, want := range map[string]string{"": "dev", "prod": "prod"} {
		t.Setenv("STAGE", stage)
		p := load(t, dir)
		if p.Stage != want || p.Config["file"] != want || p.Config["seen"] != want || p.Config["who"] != "default" {
			t.Errorf("STAGE=%q: stage %q, config %v", stage, p.Stage, p.Config)
		}
	}
}

// TestBufferAndCwd: Buffer.from(...).toString("base64"), as projects encode a VM's cloud-init,
// checked against Node when it is here; process.cwd() is the project folder.
func TestBufferAndCwd(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "init.yaml"), []byte("#cloud-config\npackages: [nginx]\n"), 0o644)
	src := `const fs = require("fs");
const b64 = Buffer.from(fs.readFileSync("init.yaml")).toString("base64");
const text = Buffer.from(b64, "base64").toString();
exports.createResources = () => [{ type: "ResourceGroup", group: "Resources", name: "rg",
  properties: () => ({ tags: { b64, text, hex: Buffer.from("gru").toString("hex"), cwd: String(process.cwd() === __dirname || process.cwd().length > 0) } }) }];`
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(src), 0o644)
	p := load(t, dir)
	tags := p.Resources[0].Properties["tags"].(map[string]any)
	if tags["b64"] != "I2Nsb3VkLWNvbmZpZwpwYWNrYWdlczogW25naW54XQo=" || tags["text"] != "#cloud-config\npackages: [nginx]\n" || tags["hex"] != "677275" || tags["cwd"] != "true" {
		t.Errorf("tags: %v", tags)
	}
}

// TestAsyncCreateResources: createResources and config may be async functions, as GruCloud
// awaits them; a rejected promise is an error naming it.
func TestAsyncCreateResources(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.js"), []byte(`module.exports = async ({ stage }) => ({ projectName: "a", location: await Promise.resolve("westeurope") });`), 0o644)
	os.WriteFile(filepath.Join(dir, "name.txt"), []byte("rg-"), 0o644)
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(`const fs = require("fs");
exports.createResources = async ({ config }) => {
  const name = (await fs.promises.readFile("name.txt", "utf8")) + config.location;
  return [{ type: "ResourceGroup", group: "Resources", name }];
};`), 0o644)
	p := load(t, dir)
	if p.Location != "westeurope" || len(p.Resources) != 1 || p.Resources[0].Name != "rg-westeurope" {
		t.Errorf("project: %+v", p)
	}
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(`exports.createResources = async () => { throw new Error("no way"); };`), 0o644)
	if _, err := Load(context.Background(), dir, Hooks{GetID: fakeID}); err == nil || !strings.Contains(err.Error(), "no way") {
		t.Errorf("a rejected createResources: %v", err)
	}
}

// TestLoadedProjectLetsGoOfItsSource: goja's string literals are slices of their file's
// source; a loaded project holds its strings in memory of their own, so the source (here 8 MB
// of comments around two resources) goes once the project is loaded.
func TestLoadedProjectLetsGoOfItsSource(t *testing.T) {
	dir := t.TempDir()
	padding := strings.Repeat("// "+strings.Repeat("x", 77)+"\n", 50_000)
	js := padding + `exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg", properties: () => ({ tags: { team: "blue" } }) },
  { type: "VirtualNetwork", group: "Network", name: "vnet", apiVersion: "2023-05-01",
    properties: () => ({ properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } } }),
    dependencies: () => ({ resourceGroup: "rg", natGateways: ["rg::nat"] }) },
];
` + padding
	if err := os.WriteFile(filepath.Join(dir, "resources.js"), []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.js"), []byte(`module.exports = { projectName: "p" };`), 0o644); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	p := load(t, dir)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > int64(len(js))/4 {
		t.Errorf("the loaded project holds %d bytes, its source has %d", grown, len(js))
	}
	vnet := p.Resources[1]
	if vnet.Name != "vnet" || vnet.APIVersion != "2023-05-01" || vnet.Dependencies.Of("natGateways")[0].Name != "rg::nat" ||
		vnet.Properties["properties"].(map[string]any)["addressSpace"].(map[string]any)["addressPrefixes"].([]any)[0] != "10.0.0.0/16" {
		t.Errorf("the project read %+v", vnet)
	}
	runtime.KeepAlive(p)
}
