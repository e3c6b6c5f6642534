package armclient

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gru-iac/gru/internal/catalog"
	"github.com/gru-iac/gru/internal/emulator"
)

// benchTarget serves an in-memory emulator holding one storage account.
func benchTarget(b *testing.B) (*httptest.Server, *catalog.Catalog, string) {
	cat, err := catalog.Open(catalog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	emu, err := emulator.New(context.Background(), emulator.Options{Catalog: cat})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	b.Cleanup(func() { srv.Close(); emu.Close() })
	c, err := New(Options{Endpoint: srv.URL, Credential: StaticToken("t"), Subscription: emulator.LocalSubscriptionID, InsecureHTTP: true, Catalog: cat})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Put(ctx, sub+"/resourceGroups/rg", "", map[string]any{"location": "westeurope"}); err != nil {
		b.Fatal(err)
	}
	acct := sub + "/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct"
	if _, err := c.Put(ctx, acct, "2021-06-01", map[string]any{"location": "westeurope", "kind": "StorageV2", "sku": map[string]any{"name": "Standard_LRS"}}); err != nil {
		b.Fatal(err)
	}
	return srv, cat, acct
}

// BenchmarkGetRawHTTP reads a resource with net/http alone: the floor the client is measured against.
func BenchmarkGetRawHTTP(b *testing.B) {
	srv, _, acct := benchTarget(b)
	client := srv.Client()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("GET", srv.URL+acct+"?api-version=2021-06-01", nil)
		req.Header.Set("Authorization", "Bearer t")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// BenchmarkGetClient reads the same resource through gru's client (azcore pipeline, pacing,
// retry, bearer token, JSON decoding). The difference with BenchmarkGetRawHTTP is the
// client's overhead per request.
func BenchmarkGetClient(b *testing.B) {
	srv, cat, acct := benchTarget(b)
	c, err := New(Options{Endpoint: srv.URL, Credential: StaticToken("t"), Subscription: emulator.LocalSubscriptionID, InsecureHTTP: true, Catalog: cat, Transport: srv.Client()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Get(ctx, acct, "2021-06-01"); err != nil {
			b.Fatal(err)
		}
	}
}
