package main

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gru-iac/gru/internal/emulator"
)

// TestGruCloudConstructs runs each project of testdata/grucloud, one per construct of
// GruCloud's format that gru supports, written as GruCloud projects are: apply, an empty plan,
// a gencode round trip (the generated project plans to no change), then destroy, after which
// nothing of the project is left. Each construct's effect is checked on what is live.
func TestGruCloudConstructs(t *testing.T) {
	checks := map[string]func(t *testing.T, dir, stderr string){
		"process-env": func(t *testing.T, dir, _ string) {
			// TEAM comes from default.env, through config.js.
			if got := field(t, dir, "Resources::ResourceGroup", "rg-process-env", "tags.team"); got != "platform" {
				t.Errorf("the group's team tag is %q, want platform (default.env)", got)
			}
		},
		"provider-config": func(t *testing.T, dir, _ string) {
			if got := field(t, dir, "KeyVault::Vault", "gc-provider-config-kv", "properties.tenantId"); got != emulator.LocalTenantID {
				t.Errorf("the vault's tenant is %q, want the local tenant", got)
			}
			if got := field(t, dir, "Network::NetworkSecurityGroup", "nsg", "tags.scope"); !strings.Contains(got, "/subscriptions/"+emulator.LocalSubscriptionID+"/") {
				t.Errorf("the ID built from config.subscriptionId is %q", got)
			}
		},
		"node-builtins": func(t *testing.T, dir, stderr string) {
			if !strings.Contains(stderr, `subnets ["10.3.0.0/24","10.3.1.0/24"]`) {
				t.Errorf("console.log did not reach stderr: %q", stderr)
			}
			if got := field(t, dir, "Resources::ResourceGroup", "rg-node-builtins", "tags.init"); got != "#cloud-config" {
				t.Errorf("the tag read with fs is %q", got)
			}
		},
		"type-table": func(t *testing.T, dir, _ string) {
			if got := field(t, dir, "Storage::BlobContainer", "images", "id"); !strings.HasSuffix(got, "/storageAccounts/gctypetable/blobServices/default/containers/images") {
				t.Errorf("the container's ID is %q", got)
			}
			if got := field(t, dir, "Network::VirtualNetworkGatewayConnection", "to-on-premises", "properties.virtualNetworkGateway1.id"); !strings.HasSuffix(got, "/virtualNetworkGateways/gateway") {
				t.Errorf("the connection's virtualNetworkGateway1 is %q", got)
			}
			// The shared key lives at ARM's path without a name, .../connections/{name}/sharedkey.
			if got := field(t, dir, "Network::VirtualNetworkGatewayConnectionSharedKey", "shared-key", "id"); !strings.HasSuffix(got, "/connections/to-on-premises/sharedkey/default") {
				t.Errorf("the shared key's ID is %q", got)
			}
		},
		"shapes": func(t *testing.T, dir, _ string) {
			// Made through provider.Network.makePublicIPAddress in a block body.
			if got := field(t, dir, "Network::PublicIPAddress", "ip", "sku.name"); got != "Standard" {
				t.Errorf("the address made through provider has sku %q", got)
			}
			if code, out, _ := runGru(t, "", "list", "--local", "--our", "-C", dir); code != 0 || strings.Contains(out, "NatGateway") || strings.Count(out, " yes ") != 3 {
				t.Errorf("list: exit %d\n%s", code, out)
			}
		},
		"storage-blob": func(t *testing.T, dir, _ string) {
			if got := field(t, dir, "Storage::BlobServiceProperties", "default", "properties.staticWebsite.indexDocument"); got != "index.html" {
				t.Errorf("the static website's index document is %q", got)
			}
			want, _ := os.ReadFile(filepath.Join(dir, "site", "index.html"))
			sum := md5.Sum(want)
			if got := field(t, dir, "Storage::Blob", "index.html", "properties.contentMD5"); got != base64.StdEncoding.EncodeToString(sum[:]) {
				t.Errorf("the blob's MD5 is %q, not the file's", got)
			}
			if got := field(t, dir, "Storage::Blob", "index.html", "properties.metadata.team"); got != "web" {
				t.Errorf("the blob's metadata: %q", got)
			}
			// The blobs are the project's, with their container.
			if code, out, _ := runGru(t, "", "list", "--local", "--our", "--json", "-C", dir); code != 0 || strings.Count(out, `"managed": true`) != 7 {
				t.Errorf("list --our: exit %d, want 7 managed resources\n%s", code, tail(out, 3000))
			}
			css, _ := os.ReadFile(filepath.Join(dir, "site", "css", "site.css"))
			cssSum := md5.Sum(css)
			if got := field(t, dir, "Storage::Blob", "css/site.css", "properties.contentMD5"); got != base64.StdEncoding.EncodeToString(cssSum[:]) {
				t.Errorf("the blob in a virtual folder: MD5 %q", got)
			}
			// A changed file is uploaded again; an unchanged one is not.
			edited := t.TempDir()
			copyDir(t, dir, edited)
			os.WriteFile(filepath.Join(edited, "site", "index.html"), []byte("<h1>changed</h1>\n"), 0o644)
			code, out, _ := runGru(t, "", "plan", "--local", "--json", "-C", edited)
			if code != 0 || strings.Count(out, `"action": "update"`) != 1 || !strings.Contains(out, "index.html") {
				t.Errorf("the plan of a changed file: exit %d\n%s", code, tail(out, 3000))
			}
		},
		"getid-path": func(t *testing.T, dir, _ string) {
			ip := field(t, dir, "Network::PublicIPAddress", "office-ip", "properties.ipAddress")
			if got := field(t, dir, "Network::NetworkSecurityGroup", "nsg", "properties.securityRules[0].properties.sourceAddressPrefix"); ip == "" || got != ip {
				t.Errorf("the rule lets in %q, want the address Azure gave the public IP, %q", got, ip)
			}
			principal := field(t, dir, "ManagedIdentity::UserAssignedIdentity", "app", "properties.principalId")
			if got := field(t, dir, "Network::NetworkSecurityGroup", "nsg", "tags.principal"); principal == "" || got != principal {
				t.Errorf("the tag holds %q, want the identity's principal %q", got, principal)
			}
			// Applied again, nothing changes: the read-only values are read from live.
			if code, out, errOut := runGru(t, "", "apply", "-f", "--local", "-C", dir); code != 0 || !strings.Contains(out+errOut, "Nothing to do") {
				t.Errorf("a second apply: exit %d\n%s%s", code, tail(out, 2000), errOut)
			}
		},
		"managed-identities": func(t *testing.T, dir, _ string) {
			if got := field(t, dir, "Storage::StorageAccount", "gcmanagedids", "identity.type"); got != "SystemAssigned, UserAssigned" {
				t.Errorf("the account's identity type is %q", got)
			}
			if got := field(t, dir, "Storage::StorageAccount", "gcmanagedids", "identity.userAssignedIdentities"); !strings.Contains(got, "/userAssignedIdentities/app-identity") {
				t.Errorf("the account's user-assigned identities: %s", got)
			}
		},
		"vm-ssh": func(t *testing.T, dir, _ string) {
			key, _ := os.ReadFile(filepath.Join(dir, "id_rsa.pub"))
			if got := field(t, dir, "Compute::VirtualMachine", "vm", "properties.osProfile.linuxConfiguration.ssh.publicKeys[0].keyData"); got != strings.TrimSpace(string(key)) {
				t.Errorf("the machine's SSH key is %q, not the key resource's", got)
			}
			if got := field(t, dir, "Compute::VirtualMachine", "vm", "properties.osProfile.linuxConfiguration.ssh.publicKeys[0].path"); got != "/home/ops/.ssh/authorized_keys" {
				t.Errorf("the key's path is %q", got)
			}
			for path, want := range map[string]string{
				"properties.ipConfigurations[0].properties.subnet.id":          "/subnets/default",
				"properties.ipConfigurations[0].properties.publicIPAddress.id": "/publicIPAddresses/vm-ip",
				"properties.networkSecurityGroup.id":                           "/networkSecurityGroups/vm-nsg",
			} {
				if got := field(t, dir, "Network::NetworkInterface", "vm-nic", path); !strings.HasSuffix(got, want) {
					t.Errorf("the interface's %s is %q", path, got)
				}
			}
			if got := field(t, dir, "Compute::VirtualMachine", "vm", "identity.type"); got != "UserAssigned" {
				t.Errorf("the machine's identity type is %q", got)
			}
			// gencode writes the identities back as GruCloud's managedIdentities dependency.
			gen := t.TempDir()
			if code, _, errOut := runGru(t, "", "gencode", "--local", "--our", "-o", gen, "-C", dir); code != 0 {
				t.Fatalf("gencode: %s", errOut)
			}
			js, _ := os.ReadFile(filepath.Join(gen, "resources.js"))
			if !strings.Contains(string(js), `managedIdentities: ["rg-vm-ssh::vm-identity"]`) || strings.Contains(string(js), "userAssignedIdentities") {
				t.Errorf("gencode's machine:\n%s", tail(string(js), 3000))
			}
		},
		"numbers": func(t *testing.T, dir, _ string) {
			if got := field(t, dir, "App::ContainerApp", "hello", "properties.template.containers[0].resources.cpu"); got != "0.5" {
				t.Errorf("the container's cpu is %q", got)
			}
		},
	}
	// The secrets a generated project reads from the environment (gencode writes none).
	secrets := map[string]map[string]string{
		"type-table": {"TO_ON_PREMISES_DEFAULT_VALUE": "not-a-real-key-either"},
	}
	entries, err := os.ReadDir(filepath.Join("testdata", "grucloud"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		t.Run(name, func(t *testing.T) {
			check, ok := checks[name]
			if !ok {
				t.Fatalf("testdata/grucloud/%s has no check in this test", name)
			}
			t.Setenv("GRU_LOCAL_DB", filepath.Join(t.TempDir(), "local.db"))
			dir, err := filepath.Abs(filepath.Join("testdata", "grucloud", name))
			if err != nil {
				t.Fatal(err)
			}
			code, out, stderr := runGru(t, "", "apply", "-f", "--local", "-C", dir)
			if code != 0 {
				t.Fatalf("apply: exit %d\n%s\n%s", code, tail(out, 3000), stderr)
			}
			if code, out, errOut := runGru(t, "", "plan", "--local", "--exit-code", "-C", dir); code != 0 {
				t.Errorf("the plan after apply is not empty: exit %d\n%s\n%s", code, tail(out, 3000), errOut)
			}
			check(t, dir, stderr)
			gen := t.TempDir()
			if code, _, errOut := runGru(t, "", "gencode", "--local", "--our", "-o", gen, "-C", dir); code != 0 {
				t.Fatalf("gencode: %s", errOut)
			}
			for k, v := range secrets[name] {
				t.Setenv(k, v)
			}
			if code, out, errOut := runGru(t, "", "plan", "--local", "--exit-code", "-C", gen); code != 0 {
				resources, _ := os.ReadFile(filepath.Join(gen, "resources.js"))
				t.Errorf("the generated project does not plan to no change: exit %d\n%s\n%s\n%s", code, tail(out, 3000), errOut, tail(string(resources), 3000))
			}
			if code, out, errOut := runGru(t, "", "destroy", "-f", "--local", "-C", dir); code != 0 {
				t.Fatalf("destroy: exit %d\n%s\n%s", code, tail(out, 3000), errOut)
			}
			code, out, _ = runGru(t, "", "list", "--local", "--our", "--json", "-C", dir)
			var left []any
			if err := json.Unmarshal([]byte(out), &left); code != 0 || err != nil || len(left) != 0 {
				t.Errorf("after destroy, list --our: exit %d, %v\n%s", code, err, tail(out, 2000))
			}
		})
	}
}

// copyDir copies a project folder (files and subfolders).
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// field is a value of a live resource, as gru output prints it.
func field(t *testing.T, dir, typ, name, path string) string {
	t.Helper()
	code, out, errOut := runGru(t, "", "output", "--local", "-C", dir, "--type", typ, "--name", name, "--field", path)
	if code != 0 {
		t.Errorf("output %s %s %s: exit %d %s", typ, name, path, code, errOut)
	}
	return strings.TrimSpace(out)
}
