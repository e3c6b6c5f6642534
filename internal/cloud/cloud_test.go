package cloud

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/gru-iac/gru/internal/emulator"
)

func TestLoopback(t *testing.T) {
	for endpoint, want := range map[string]bool{
		"http://127.0.0.1:4280": true, "http://localhost:80": true, "http://[::1]:1": true,
		"http://10.0.0.1:4280": false, "https://management.azure.com": false, "::bad": false,
	} {
		if got := isLoopback(endpoint); got != want {
			t.Errorf("%s: %v", endpoint, got)
		}
	}
}

func TestLocalCloud(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("GRU_LOCAL_DB", "")
	db, err := DefaultLocalDB()
	if err != nil || !strings.HasSuffix(db, filepath.Join("gru", "local-arm.db")) {
		t.Errorf("default database %s %v", db, err)
	}
	c, err := Connect(context.Background(), Options{Local: true, LocalDB: filepath.Join(t.TempDir(), "x.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Kind != "local" || !strings.HasPrefix(c.Endpoint, "http://127.0.0.1:") {
		t.Errorf("%+v", c)
	}
	if _, err := c.Client.ListResourceGroups(context.Background()); err != nil {
		t.Errorf("the local cloud does not answer: %v", err)
	}
	if _, err := Connect(context.Background(), Options{Local: true, Endpoint: "http://127.0.0.1:1"}); err == nil {
		t.Error("--local with --endpoint was accepted")
	}
}

// TestLocalCloudServesBlobs: the local cloud's storage accounts show its blob service as their
// blob endpoint, and Microsoft's blob SDK works there with a key from listKeys; Close stops it.
func TestLocalCloudServesBlobs(t *testing.T) {
	ctx := context.Background()
	c, err := Connect(ctx, Options{Local: true, LocalDB: filepath.Join(t.TempDir(), "x.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !strings.HasPrefix(c.BlobEndpoint, "http://127.0.0.1:") || c.BlobEndpoint == c.Endpoint {
		t.Fatalf("blob endpoint %q (ARM at %s)", c.BlobEndpoint, c.Endpoint)
	}
	rg := "/subscriptions/" + emulator.LocalSubscriptionID + "/resourceGroups/blobs"
	if _, err := c.Client.Put(ctx, rg, "2021-04-01", map[string]any{"location": "westeurope"}); err != nil {
		t.Fatal(err)
	}
	account := rg + "/providers/Microsoft.Storage/storageAccounts/grublobs"
	created, err := c.Client.Put(ctx, account, "2023-05-01", map[string]any{"location": "westeurope", "kind": "StorageV2", "sku": map[string]any{"name": "Standard_LRS"}})
	if err != nil {
		t.Fatal(err)
	}
	endpoint := created["properties"].(map[string]any)["primaryEndpoints"].(map[string]any)["blob"].(string)
	if endpoint != c.BlobEndpoint+"/grublobs/" {
		t.Errorf("primaryEndpoints.blob %s, want %s/grublobs/", endpoint, c.BlobEndpoint)
	}
	if _, err := c.Client.Put(ctx, account+"/blobServices/default/containers/data", "2023-05-01", map[string]any{"properties": map[string]any{}}); err != nil {
		t.Fatal(err)
	}
	keys, err := c.Client.Post(ctx, account, "listKeys", "2023-05-01", nil)
	if err != nil {
		t.Fatal(err)
	}
	key := keys["keys"].([]any)[0].(map[string]any)["value"].(string)
	cred, err := azblob.NewSharedKeyCredential("grublobs", key)
	if err != nil {
		t.Fatal(err)
	}
	client, err := azblob.NewClientWithSharedKeyCredential(endpoint, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.UploadBuffer(ctx, "data", "hello.txt", []byte("hello"), nil); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if n, err := client.DownloadBuffer(ctx, "data", "hello.txt", buf, nil); err != nil || string(buf[:n]) != "hello" {
		t.Errorf("download: %q %v", buf, err)
	}
	c.Close()
	if _, err := http.Get(c.BlobEndpoint + "/grublobs/"); err == nil {
		t.Error("the blob service still answers after Close")
	}
}
