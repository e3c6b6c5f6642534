package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gru-iac/gru"
	"github.com/gru-iac/gru/internal/emulator"
)

const example = "../../examples/storage-private-endpoint"

// TestStoragePrivateEndpointExample is the engine's first acceptance test: apply the
// example on the local cloud, plan again (no change), list (six resources, the connection
// approved), destroy (nothing left), all over real HTTP to the emulator.
func TestStoragePrivateEndpointExample(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	code, out, errOut := runGru(t, "", "apply", "-f", "--local", "-C", example)
	if code != 0 || !strings.Contains(out, "Apply: 6 done, 0 failed") {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, _ := runGru(t, "", "plan", "--local", "--exit-code", "-C", example); code != 0 || !strings.Contains(out, "6 unchanged") {
		t.Errorf("plan after apply: exit %d\n%s", code, out)
	}
	if code, out, _ := runGru(t, "", "apply", "-f", "--local", "-C", example); code != 0 || !strings.Contains(out, "Nothing to do") {
		t.Errorf("apply again: exit %d\n%s", code, out)
	}
	code, out, _ = runGru(t, "", "list", "--local", "--our", "--json", "-C", example)
	var rows []gru.Listed
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil {
		t.Fatalf("list: exit %d %s", code, out)
	}
	types := map[string]gru.Listed{}
	for _, r := range rows {
		types[r.Type] = r
	}
	if len(rows) != 6 || len(types) != 6 {
		t.Errorf("list --our shows %d resources: %+v", len(rows), rows)
	}
	if c := types["Storage::PrivateEndpointConnection"]; c.Connection != "Approved" || !strings.HasPrefix(c.Name, "myPrivateEndpoint.") {
		t.Errorf("the connection: %+v", c)
	}
	code, out, _ = runGru(t, "", "output", "--local", "-C", example, "--type", "Storage::PrivateEndpointConnection", "--name", "myPrivateEndpointConnection", "--field", "properties.privateLinkServiceConnectionState.description")
	if code != 0 || strings.TrimSpace(out) != "Auto-Approved" {
		t.Errorf("output: %d %q", code, out)
	}
	// The group goes whole, with the five resources in it and the network interface Azure
	// made for the endpoint: the plan lists them, one request.
	if code, out, errOut := runGru(t, "", "destroy", "-f", "--local", "-C", example); code != 0 || !strings.Contains(out, "Destroy: 7 done") ||
		strings.Count(out, "(deleted with Resources::ResourceGroup myResourceGroup)") != 5 || strings.Count(out, "deleting ") != 2 ||
		!strings.Contains(out, "Network::NetworkInterface myResourceGroup::myPrivateEndpoint.nic.") {
		t.Errorf("destroy: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runGru(t, "", "list", "--local", "--json", "-C", example)
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("after destroy: %s", out)
	}
	if code, _, _ := runGru(t, "", "plan", "--local", "--exit-code", "-C", example); code != 2 {
		t.Errorf("plan after destroy: exit %d, want 2", code)
	}
}

// TestSeedSnippetGivesTheSamePlan loads the seed page's snippet verbatim, in a project of the
// older style, and compares its plan with the example's.
func TestSeedSnippetGivesTheSamePlan(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	snippet, err := os.ReadFile("testdata/seed-style/iac.js")
	if err != nil {
		t.Fatal(err)
	}
	if seed, err := os.ReadFile("../../../shared/seed/000_f7ff9e4db8962765.txt"); err == nil {
		start := strings.Index(string(seed), "provider.Storage.makePrivateEndpointConnection")
		end := strings.Index(string(seed)[start:], "});") + start + 3
		if !strings.Contains(string(snippet), string(seed)[start:end]) {
			t.Error("testdata/seed-style/iac.js does not hold the seed page's snippet verbatim")
		}
	}
	plan := func(dir string) map[string]any {
		code, out, errOut := runGru(t, "", "plan", "--local", "--json", "-C", dir)
		if code != 0 {
			t.Fatalf("plan %s: %d %s", dir, code, errOut)
		}
		var p struct {
			Changes []map[string]any `json:"changes"`
		}
		json.Unmarshal([]byte(out), &p)
		got := map[string]any{}
		for _, c := range p.Changes {
			got[c["resource"].(string)] = c["action"].(string) + " " + c["id"].(string)
		}
		return got
	}
	a, b := plan(example), plan("testdata/seed-style")
	if len(a) != 6 {
		t.Fatalf("example plan: %v", a)
	}
	for k, v := range a {
		if b[k] != v {
			t.Errorf("%s: example %v, seed style %v", k, v, b[k])
		}
	}
	if len(b) != len(a) {
		t.Errorf("seed style plan has %d resources: %v", len(b), b)
	}
}

// project writes a project into a temporary folder.
func writeProject(t *testing.T, resources string) string {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.js"), []byte(`module.exports = { location: "westeurope" };`), 0o644)
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(resources), 0o644)
	return dir
}

// TestBadProjectsSendNothing: each mistake is a clear error, exit 1, and no request reaches ARM.
func TestBadProjectsSendNothing(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.WriteHeader(500)
	}))
	defer srv.Close()
	rg := `{ type: "ResourceGroup", group: "Resources", name: "rg" }`
	for _, tc := range []struct {
		name, resources, want string
	}{
		{"syntax error", "exports.createResources = () => [\n  { type: \"ResourceGroup\", group: \"Resources\" name: \"rg\" },\n];", "resources.js:2:47: syntax error: Unexpected identifier"},
		{"unknown type", `exports.createResources = () => [{ type: "StorageAcount", group: "Storage", name: "a" }];`, `resources.js:1:34: Storage::StorageAcount a: unknown resource type "Storage::StorageAcount"; did you mean Storage::StorageAccount`},
		{"unknown dependency", `exports.createResources = () => [` + rg + `, { type: "VirtualNetwork", group: "Network", name: "v", dependencies: () => ({ resourceGroup: "nope" }) }];`, `resources.js:1:93: Network::VirtualNetwork nope::v: dependencies.resourceGroup: no Resources::ResourceGroup named "nope"`},
		{"cycle", `exports.createResources = () => [` + rg + `,
			{ type: "NetworkSecurityGroup", group: "Network", name: "a", dependencies: () => ({ resourceGroup: "rg", other: "rg::b" }) },
			{ type: "RouteTable", group: "Network", name: "b", dependencies: () => ({ resourceGroup: "rg", other: "rg::a" }) }];`, "dependency cycle: Network::NetworkSecurityGroup rg::a (resources.js:2:4) -[other]-> Network::RouteTable rg::b (resources.js:3:4) -[other]-> Network::NetworkSecurityGroup rg::a"},
		{"schema violations", `exports.createResources = () => [` + rg + `,
			{ type: "StorageAccount", group: "Storage", name: "acct", properties: () => ({ kind: "StorageV2", sku: { name: 42 }, properties: { allowBlobPublicAccess: "yes" } }), dependencies: () => ({ resourceGroup: "rg" }) }];`, "sku.name"},
		{"duplicate names", `exports.createResources = () => [` + rg + `, ` + rg + `];`, "resources.js:1:93: Resources::ResourceGroup rg: declared twice (first at resources.js:1:34)"},
		{"throwing properties", `exports.createResources = () => [{ type: "ResourceGroup", group: "Resources", properties: () => { throw new Error("no name today"); } }];`, "resources.js:1:105: Resources::ResourceGroup: properties: Error: no name today"},
		{"unknown package", `const x = require("left-pad");` + "\n" + `exports.createResources = () => [];`, `resources.js:1:18: require("left-pad")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeProject(t, tc.resources)
			code, _, errOut := runGru(t, "", "plan", "--endpoint", srv.URL, "-C", dir)
			if code != 1 || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, want 1 and %q in:\n%s", code, tc.want, errOut)
			}
		})
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests reached ARM", n)
	}
	// Both schema problems are reported together.
	dir := writeProject(t, `exports.createResources = () => [`+rg+`,
		{ type: "StorageAccount", group: "Storage", name: "acct", properties: () => ({ kind: "StorageV2", sku: { name: 42 }, properties: { allowBlobPublicAccess: "yes" } }), dependencies: () => ({ resourceGroup: "rg" }) }];`)
	_, _, errOut := runGru(t, "", "plan", "--endpoint", srv.URL, "-C", dir)
	if !strings.Contains(errOut, "sku.name") || !strings.Contains(errOut, "allowBlobPublicAccess") {
		t.Errorf("not every schema problem listed:\n%s", errOut)
	}
}

// signalWriter collects output and closes a channel when a line appears.
type signalWriter struct {
	mu   sync.Mutex
	buf  strings.Builder
	want string
	seen chan struct{}
	once sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestInterruptedApplyConverges interrupts an apply once the resource group is made: what
// was in flight finishes, nothing new starts, the summary says what was done, and a second
// apply finishes the job.
func TestInterruptedApplyConverges(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	out := &signalWriter{want: "creating Storage::StorageAccount", seen: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-out.seen
		cancel() // Ctrl-C while the storage account and the network are in flight
	}()
	code := run(ctx, []string{"apply", "-f", "--local", "-C", example}, strings.NewReader(""), out, out)
	text := out.String()
	if code != 1 || !strings.Contains(text, "canceled") || !strings.Contains(text, "Run the command again") {
		t.Fatalf("interrupted apply: exit %d\n%s", code, text)
	}
	if !strings.Contains(text, "creating Storage::StorageAccount myResourceGroup::mystorageaccount done") {
		t.Errorf("the storage account in flight was not let finish:\n%s", text)
	}
	if strings.Contains(text, "creating Storage::PrivateEndpointConnection") {
		t.Errorf("new work started after the interrupt:\n%s", text)
	}
	code, again, _ := runGru(t, "", "apply", "-f", "--local", "-C", example)
	if code != 0 || !strings.Contains(again, "unchanged") || strings.Contains(again, "create    Resources::ResourceGroup") {
		t.Fatalf("re-run: exit %d\n%s", code, again)
	}
	if code, plan, _ := runGru(t, "", "plan", "--local", "--exit-code", "-C", example); code != 0 {
		t.Errorf("after the re-run the plan is not empty:\n%s", plan)
	}
}

// TestPruneAndReplace: a resource dropped from the code is deleted by apply --prune only, and
// one whose location changed is replaced.
func TestPruneAndReplace(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	rg := `{ type: "ResourceGroup", group: "Resources", name: "rg" }`
	nsg := func(name, location string) string {
		return `{ type: "NetworkSecurityGroup", group: "Network", name: "` + name + `", properties: () => ({ location: "` + location + `" }), dependencies: () => ({ resourceGroup: "rg" }) }`
	}
	dir := writeProject(t, `exports.createResources = () => [`+rg+`, `+nsg("a", "westeurope")+`, `+nsg("b", "westeurope")+`];`)
	os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"prune-test"}`), 0o644)
	if code, out, errOut := runGru(t, "", "apply", "-f", "--local", "-C", dir); code != 0 {
		t.Fatalf("apply: %s %s", out, errOut)
	}
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(`exports.createResources = () => [`+rg+`, `+nsg("a", "northeurope")+`];`), 0o644)
	code, out, _ := runGru(t, "", "plan", "--local", "-C", dir)
	if code != 0 || !strings.Contains(out, "-/+ replace   Network::NetworkSecurityGroup rg::a") || strings.Contains(out, "- delete") {
		t.Errorf("plan without --prune:\n%s", out)
	}
	code, out, _ = runGru(t, "", "apply", "-f", "--prune", "--local", "-C", dir)
	if code != 0 || !strings.Contains(out, "- delete") || !strings.Contains(out, "Network::NetworkSecurityGroup rg::b") {
		t.Errorf("apply --prune: exit %d\n%s", code, out)
	}
	code, out, _ = runGru(t, "", "plan", "--prune", "--local", "--exit-code", "-C", dir)
	if code != 0 {
		t.Errorf("after apply --prune: exit %d\n%s", code, out)
	}
}

// TestDestroyTakesUndeclaredManagedResources: destroy also deletes what the project manages
// but no longer declares, and leaves what it does not manage.
func TestDestroyTakesUndeclaredManagedResources(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	rg := func(name string) string { return `{ type: "ResourceGroup", group: "Resources", name: "` + name + `" }` }
	dir := writeProject(t, `exports.createResources = () => [`+rg("kept")+`, `+rg("dropped")+`];`)
	os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"destroy-test"}`), 0o644)
	if code, out, _ := runGru(t, "", "apply", "-f", "--local", "-C", dir); code != 0 {
		t.Fatal(out)
	}
	other := writeProject(t, `exports.createResources = () => [`+rg("someone-elses")+`];`)
	if code, out, _ := runGru(t, "", "apply", "-f", "--local", "-C", other); code != 0 {
		t.Fatal(out)
	}
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(`exports.createResources = () => [`+rg("kept")+`];`), 0o644)
	code, out, _ := runGru(t, "", "destroy", "-f", "--local", "-C", dir)
	if code != 0 || !strings.Contains(out, "Destroy: 2 done") {
		t.Errorf("destroy: exit %d\n%s", code, out)
	}
	_, list, _ := runGru(t, "", "list", "--local", "--json", "-C", dir)
	if !strings.Contains(list, "someone-elses") || strings.Contains(list, `"kept"`) || strings.Contains(list, "dropped") {
		t.Errorf("after destroy: %s", list)
	}
}

func TestGraphAndTree(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	code, out, _ := runGru(t, "", "graph", "--local", "-C", example)
	if code != 0 || strings.Count(out, "->") != 10 || !strings.Contains(out, `label="resource group myResourceGroup"`) {
		t.Errorf("graph: %d\n%s", code, out)
	}
	if code, _, errOut := runGru(t, "", "graph", "--local", "--png", "-C", example); code != 1 || !strings.Contains(errOut, "-o") {
		t.Errorf("--png without -o: %d %s", code, errOut)
	}
	runGru(t, "", "apply", "-f", "--local", "-C", example)
	code, out, _ = runGru(t, "", "graph", "--local", "--live", "-C", example)
	// Live edges come from IDs in the bodies and from parents.
	for _, want := range []string{
		`"Storage::PrivateEndpointConnection myResourceGroup::mystorageaccount::myPrivateEndpointConnection" -> "Network::PrivateEndpoint myResourceGroup::myPrivateEndpoint"`,
		`"Network::PrivateEndpoint myResourceGroup::myPrivateEndpoint" -> "Network::Subnet myResourceGroup::myVnet::mySubnet"`,
		`"Network::Subnet myResourceGroup::myVnet::mySubnet" -> "Network::VirtualNetwork myResourceGroup::myVnet"`,
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("graph --live lacks %s:\n%s", want, out)
		}
	}
	code, out, _ = runGru(t, "", "tree", "--local", "--format", "plantuml", "-C", example)
	if code != 0 || !strings.Contains(out, "*** PrivateEndpointConnection") {
		t.Errorf("tree: %d\n%s", code, out)
	}
}

// roundTrip applies a project, writes a project for what is live with gencode, and plans the
// generated project against the same live: nothing to change.
func roundTrip(t *testing.T, dir string) string {
	t.Helper()
	if code, out, errOut := runGru(t, "", "apply", "-f", "--local", "--parallelism", "50", "-C", dir); code != 0 {
		t.Fatalf("apply: %s %s", tail(out, 3000), errOut)
	}
	gen := t.TempDir()
	if code, _, errOut := runGru(t, "", "gencode", "--local", "--our", "-o", gen); code != 0 {
		t.Fatalf("gencode: %s", errOut)
	}
	code, out, errOut := runGru(t, "", "plan", "--local", "--exit-code", "-C", gen)
	if code != 0 {
		resources, _ := os.ReadFile(filepath.Join(gen, "resources.js"))
		t.Fatalf("the generated project does not plan to no change: exit %d\n%s\n%s\n%s", code, tail(out, 3000), errOut, tail(string(resources), 3000))
	}
	return gen
}

func TestGencodeRoundTripOfTheExample(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	gen := roundTrip(t, example)
	resources, _ := os.ReadFile(filepath.Join(gen, "resources.js"))
	for _, want := range []string{`privateEndpoint: "myResourceGroup::myPrivateEndpoint"`, `subnet: "myResourceGroup::myVnet::mySubnet"`, `getId({ type: "StorageAccount", group: "Storage", name: "myResourceGroup::mystorageaccount" })`, "location: config.location"} {
		if !strings.Contains(string(resources), want) {
			t.Errorf("resources.js lacks %s", want)
		}
	}
	if strings.Contains(string(resources), "gc-managed-by") || strings.Contains(string(resources), "provisioningState") {
		t.Error("resources.js holds ownership tags or read-only properties")
	}
	// An edited file is not overwritten.
	os.WriteFile(filepath.Join(gen, "resources.js"), append(resources, []byte("// mine\n")...), 0o644)
	if code, _, errOut := runGru(t, "", "gencode", "--local", "--our", "-o", gen); code != 1 || !strings.Contains(errOut, "resources.js was edited") {
		t.Errorf("gencode over an edited file: %d %s", code, errOut)
	}
	if code, _, _ := runGru(t, "", "gencode", "--local", "--our", "-o", gen, "--force"); code != 0 {
		t.Errorf("--force: %d", code)
	}
	if code, out, _ := runGru(t, "", "gencode", "--local", "--our", "--dry-run", "--inventory", "-o", gen); code != 0 || !strings.Contains(out, "// ---- inventory.json") {
		t.Errorf("--dry-run --inventory: %d", code)
	}
}

// TestGencodeRoundTripOfALargerProject: 105 resources of 11 types.
func TestGencodeRoundTripOfALargerProject(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys 105 resources")
	}
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	var sb strings.Builder
	sb.WriteString("exports.createResources = () => [\n")
	res := func(typ, group, name, rg, props, deps string) {
		fmt.Fprintf(&sb, "{ type: %q, group: %q, name: %q, properties: ({ getId }) => (%s), dependencies: () => ({ resourceGroup: %q%s }) },\n", typ, group, name, props, rg, deps)
	}
	for g := 0; g < 5; g++ {
		rg := fmt.Sprintf("big%d", g)
		fmt.Fprintf(&sb, "{ type: \"ResourceGroup\", group: \"Resources\", name: %q },\n", rg)
		res("VirtualNetwork", "Network", "vnet", rg, `{ properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } } }`, "")
		for i := 0; i < 2; i++ {
			res("NetworkSecurityGroup", "Network", fmt.Sprintf("nsg%d", i), rg, `{}`, "")
			res("PublicIPAddress", "Network", fmt.Sprintf("ip%d", i), rg, `{ sku: { name: "Standard" }, properties: { publicIPAllocationMethod: "Static" } }`, "")
			res("UserAssignedIdentity", "ManagedIdentity", fmt.Sprintf("id%d", i), rg, `{}`, "")
			res("ApplicationSecurityGroup", "Network", fmt.Sprintf("asg%d", i), rg, `{}`, "")
		}
		res("RouteTable", "Network", "rt", rg, `{}`, "")
		res("NatGateway", "Network", "nat", rg, `{ sku: { name: "Standard" } }`, fmt.Sprintf(`, publicIpAddresses: ["%s::ip0", "%s::ip1"]`, rg, rg))
		for i := 0; i < 4; i++ {
			res("Subnet", "Network", fmt.Sprintf("sn%d", i), rg, fmt.Sprintf(`{ properties: { addressPrefix: "10.0.%d.0/24" } }`, i),
				fmt.Sprintf(`, virtualNetwork: "%s::vnet", networkSecurityGroup: "%s::nsg%d", routeTable: "%s::rt"`, rg, rg, i%2, rg))
		}
		for i := 0; i < 3; i++ {
			res("StorageAccount", "Storage", fmt.Sprintf("big%dacct%d", g, i), rg, `{ kind: "StorageV2", sku: { name: "Standard_LRS" } }`, "")
		}
		for i := 0; i < 2; i++ {
			res("PrivateEndpoint", "Network", fmt.Sprintf("pe%d", i), rg,
				fmt.Sprintf(`{ properties: { manualPrivateLinkServiceConnections: [{ name: "c", properties: { privateLinkServiceId: getId({ type: "StorageAccount", group: "Storage", name: "%s::big%dacct%d" }), groupIds: ["blob"] } }] } }`, rg, g, i),
				fmt.Sprintf(`, subnet: "%s::vnet::sn%d", account: "%s::big%dacct%d"`, rg, i, rg, g, i))
		}
	}
	sb.WriteString("];\n")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(sb.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "config.js"), []byte(`module.exports = { projectName: "big", location: "westeurope" };`), 0o644)
	gen := roundTrip(t, dir)
	resources, _ := os.ReadFile(filepath.Join(gen, "resources.js"))
	if n := strings.Count(string(resources), "    type: "); n < 105 {
		t.Errorf("the generated project has %d resources, want at least 105", n)
	}
	if !strings.Contains(string(resources), "publicIpAddresses: [") {
		t.Error("the NAT gateway's list dependency is not written as a list")
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func TestInit(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	dir := filepath.Join(t.TempDir(), "demo")
	if code, out, errOut := runGru(t, "", "init", "-C", dir); code != 0 || !strings.Contains(out, "Made a project") {
		t.Fatalf("init: %d %s %s", code, out, errOut)
	}
	if code, out, _ := runGru(t, "", "plan", "--local", "-C", dir); code != 0 || !strings.Contains(out, "+ create    Resources::ResourceGroup rg-demo") {
		t.Errorf("plan of a new project: %d\n%s", code, out)
	}
	if code, _, errOut := runGru(t, "", "init", "-C", dir); code != 1 || !strings.Contains(errOut, "exists already") {
		t.Errorf("init over a project: %d %s", code, errOut)
	}
	other := filepath.Join(t.TempDir(), "other")
	if code, out, _ := runGru(t, "", "init", "--json", "-C", other); code != 0 || !strings.Contains(out, `"resources.js"`) || !json.Valid([]byte(out)) {
		t.Errorf("init --json: %d %s", code, out)
	}
}

// TestGencodeOfNothing: with nothing live, gencode writes a project that declares nothing, as
// GruCloud does, exits 0, and the project plans to no change.
func TestGencodeOfNothing(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	dir := t.TempDir()
	if code, out, errOut := runGru(t, "", "gencode", "--local", "-o", dir); code != 0 || !strings.Contains(errOut, "declares none") {
		t.Fatalf("gencode: exit %d\n%s%s", code, out, errOut)
	}
	data, err := os.ReadFile(filepath.Join(dir, "resources.js"))
	if err != nil || !strings.Contains(string(data), "exports.createResources = () => [];") {
		t.Fatalf("resources.js: %v\n%s", err, data)
	}
	if code, out, errOut := runGru(t, "", "plan", "--local", "--exit-code", "-C", dir); code != 0 {
		t.Errorf("plan of the empty project: exit %d\n%s%s", code, out, errOut)
	}
}

// TestProviderConfig: as GruCloud's Azure provider, gru adds tenantId and subscriptionId to
// the config projects receive (config.js's own values win): a Key Vault names its tenant and
// an ID is built from the subscription; with --local they are the local cloud's.
func TestProviderConfig(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	dir := writeProject(t, `exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg-provider" },
  { type: "Vault", group: "KeyVault", name: "provider-vault-1", dependencies: () => ({ resourceGroup: "rg-provider" }),
    properties: ({ config }) => ({ properties: { tenantId: `+"`${config.tenantId}`"+`, sku: { family: "A", name: "standard" }, accessPolicies: [] },
      tags: { group: `+"`/subscriptions/${config.subscriptionId}/resourceGroups/rg-provider`"+` } }) },
];
`)
	if code, out, errOut := runGru(t, "", "apply", "-f", "--local", "-C", dir); code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ := runGru(t, "", "output", "--local", "-C", dir, "--type", "KeyVault::Vault", "--name", "provider-vault-1", "--field", "properties.tenantId")
	if code != 0 || strings.TrimSpace(out) != emulator.LocalTenantID {
		t.Errorf("the vault's tenant: %d %q", code, out)
	}
	code, out, _ = runGru(t, "", "output", "--local", "-C", dir, "--type", "KeyVault::Vault", "--name", "provider-vault-1", "--field", "tags.group")
	if code != 0 || !strings.Contains(out, "/subscriptions/"+emulator.LocalSubscriptionID+"/") {
		t.Errorf("the ID built from config.subscriptionId: %d %q", code, out)
	}
	if code, out, _ := runGru(t, "", "info", "--local"); code != 0 || !strings.Contains(out, emulator.LocalTenantID) {
		t.Errorf("gru info: %d\n%s", code, out)
	}
}

// TestGencodeLeavesOutWhatAzureMakes: the network interface Azure makes for a private
// endpoint is not written (a project declaring it would fight the endpoint over it), and the
// project gencode writes of everything live converges on a new cloud.
func TestGencodeLeavesOutWhatAzureMakes(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	if code, out, errOut := runGru(t, "", "apply", "-f", "--local", "-C", example); code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
	}
	gen := t.TempDir()
	if code, out, errOut := runGru(t, "", "gencode", "--local", "-o", gen); code != 0 {
		t.Fatalf("gencode: exit %d\n%s%s", code, out, errOut)
	}
	data, _ := os.ReadFile(filepath.Join(gen, "resources.js"))
	if strings.Contains(string(data), "NetworkInterface") {
		t.Fatalf("gencode wrote the endpoint's network interface:\n%s", data)
	}
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "other.db"))
	if code, out, errOut := runGru(t, "", "apply", "-f", "--local", "-C", gen); code != 0 {
		t.Fatalf("apply of the generated project: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runGru(t, "", "plan", "--local", "--exit-code", "-C", gen); code != 0 {
		t.Errorf("plan of the generated project after apply: exit %d\n%s%s", code, out, errOut)
	}
}

// TestListOutsideAProject: gru list outside a project folder lists the subscription, as its
// help says; --our needs the project.
func TestListOutsideAProject(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	dir := writeProject(t, `exports.createResources = () => [{ type: "ResourceGroup", group: "Resources", name: "rg-listed" }];`)
	if code, _, errOut := runGru(t, "", "apply", "-f", "--local", "-C", dir); code != 0 {
		t.Fatalf("apply: %s", errOut)
	}
	elsewhere := t.TempDir()
	if code, out, errOut := runGru(t, "", "list", "--local", "-C", elsewhere); code != 0 || !strings.Contains(out, "rg-listed") {
		t.Errorf("list outside a project: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runGru(t, "", "list", "--local", "--our", "-C", elsewhere); code != 1 || !strings.Contains(errOut, "not a gru project") {
		t.Errorf("list --our outside a project: exit %d %s", code, errOut)
	}
}
