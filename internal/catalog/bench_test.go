package catalog

import (
	"context"
	"testing"
)

// BenchmarkOpen decodes the embedded index: the cost every command pays once.
func BenchmarkOpen(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := Open(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookup resolves a short name, an alias and an ARM type in an open catalogue.
func BenchmarkLookup(b *testing.B) {
	c := open(b)
	names := []string{"Storage::PrivateEndpointConnection", "Web::WebAppConfiguration", "microsoft.network/virtualnetworks/subnets"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Lookup(names[i%len(names)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSchemaColdStorage opens a catalogue and decodes the seed type's schema file:
// what `gru schema Storage::PrivateEndpointConnection --api-version 2021-06-01` does in-process.
func BenchmarkSchemaColdStorage(b *testing.B) {
	for i := 0; i < b.N; i++ {
		c, err := Open(Options{})
		if err != nil {
			b.Fatal(err)
		}
		ti, err := c.Lookup("Storage::PrivateEndpointConnection")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Schema(context.Background(), ti, "2021-06-01"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSchemaColdNetwork decodes the largest common provider file (Microsoft.Network).
func BenchmarkSchemaColdNetwork(b *testing.B) {
	for i := 0; i < b.N; i++ {
		c := open(b)
		ti, _ := c.Lookup("Network::VirtualNetwork")
		if _, err := c.Schema(context.Background(), ti, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSuggest finds the nearest names to a misspelt one among every name and alias.
func BenchmarkSuggest(b *testing.B) {
	c := open(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Suggest("Storage::StorageAcount", 3)
	}
}
