package emulator

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// benchServer serves an emulator with a SQLite file over a real loopback listener.
func benchServer(b *testing.B) (*httptest.Server, *http.Client) {
	e, err := New(context.Background(), Options{DBPath: filepath.Join(b.TempDir(), "arm.db")})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(e)
	b.Cleanup(func() { srv.Close(); e.Close() })
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	send(b, client, "PUT", srv.URL+sub+"/resourceGroups/rg?api-version=2021-04-01", `{"location":"westeurope"}`, 201)
	return srv, client
}

func send(b *testing.B, c *http.Client, method, url, body string, want int) {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer t")
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		b.Fatalf("%s %s: %d", method, url, resp.StatusCode)
	}
}

const vnetBody = `{"location":"westeurope","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]},"subnets":[{"name":"default","properties":{"addressPrefix":"10.0.0.0/24"}}]}}`

// BenchmarkPut creates storage accounts at an API version the catalogue holds, so that each
// body is validated against its schema, in parallel.
func BenchmarkPut(b *testing.B) {
	srv, client := benchServer(b)
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			send(b, client, "PUT", fmt.Sprintf("%s%s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct%d?api-version=2021-06-01", srv.URL, sub, i), acctBody, 200)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "PUT/s")
}

// BenchmarkGet reads virtual networks in parallel.
func BenchmarkGet(b *testing.B) {
	srv, client := benchServer(b)
	for i := 0; i < 100; i++ {
		send(b, client, "PUT", fmt.Sprintf("%s%s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v%d?api-version=2024-05-01", srv.URL, sub, i), vnetBody, 201)
	}
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1) % 100
			send(b, client, "GET", fmt.Sprintf("%s%s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v%d?api-version=2024-05-01", srv.URL, sub, i), "", 200)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "GET/s")
}
