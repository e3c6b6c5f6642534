package swagger

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestARMTypeFromPath(t *testing.T) {
	for p, want := range map[string]string{
		"/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{a}/privateEndpointConnections/{c}": "Microsoft.Storage/storageAccounts/privateEndpointConnections",
		"/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{a}/blobServices/default":           "Microsoft.Storage/storageAccounts/blobServices",
		"/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}":                                                    "Microsoft.Resources/resourceGroups",
		"/{scope}/providers/Microsoft.Authorization/roleAssignments/{name}":                                                     "Microsoft.Authorization/roleAssignments",
		"/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts":                                    "",
		"/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{a}/listKeys":                       "",
		"/subscriptions/{s}/providers/{namespace}/{type}/{name}":                                                                "",
	} {
		got, ok := ARMTypeFromPath(p)
		if got != want || ok != (want != "") {
			t.Errorf("%s: %q %v, want %q", p, got, ok, want)
		}
	}
}

func TestSeedSpecExamples(t *testing.T) {
	root := filepath.Join("..", "..", "..", "shared", "azure", "specs-seed", "specification")
	if _, err := os.Stat(root); err != nil {
		t.Skip("the seed specs are not beside the repository")
	}
	examples, _, err := RequestExamples(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range examples {
		if e.Name == "StorageAccountPutPrivateEndpointConnection" {
			if e.ARMType != "Microsoft.Storage/storageAccounts/privateEndpointConnections" || e.APIVersion != "2021-06-01" || e.Method != "PUT" {
				t.Errorf("%+v", e)
			}
			return
		}
	}
	t.Errorf("the seed example is missing among %d", len(examples))
}
