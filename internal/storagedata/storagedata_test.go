package storagedata

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gru-iac/gru/internal/armclient"
	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/emulator"
)

const sub = "/subscriptions/" + emulator.LocalSubscriptionID

// local is a client of an emulator serving ARM and the blob service over real HTTP.
func local(t *testing.T) *Client {
	t.Helper()
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	blobs := httptest.NewUnstartedServer(nil)
	e, err := emulator.New(context.Background(), emulator.Options{Catalog: cat, BlobEndpoint: "http://" + blobs.Listener.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	blobs.Config.Handler = e.BlobHandler()
	blobs.Start()
	arm := httptest.NewServer(e)
	t.Cleanup(func() { arm.Close(); blobs.Close(); e.Close() })
	c, err := armclient.New(armclient.Options{Endpoint: arm.URL, InsecureHTTP: true, Credential: armclient.StaticToken("local"),
		Subscription: emulator.LocalSubscriptionID, Catalog: cat, PollFrequency: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return New(c, nil)
}

// TestBlobsAsResources: a blob and the Blob service's properties are read, written, listed
// and deleted by their ARM-shaped IDs, through the account's key and blob endpoint; other IDs
// go to ARM.
func TestBlobsAsResources(t *testing.T) {
	ctx := context.Background()
	c := local(t)
	account := sub + "/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/gcdata"
	for _, step := range []struct {
		id   string
		body map[string]any
	}{
		{sub + "/resourceGroups/rg", map[string]any{"location": "westeurope"}},
		{account, map[string]any{"location": "westeurope", "kind": "StorageV2", "sku": map[string]any{"name": "Standard_LRS"}}},
		{account + "/blobServices/default/containers/site", map[string]any{}},
	} {
		if _, err := c.Put(ctx, step.id, "", step.body); err != nil {
			t.Fatalf("PUT %s through ARM: %v", step.id, err)
		}
	}
	file := filepath.Join(t.TempDir(), "index.html")
	os.WriteFile(file, []byte("<h1>hello</h1>\n"), 0o644)
	blobID := account + "/blobServices/default/containers/site/blobs/index.html"
	got, err := c.Put(ctx, blobID, "", map[string]any{"source": file, "properties": map[string]any{"contentType": "text/html", "metadata": map[string]any{"team": "web"}}})
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum([]byte("<h1>hello</h1>\n"))
	gp, _ := got["properties"].(map[string]any)
	if gp["contentMD5"] != base64.StdEncoding.EncodeToString(sum[:]) || gp["contentType"] != "text/html" || gp["contentLength"] != float64(15) || got["id"] != blobID {
		t.Errorf("the blob as a resource: %v", got)
	}
	if md, _ := gp["metadata"].(map[string]any); md["team"] != "web" {
		t.Errorf("metadata: %v", gp["metadata"])
	}
	if data, err := c.Content(ctx, blobID); err != nil || string(data) != "<h1>hello</h1>\n" {
		t.Errorf("content: %q %v", data, err)
	}
	items, err := c.List(ctx, account+"/blobServices/default/containers/site/blobs", "", nil)
	if err != nil || len(items) != 1 || items[0]["id"] != blobID {
		t.Errorf("list: %v %v", items, err)
	}
	// The service's properties: a static website.
	propsID := account + "/blobServices/default/serviceProperties/default"
	if _, err := c.Put(ctx, propsID, "", map[string]any{"properties": map[string]any{"staticWebsite": map[string]any{"enabled": true, "indexDocument": "index.html"}}}); err != nil {
		t.Fatal(err)
	}
	props, err := c.Get(ctx, propsID, "")
	pp, _ := props["properties"].(map[string]any)
	if site, _ := pp["staticWebsite"].(map[string]any); err != nil || site["enabled"] != true || site["indexDocument"] != "index.html" {
		t.Errorf("service properties: %v %v", props, err)
	}
	// Deleted: gone, and a second delete is no error.
	if err := c.Delete(ctx, blobID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, blobID, ""); !armclient.IsNotFound(err) {
		t.Errorf("after delete: %v, want not found", err)
	}
	if err := c.Delete(ctx, blobID, ""); err != nil {
		t.Errorf("deleting again: %v", err)
	}
	// A blob without a source is refused with a clear error; a missing container is not found.
	if _, err := c.Put(ctx, blobID, "", map[string]any{}); err == nil {
		t.Error("a blob without source was written")
	}
	if _, err := c.List(ctx, account+"/blobServices/default/containers/absent/blobs", "", nil); !armclient.IsNotFound(err) {
		t.Errorf("listing a missing container: %v", err)
	}
}
