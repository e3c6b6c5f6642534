package main

import (
	"strings"
	"testing"
)

// complete asks gru's shell completion (as the scripts do) and returns the candidates and
// the directive line.
func complete(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	code, out, errOut := runGru(t, "", append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %v: exit %d %s", args, code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

// TestCompletion: type names complete group first, then type; ARM types after a dot; the
// last item of a --types list; groups for --group; and the names and types the project
// declares for destroy's and output's --name and output's --type.
func TestCompletion(t *testing.T) {
	for _, c := range []struct {
		args      []string
		want      []string
		directive string
	}{
		{[]string{"schema", "Netw"}, []string{"Network::", "NetworkCloud::"}, ":6"}, // no space: the type follows
		{[]string{"schema", "network::virtualnetworkg"}, []string{"Network::VirtualNetworkGateway", "Network::VirtualNetworkGatewayConnection"}, ":4"},
		{[]string{"doc", "Microsoft.Storage/storageAccounts/blobServices/c"}, []string{"Microsoft.Storage/storageAccounts/blobServices/containers"}, ":4"},
		{[]string{"types", "--versions", "Storage::StorageAcc"}, []string{"Storage::StorageAccount"}, ":4"},
		{[]string{"validate", "b.json", "--type", "Storage::StorageAcc"}, []string{"Storage::StorageAccount"}, ":4"},
		{[]string{"list", "--types", "Network::VirtualNetwork,Storage::StorageAcc"}, []string{"Network::VirtualNetwork,Storage::StorageAccount"}, ":4"},
		{[]string{"types", "--group", "Storage"}, []string{"Storage", "StorageCache"}, ":4"},
		{[]string{"output", "-C", example, "--name", "my"}, []string{"myVnet\tNetwork::VirtualNetwork", "mystorageaccount\tStorage::StorageAccount"}, ":4"},
		{[]string{"output", "-C", example, "--type", "Storage::StorageAccount", "--name", ""}, []string{"mystorageaccount\tStorage::StorageAccount"}, ":4"},
		{[]string{"output", "-C", example, "--type", "Network::"}, []string{"Network::PrivateEndpoint", "Network::Subnet", "Network::VirtualNetwork"}, ":4"},
		{[]string{"destroy", "-C", example, "--name", "myPrivateEndpoint"}, []string{"myPrivateEndpoint\tNetwork::PrivateEndpoint", "myPrivateEndpointConnection\tStorage::PrivateEndpointConnection"}, ":4"},
		{[]string{"--progress", ""}, []string{"auto", "plain", "live", "none"}, ":4"},
	} {
		got, directive := complete(t, c.args...)
		for _, w := range c.want {
			if !strings.Contains("\n"+strings.Join(got, "\n")+"\n", "\n"+w+"\n") {
				t.Errorf("%v: no %q in %q", c.args, w, got)
			}
		}
		if directive != c.directive {
			t.Errorf("%v: directive %s, want %s", c.args, directive, c.directive)
		}
	}
	if got, _ := complete(t, "output", "-C", example, "--type", "Storage::StorageAccount", "--name", ""); len(got) != 1 {
		t.Errorf("--type keeps the names of a type: %q", got)
	}
	// outside a project: no names, and no file names either
	if got, directive := complete(t, "destroy", "-C", t.TempDir(), "--name", ""); len(got) != 0 || directive != ":1" {
		t.Errorf("outside a project: %q %s", got, directive)
	}
}
