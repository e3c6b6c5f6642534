package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gru-iac/gru"
)

// The secrets of TestSecretsNeverLeave's project.
const (
	sqlPassword = "Sq1-P4ssw0rd-Qz7"
	vmPassword  = "Vm1-P4ssw0rd-Qz7"
	vaultSecret = "Kv1-S3cretValue-Qz7"
)

const secretsProject = `exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg-secrets" },
  { type: "Server", group: "Sql", name: "sql-secrets", dependencies: () => ({ resourceGroup: "rg-secrets" }),
    properties: () => ({ properties: { administratorLogin: "sqladmin", administratorLoginPassword: "` + sqlPassword + `" } }) },
  { type: "VirtualMachine", group: "Compute", name: "vm-secrets", dependencies: () => ({ resourceGroup: "rg-secrets" }),
    properties: () => ({ properties: { osProfile: { computerName: "vm1", adminUsername: "azureuser", adminPassword: process.env.VM_PASSWORD } } }) },
  { type: "Vault", group: "KeyVault", name: "kv-secrets", dependencies: () => ({ resourceGroup: "rg-secrets" }),
    properties: () => ({ properties: { tenantId: "c0ffee00-0000-4000-8000-0000000000a1", sku: { family: "A", name: "standard" }, accessPolicies: [] } }) },
  { type: "Secret", group: "KeyVault", name: "db-password", dependencies: () => ({ resourceGroup: "rg-secrets", vault: "rg-secrets::kv-secrets" }),
    properties: () => ({ properties: { value: "` + vaultSecret + `" } }) },
];
`

// TestSecretsNeverLeave: a project with a SQL server password, a VM admin password (from
// process.env) and a Key Vault secret. No command's output, log or written file holds one of
// them; write-only passwords, which the emulator never returns, cause no drift; and
// --replace-secrets sends them again.
func TestSecretsNeverLeave(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	t.Setenv("VM_PASSWORD", vmPassword)
	dir := writeProject(t, secretsProject)
	os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"secrets"}`), 0o644)
	var shown strings.Builder
	gruOK := func(want int, args ...string) string {
		t.Helper()
		code, out, errOut := runGru(t, "", append(args, "--local", "-C", dir)...)
		shown.WriteString(out + errOut)
		if code != want {
			t.Fatalf("gru %s: exit %d, want %d\n%s\n%s", strings.Join(args, " "), code, want, out, errOut)
		}
		return out
	}
	gruOK(0, "plan")
	gruOK(0, "plan", "--json", "-o", filepath.Join(dir, "plan.json"))
	gruOK(0, "apply", "-f", "--debug")
	if out := gruOK(0, "plan", "--exit-code"); !strings.Contains(out, "5 unchanged") {
		t.Errorf("write-only secrets drift:\n%s", out)
	}
	out := gruOK(0, "apply", "-f", "--replace-secrets=sql-secrets")
	if !strings.Contains(out, "properties.administratorLoginPassword: (sensitive) -> (sensitive)") || !strings.Contains(out, "Apply: 1 done") {
		t.Errorf("--replace-secrets:\n%s", out)
	}
	gruOK(0, "apply", "-f", "--replace-secrets", "--json")
	gruOK(0, "list", "--json")
	gruOK(0, "output", "--type", "KeyVault::Secret", "--name", "db-password")
	// Azure never returns a Key Vault secret's value, and neither does the emulator.
	gruOK(1, "output", "--type", "KeyVault::Secret", "--name", "db-password", "--field", "properties.value")
	gruOK(0, "output", "--type", "Sql::Server", "--name", "sql-secrets")
	gen := t.TempDir()
	gruOK(0, "gencode", "--our", "-o", gen)
	gruOK(0, "graph", "--live")
	gruOK(0, "destroy", "-f", "--json")
	// What gru wrote: the plan file, the generated project (the project's own resources.js
	// holds two of the secrets: the user wrote them there).
	files := shown.String()
	planFile, _ := os.ReadFile(filepath.Join(dir, "plan.json"))
	files += string(planFile)
	entries, _ := os.ReadDir(gen)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(gen, e.Name()))
		files += string(data)
	}
	for _, s := range []string{sqlPassword, vmPassword, vaultSecret} {
		if strings.Contains(files, s) {
			i := strings.Index(files, s)
			t.Errorf("a secret shows: ...%s...", files[max(0, i-300):min(len(files), i+50)])
		}
	}
	generated, _ := os.ReadFile(filepath.Join(gen, "resources.js"))
	for _, want := range []string{"process.env.SQL_SECRETS_ADMINISTRATOR_LOGIN_PASSWORD", "process.env.KV_SECRETS_DB_PASSWORD_VALUE"} {
		if !strings.Contains(string(generated), want) {
			t.Errorf("the generated project lacks %s:\n%s", want, generated)
		}
	}
	if !strings.Contains(shown.String(), "SQL_SECRETS_ADMINISTRATOR_LOGIN_PASSWORD  (Sql::Server rg-secrets::sql-secrets, properties.administratorLoginPassword)") {
		t.Errorf("gencode does not list the variables it reads secrets from")
	}
}

// TestReplacingAResourceGroup: moving a group plans every resource in it, is refused without
// --allow-replace (nothing changes), and with it ends in an empty plan.
func TestReplacingAResourceGroup(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	project := func(location string) string {
		return `exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg-move", properties: () => ({ location: "` + location + `" }) },
  { type: "VirtualNetwork", group: "Network", name: "vnet", dependencies: () => ({ resourceGroup: "rg-move" }),
    properties: () => ({ properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } } }) },
  { type: "Subnet", group: "Network", name: "sn", dependencies: () => ({ resourceGroup: "rg-move", virtualNetwork: "rg-move::vnet" }),
    properties: () => ({ properties: { addressPrefix: "10.0.0.0/24" } }) },
  { type: "StorageAccount", group: "Storage", name: "moveacct", dependencies: () => ({ resourceGroup: "rg-move" }),
    properties: () => ({ kind: "StorageV2", sku: { name: "Standard_LRS" } }) },
];
`
	}
	dir := writeProject(t, project("westeurope"))
	if code, out, errOut := runGru(t, "", "apply", "-f", "--local", "-C", dir); code != 0 {
		t.Fatalf("apply: %s %s", out, errOut)
	}
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(project("northeurope")), 0o644)
	code, out, errOut := runGru(t, "", "plan", "--local", "-C", dir)
	for _, want := range []string{
		"-/+ replace   Resources::ResourceGroup rg-move  (location cannot change in place)",
		"-/+ replace   Network::VirtualNetwork rg-move::vnet  (inside Resources::ResourceGroup rg-move, which is replaced)",
		"-/+ replace   Network::Subnet rg-move::vnet::sn",
		"-/+ replace   Storage::StorageAccount rg-move::moveacct",
		"Plan: 0 to create, 0 to update, 4 to replace, 0 to delete, 0 unchanged.",
		"Refused: Resources::ResourceGroup rg-move is a resource group: replacing it (location cannot change in place) deletes it and the 3 resources inside it",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	if code != 1 || !strings.Contains(errOut, "the plan is refused (1 reason above)") {
		t.Errorf("plan of a refused replacement: exit %d %s", code, errOut)
	}
	if code, _, errOut := runGru(t, "", "apply", "-f", "--local", "-C", dir); code != 1 || !strings.Contains(errOut, "nothing changed") {
		t.Errorf("apply without --allow-replace: exit %d %s", code, errOut)
	}
	if code, out, _ := runGru(t, "", "output", "--local", "--type", "Resources::ResourceGroup", "--name", "rg-move", "--field", "location", "-C", dir); code != 0 || strings.TrimSpace(out) != "westeurope" {
		t.Errorf("the refused replacement changed something: %s", out)
	}
	code, out, errOut = runGru(t, "", "apply", "-f", "--allow-replace", "--local", "-C", dir)
	if code != 0 || !strings.Contains(out, "Apply: 4 done, 0 failed") {
		t.Fatalf("apply --allow-replace: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, _ := runGru(t, "", "plan", "--exit-code", "--local", "-C", dir); code != 0 {
		t.Errorf("after the replacement: exit %d\n%s", code, out)
	}
	var rows []struct {
		Type, Name string
	}
	_, out, _ = runGru(t, "", "list", "--local", "--our", "--json", "-C", dir)
	json.Unmarshal([]byte(out), &rows)
	if len(rows) != 4 {
		t.Errorf("after the replacement, live is %s", out)
	}
}

// TestSavedPlanFile: gru plan -o writes the plan; gru apply FILE applies exactly it, from
// another folder too; once live changed since, it refuses and changes nothing.
func TestSavedPlanFile(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	project := func(tag string) string {
		return `exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg-saved", properties: () => ({ tags: { v: "` + tag + `" } }) },
  { type: "NetworkSecurityGroup", group: "Network", name: "nsg", dependencies: () => ({ resourceGroup: "rg-saved" }) },
];
`
	}
	dir := writeProject(t, project("1"))
	file := filepath.Join(t.TempDir(), "plan.json")
	if code, out, errOut := runGru(t, "", "plan", "--local", "-o", file, "-C", dir); code != 0 || !strings.Contains(out, "Saved the plan to "+file) {
		t.Fatalf("plan -o: %d %s %s", code, out, errOut)
	}
	code, out, errOut := runGru(t, "", "apply", "-f", "--local", file) // the project folder is in the plan
	if code != 0 || !strings.Contains(out, "Apply: 2 done") {
		t.Fatalf("apply FILE: %d %s %s", code, out, errOut)
	}
	// A plan to change the tag; then the tag changes elsewhere first.
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(project("2")), 0o644)
	runGru(t, "", "plan", "--local", "-o", file, "-C", dir)
	other := writeProject(t, project("3"))
	os.WriteFile(filepath.Join(other, "package.json"), []byte(`{"name":"`+filepath.Base(dir)+`"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"`+filepath.Base(dir)+`"}`), 0o644)
	if code, _, errOut := runGru(t, "", "apply", "-f", "--local", "-C", other); code != 0 {
		t.Fatalf("the change elsewhere: %s", errOut)
	}
	code, _, errOut = runGru(t, "", "apply", "-f", "--local", file)
	if code != 1 || !strings.Contains(errOut, "the saved plan is out of date, nothing was changed") || !strings.Contains(errOut, "Resources::ResourceGroup rg-saved: changed live since the plan was made") {
		t.Errorf("apply of a stale plan: exit %d %s", code, errOut)
	}
	if _, out, _ := runGru(t, "", "output", "--local", "--type", "Resources::ResourceGroup", "--name", "rg-saved", "--field", "tags.v", "-C", dir); strings.TrimSpace(out) != "3" {
		t.Errorf("the stale plan changed the tag: %s", out)
	}
}

// TestReplacingAPrivateEndpoint: moving the endpoint replaces it and the connection Azure
// made for it; the approval is written to the new connection (Azure names it anew).
func TestReplacingAPrivateEndpoint(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	src, err := os.ReadFile(filepath.Join(example, "resources.js"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range []string{"config.js", "package.json"} {
		data, _ := os.ReadFile(filepath.Join(example, f))
		os.WriteFile(filepath.Join(dir, f), data, 0o644)
	}
	os.WriteFile(filepath.Join(dir, "resources.js"), src, 0o644)
	if code, out, errOut := runGru(t, "", "apply", "-f", "--local", "-C", dir); code != 0 {
		t.Fatalf("apply: %s %s", out, errOut)
	}
	moved := strings.Replace(string(src), `name: "myPrivateEndpoint",`, `name: "myPrivateEndpoint", location: "northeurope",`, 1)
	os.WriteFile(filepath.Join(dir, "resources.js"), []byte(moved), 0o644)
	code, out, errOut := runGru(t, "", "apply", "-f", "--local", "-C", dir)
	if code != 0 || !strings.Contains(out, "-/+ replace   Storage::PrivateEndpointConnection") || !strings.Contains(out, "Apply: 2 done") {
		t.Fatalf("apply of the move: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, _ := runGru(t, "", "plan", "--exit-code", "--local", "-C", dir); code != 0 {
		t.Errorf("after the move: exit %d\n%s", code, out)
	}
	code, out, _ = runGru(t, "", "list", "--local", "--our", "--json", "--types", "Storage::PrivateEndpointConnection", "-C", dir)
	var rows []gru.Listed
	json.Unmarshal([]byte(out), &rows)
	if code != 0 || len(rows) != 1 || rows[0].Connection != "Approved" {
		t.Errorf("the connections after the move: %s", out)
	}
}

// TestSubnetsInlineAndApart: a network that lists one subnet inline while the project declares
// another as a resource of its own converges: the network's PUT keeps the declared subnet, the
// plan after apply is empty, and applying again deletes nothing.
func TestSubnetsInlineAndApart(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	dir := writeProject(t, `exports.createResources = () => [
  { type: "ResourceGroup", group: "Resources", name: "rg-mixed" },
  { type: "VirtualNetwork", group: "Network", name: "vnet", dependencies: () => ({ resourceGroup: "rg-mixed" }),
    properties: () => ({ properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
      subnets: [{ name: "front", properties: { addressPrefix: "10.0.0.0/24" } }] } }) },
  { type: "Subnet", group: "Network", name: "back", dependencies: () => ({ resourceGroup: "rg-mixed", virtualNetwork: "rg-mixed::vnet" }),
    properties: () => ({ properties: { addressPrefix: "10.0.1.0/24" } }) },
];
`)
	if code, out, errOut := runGru(t, "", "apply", "-f", "--local", "-C", dir); code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
	}
	for i := 0; i < 2; i++ {
		if code, out, errOut := runGru(t, "", "plan", "--local", "--exit-code", "-C", dir); code != 0 {
			t.Fatalf("plan %d after apply: exit %d\n%s%s", i+1, code, out, errOut)
		}
		if code, out, errOut := runGru(t, "", "apply", "-f", "--local", "-C", dir); code != 0 || !strings.Contains(out, "Nothing to do") {
			t.Fatalf("apply %d again: exit %d\n%s%s", i+2, code, out, errOut)
		}
	}
	code, out, _ := runGru(t, "", "list", "--local", "--json", "-C", dir)
	if code != 0 || !strings.Contains(out, "/subnets/back") {
		t.Errorf("after three applies: %s", out)
	}
}

// TestReferencesOrderPuts: a body that names a declared resource by its ID (getId, or written
// out) is written after it, dependency or not: ARM refuses a reference to what does not exist.
func TestReferencesOrderPuts(t *testing.T) {
	t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
	code, out, errOut := runGru(t, "", "plan", "--local", "--json", "-C", example)
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s", code, errOut)
	}
	var p struct {
		Changes []struct {
			Resource string   `json:"resource"`
			PutAfter []string `json:"putAfter"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Changes {
		if c.Resource == "Network::PrivateEndpoint myResourceGroup::myPrivateEndpoint" &&
			!slices.Contains(c.PutAfter, "put Storage::StorageAccount myResourceGroup::mystorageaccount") {
			t.Errorf("the endpoint, whose privateLinkServiceId is the account's getId, is put after %v", c.PutAfter)
		}
	}
}
