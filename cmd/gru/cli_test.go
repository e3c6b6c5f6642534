package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gru-iac/gru"
)

// TestGraphAndTreeNeedNoCloud: the project's own graph and tree are drawn without a cloud,
// credentials or a subscription, and make no local database; --json gives the resources and
// dependencies.
func TestGraphAndTreeNeedNoCloud(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	t.Setenv("GRU_LOCAL_DB", "")
	t.Setenv("AZURE_SUBSCRIPTION_ID", "")
	t.Setenv("HOME", t.TempDir()) // no Azure CLI profile
	code, out, errOut := runGru(t, "", "graph", "-C", example)
	if code != 0 || strings.Count(out, "->") != 10 {
		t.Errorf("graph without a cloud: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runGru(t, "", "graph", "--local", "--json", "-C", example)
	var g struct {
		Project   string `json:"project"`
		Resources []struct {
			Key, Type, Name, ResourceGroup string
		} `json:"resources"`
		Dependencies []struct{ From, To string } `json:"dependencies"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &g) != nil {
		t.Fatalf("graph --json: exit %d\n%s\n%s", code, out, errOut)
	}
	if g.Project != "storage-private-endpoint" || len(g.Resources) != 6 || len(g.Dependencies) != 10 || g.Resources[0].ResourceGroup != "myResourceGroup" {
		t.Errorf("graph --json: %+v", g)
	}
	code, out, errOut = runGru(t, "", "tree", "--json", "-C", example)
	if code != 0 || !json.Valid([]byte(out)) || !strings.Contains(out, `"Storage::PrivateEndpointConnection"`) {
		t.Errorf("tree --json: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := runGru(t, "", "tree", "--format", "md", "-C", example); code != 0 || !strings.Contains(out, "PrivateEndpointConnection") {
		t.Errorf("tree: exit %d\n%s\n%s", code, out, errOut)
	}
	if entries, _ := os.ReadDir(state); len(entries) != 0 {
		t.Errorf("graph and tree made state: %v", entries)
	}
	// --live needs a cloud, and says which.
	if code, out, _ := runGru(t, "", "graph", "--live", "--json", "-C", example); code != 1 || !strings.Contains(out, `"code": "error"`) || !strings.Contains(out, "subscription") {
		t.Errorf("graph --live without a cloud: exit %d\n%s", code, out)
	}
}

// TestJSONErrors: with --json, an error is a JSON object on standard output.
func TestJSONErrors(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	dir := writeProject(t, "exports.createResources = () => [\n  { type: \"ResourceGroup\", group: \"Resources\", name: \"rg\" },\n  { type: \"NetworkSecurityGroup\", group: \"Network\", name: \"n\", dependencies: () => ({ resourceGroup: \"gr\" }) },\n];\n")
	code, out, errOut := runGru(t, "", "plan", "--local", "--json", "-C", dir)
	var pe struct {
		Error struct {
			Code, Message, File, Resource, Path string
			Line, Column                        int
		} `json:"error"`
	}
	if code != 1 || json.Unmarshal([]byte(out), &pe) != nil || errOut != "" {
		t.Fatalf("plan --json of a wrong project: exit %d\n%s\n%s", code, out, errOut)
	}
	if e := pe.Error; e.Code != "bad-dependency" || e.File != "resources.js" || e.Line != 3 || e.Column != 3 || e.Resource != "Network::NetworkSecurityGroup gr::n" || e.Path != "dependencies.resourceGroup" {
		t.Errorf("plan --json of a wrong project: %+v", e)
	}
	if code, out, _ := runGru(t, "", "destroy", "--local", "--json", "-f", "--types", "Network::NetworkSecurityGrup", "-C", example); code != 1 || !strings.Contains(out, `"code": "unknown-type"`) || !strings.Contains(out, `"suggestions"`) {
		t.Errorf("destroy --json with a misspelt type: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{
		{"plan", "--bogus", "--json"},
		{"types", "--json", "--bogus"},
	} {
		code, out, errOut := runGru(t, "", args...)
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if code != 1 || json.Unmarshal([]byte(out), &e) != nil || e.Error.Code != "usage" || !strings.Contains(e.Error.Message, "--bogus") || errOut != "" {
			t.Errorf("%v: exit %d\nstdout %s\nstderr %s", args, code, out, errOut)
		}
	}
}

// TestDestroyShowsWhatGoesAndTakesYes: destroy counts what it deletes by type and lists it
// before it asks; --yes and --auto-approve are -f.
func TestDestroyShowsWhatGoesAndTakesYes(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	code, out, errOut := runGru(t, "", "apply", "--auto-approve", "--local", "-C", example)
	if code != 0 || !strings.Contains(out, "Next:\n  gru list --local -C "+example+" --our") || !strings.Contains(out, "The local cloud keeps its data in ") {
		t.Fatalf("apply --auto-approve: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runGru(t, "", "destroy", "--local", "-C", example)
	if code != 1 || !strings.Contains(errOut, "pass -f (--yes, --auto-approve)") || !strings.Contains(out, "To delete, by type:\n") ||
		!strings.Contains(out, "      1  Network::NetworkInterface\n") || !strings.Contains(out, "- delete    Storage::StorageAccount myResourceGroup::mystorageaccount") {
		t.Errorf("destroy without -f: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := runGru(t, "", "destroy", "--yes", "--local", "-C", example); code != 0 || !strings.Contains(out, "Destroy: 7 done") {
		t.Errorf("destroy --yes: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestPlanNamesUndeclaredResources: a plan without --prune says what the project manages but
// no longer declares, and that --prune deletes it.
func TestPlanNamesUndeclaredResources(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	rg := func(name string) string { return `{ type: "ResourceGroup", group: "Resources", name: "` + name + `" }` }
	dir := writeProject(t, `exports.createResources = () => [`+rg("kept")+`, `+rg("dropped")+`];`)
	if code, out, errOut := runGru(t, "", "apply", "-f", "--local", "-C", dir); code != 0 {
		t.Fatal(out, errOut)
	}
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(`exports.createResources = () => [`+rg("kept")+`];`), 0o644)
	code, out, _ := runGru(t, "", "plan", "--local", "--exit-code", "-C", dir)
	if code != 0 || !strings.Contains(out, "Managed by the project, no longer declared, left alone (--prune deletes them): Resources::ResourceGroup dropped.") {
		t.Errorf("plan: exit %d\n%s", code, out)
	}
	_, out, _ = runGru(t, "", "plan", "--local", "--json", "-C", dir)
	var p struct{ Undeclared []string }
	if json.Unmarshal([]byte(out), &p) != nil || len(p.Undeclared) != 1 || p.Undeclared[0] != "Resources::ResourceGroup dropped" {
		t.Errorf("plan --json: %s", out)
	}
	if _, out, _ := runGru(t, "", "plan", "--local", "--prune", "-C", dir); strings.Contains(out, "left alone") || !strings.Contains(out, "- delete    Resources::ResourceGroup dropped") {
		t.Errorf("plan --prune:\n%s", out)
	}
}

// TestCleanupWhileTheCodeFails: list and destroy work by the ownership tags while resources.js
// does not run, with a warning; a filtered destroy, which needs the resources, refuses.
func TestCleanupWhileTheCodeFails(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	rg := func(name string) string { return `{ type: "ResourceGroup", group: "Resources", name: "` + name + `" }` }
	dir := writeProject(t, `exports.createResources = () => [`+rg("one")+`, `+rg("two")+`];`)
	if code, out, errOut := runGru(t, "", "apply", "-f", "--local", "-C", dir); code != 0 {
		t.Fatal(out, errOut)
	}
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte("exports.createResources = () => [ {\n"), 0o644)
	if code, _, errOut := runGru(t, "", "plan", "--local", "-C", dir); code != 1 || !strings.Contains(errOut, "resources.js:") {
		t.Errorf("plan of broken code: exit %d %s", code, errOut)
	}
	code, out, errOut := runGru(t, "", "list", "--local", "--our", "-C", dir)
	if code != 0 || !strings.Contains(out, "one") || !strings.Contains(out, "two") || !strings.Contains(errOut, "goes by its ownership tags alone") {
		t.Errorf("list --our: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := runGru(t, "", "destroy", "-f", "--local", "--name", "one", "-C", dir); code != 1 || !strings.Contains(errOut, "filters need the project's resources") {
		t.Errorf("filtered destroy: exit %d %s", code, errOut)
	}
	// The code runs, but a dependency is wrong: destroy still goes by the tags.
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(`exports.createResources = () => [`+rg("one")+`, { type: "NetworkSecurityGroup", group: "Network", name: "n", dependencies: () => ({ resourceGroup: "oen" }) }];`), 0o644)
	code, out, errOut = runGru(t, "", "destroy", "-f", "--local", "-C", dir)
	if code != 0 || !strings.Contains(out, "Destroy: 2 done") || !strings.Contains(errOut, "warning") || !strings.Contains(errOut, "resources.js:1:") || !strings.Contains(errOut, "did you mean one") {
		t.Errorf("destroy: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestListShowsEveryState: types ARM gives no provisioning state (a blob container) show as
// Exists, not blank.
func TestListShowsEveryState(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	dir := writeProject(t, `exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg-states" },
  { type: "StorageAccount", group: "Storage", name: "gcstates", properties: () => ({ sku: { name: "Standard_LRS" }, kind: "StorageV2" }), dependencies: () => ({ resourceGroup: "rg-states" }) },
  { type: "BlobContainer", group: "Storage", name: "box", dependencies: () => ({ resourceGroup: "rg-states", account: "rg-states::gcstates" }) },
];`)
	if code, out, errOut := runGru(t, "", "apply", "-f", "--local", "-C", dir); code != 0 {
		t.Fatal(out, errOut)
	}
	code, out, _ := runGru(t, "", "list", "--local", "--our", "-C", dir)
	if code != 0 || !regexpMatch(`(?m)^Storage::BlobContainer\s+box\s+yes\s+Exists\s*$`, out) || !regexpMatch(`(?m)^Storage::StorageAccount\s+gcstates\s+yes\s+Succeeded\s*$`, out) {
		t.Errorf("list: exit %d\n%s", code, out)
	}
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }

// TestProjectNamesAnAPIVersion: a resource's apiVersion is the version its body is validated
// at and its requests use; a version gru has no type data for is a warning (the body is not
// validated), an error with --strict; a malformed one is an error located at the resource.
func TestProjectNamesAnAPIVersion(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	account := func(name, version string) string {
		return `{ type: "StorageAccount", group: "Storage", name: "` + name + `", apiVersion: "` + version + `",
    properties: () => ({ sku: { name: "Standard_LRS" }, kind: "StorageV2", properties: { dnsEndpointType: "Standard" } }),
    dependencies: () => ({ resourceGroup: "rg-av" }) }`
	}
	rg := `{ type: "ResourceGroup", group: "Resources", name: "rg-av" }`
	dir := writeProject(t, "exports.createResources = () => [\n  "+rg+",\n  "+account("gcavold", "2019-06-01")+",\n];\n")
	code, out, errOut := runGru(t, "", "apply", "-f", "--local", "--debug", "-C", dir)
	// dnsEndpointType came in a later version than 2019-06-01.
	if code != 0 || !strings.Contains(out, "resources.js:3:3: Storage::StorageAccount rg-av::gcavold: properties.dnsEndpointType: unknown property") ||
		!strings.Contains(errOut, "/storageAccounts/gcavold?api-version=2019-06-01") {
		t.Fatalf("apply at 2019-06-01: exit %d\n%s\n%s", code, out, tail(errOut, 2000))
	}
	if code, out, _ := runGru(t, "", "plan", "--local", "--exit-code", "-C", dir); code != 0 {
		t.Errorf("plan after apply: exit %d\n%s", code, out)
	}
	if code, _, errOut := runGru(t, "", "plan", "--local", "--strict", "-C", dir); code != 1 || !strings.Contains(errOut, "dnsEndpointType") {
		t.Errorf("plan --strict: exit %d %s", code, errOut)
	}
	newer := writeProject(t, "exports.createResources = () => [\n  "+rg+",\n  "+account("gcavnew", "2099-01-01")+",\n];\n")
	if code, _, errOut := runGru(t, "", "plan", "--local", "--strict", "-C", newer); code != 1 || !strings.Contains(errOut, "resources.js:3:3: Storage::StorageAccount gcavnew: apiVersion: API version 2099-01-01") {
		t.Errorf("plan --strict of an unknown version: exit %d %s", code, errOut)
	}
	// Without --strict it is a warning; the emulator, as ARM, refuses a version it does not
	// know when asked.
	if _, out, errOut := runGru(t, "", "plan", "--local", "-C", newer); !strings.Contains(out+errOut, "2099-01-01") {
		t.Errorf("plan of an unknown version:\n%s\n%s", out, errOut)
	}
	bad := writeProject(t, "exports.createResources = () => [\n  "+rg+",\n  "+account("gcavbad", "2019-6-1")+",\n];\n")
	if code, _, errOut := runGru(t, "", "plan", "--local", "-C", bad); code != 1 || !strings.Contains(errOut, "resources.js:3:3: Storage::StorageAccount gcavbad: apiVersion: 2019-6-1 is not an API version") {
		t.Errorf("plan of a malformed version: exit %d %s", code, errOut)
	}
}

// TestReadingIsNeverSilent: while gru reads what is live, it says so at every interval, and
// not after it is done.
func TestReadingIsNeverSilent(t *testing.T) {
	s, err := gru.Open(context.Background(), gru.Options{Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var b lockedBuffer
	stop := tellReading(&b, s, 20*time.Millisecond)
	time.Sleep(110 * time.Millisecond)
	stop()
	n := strings.Count(b.String(), "still reading what is live from offline (")
	time.Sleep(60 * time.Millisecond)
	if n < 3 || strings.Count(b.String(), "\n") != n {
		t.Errorf("%d lines while reading, then:\n%s", n, b.String())
	}
}

// TestGencodeFiltersThatNameNothing: gencode's --types and --resource-group that name nothing
// are errors with the nearest names, not an empty project.
func TestGencodeFiltersThatNameNothing(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	dir := writeProject(t, `exports.createResources = () => [{ type: "ResourceGroup", group: "Resources", name: "rg-gen" }];`)
	if code, out, errOut := runGru(t, "", "apply", "-f", "--local", "-C", dir); code != 0 {
		t.Fatal(out, errOut)
	}
	out := t.TempDir()
	if code, _, errOut := runGru(t, "", "gencode", "--local", "--resource-group", "rg-gne", "-o", out); code != 1 || !strings.Contains(errOut, "no live resource group is named rg-gne (did you mean rg-gen?)") {
		t.Errorf("--resource-group: exit %d %s", code, errOut)
	}
	if code, stdout, _ := runGru(t, "", "gencode", "--local", "--types", "Storage::StorageAcount", "-o", out, "--json"); code != 1 || !strings.Contains(stdout, `"code": "unknown-type"`) || !strings.Contains(stdout, "Storage::StorageAccount") {
		t.Errorf("--types: exit %d %s", code, stdout)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}

// TestOutputTakesTheTypesNameAlone: output finds a resource by its type's name alone when the
// project has one type of that name, and says what the project declares when it finds none.
func TestOutputTakesTheTypesNameAlone(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	dir := writeProject(t, `exports.createResources = () => [{ type: "ResourceGroup", group: "Resources", name: "rg-out" }];`)
	if code, out, errOut := runGru(t, "", "apply", "-f", "--local", "-C", dir); code != 0 {
		t.Fatal(out, errOut)
	}
	if code, out, errOut := runGru(t, "", "output", "--local", "-C", dir, "--type", "ResourceGroup", "--name", "rg-out", "--field", "name", "--json"); code != 0 || strings.TrimSpace(out) != `"rg-out"` {
		t.Errorf("output: exit %d %q %s", code, out, errOut)
	}
	if code, _, errOut := runGru(t, "", "output", "--local", "-C", dir, "--type", "ResourceGroup", "--name", "rg-ou"); code != 1 || !strings.Contains(errOut, "it declares Resources::ResourceGroup rg-out") {
		t.Errorf("output of no resource: exit %d %s", code, errOut)
	}
}

// TestDestroyByNameInAnEmptyProject: a name filter in a project that declares nothing is a
// no-match error, not a crash.
func TestDestroyByNameInAnEmptyProject(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	dir := writeProject(t, `exports.createResources = () => [];`)
	if code, _, errOut := runGru(t, "", "destroy", "-f", "--local", "--name", "foo", "-C", dir); code != 1 || !strings.Contains(errOut, "name:") || strings.Contains(errOut, "panic") {
		t.Errorf("exit %d %s", code, errOut)
	}
}
